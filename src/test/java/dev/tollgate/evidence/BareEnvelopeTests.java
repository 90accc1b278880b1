package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bare DSSE envelopes ({@code {"dsse": ...}}): key-signed ones (a KMS-signed VSA, a cosign
 * {@code .att} layer) verify against registered keys, by key id or by trying each key;
 * certificate-signed ones (slsa-github-generator's {@code .intoto.jsonl}, real files) are
 * unverified with {@code evidence_no_log_proof}, never a refused request. Keys and signatures
 * are made here.
 */
class BareEnvelopeTests {

    static final String ARTIFACT = "sha256:" + "ab".repeat(32);

    /** A P-256 key pair and its PEM public key. */
    record TestKey(KeyPair pair, byte[] pem) {
        static TestKey generate() throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
            return new TestKey(pair, pem.getBytes(StandardCharsets.US_ASCII));
        }

        String fingerprint() throws Exception {
            return "SHA256:" + Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded()));
        }

        byte[] sign(byte[] data) throws Exception {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(pair.getPrivate());
            s.update(data);
            return s.sign();
        }
    }

    static byte[] statement(String digest) {
        String[] d = digest.split(":");
        return ("{\"_type\": \"https://in-toto.io/Statement/v1\", \"subject\": [{\"name\": \"app\", \"digest\": {\"" + d[0] + "\": \""
                + d[1] + "\"}}], \"predicateType\": \"https://slsa.dev/verification_summary/v1\","
                + " \"predicate\": {\"verifier\": {\"id\": \"https://kms.example/verifier\"}, \"verificationResult\": \"PASSED\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static byte[] pae(String type, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** {@code {"dsse": envelope}} signed by each key, with the given key ids. */
    static ObjectNode envelope(byte[] payload, List<TestKey> keys, List<String> keyIds) throws Exception {
        String type = "application/vnd.in-toto+json";
        ObjectNode item = EvidenceTestSupport.JSON.createObjectNode();
        ObjectNode dsse = item.putObject("dsse");
        dsse.put("payloadType", type);
        dsse.put("payload", Base64.getEncoder().encodeToString(payload));
        ArrayNode signatures = dsse.putArray("signatures");
        for (int i = 0; i < keys.size(); i++) {
            signatures.addObject().put("keyid", keyIds.get(i)).put("sig", Base64.getEncoder().encodeToString(keys.get(i).sign(pae(type, payload))));
        }
        return item;
    }

    private final EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);

    private EvidenceResult verify(JsonNode item, String digest, TrustStore.Snapshot held) {
        return verifier.verify(verifier.read(0, item), digest, held);
    }

    @Test
    void aKeySignedEnvelopeVerifiesAgainstARegisteredKeyAndIsAnAttestation() throws Exception {
        TestKey kms = TestKey.generate();
        TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood()),
                EvidenceTestSupport.key("vsa-signer", kms.pem()));
        EvidenceResult result = verify(envelope(statement(ARTIFACT), List.of(kms), List.of("")), ARTIFACT, held);
        assertThat(result.failure()).as("%s", result.trace()).isNull();
        assertThat(result.verified().kind()).isEqualTo("attestation");
        assertThat(result.verified().predicateType()).isEqualTo("https://slsa.dev/verification_summary/v1");
        assertThat(result.verified().signer().kind()).isEqualTo("key");
        assertThat(result.verified().signer().key()).isEqualTo("vsa-signer");
        assertThat(result.verified().signer().transparencyLog()).isFalse();
        assertThat(result.verified().signer().integratedTime()).isNull();

        // another artifact: the signer is shown, the policy sees nothing
        EvidenceResult other = verify(envelope(statement("sha256:" + "cd".repeat(32)), List.of(kms), List.of("")), ARTIFACT, held);
        assertThat(other.failure().code()).isEqualTo("evidence_subject_mismatch");
        assertThat(other.observed().signer().key()).isEqualTo("vsa-signer");

        // a SHA-512 subject matches a SHA-512 artifact digest
        String sha512 = "sha512:" + "ef".repeat(64);
        assertThat(verify(envelope(statement(sha512), List.of(kms), List.of("")), sha512, held).ok()).isTrue();
    }

    @Test
    void theKeyIdSaysWhichKeyToTryFirstAndAnyOfSeveralSignaturesMayBeTheRegisteredOne() throws Exception {
        TestKey a = TestKey.generate();
        TestKey b = TestKey.generate();
        TestKey stranger = TestKey.generate();
        TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.key("a-key", a.pem()), EvidenceTestSupport.key("b-key", b.pem()));

        EvidenceResult byFingerprint = verify(envelope(statement(ARTIFACT), List.of(b), List.of(b.fingerprint())), ARTIFACT, held);
        assertThat(byFingerprint.verified().signer().key()).isEqualTo("b-key");
        assertThat(byFingerprint.trace()).first().satisfies(t -> {
            assertThat(t.material()).isEqualTo("b-key");
            assertThat(t.outcome()).isEqualTo("verified");
        });
        EvidenceResult byName = verify(envelope(statement(ARTIFACT), List.of(b), List.of("b-key")), ARTIFACT, held);
        assertThat(byName.trace()).hasSize(1);
        // a wrong key id is only a hint: every key is still tried
        EvidenceResult wrongId = verify(envelope(statement(ARTIFACT), List.of(b), List.of("a-key")), ARTIFACT, held);
        assertThat(wrongId.verified().signer().key()).isEqualTo("b-key");

        EvidenceResult twoSigners = verify(envelope(statement(ARTIFACT), List.of(stranger, a), List.of("other", "")), ARTIFACT, held);
        assertThat(twoSigners.verified().signer().key()).isEqualTo("a-key");

        EvidenceResult unknown = verify(envelope(statement(ARTIFACT), List.of(stranger), List.of("")), ARTIFACT, held);
        assertThat(unknown.ok()).isFalse();
        assertThat(unknown.failure().code()).isEqualTo("evidence_untrusted_key");

        // a signature over other bytes
        ObjectNode tampered = envelope(statement(ARTIFACT), List.of(a), List.of(""));
        ((ObjectNode) tampered.get("dsse")).put("payload", Base64.getEncoder().encodeToString(statement("sha256:" + "00".repeat(32))));
        assertThat(verify(tampered, ARTIFACT, held).ok()).isFalse();

        assertThat(verify(envelope(statement(ARTIFACT), List.of(a), List.of("")), ARTIFACT, EvidenceTestSupport.trust())
                .failure().code()).isEqualTo("evidence_no_trust_material");
    }

    @Test
    void aKeysValidityWindowAppliesAtTheDecisionTime() throws Exception {
        TestKey old = TestKey.generate();
        TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.material("old", TrustKind.KEY, old.pem(),
                new TrustSettings(true, Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2021-01-01T00:00:00Z"))));
        EvidenceResult result = verify(envelope(statement(ARTIFACT), List.of(old), List.of("")), ARTIFACT, held);
        assertThat(result.ok()).isFalse();
        assertThat(result.failure().code()).isEqualTo("evidence_untrusted_key");
        assertThat(result.failure().detail()).contains("decision time");
    }

    @Test
    void certificateSignedEnvelopesWithoutALogProofAreUnverifiedWithAReason() {
        TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood()));
        for (String file : List.of("attestations/slsa-verifier/binary-linux-amd64-expired-cert.intoto.jsonl",
                "attestations/slsa-verifier/binary-linux-amd64-untrusted-builder.intoto.jsonl")) {
            String line = new String(EvidenceTestSupport.resource(file), StandardCharsets.UTF_8).strip().lines().findFirst().orElseThrow();
            JsonNode item = EvidenceTestSupport.JSON.readTree("{\"dsse\": " + line + "}");
            EvidenceResult result = verify(item, ARTIFACT, held);
            assertThat(result.ok()).as(file).isFalse();
            assertThat(result.failure().code()).isEqualTo("evidence_no_log_proof");
            assertThat(result.failure().detail()).contains("Sigstore bundle");
        }
    }

    @Test
    void envelopesOfTheWrongShapeAreMalformedAndMutationsNeverThrow() throws Exception {
        for (String bad : List.of("{\"dsse\": null}", "{\"dsse\": []}", "{\"dsse\": {}}", "{\"dsse\": {\"payloadType\": \"x\"}}",
                "{\"dsse\": {\"payloadType\": \"x\", \"payload\": \"e30=\", \"signatures\": []}}",
                "{\"dsse\": {\"payloadType\": \"x\", \"payload\": \"e30=\", \"signatures\": [7]}}",
                "{\"dsse\": {\"payloadType\": \"x\", \"payload\": \"e30=\", \"signatures\": [{\"sig\": \"AAAA\", \"extra\": 1}]}}",
                "{\"dsse\": {\"payloadType\": \"x\", \"payload\": \"e30=\", \"signatures\": [{\"sig\": \"AAAA\", \"cert\": 5}]}}",
                "{\"dsse\": {\"payloadType\": \"x\", \"payload\": \"%%\", \"signatures\": [{\"sig\": \"AAAA\"}]}}",
                "{\"dsse\": {\"payloadType\": \"x\", \"payload\": \"e30=\", \"signatures\": [{\"sig\": \"AAAA\"}], \"more\": 1}}",
                "{\"dsse\": {\"payloadType\": \"x\", \"payload\": \"e30=\", \"signatures\": [{\"sig\": \"AAAA\"}]}, \"bundle\": {}}")) {
            JsonNode item = EvidenceTestSupport.JSON.readTree(bad);
            assertThatThrownBy(() -> verifier.read(0, item)).as(bad).isInstanceOf(MalformedEvidence.class);
        }
        TestKey key = TestKey.generate();
        TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood()),
                EvidenceTestSupport.key("k", key.pem()));
        List<JsonNode> seeds = List.of(envelope(statement(ARTIFACT), List.of(key), List.of(key.fingerprint())),
                EvidenceTestSupport.JSON.readTree("{\"dsse\": " + new String(EvidenceTestSupport.resource(
                        "attestations/slsa-verifier/binary-linux-amd64-expired-cert.intoto.jsonl"), StandardCharsets.UTF_8).strip() + "}"));
        Random random = new Random(5);
        int verified = 0;
        for (int i = 0; i < 3000; i++) {
            JsonNode mutant = seeds.get(random.nextInt(seeds.size()));
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                mutant = EvidenceRobustnessTests.mutate(mutant, random);
            }
            try {
                EvidenceResult result = verifier.verify(verifier.read(0, mutant), ARTIFACT, held);
                verified += result.ok() ? 1 : 0;
            } catch (MalformedEvidence e) {
                assertThat(e.getMessage()).isNotBlank();
            } catch (RuntimeException | Error e) {
                throw new AssertionError("mutant " + i + " threw " + e + ": " + mutant, e);
            }
        }
        assertThat(verified).isLessThan(3000);
    }
}
