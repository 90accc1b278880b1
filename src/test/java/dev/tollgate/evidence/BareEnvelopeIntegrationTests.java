package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A KMS-style key-signed VSA as a bare DSSE envelope through the API: the key registered with
 * PUT, the envelope decided, kept, and used again from the store; a certificate-signed
 * slsa-github-generator envelope is unverified with a reason in a 200 answer.
 */
class BareEnvelopeIntegrationTests extends IntegrationTest {

    static final String POLICY = """
            policy "vsa" {
              rule passed {
                require any a in attestations: a.predicateType == "https://slsa.dev/verification_summary/v1"
                  and a.signer.kind == "key" and a.signer.key == "vsa-kms"
                  and a.predicate.verificationResult == "PASSED"
                message "needs a passing VSA from the KMS key"
              }
            }
            """;

    @Test
    void aKeySignedEnvelopeIsEvidenceAndIsKept() throws Exception {
        String admin = tokenWith("admin");
        BareEnvelopeTests.TestKey key = BareEnvelopeTests.TestKey.generate();
        String digest = "sha256:" + "5a".repeat(32);
        try {
            assertThat(api.send("PUT", "/v1/trust/keys/vsa-kms", admin, "application/x-pem-file", key.pem()).status()).isIn(200, 201);
            assertThat(api.sendText("PUT", "/v1/policies/vsa", admin, POLICY).status()).isIn(200, 201);
            String envelope = BareEnvelopeTests.envelope(BareEnvelopeTests.statement(digest), List.of(key), List.of(key.fingerprint())).toString();
            Api.Response decided = api.postJson("/v1/decisions", tokenWith("decider"),
                    "{\"artifact\": {\"digest\": \"" + digest + "\"}, \"policies\": [\"vsa\"], \"evidence\": [" + envelope + "]}");
            assertThat(decided.status()).as(decided.body()).isEqualTo(200);
            JsonNode d = decided.json();
            assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
            assertThat(d.get("evidence").get(0).get("identity").get("key").asString()).isEqualTo("vsa-kms");

            JsonNode again = api.postJson("/v1/decisions", tokenWith("decider"),
                    "{\"artifact\": {\"digest\": \"" + digest + "\"}, \"policies\": [\"vsa\"]}").json();
            assertThat(again.get("allowed").asBoolean()).as(again.toString()).isTrue();
            assertThat(again.get("evidence").get(0).get("source").asString()).isEqualTo("stored");

            String line = new String(EvidenceTestSupport.resource("attestations/slsa-verifier/binary-linux-amd64-expired-cert.intoto.jsonl"),
                    StandardCharsets.UTF_8).strip();
            Api.Response keyless = api.postJson("/v1/decisions", tokenWith("decider"), "{\"artifact\": {\"digest\": \"" + digest + "\"},"
                    + " \"policies\": [\"vsa\"], \"storedEvidence\": false, \"evidence\": [{\"dsse\": " + line + "}]}");
            assertThat(keyless.status()).as(keyless.body()).isEqualTo(200);
            assertThat(keyless.json().get("allowed").asBoolean()).isFalse();
            assertThat(keyless.json().get("evidence").get(0).get("code").asString()).isEqualTo("evidence_no_log_proof");

            Api.Response malformed = api.postJson("/v1/decisions", tokenWith("decider"),
                    "{\"artifact\": {\"digest\": \"" + digest + "\"}, \"evidence\": [{\"dsse\": {\"payload\": 1}}]}");
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.isProblem()).isTrue();
        } finally {
            api.delete("/v1/policies/vsa", admin);
            api.delete("/v1/trust/keys/vsa-kms", admin);
        }
    }
}
