package dev.tollgate.evidence.openpgp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.bcpg.sig.RevocationReasonTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * A registered OpenPGP public key (an armored transferable public key, as {@code gpg --export
 * --armor} writes it): one primary key with at least one user ID it certified itself, and its
 * subkeys. Every statement about the key is believed only when its signature by the primary key
 * verifies: user IDs (self-certifications), subkeys (binding signatures, and for signing subkeys
 * the subkey's back-signature), expiry (from those signatures) and revocations.
 */
public final class OpenPgpKey {

    private static final String BEGIN_PUBLIC = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
    private static final Set<Integer> SIGNING_ALGORITHMS = Set.of(PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN,
            PublicKeyAlgorithmTags.ECDSA, PublicKeyAlgorithmTags.EDDSA_LEGACY, PublicKeyAlgorithmTags.Ed25519, PublicKeyAlgorithmTags.Ed448);
    static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();

    private final String name;
    private final PGPPublicKeyRing ring;
    private final String fingerprint;
    private final List<String> userIds;

    private OpenPgpKey(String name, PGPPublicKeyRing ring, List<String> userIds) {
        this.name = name;
        this.ring = ring;
        this.fingerprint = HexFormat.of().formatHex(ring.getPublicKey().getFingerprint()).toUpperCase(Locale.ROOT);
        this.userIds = List.copyOf(userIds);
    }

    public String name() {
        return name;
    }

    /** The primary key's fingerprint, upper-case hex as gpg prints it. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The user IDs the primary key certified (and did not revoke). */
    public List<String> userIds() {
        return userIds;
    }

    PGPPublicKeyRing ring() {
        return ring;
    }

    /** Whether held key material is an armored OpenPGP key (or an armored OpenPGP block of another kind, refused when loaded). */
    public static boolean isArmored(byte[] content) {
        String head = new String(content, 0, Math.min(content.length, 200), StandardCharsets.UTF_8).stripLeading();
        return head.startsWith("-----BEGIN PGP ");
    }

    public static OpenPgpKey load(String name, byte[] armored) throws OpenPgpRefused {
        String text = new String(armored, StandardCharsets.UTF_8).strip();
        if (!text.startsWith(BEGIN_PUBLIC)) {
            throw invalid(text.startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----")
                    ? "this is a private key: register the public key (gpg --export --armor)"
                    : "expected an armored OpenPGP public key (" + BEGIN_PUBLIC + ")");
        }
        PGPPublicKeyRingCollection rings;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
            if (in.read() != -1) {
                throw invalid("the armored block holds more than one key");
            }
        } catch (IOException | PGPException | RuntimeException e) {
            throw invalid("not a readable OpenPGP public key: " + e.getMessage());
        }
        if (rings.size() != 1) {
            throw invalid("exactly one OpenPGP key is expected, the block holds " + rings.size());
        }
        PGPPublicKeyRing ring = rings.getKeyRings().next();
        PGPPublicKey primary = ring.getPublicKey();
        strongEnough(primary);
        List<String> userIds = certifiedUserIds(primary);
        if (userIds.isEmpty()) {
            throw invalid("the key has no user ID certified by its own primary key");
        }
        return new OpenPgpKey(name, ring, userIds);
    }

    /** Signing keys must be RSA of at least 2048 bits, ECDSA or EdDSA. */
    static void strongEnough(PGPPublicKey key) throws OpenPgpRefused {
        if (!SIGNING_ALGORITHMS.contains(key.getAlgorithm())) {
            throw invalid("OpenPGP key algorithm " + key.getAlgorithm() + " is not accepted (RSA >= 2048, ECDSA, EdDSA)");
        }
        boolean rsa = key.getAlgorithm() == PublicKeyAlgorithmTags.RSA_GENERAL || key.getAlgorithm() == PublicKeyAlgorithmTags.RSA_SIGN;
        if (rsa && key.getBitStrength() < 2048) {
            throw invalid("RSA keys need at least 2048 bits, this one has " + key.getBitStrength());
        }
    }

    private static List<String> certifiedUserIds(PGPPublicKey primary) {
        List<String> ids = new ArrayList<>();
        for (Iterator<String> it = primary.getUserIDs(); it.hasNext(); ) {
            String id = it.next();
            boolean certified = false;
            boolean revoked = false;
            for (Iterator<PGPSignature> sigs = primary.getSignaturesForID(id); sigs != null && sigs.hasNext(); ) {
                PGPSignature sig = sigs.next();
                if (sig.getKeyID() != primary.getKeyID() || !verifiesUserId(sig, id, primary)) {
                    continue;
                }
                if (sig.getSignatureType() == PGPSignature.CERTIFICATION_REVOCATION) {
                    revoked = true;
                } else if (sig.isCertification()) {
                    certified = true;
                }
            }
            if (certified && !revoked) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static boolean verifiesUserId(PGPSignature sig, String id, PGPPublicKey primary) {
        try {
            sig.init(VERIFIERS, primary);
            return sig.verifyCertification(id, primary);
        } catch (PGPException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Why {@code key} (the primary key or one of its subkeys) could not make a data signature at
     * {@code at}, or null when it could: created before, not expired, not revoked (a revocation
     * for "superseded" or "retired" counts from its own time, any other revocation always), a
     * subkey bound by the primary key, with the signing flag and its back-signature.
     */
    String invalidAt(PGPPublicKey key, Instant at) {
        PGPPublicKey primary = ring.getPublicKey();
        String primaryProblem = validity(primary, null, at);
        if (primaryProblem != null) {
            return primaryProblem;
        }
        if (key.getKeyID() != primary.getKeyID()) {
            return validity(key, primary, at);
        }
        PGPSignature self = latestSelfSignature(primary);
        int flags = self == null || self.getHashedSubPackets() == null ? 0 : self.getHashedSubPackets().getKeyFlags();
        if (flags != 0 && (flags & KeyFlags.SIGN_DATA) == 0) {
            return "the primary key " + fingerprint + " is not for signing data (its key flags say so)";
        }
        return null;
    }

    private String validity(PGPPublicKey key, PGPPublicKey primary, Instant at) {
        String what = primary == null ? "the key " + fingerprint : "the subkey " + hex(key) + " of " + fingerprint;
        Instant created = key.getCreationTime().toInstant();
        if (at.isBefore(created)) {
            return what + " was created at " + created + ", after the signature (" + at + ")";
        }
        PGPPublicKey signer = primary == null ? key : primary;
        int type = primary == null ? PGPSignature.KEY_REVOCATION : PGPSignature.SUBKEY_REVOCATION;
        for (Iterator<PGPSignature> it = key.getSignaturesOfType(type); it.hasNext(); ) {
            PGPSignature revocation = it.next();
            if (!verifiesKeySignature(revocation, signer, primary == null ? null : key)) {
                continue;
            }
            Instant revokedAt = revocation.getCreationTime().toInstant();
            int reason = reason(revocation);
            boolean soft = reason == RevocationReasonTags.KEY_SUPERSEDED || reason == RevocationReasonTags.KEY_RETIRED;
            if (!soft) {
                return what + " is revoked (" + reasonText(reason) + ", " + revokedAt + "): none of its signatures count";
            }
            if (!at.isBefore(revokedAt)) {
                return what + " was revoked (" + reasonText(reason) + ") at " + revokedAt + ", before the signature (" + at + ")";
            }
        }
        PGPSignature self;
        if (primary == null) {
            self = latestSelfSignature(key);
            if (self == null) {
                return what + " has no self-signature";
            }
        } else {
            self = latestBinding(key, primary);
            if (self == null) {
                return what + " is not bound to its primary key by a valid signature";
            }
            PGPSignatureSubpacketVector hashed = self.getHashedSubPackets();
            int flags = hashed == null ? 0 : hashed.getKeyFlags();
            if ((flags & KeyFlags.SIGN_DATA) == 0) {
                return what + " is not a signing subkey";
            }
            if (!backSigned(self, key, primary)) {
                return what + " has no valid back-signature (primary key binding) for signing";
            }
            try {
                strongEnough(key);
            } catch (OpenPgpRefused e) {
                return what + ": " + e.detail();
            }
        }
        long expiresAfter = self.getHashedSubPackets() == null ? 0 : self.getHashedSubPackets().getKeyExpirationTime();
        if (expiresAfter > 0) {
            Instant expires = created.plusSeconds(expiresAfter);
            if (!at.isBefore(expires)) {
                return what + " expired at " + expires + ", before the signature (" + at + ")";
            }
        }
        return null;
    }

    /** The newest verified self-certification of a user ID, or direct-key signature, of the primary key. */
    private static PGPSignature latestSelfSignature(PGPPublicKey primary) {
        PGPSignature latest = null;
        for (Iterator<String> it = primary.getUserIDs(); it.hasNext(); ) {
            String id = it.next();
            for (Iterator<PGPSignature> sigs = primary.getSignaturesForID(id); sigs != null && sigs.hasNext(); ) {
                PGPSignature sig = sigs.next();
                if (sig.isCertification() && sig.getKeyID() == primary.getKeyID() && verifiesUserId(sig, id, primary)) {
                    latest = newer(latest, sig);
                }
            }
        }
        for (Iterator<PGPSignature> it = primary.getSignaturesOfType(PGPSignature.DIRECT_KEY); it.hasNext(); ) {
            PGPSignature sig = it.next();
            if (verifiesKeySignature(sig, primary, null)) {
                latest = newer(latest, sig);
            }
        }
        return latest;
    }

    private static PGPSignature latestBinding(PGPPublicKey subkey, PGPPublicKey primary) {
        PGPSignature latest = null;
        for (Iterator<PGPSignature> it = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); it.hasNext(); ) {
            PGPSignature sig = it.next();
            if (verifiesKeySignature(sig, primary, subkey)) {
                latest = newer(latest, sig);
            }
        }
        return latest;
    }

    private static boolean backSigned(PGPSignature binding, PGPPublicKey subkey, PGPPublicKey primary) {
        PGPSignatureList embedded;
        try {
            embedded = binding.getHashedSubPackets().getEmbeddedSignatures();
            if (embedded == null || embedded.isEmpty()) {
                embedded = binding.getUnhashedSubPackets() == null ? null : binding.getUnhashedSubPackets().getEmbeddedSignatures();
            }
        } catch (PGPException | RuntimeException e) {
            return false;
        }
        if (embedded == null) {
            return false;
        }
        for (PGPSignature back : embedded) {
            if (back.getSignatureType() != PGPSignature.PRIMARYKEY_BINDING) {
                continue;
            }
            try {
                back.init(VERIFIERS, subkey);
                if (back.verifyCertification(primary, subkey)) {
                    return true;
                }
            } catch (PGPException | RuntimeException e) {
                // not this one
            }
        }
        return false;
    }

    /** A signature by {@code signer} over the primary key alone ({@code subkey} null) or over primary and subkey. */
    private static boolean verifiesKeySignature(PGPSignature sig, PGPPublicKey signer, PGPPublicKey subkey) {
        try {
            sig.init(VERIFIERS, signer);
            return subkey == null ? sig.verifyCertification(signer) : sig.verifyCertification(signer, subkey);
        } catch (PGPException | RuntimeException e) {
            return false;
        }
    }

    private static PGPSignature newer(PGPSignature a, PGPSignature b) {
        return a == null || b.getCreationTime().after(a.getCreationTime()) ? b : a;
    }

    private static int reason(PGPSignature revocation) {
        PGPSignatureSubpacketVector hashed = revocation.getHashedSubPackets();
        if (hashed == null || hashed.getRevocationReason() == null) {
            return -1;
        }
        return hashed.getRevocationReason().getRevocationReason();
    }

    private static String reasonText(int reason) {
        return switch (reason) {
            case RevocationReasonTags.NO_REASON -> "no reason given";
            case RevocationReasonTags.KEY_SUPERSEDED -> "superseded";
            case RevocationReasonTags.KEY_COMPROMISED -> "compromised";
            case RevocationReasonTags.KEY_RETIRED -> "retired";
            case -1 -> "no reason stated";
            default -> "reason " + reason;
        };
    }

    static String hex(PGPPublicKey key) {
        return HexFormat.of().formatHex(key.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    private static OpenPgpRefused invalid(String detail) {
        return new OpenPgpRefused(OpenPgpRefused.NO_TRUST_MATERIAL, detail);
    }
}
