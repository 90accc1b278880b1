package dev.tollgate.trust;

/**
 * Validates trust material before it is held. Implemented by the evidence package, which owns
 * the Sigstore and key parsing; the trust package only stores what passes.
 */
public interface TrustMaterialCheck {

    /** @throws InvalidTrustMaterial with a reader's reason when the trusted root is unusable */
    void checkRoot(byte[] trustedRootJson) throws InvalidTrustMaterial;

    /** @throws InvalidTrustMaterial when the key is malformed, of an unaccepted type, too weak or expired */
    void checkKey(byte[] pem) throws InvalidTrustMaterial;

    /** The check for material of this kind. */
    default void check(TrustKind kind, byte[] content) throws InvalidTrustMaterial {
        if (kind == TrustKind.ROOT) {
            checkRoot(content);
        } else {
            checkKey(content);
        }
    }

    /**
     * When the material stops verifying new evidence, if it ever does: a key's {@code validUntil}; for a trusted
     * root (overridden by the evidence package, which reads roots), also the end of its authorities' validity.
     */
    default java.util.Optional<java.time.Instant> expiry(TrustMaterial material) {
        return java.util.Optional.ofNullable(material.settings().validUntil());
    }

    /** Trust material that cannot be used; the message says why. */
    final class InvalidTrustMaterial extends Exception {
        public InvalidTrustMaterial(String reason) {
            super(reason, null, false, false);
        }
    }
}
