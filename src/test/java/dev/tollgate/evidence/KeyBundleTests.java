package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;

import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bundles signed with a registered ("managed") key, made here with fresh keys: ECDSA P-256 and
 * P-384, Ed25519 and RSA, message signatures and DSSE — including a DSSE payload that is not
 * ASCII, whose pre-authentication encoding sigstore-java 2.0.0 computes wrongly.
 */
class KeyBundleTests {

    private static final String STATEMENT = """
            {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"%s"}}],
             "predicateType":"https://example.com/review/v1","predicate":{"reviewer":"Zoë Ångström","note":"✓ ok — naïve café"}}""";

    private final EvidenceVerifier verifier = EvidenceTestSupport.verifier();

    static KeyPair keys(String algorithm, Object parameter) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (parameter instanceof String curve) {
            generator.initialize(new ECGenParameterSpec(curve));
        } else if (parameter instanceof Integer bits) {
            generator.initialize(bits);
        }
        return generator.generateKeyPair();
    }

    static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    static byte[] pae(String type, byte[] payload) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        String head = "DSSEv1 " + t.length + " " + type + " " + payload.length + " ";
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + payload.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(payload, 0, out, h.length, payload.length);
        return out;
    }

    static byte[] sign(KeyPair keys, String algorithm, byte[] data) throws Exception {
        Signature signature = Signature.getInstance(algorithm);
        signature.initSign(keys.getPrivate());
        signature.update(data);
        return signature.sign();
    }

    static JsonNode dsseItem(byte[] payload, byte[] sig) {
        String bundle = """
                {"bundle": {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                  "verificationMaterial": {"publicKey": {"hint": "test"}},
                  "dsseEnvelope": {"payload": "%s", "payloadType": "application/vnd.in-toto+json",
                                   "signatures": [{"sig": "%s", "keyid": ""}]}}}
                """.formatted(Base64.getEncoder().encodeToString(payload), Base64.getEncoder().encodeToString(sig));
        return EvidenceTestSupport.JSON.readTree(bundle);
    }

    static JsonNode messageItem(byte[] digest, byte[] sig) {
        String bundle = """
                {"bundle": {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                  "verificationMaterial": {"publicKey": {"hint": "test"}},
                  "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": "%s"}, "signature": "%s"}}}
                """.formatted(Base64.getEncoder().encodeToString(digest), Base64.getEncoder().encodeToString(sig));
        return EvidenceTestSupport.JSON.readTree(bundle);
    }

    private EvidenceResult verify(JsonNode item, String digest, TrustStore.Snapshot trust) {
        return verifier.verify(verifier.read(0, item), digest, trust);
    }

    @Test
    void dsseWithNonAsciiPayloadVerifiesForEveryKeyType() throws Exception {
        byte[] artifact = "the artifact".getBytes(StandardCharsets.UTF_8);
        String digest = EvidenceTestSupport.digestOf(artifact);
        byte[] payload = STATEMENT.formatted(digest.substring(7)).getBytes(StandardCharsets.UTF_8);
        assertThat(payload.length).isGreaterThan(new String(payload, StandardCharsets.UTF_8).length());

        Object[][] kinds = {{"EC", "secp256r1", "SHA256withECDSA"}, {"EC", "secp384r1", "SHA384withECDSA"},
            {"Ed25519", null, "Ed25519"}, {"RSA", 2048, "SHA256withRSA"}};
        for (Object[] kind : kinds) {
            KeyPair keys = keys((String) kind[0], kind[1]);
            byte[] sig = sign(keys, (String) kind[2], pae("application/vnd.in-toto+json", payload));
            TrustStore.Snapshot trust = EvidenceTestSupport.trust(
                    EvidenceTestSupport.key("reviewer", pem(keys).getBytes(StandardCharsets.UTF_8)));
            EvidenceResult result = verify(dsseItem(payload, sig), digest, trust);
            assertThat(result.failure()).as("%s", kind[2]).isNull();
            assertThat(result.verified().kind()).isEqualTo("attestation");
            assertThat(result.verified().signer().kind()).isEqualTo("key");
            assertThat(result.verified().signer().key()).isEqualTo("reviewer");
            assertThat(result.verified().signer().trustRoots()).containsExactly("reviewer");
            assertThat(result.verified().predicate().path("reviewer").asString()).isEqualTo("Zoë Ångström");
        }
    }

    @Test
    void messageSignatureByKeyAndTheWrongKeyOrDigest() throws Exception {
        byte[] artifact = "release.tar.gz contents".getBytes(StandardCharsets.UTF_8);
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(artifact);
        String digest = "sha256:" + HexFormat.of().formatHex(sha);
        KeyPair keys = keys("EC", "secp256r1");
        KeyPair other = keys("EC", "secp256r1");
        byte[] sig = sign(keys, "SHA256withECDSA", artifact);

        TrustStore.Snapshot both = EvidenceTestSupport.trust(
                EvidenceTestSupport.key("a-other", pem(other).getBytes(StandardCharsets.UTF_8)),
                EvidenceTestSupport.key("b-release", pem(keys).getBytes(StandardCharsets.UTF_8)));
        EvidenceResult ok = verify(messageItem(sha, sig), digest, both);
        assertThat(ok.failure()).isNull();
        assertThat(ok.verified().kind()).isEqualTo("signature");
        assertThat(ok.verified().signer().key()).isEqualTo("b-release");

        TrustStore.Snapshot wrong = EvidenceTestSupport.trust(EvidenceTestSupport.key("a-other", pem(other).getBytes(StandardCharsets.UTF_8)));
        EvidenceResult untrusted = verify(messageItem(sha, sig), digest, wrong);
        assertThat(untrusted.failure().code()).isEqualTo("evidence_untrusted_key");

        EvidenceResult otherArtifact = verify(messageItem(sha, sig), "sha256:" + "0".repeat(64), both);
        assertThat(otherArtifact.failure().code()).isEqualTo("evidence_digest_mismatch");

        byte[] tampered = sig.clone();
        tampered[tampered.length - 3] ^= 1;
        assertThat(verify(messageItem(sha, tampered), digest, both).failure().code()).isIn("evidence_untrusted_key", "evidence_signature_invalid");

        assertThat(verify(messageItem(sha, sig), digest, EvidenceTestSupport.trust()).failure().code())
                .isEqualTo("evidence_no_trust_material");
    }

    @Test
    void cosignSimpleSigningPayloadMustNameTheArtifact() throws Exception {
        String digest = "sha256:" + "ab".repeat(32);
        String payloadJson = "{\"critical\":{\"identity\":{\"docker-reference\":\"ghcr.io/acme/app\"},"
                + "\"image\":{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}";
        byte[] payload = payloadJson.getBytes(StandardCharsets.UTF_8);
        byte[] payloadSha = MessageDigest.getInstance("SHA-256").digest(payload);
        KeyPair keys = keys("EC", "secp256r1");
        byte[] sig = sign(keys, "SHA256withECDSA", payload);
        TrustStore.Snapshot trust = EvidenceTestSupport.trust(EvidenceTestSupport.key("cosign", pem(keys).getBytes(StandardCharsets.UTF_8)));

        JsonNode item = messageItem(payloadSha, sig);
        ((tools.jackson.databind.node.ObjectNode) item).put("payload", Base64.getEncoder().encodeToString(payload));
        EvidenceResult ok = verify(item, digest, trust);
        assertThat(ok.failure()).isNull();
        assertThat(ok.verified().signer().key()).isEqualTo("cosign");

        EvidenceResult other = verify(item, "sha256:" + "cd".repeat(32), trust);
        assertThat(other.failure().code()).isEqualTo("evidence_digest_mismatch");
        assertThat(other.observed().signer().key()).isEqualTo("cosign");
    }
}
