package dev.tollgate.decision;

import static dev.tollgate.support.DecisionFixtures.A_TXT;
import static dev.tollgate.support.DecisionFixtures.MESSAGE_BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every decision answer carries a signed SLSA VSA (v1.1, DSSE in a Sigstore bundle v0.3, the
 * attestation key named by its hint), checked here with code independent of the server's (the
 * JDK's ECDSA over a DSSE pre-authentication encoding written from the DSSE spec) and with
 * sigstore-js ({@code src/test/js/verify-vsa.js}, run as a process; skipped when node or its
 * packages are missing, unless {@code TOLLGATE_TEST_REQUIRE_NODE=1}, as in {@code .ci/run}).
 */
class VsaIntegrationTests extends IntegrationTest {

    static final Path JS = Path.of("src", "test", "js");

    String admin;
    String decider;

    @BeforeEach
    void policies() {
        admin = tokenWith("policy-admin");
        decider = tokenWith("decider");
        String leveled = "policy \"vsa-leveled\" {\n mode enforce\n levels \"SLSA_BUILD_LEVEL_3\", \"SLSA_SOURCE_LEVEL_1\"\n"
                + " rule r { require context.verdict == \"yes\" message \"verdict must be yes\" }\n}";
        assertThat(api.sendText("PUT", "/v1/policies/vsa-leveled", admin, leveled).status()).isIn(200, 201);
    }

