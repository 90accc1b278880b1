package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import dev.tollgate.TollgateApplication;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * VSAs as evidence, with two servers: a "central" Tollgate (its own process state, embedded
 * PostgreSQL, signing keys and origin) decides and signs a VSA; the suite's server (the "cluster"),
 * holding only the central's attestation public key as a registered key, admits on that VSA alone
 * (docs/policy-language.md, cookbook "Admit on a central Tollgate's VSA").
 */
class VsaEvidenceIntegrationTests extends IntegrationTest {

    static final String CENTRAL_TOKEN = "central-bootstrap-token-0123456789abcdef";
    static final String CENTRAL_ORIGIN = "central.test/decisions";
    static ConfigurableApplicationContext central;
    static Api centralApi;

    @BeforeAll
    static void startCentral() throws Exception {
        Path data = Files.createTempDirectory("tollgate-central");
        central = new SpringApplicationBuilder(TollgateApplication.class).run("--server.port=0", "--spring.datasource.url=",
                "--TOLLGATE_BOOTSTRAP_TOKEN=" + CENTRAL_TOKEN, "--tollgate.embedded-db.dir=" + data.resolve("db"),
                "--tollgate.security.initial-token-file=", "--tollgate.signing.dir=" + data.resolve("signing"),
                "--tollgate.audit.origin=" + CENTRAL_ORIGIN, "--tollgate.trust.dir=src/test/resources/trust-dir");
        int port = ((WebServerApplicationContext) central).getWebServer().getPort();
        centralApi = new Api(port, central.getBean(ObjectMapper.class));
        String policy = "policy \"central-release\" {\n levels \"SLSA_BUILD_LEVEL_3\"\n"
                + " rule approved { require context.approved == \"yes\" }\n}";
        assertThat(centralApi.sendText("PUT", "/v1/policies/central-release", CENTRAL_TOKEN, policy).status()).isIn(200, 201);
    }

    @AfterAll
    static void stopCentral() {
        if (central != null) {
            central.close();
        }
    }

    static String freshDigest() {
        return "sha256:" + (Long.toHexString(System.nanoTime()) + "0".repeat(64)).substring(0, 64);
    }

    /** The central's VSA about a digest: PASSED when approved. */
    static JsonNode centralVsa(String digest, boolean approved) {
        Api.Response r = centralApi.postJson("/v1/decisions", CENTRAL_TOKEN, "{\"artifact\": {\"digest\": \"" + digest
                + "\", \"name\": \"registry.example.com/app\"}, \"context\": {\"approved\": \"" + (approved ? "yes" : "no")
                + "\"}, \"policies\": [\"central-release\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("allowed").asBoolean()).isEqualTo(approved);
        return r.json().get("vsa");
    }

    static String centralAttestationKey() {
        for (JsonNode key : centralApi.get("/v1/audit/keys", null).json().get("keys")) {
            if (key.get("purpose").asString().equals("attestation") && key.get("active").asBoolean()) {
                return key.get("publicKey").asString();
            }
        }
        throw new AssertionError("no attestation key");
    }

    JsonNode clusterDecision(String digest, JsonNode vsa) {
        Api.Response r = api.postJson("/v1/decisions", tokenWith("decider"), "{\"artifact\": {\"digest\": \"" + digest
                + "\"}, \"policies\": [\"admit-on-central-vsa\"], \"evidence\": [{\"bundle\": " + vsa + "}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void theClusterAdmitsOnTheCentralVsaAloneAndOnlyOnAPassedOneSignedByTheRegisteredKey() {
        String admin = tokenWith("policy-admin");
        Api.Response key = api.send("PUT", "/v1/trust/keys/central-tollgate", admin, "application/x-pem-file",
                centralAttestationKey().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(key.status()).as(key.body()).isIn(200, 201);
        String policy = """
                policy "admit-on-central-vsa" {
                  rule central-passed {
                    require any a in attestations:
                      a.predicateType == "https://slsa.dev/verification_summary/v1"
                      and a.signer.key == "central-tollgate"
                      and a.predicate.verifier.id == "https://central.test/decisions"
                      and a.predicate.verificationResult == "PASSED"
                      and "SLSA_BUILD_LEVEL_3" in a.predicate.verifiedLevels
                    message "no PASSED VSA from the central Tollgate"
                  }
                }""";
        assertThat(api.sendText("PUT", "/v1/policies/admit-on-central-vsa", admin, policy).status()).isIn(200, 201);

        String digest = freshDigest();
        JsonNode admitted = clusterDecision(digest, centralVsa(digest, true));
        assertThat(admitted.get("allowed").asBoolean()).as(admitted.toString()).isTrue();
        JsonNode evidence = admitted.get("evidence").get(0);
        assertThat(evidence.get("verified").asBoolean()).isTrue();
        assertThat(evidence.get("predicateType").asString()).isEqualTo("https://slsa.dev/verification_summary/v1");
        assertThat(evidence.get("identity").toString()).contains("central-tollgate");
        // and the cluster's own answer is a VSA again, naming the central's VSA among its inputs
        String payload = new String(Base64.getDecoder().decode(admitted.get("vsa").get("dsseEnvelope").get("payload").asString()),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(payload).contains(evidence.get("bundleSha256").asString());

        // a FAILED VSA verifies, but does not pass the rule
        String refused = freshDigest();
        JsonNode failed = clusterDecision(refused, centralVsa(refused, false));
        assertThat(failed.get("allowed").asBoolean()).isFalse();
        assertThat(failed.get("evidence").get(0).get("verified").asBoolean()).isTrue();

        // a VSA about another digest does not count for this one
        String other = freshDigest();
        JsonNode elsewhere = clusterDecision(freshDigest(), centralVsa(other, true));
        assertThat(elsewhere.get("allowed").asBoolean()).isFalse();

        // a PASSED VSA turned into a FAILED one's place: the changed payload no longer verifies
        String forgedDigest = freshDigest();
        ObjectNode forged = (ObjectNode) centralVsa(forgedDigest, false).deepCopy();
        String text = new String(Base64.getDecoder().decode(forged.get("dsseEnvelope").get("payload").asString()),
                java.nio.charset.StandardCharsets.UTF_8).replace("\"FAILED\"", "\"PASSED\"");
        ((ObjectNode) forged.get("dsseEnvelope")).put("payload", Base64.getEncoder().encodeToString(
                text.replace("\"verifiedLevels\":[\"PASSED\"]", "\"verifiedLevels\":[\"SLSA_BUILD_LEVEL_3\"]")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        JsonNode notVerified = clusterDecision(forgedDigest, forged);
        assertThat(notVerified.get("allowed").asBoolean()).isFalse();
        assertThat(notVerified.get("evidence").get(0).get("verified").asBoolean()).isFalse();

        // once the central's key is removed, its VSAs count for nothing
        assertThat(api.send("DELETE", "/v1/trust/keys/central-tollgate", admin, null, null).status()).isIn(200, 204);
        String later = freshDigest();
        JsonNode unknownKey = clusterDecision(later, centralVsa(later, true));
        assertThat(unknownKey.get("allowed").asBoolean()).isFalse();
        assertThat(unknownKey.get("evidence").get(0).get("verified").asBoolean()).isFalse();
    }
}
