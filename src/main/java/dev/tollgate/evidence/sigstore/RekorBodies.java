package dev.tollgate.evidence.sigstore;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import dev.tollgate.digest.Digest;

/**
 * Checks that a transparency-log entry's body records exactly this signature, over exactly this
 * content, by exactly this signer, for the entry kinds sigstore-java 2.0.0 cannot check itself:
 * {@code hashedrekord} 0.0.1/0.0.2 (including Rekor v2's hashedrekord over DSSE), {@code dsse}
 * 0.0.1/0.0.2 and the deprecated {@code intoto} 0.0.2.
 */
final class RekorBodies {

    /** What the entry must record. */
    record Expected(byte[] signature, byte[] signedDigest, byte[] dssePayload, String dssePayloadType,
            X509Certificate certificate, byte[] publicKeyInfo) {
    }

    private final ObjectMapper json;

    RekorBodies(ObjectMapper json) {
        this.json = json;
    }

    void check(ParsedBundle.TlogEntry entry, Expected expected) throws Failure {
        JsonNode body;
        try {
            body = json.readTree(entry.canonicalizedBody());
        } catch (RuntimeException e) {
            throw mismatch("the log entry body is not JSON");
        }
        String kind = body.path("kind").asString("") + ":" + body.path("apiVersion").asString("");
        if (!kind.equals(entry.kindVersion())) {
            throw mismatch("the log entry says " + entry.kindVersion() + " but its body is " + kind);
        }
        JsonNode spec = body.path("spec");
        switch (kind) {
            case "hashedrekord:0.0.1" -> hashedRekordV1(spec, expected);
            case "hashedrekord:0.0.2" -> hashedRekordV2(spec.path("hashedRekordV002"), expected);
            case "dsse:0.0.1" -> dsseV1(spec, expected);
            case "dsse:0.0.2" -> dsseV2(spec.path("dsseV002"), expected);
            case "intoto:0.0.2" -> intotoV2(spec.path("content"), expected);
            default -> throw new Failure(Failure.Codes.UNSUPPORTED, "unsupported log entry kind " + kind);
        }
    }

    private void hashedRekordV1(JsonNode spec, Expected e) throws Failure {
        requireEqual(!"sha256".equals(spec.path("data").path("hash").path("algorithm").asString("")), "the entry's hash is not sha256");
        byte[] recorded = hex(spec.path("data").path("hash").path("value"));
        requireEqual(!Arrays.equals(recorded, signedDigest(e)), "the entry records another digest");
        requireEqual(!Arrays.equals(base64(spec.path("signature").path("content")), e.signature()), "the entry records another signature");
        signer(pem(base64(spec.path("signature").path("publicKey").path("content"))), e);
    }

    private void hashedRekordV2(JsonNode spec, Expected e) throws Failure {
        requireEqual(!"SHA2_256".equals(spec.path("data").path("algorithm").asString("")), "the entry's digest is not SHA2_256");
        requireEqual(!Arrays.equals(base64(spec.path("data").path("digest")), signedDigest(e)), "the entry records another digest");
        requireEqual(!Arrays.equals(base64(spec.path("signature").path("content")), e.signature()), "the entry records another signature");
        Object recorded = verifierV2(spec.path("signature").path("verifier"));
        if (recorded instanceof SubjectPublicKeyInfo info && e.certificate() != null) {
            // Rekor v2 may log a certificate-signed bundle by its leaf's public key
            requireEqual(!Arrays.equals(encoded(info), e.certificate().getPublicKey().getEncoded()),
                    "the entry records another public key than the certificate's");
            return;
        }
        signer(recorded, e);
    }

    private static byte[] encoded(SubjectPublicKeyInfo info) throws Failure {
        try {
            return info.getEncoded();
        } catch (IOException ex) {
            throw mismatch("the entry's public key does not encode");
        }
    }

    private void dsseV1(JsonNode spec, Expected e) throws Failure {
        requireDsse(e);
        requireEqual(!Arrays.equals(hex(spec.path("payloadHash").path("value")), Digest.sha256(e.dssePayload()).bytes()),
                "the entry records another payload");
        JsonNode signatures = spec.path("signatures");
        requireEqual(!signatures.isArray() || signatures.size() != 1, "the entry must record exactly one signature");
        requireEqual(!Arrays.equals(base64(signatures.get(0).path("signature")), e.signature()), "the entry records another signature");
        signer(pem(base64(signatures.get(0).path("verifier"))), e);
    }