    JsonNode decide(String verdict, String evidence) {
        // a fresh digest without evidence, so that none kept for A_TXT is used
        String digest = evidence != null ? A_TXT : "sha256:" + (Long.toHexString(System.nanoTime()) + "0".repeat(64)).substring(0, 64);
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"example.com/vsa\"}, \"context\": {\"verdict\": \""
                + verdict + "\"}, \"policies\": [\"vsa-leveled\"]" + (evidence == null ? "" : ", \"evidence\": [{\"bundle\": " + evidence + "}]")
                // only the request's evidence: other tests keep evidence for A_TXT too
                + (evidence == null ? "" : ", \"storedEvidence\": false")
                + "}";
        Api.Response r = api.postJson("/v1/decisions", decider, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The active attestation key of the open keys document. */
    JsonNode attestationKey() {
        for (JsonNode key : api.get("/v1/audit/keys", null).json().get("keys")) {
            if (key.get("purpose").asString().equals("attestation") && key.get("active").asBoolean()) {
                return key;
            }
        }
        throw new AssertionError("no attestation key");
    }

    /** The statement of a VSA bundle, after checking its signature independently: JDK ECDSA over DSSE's PAE. */
    JsonNode verifiedStatement(JsonNode bundle, JsonNode key) throws Exception {
        assertThat(bundle.get("mediaType").asString()).isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(bundle.get("verificationMaterial").get("publicKey").get("hint").asString()).isEqualTo(key.get("id").asString());
        JsonNode envelope = bundle.get("dsseEnvelope");
        assertThat(envelope.get("payloadType").asString()).isEqualTo("application/vnd.in-toto+json");
        byte[] payload = Base64.getDecoder().decode(envelope.get("payload").asString());
        String type = "application/vnd.in-toto+json";
        byte[] head = ("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] pae = new byte[head.length + payload.length];
        System.arraycopy(head, 0, pae, 0, head.length);
        System.arraycopy(payload, 0, pae, head.length, payload.length);
        byte[] der = Base64.getDecoder().decode(key.get("publicKey").asString().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        assertThat("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der))).isEqualTo(key.get("id").asString());
        PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initVerify(publicKey);
        ecdsa.update(pae);
        assertThat(envelope.get("signatures")).hasSize(1);
        assertThat(ecdsa.verify(Base64.getDecoder().decode(envelope.get("signatures").get(0).get("sig").asString())))
                .as("the DSSE signature verifies with the published attestation key").isTrue();
        // and a changed payload does not
        ecdsa.initVerify(publicKey);
        pae[pae.length - 2] ^= 1;
        ecdsa.update(pae);
        assertThat(ecdsa.verify(Base64.getDecoder().decode(envelope.get("signatures").get(0).get("sig").asString()))).isFalse();
        return json.readTree(payload);
    }

    @Test
    void anAllowCarriesAPassedVsaNamingTheArtifactPolicyEvidenceLevelsAndLogIndex() throws Exception {
        JsonNode answer = decide("yes", MESSAGE_BUNDLE);
        assertThat(answer.get("allowed").asBoolean()).isTrue();
        JsonNode statement = verifiedStatement(answer.get("vsa"), attestationKey());
        assertThat(statement.get("_type").asString()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(statement.get("predicateType").asString()).isEqualTo("https://slsa.dev/verification_summary/v1");
        assertThat(statement.get("subject")).hasSize(1);
        assertThat(statement.get("subject").get(0).get("digest").get("sha256").asString()).isEqualTo(A_TXT.substring(7));
        assertThat(statement.get("subject").get(0).get("name").asString()).isEqualTo("example.com/vsa");
        JsonNode p = statement.get("predicate");
        assertThat(p.get("verifier").get("id").asString()).isEqualTo("https://" + ORIGIN);
        assertThat(p.get("timeVerified").asString()).isEqualTo(answer.get("decidedAt").asString());
        assertThat(p.get("resourceUri").asString()).isEqualTo("example.com/vsa");
        JsonNode policy = answer.get("policies").get(0);
        assertThat(p.get("policy").get("uri").asString()).isEqualTo("tollgate:policies/vsa-leveled@" + policy.get("version").asInt());
        String manifest = policy.get("sha256").asString() + " vsa-leveled@" + policy.get("version").asInt() + "\n";
        assertThat(p.get("policy").get("digest").get("sha256").asString())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest.getBytes(StandardCharsets.UTF_8))));
        assertThat(policy.get("levels").valueStream().map(JsonNode::asString).toList())
                .containsExactly("SLSA_BUILD_LEVEL_3", "SLSA_SOURCE_LEVEL_1");
        // the one verified evidence item, by the SHA-256 of its bundle
        JsonNode evidence = answer.get("evidence").get(0);
        assertThat(evidence.get("verified").asBoolean()).isTrue();
        assertThat(p.get("inputAttestations")).hasSize(1);
        assertThat(p.get("inputAttestations").get(0).get("digest").get("sha256").asString()).isEqualTo(evidence.get("bundleSha256").asString());
        assertThat(p.get("verificationResult").asString()).isEqualTo("PASSED");
        assertThat(p.get("verifiedLevels").valueStream().map(JsonNode::asString).toList())
                .containsExactly("SLSA_BUILD_LEVEL_3", "SLSA_SOURCE_LEVEL_1");
        assertThat(p.get("decision").get("id").asString()).isEqualTo(answer.get("decisionId").asString());
        assertThat(p.get("decision").get("logIndex").asLong()).isEqualTo(answer.get("sequence").asLong() - 1);
        assertThat(p.get("decision").get("leafHash").asString()).isEqualTo(answer.get("receipt").get("leafHash").asString());

        sigstoreJs(answer.get("vsa"), attestationKey(), true);
    }

    @org.springframework.beans.factory.annotation.Autowired
    Decisions decisions;

    @Test
    void aBreakGlassAdmissionIsNoVerificationItsVsaSaysFailed() throws Exception {
        String digest = "sha256:" + (Long.toHexString(System.nanoTime()) + "1".repeat(64)).substring(0, 64);
        DecisionAnswer admitted = decisions.decideAll(List.of(new DecisionRequest(new ArtifactRef(digest, "example.com/vsa", null),
                java.util.Map.of("verdict", "no"), null, List.of("vsa-leveled"), true)),
                new Decisions.Origin("vsa-test", "admission", false), null, new DecisionAnswer.BreakGlass("INC-9", "alice")).get(0);
        assertThat(admitted.allowed()).isTrue();
        assertThat(admitted.outcome()).isEqualTo("break-glass");
        JsonNode p = verifiedStatement(json.valueToTree(admitted.vsa()), attestationKey()).get("predicate");
        assertThat(p.get("verificationResult").asString()).isEqualTo("FAILED");
        assertThat(p.get("verifiedLevels").valueStream().map(JsonNode::asString).toList()).containsExactly("FAILED");
    }

    @Test
    void aRecordedDecisionsVsaIsServedWithTheAnswersStatementAndOnlyToAuditors() throws Exception {
        for (JsonNode answer : List.of(decide("yes", MESSAGE_BUNDLE), decide("no", null))) {
            String id = answer.get("decisionId").asString();
            Api.Response served = api.get("/v1/decisions/" + id + "/vsa", tokenWith("auditor"));
            assertThat(served.status()).as(served.body()).isEqualTo(200);
            assertThat(served.contentType()).startsWith("application/json");
            JsonNode bundle = served.json();
            JsonNode statement = verifiedStatement(bundle, attestationKey());
            // the statement the answer carried, byte for byte (made again from the record; the ECDSA signature is new)
            assertThat(bundle.get("dsseEnvelope").get("payload").asString())
                    .isEqualTo(answer.get("vsa").get("dsseEnvelope").get("payload").asString());
            assertThat(statement.get("predicate").get("decision").get("id").asString()).isEqualTo(id);
            assertThat(api.get("/v1/decisions/" + id + "/vsa", tokenWith("admin")).status()).isEqualTo(200);
            assertThat(api.get("/v1/decisions/" + id + "/vsa", decider).status()).isEqualTo(403);
            assertThat(api.get("/v1/decisions/" + id + "/vsa", null).status()).isEqualTo(401);
            Api.Response extra = api.get("/v1/decisions/" + id + "/vsa?wait=true", tokenWith("auditor"));
            assertThat(extra.status()).isEqualTo(400);
            assertThat(extra.isProblem()).isTrue();
        }
    }

    @Test
    void aServedVsaVerifiesWithSigstoreJs() throws Exception {
        JsonNode answer = decide("yes", MESSAGE_BUNDLE);
        JsonNode served = api.get("/v1/decisions/" + answer.get("decisionId").asString() + "/vsa", tokenWith("auditor")).json();
        sigstoreJs(served, attestationKey(), true);
        // deterministic nonces (RFC 6979): made again under the same key, the bundle is the answer's
        assertThat(served.get("dsseEnvelope")).isEqualTo(answer.get("vsa").get("dsseEnvelope"));
    }

    @Test
    void aDecisionWithoutVsaAndAnUnknownOneAre404Problems() {
        String digest = "sha256:" + (Long.toHexString(System.nanoTime()) + "2".repeat(64)).substring(0, 64);
        java.util.UUID exempt = decisions.recordExempt(List.of(new Decisions.Exemption(digest, "example.com/vsa-exempt", null)),
                java.util.Map.of("namespace", EXEMPT_NAMESPACE), "namespace exempt", new Decisions.Origin("vsa-test", "admission", false))
                .get(0);
        for (String id : List.of(exempt.toString(), "01936d3a-0000-7000-8000-000000000000", "not-a-uuid",
                exempt.toString().toUpperCase())) {
            Api.Response r = api.get("/v1/decisions/" + id + "/vsa", tokenWith("auditor"));
            assertThat(r.status()).as(id + ": " + r.body()).isEqualTo(404);
            assertThat(r.isProblem()).as(id).isTrue();
        }
        assertThat(api.get("/v1/decisions/" + exempt + "/vsa", tokenWith("auditor")).json().get("detail").asString())
                .contains("no verification summary");
    }

    @Test
    void aDenyCarriesAFailedVsaWithoutLevels() throws Exception {
        JsonNode answer = decide("no", null);
        assertThat(answer.get("allowed").asBoolean()).isFalse();
        JsonNode p = verifiedStatement(answer.get("vsa"), attestationKey()).get("predicate");
        assertThat(p.get("verificationResult").asString()).isEqualTo("FAILED");
        assertThat(p.get("verifiedLevels").valueStream().map(JsonNode::asString).toList()).containsExactly("FAILED");
        assertThat(p.get("inputAttestations")).isEmpty();
    }

    @Test
    void sigstoreJsRefusesAVsaWhosePayloadWasChanged() throws Exception {
        JsonNode answer = decide("no", null);
        tools.jackson.databind.node.ObjectNode forged = (tools.jackson.databind.node.ObjectNode) answer.get("vsa").deepCopy();
        String payload = new String(Base64.getDecoder().decode(forged.get("dsseEnvelope").get("payload").asString()), StandardCharsets.UTF_8);
        ((tools.jackson.databind.node.ObjectNode) forged.get("dsseEnvelope")).put("payload",
                Base64.getEncoder().encodeToString(payload.replace("FAILED", "PASSED").getBytes(StandardCharsets.UTF_8)));
        sigstoreJs(forged, attestationKey(), false);
    }

    @Test
    void aBadLevelsDeclarationIsADiagnostic() {
        Api.Response r = api.sendText("PUT", "/v1/policies/vsa-bad-level", admin,
                "policy \"vsa-bad-level\" {\n levels \"slsa build 3\", \"FAILED\"\n rule r { require true }\n}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body()).contains("policy_bad_level");
        r = api.sendText("PUT", "/v1/policies/vsa-bad-level", admin, "policy \"vsa-bad-level\" {\n lvels \"X\"\n rule r { require true }\n}");
        assertThat(r.status()).isEqualTo(422);
    }

    /** Runs sigstore-js on the bundle with the PEM public key; expects it to verify or not. */
    static void sigstoreJs(JsonNode bundle, JsonNode key, boolean verifies) throws IOException, InterruptedException {
        boolean installed = Files.isDirectory(JS.resolve("node_modules/@sigstore/verify")) && onPath("node");
        if (!installed && "1".equals(System.getenv("TOLLGATE_TEST_REQUIRE_NODE"))) {
            throw new IllegalStateException("node and src/test/js's packages are required (cd src/test/js && npm ci)");
        }
        Assumptions.assumeTrue(installed, "node or sigstore-js (src/test/js: npm ci) is not installed");
        Path dir = Files.createTempDirectory("tollgate-vsa");
        Path bundleFile = Files.writeString(dir.resolve("bundle.json"), bundle.toString());
        Path keyFile = Files.writeString(dir.resolve("key.pem"), key.get("publicKey").asString());
        Process node = new ProcessBuilder("node", "verify-vsa.js", bundleFile.toAbsolutePath().toString(),
                keyFile.toAbsolutePath().toString(), key.get("id").asString()).directory(JS.toFile()).redirectErrorStream(true).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (verifies) {
            assertThat(node.exitValue()).as(out).isZero();
            assertThat(out).contains("https://slsa.dev/verification_summary/v1");
        } else {
            assertThat(node.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("NOT VERIFIED");
        }
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    static List<String> strings(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }
}
