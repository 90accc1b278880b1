package dev.tollgate.evidence.sigstore;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.HexFormat;

/**
 * Signature checks with the hash each key type calls for. sigstore-java 2.0.0's verifiers hash
 * ECDSA with SHA-256 whatever the curve, so P-384 signatures (SHA-384, as Sigstore specifies for
 * that curve) never verify there; this picks SHA-384 for P-384, Ed25519 for Ed25519 keys and
 * PKCS#1 v1.5 with SHA-256 for RSA.
 */
final class KeySignatures {

    private static final byte[] SHA256_DIGEST_INFO = HexFormat.of().parseHex("3031300d060960864801650304020105000420");

    private KeySignatures() {
    }

    /** A signature over {@code data}. */
    static boolean verify(PublicKey key, byte[] data, byte[] signature) throws Failure {
        try {
            Signature verifier = Signature.getInstance(algorithm(key));
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** A signature over content of which only the SHA-256 {@code digest} is known. */
    static boolean verifyDigest(PublicKey key, byte[] digest, byte[] signature) throws Failure {
        try {
            Signature verifier;
            byte[] signed = digest;
            if (key instanceof ECPublicKey) {
                verifier = Signature.getInstance("NONEwithECDSA");
            } else if (key instanceof RSAPublicKey) {
                verifier = Signature.getInstance("NONEwithRSA");
                signed = new byte[SHA256_DIGEST_INFO.length + digest.length];
                System.arraycopy(SHA256_DIGEST_INFO, 0, signed, 0, SHA256_DIGEST_INFO.length);
                System.arraycopy(digest, 0, signed, SHA256_DIGEST_INFO.length, digest.length);
            } else {
                throw new Failure(Failure.Codes.UNSUPPORTED, "an " + key.getAlgorithm()
                        + " signature covers the artifact itself, not its digest; use a DSSE envelope");
            }
            verifier.initVerify(key);
            verifier.update(signed);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static String algorithm(PublicKey key) throws Failure {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if (key instanceof RSAPublicKey) {
            return "SHA256withRSA";
        }
        if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
            return "Ed25519";
        }
        throw new Failure(Failure.Codes.UNSUPPORTED, "unsupported key algorithm " + key.getAlgorithm());
    }
}