    private void dsseV2(JsonNode spec, Expected e) throws Failure {
        requireDsse(e);
        requireEqual(!Arrays.equals(base64(spec.path("payloadHash").path("digest")), Digest.sha256(e.dssePayload()).bytes()),
                "the entry records another payload");
        JsonNode signatures = spec.path("signatures");
        requireEqual(!signatures.isArray() || signatures.size() != 1, "the entry must record exactly one signature");
        requireEqual(!Arrays.equals(base64(signatures.get(0).path("content")), e.signature()), "the entry records another signature");
        signer(verifierV2(signatures.get(0).path("verifier")), e);
    }

    private void intotoV2(JsonNode content, Expected e) throws Failure {
        requireDsse(e);
        requireEqual(!"sha256".equals(content.path("payloadHash").path("algorithm").asString("")), "the entry's hash is not sha256");
        requireEqual(!Arrays.equals(hex(content.path("payloadHash").path("value")), Digest.sha256(e.dssePayload()).bytes()),
                "the entry records another payload");
        JsonNode signatures = content.path("envelope").path("signatures");
        requireEqual(!signatures.isArray() || signatures.size() != 1, "the entry must record exactly one signature");
        // intoto 0.0.2 stores the envelope's base64 fields base64-encoded once more
        byte[] sig = base64(base64String(signatures.get(0).path("sig")));
        requireEqual(!Arrays.equals(sig, e.signature()), "the entry records another signature");
        signer(pem(base64(signatures.get(0).path("publicKey"))), e);
    }

    private static byte[] signedDigest(Expected e) {
        return e.dssePayload() != null ? Digest.sha256(Dsse.pae(e.dssePayloadType(), e.dssePayload())).bytes() : e.signedDigest();
    }

    private static void requireDsse(Expected e) throws Failure {
        requireEqual(e.dssePayload() == null, "a DSSE log entry for a message signature");
    }

    /** The signer recorded in the entry (a certificate, or a public key) must be the bundle's. */
    private static void signer(Object recorded, Expected e) throws Failure {
        try {
            if (recorded instanceof X509CertificateHolder holder) {
                requireEqual(e.certificate() == null || !Arrays.equals(holder.getEncoded(), e.certificate().getEncoded()),
                        "the entry records another certificate");
            } else if (recorded instanceof SubjectPublicKeyInfo info) {
                requireEqual(e.publicKeyInfo() == null || !Arrays.equals(info.getEncoded(), e.publicKeyInfo()),
                        "the entry records another public key");
            } else {
                throw mismatch("the entry records no usable signer");
            }
        } catch (IOException | CertificateEncodingException ex) {
            throw mismatch("the entry's signer does not encode");
        }
    }

    private static Object verifierV2(JsonNode verifier) throws Failure {
        if (verifier.has("x509Certificate")) {
            try {
                return new X509CertificateHolder(base64(verifier.path("x509Certificate").path("rawBytes")));
            } catch (IOException | RuntimeException e) {
                throw mismatch("the entry's certificate does not parse");
            }
        }
        if (verifier.has("publicKey")) {
            try {
                return SubjectPublicKeyInfo.getInstance(base64(verifier.path("publicKey").path("rawBytes")));
            } catch (RuntimeException e) {
                throw mismatch("the entry's public key does not parse");
            }
        }
        throw mismatch("the entry records no verifier");
    }

    private static Object pem(byte[] pem) throws Failure {
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.UTF_8)))) {
            Object parsed = parser.readObject();
            if (parsed == null) {
                throw mismatch("the entry's signer is not PEM");
            }
            return parsed;
        } catch (IOException | RuntimeException e) {
            throw mismatch("the entry's signer is not PEM");
        }
    }

    private static byte[] base64(JsonNode node) throws Failure {
        return base64(node.isString() ? node.stringValue() : null);
    }

    private static String base64String(JsonNode node) throws Failure {
        return new String(base64(node), StandardCharsets.US_ASCII);
    }

    private static byte[] base64(String text) throws Failure {
        if (text == null) {
            throw mismatch("the entry lacks a field");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw mismatch("the entry holds invalid base64");
        }
    }

    private static byte[] hex(JsonNode node) throws Failure {
        try {
            return HexFormat.of().parseHex(node.asString(""));
        } catch (IllegalArgumentException e) {
            throw mismatch("the entry holds an invalid hash");
        }
    }

    private static void requireEqual(boolean differs, String detail) throws Failure {
        if (differs) {
            throw mismatch(detail);
        }
    }

    private static Failure mismatch(String detail) {
        return new Failure(Failure.Codes.TLOG_INVALID, "log entry mismatch: " + detail);
    }
}
