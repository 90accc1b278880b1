package dev.tollgate.decision;

import static dev.tollgate.support.DecisionFixtures.A_TXT;
import static dev.tollgate.support.DecisionFixtures.BCR_BUNDLE;
import static dev.tollgate.support.DecisionFixtures.BCR_DIGEST;
import static dev.tollgate.support.DecisionFixtures.BEACON;
import static dev.tollgate.support.DecisionFixtures.DSSE_BUNDLE;
import static dev.tollgate.support.DecisionFixtures.GITHUB;
import static dev.tollgate.support.DecisionFixtures.MESSAGE_BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** End-to-end decisions with real Sigstore bundles, through real HTTP and a real PostgreSQL. */
class DecisionIntegrationTests extends IntegrationTest {

    static final String GATE = """
            policy "beacon-gate" {
              let beacon = "%s"
              rule signed-by-beacon {
                require any s in signatures: s.issuer == "%s" and s.subject == beacon
                message "must be signed by the conformance beacon"
              }
              rule slsa-provenance {
                require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1" and a.signer.subject == beacon
                message "needs SLSA v1 provenance from the beacon"
              }
            }
            """.formatted(BEACON, GITHUB);

    @Autowired
    JdbcTemplate jdbc;

    String decider;

    @BeforeEach
    void policies() {
        decider = tokenWith("decider");
        assertThat(api.sendText("PUT", "/v1/policies/beacon-gate", tokenWith("policy-admin"), GATE).status()).isIn(200, 201);
    }

    String request(String digest, String policies, String... bundles) {
        List<String> items = new ArrayList<>();
        for (String bundle : bundles) {
            items.add("{\"bundle\": " + bundle + "}");
        }
        return "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"example.com/conformance/a\"},"
                + " \"context\": {\"environment\": \"test\"},"
                + (policies == null ? "" : " \"policies\": " + policies + ",")
                + " \"evidence\": [" + String.join(", ", items) + "]}";
    }

    /** The same, using only the request's evidence (not what earlier tests stored for the digest). */
    String requestOnly(String digest, String policies, String... bundles) {
        String body = request(digest, policies, bundles);
        return body.substring(0, body.length() - 1) + ", \"storedEvidence\": false}";
    }

    JsonNode decide(String body) {
        Api.Response response = api.postJson("/v1/decisions", decider, body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    @Test
    void aSignedAndAttestedArtifactIsAllowedWithTheEvidenceNamed() {
        JsonNode d = decide(request(A_TXT, "[\"beacon-gate\"]", MESSAGE_BUNDLE, DSSE_BUNDLE));
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        assertThat(d.get("outcome").asString()).isEqualTo("allow");
        assertThat(d.get("decisionId").asString()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        JsonNode policy = d.get("policies").get(0);
        assertThat(policy.get("name").asString()).isEqualTo("beacon-gate");
        assertThat(policy.get("mode").asString()).isEqualTo("enforce");
        assertThat(policy.get("sha256").asString()).hasSize(64);
        assertThat(policy.get("rules").get(0).get("evidence").get(0).asInt()).isEqualTo(0);
        assertThat(policy.get("rules").get(1).get("evidence").get(0).asInt()).isEqualTo(1);
        JsonNode first = d.get("evidence").get(0);
        assertThat(first.get("verified").asBoolean()).isTrue();
        assertThat(first.get("source").asString()).isEqualTo("request");
        assertThat(first.get("kind").asString()).isEqualTo("signature");
        assertThat(first.get("identity").get("subject").asString()).isEqualTo(BEACON);
        assertThat(first.get("identity").get("issuer").asString()).isEqualTo(GITHUB);
        assertThat(first.get("trustRoots").get(0).asString()).isEqualTo("public-good");
        assertThat(d.get("evidence").get(1).get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v1");
        assertThat(d.get("warnings")).isEmpty();
    }

    @Test
    void missingEvidenceIsDeniedWithTheRuleAndItsReason() {
        JsonNode d = decide(requestOnly(A_TXT, "[\"beacon-gate\"]", MESSAGE_BUNDLE));
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(d.get("outcome").asString()).isEqualTo("deny");
        JsonNode rule = d.get("policies").get(0).get("rules").get(1);
        assertThat(rule.get("outcome").asString()).isEqualTo("fail");
        assertThat(rule.get("message").asString()).isEqualTo("needs SLSA v1 provenance from the beacon");
        assertThat(rule.get("reason").asString()).isEqualTo("there is no attestation");
    }

    @Test
    void tamperedSignatureIsNotEvidenceAndTheDecisionDenies() {
        ObjectNode bundle = (ObjectNode) json.readTree(MESSAGE_BUNDLE);
        String signature = bundle.get("messageSignature").get("signature").asString();
        char[] chars = signature.toCharArray();
        chars[20] = chars[20] == 'A' ? 'B' : 'A';
        ((ObjectNode) bundle.get("messageSignature")).put("signature", new String(chars));
        JsonNode d = decide(requestOnly(A_TXT, "[\"beacon-gate\"]", json.writeValueAsString(bundle), DSSE_BUNDLE));
        assertThat(d.get("allowed").asBoolean()).isFalse();
        JsonNode evidence = d.get("evidence").get(0);
        assertThat(evidence.get("verified").asBoolean()).isFalse();
        assertThat(evidence.get("code").asString()).isIn("evidence_signature_invalid", "evidence_tlog_invalid");
        assertThat(evidence.get("reason").asString()).isNotBlank();
        assertThat(d.get("policies").get(0).get("rules").get(0).get("reason").asString()).isEqualTo("there is no signature");
    }

    @Test
    void evidenceForAnotherDigestIsRefusedWithItsCode() {
        String other = "sha256:" + "1".repeat(64);
        JsonNode d = decide(request(other, "[\"beacon-gate\"]", MESSAGE_BUNDLE, DSSE_BUNDLE));
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(d.get("evidence").get(0).get("code").asString()).isEqualTo("evidence_digest_mismatch");
        assertThat(d.get("evidence").get(1).get("code").asString()).isEqualTo("evidence_subject_mismatch");
        // the trace still shows who signed the refused attestation
        assertThat(d.get("evidence").get(1).get("identity").get("subject").asString()).isEqualTo(BEACON);
    }

    @Test
    void theWrongIdentityIsDenied() {
        String strict = GATE.replace("beacon-gate", "other-identity").replace("extremely-dangerous-oidc-beacon.yml@refs/heads/main",
                "extremely-dangerous-oidc-beacon.yml@refs/heads/release");
        assertThat(api.sendText("PUT", "/v1/policies/other-identity", tokenWith("policy-admin"), strict).status()).isIn(200, 201);
        JsonNode d = decide(request(A_TXT, "[\"other-identity\"]", MESSAGE_BUNDLE, DSSE_BUNDLE));
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(d.get("evidence").get(0).get("verified").asBoolean()).isTrue();
        assertThat(d.get("policies").get(0).get("rules").get(0).get("outcome").asString()).isEqualTo("fail");
    }

    @Test
    void anUnknownNamedPolicyDeniesAndIsRecorded() {
        JsonNode d = decide(request(A_TXT, "[\"beacon-gate\", \"no-such-policy\"]", MESSAGE_BUNDLE, DSSE_BUNDLE));
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(d.get("reason").asString()).isEqualTo("unknown policy 'no-such-policy'");
        assertThat(api.get("/v1/decisions/" + d.get("decisionId").asString(), tokenWith("auditor")).status()).isEqualTo(200);
    }

    @Test
    void noApplicablePolicyDeniesAndWarnModeWarns() {
        String admin = tokenWith("policy-admin");
        for (JsonNode p : api.get("/v1/policies", admin).json().get("items")) {
            api.delete("/v1/policies/" + p.get("name").asString(), admin);
        }
        String unnamed = request(A_TXT, null, MESSAGE_BUNDLE, DSSE_BUNDLE);
        JsonNode none = decide(unnamed);
        assertThat(none.get("allowed").asBoolean()).isFalse();
        assertThat(none.get("reason").asString()).isEqualTo("no applicable policy");

        String warn = """
                policy "rollout" {
                  mode warn
                  rule needs-two { require size(signatures) >= 2 message "two signatures,\nplease" }
                }
                """.replace("\n,", ",");
        assertThat(api.sendText("PUT", "/v1/policies/rollout", admin, warn.replace("two signatures,\nplease", "two signatures please")).status()).isEqualTo(201);
        assertThat(api.sendText("PUT", "/v1/policies/beacon-gate", admin, GATE).status()).isIn(200, 201);
        JsonNode warned = decide(unnamed);
        assertThat(warned.get("allowed").asBoolean()).isTrue();
        assertThat(warned.get("outcome").asString()).isEqualTo("warn");
        assertThat(warned.get("warnings").get(0).asString()).isEqualTo("rollout/needs-two: two signatures please");
        assertThat(warned.get("policies")).hasSize(2);
        api.delete("/v1/policies/rollout", admin);
    }

    @Test
    void theRecordIsTheResponsePlusTheRequestAndTheChain() {
        JsonNode d = decide(request(A_TXT, "[\"beacon-gate\"]", MESSAGE_BUNDLE, DSSE_BUNDLE));
        JsonNode record = api.get("/v1/decisions/" + d.get("decisionId").asString(), tokenWith("auditor")).json();
        for (var field : d.properties()) {
            if (!field.getKey().equals("vsa")) { // signed after the commit and not stored (docs/audit.md, "Verification summaries")
                assertThat(record.get(field.getKey())).as(field.getKey()).isEqualTo(field.getValue());
            }
        }
        assertThat(d.has("vsa")).isTrue();
        assertThat(record.has("vsa")).isFalse();
        assertThat(record.get("requester").asString()).startsWith("test-decider");
        assertThat(record.get("hash").asString()).hasSize(64);
        assertThat(record.get("previousHash").asString()).hasSize(64);
        assertThat(record.get("request").get("context").get("environment").asString()).isEqualTo("test");
        assertThat(record.get("request").get("evidence").get(0).get("bundleSha256").asString()).hasSize(64);
        assertThat(api.get("/v1/decisions/" + java.util.UUID.randomUUID(), tokenWith("auditor")).status()).isEqualTo(404);
        assertThat(api.get("/v1/decisions/not-a-uuid", tokenWith("auditor")).status()).isEqualTo(404);
    }

    @Test
    void storedEvidenceLetsALaterDecisionUseTheDigestAlone() {
        String digest = BCR_DIGEST;
        String policy = """
                policy "bcr-gate" {
                  rule built-by-bcr {
                    require any a in attestations:
                          a.predicateType == "https://slsa.dev/provenance/v1"
                      and a.predicate.runDetails.builder.id startsWith "https://github.com/bazel-contrib/publish-to-bcr/"
                      and a.signer.cert.sourceRepositoryUri == "https://github.com/aspect-build/rules_lint"
                  }
                }
                """;
        assertThat(api.sendText("PUT", "/v1/policies/bcr-gate", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        JsonNode pipeline = decide(request(digest, "[\"bcr-gate\"]", BCR_BUNDLE));
        assertThat(pipeline.get("allowed").asBoolean()).as(pipeline.toString()).isTrue();

        String digestOnly = "{\"artifact\": {\"ref\": \"registry.example/bcr/module@" + digest + "\"}, \"policies\": [\"bcr-gate\"]}";
        JsonNode later = decide(digestOnly);
        assertThat(later.get("allowed").asBoolean()).as(later.toString()).isTrue();
        assertThat(later.get("artifact").get("name").asString()).isEqualTo("registry.example/bcr/module");
        assertThat(later.get("evidence").get(0).get("source").asString()).isEqualTo("stored");
        assertThat(later.get("evidence").get(0).get("verified").asBoolean()).isTrue();

        JsonNode optedOut = decide("{\"artifact\": {\"digest\": \"" + digest + "\"}, \"policies\": [\"bcr-gate\"], \"storedEvidence\": false}");
        assertThat(optedOut.get("allowed").asBoolean()).isFalse();
        assertThat(optedOut.get("evidence")).isEmpty();

        JsonNode kept = api.get("/v1/artifacts/" + digest + "/evidence", tokenWith("auditor")).json();
        assertThat(kept.get("items")).hasSize(1);
        assertThat(kept.get("items").get(0).get("facts").get("builderId").asString())
                .isEqualTo("https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1");
        assertThat(api.get("/v1/artifacts/sha256:nope/evidence", tokenWith("auditor")).status()).isEqualTo(400);

        // the same evidence again in the request is used once, as a request item
        JsonNode again = decide(request(digest, "[\"bcr-gate\"]", BCR_BUNDLE));
        assertThat(again.get("evidence")).hasSize(1);
        assertThat(again.get("evidence").get(0).get("source").asString()).isEqualTo("request");
    }

    @Test
    void everyHistoryFilterAndImpactQueryFindsTheDecision() {
        String policy = "policy \"impact\" { rule r { require size(attestations) > 0 } }";
        assertThat(api.sendText("PUT", "/v1/policies/impact", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        JsonNode d = decide(request(BCR_DIGEST, "[\"impact\"]", BCR_BUNDLE));
        String id = d.get("decisionId").asString();
        String auditor = tokenWith("auditor");
        String[] queries = {
            "digest=" + BCR_DIGEST, "name=example.com/conformance/a", "policy=impact", "outcome=allow",
            "since=" + d.get("decidedAt").asString(), "until=2999-01-01T00:00:00Z",
            "signerSubject=https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1",
            "signerIssuer=" + GITHUB,
            "builderId=https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1",
            "sourceRepository=https://github.com/aspect-build/rules_lint",
        };
        for (String query : queries) {
            Api.Response page = api.get("/v1/decisions?limit=500&" + query.replace(":", "%3A").replace("+", "%2B"), auditor);
            assertThat(page.status()).as(query).isEqualTo(200);
            assertThat(page.json().get("items").valueStream().map(i -> i.get("decisionId").asString())).as(query).contains(id);
        }
        Api.Response none = api.get("/v1/decisions?signerSubject=nobody&builderId=x&key=k", auditor);
        assertThat(none.json().get("items")).isEmpty();
        assertThat(none.json().get("nextCursor").isNull()).isTrue();
        JsonNode summary = api.get("/v1/decisions?limit=1&digest=" + BCR_DIGEST, auditor).json().get("items").get(0);
        assertThat(summary.get("policies").get(0).get("name").asString()).isEqualTo("impact");
        assertThat(summary.get("artifact").get("digest").asString()).isEqualTo(BCR_DIGEST);
        for (String bad : new String[] {"limit=0", "limit=501", "limit=x", "outcome=maybe", "since=yesterday", "digest=sha256:AB",
            "cursor=abc", "color=red"}) {
            Api.Response refused = api.get("/v1/decisions?" + bad, auditor);
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.isProblem()).isTrue();
        }
    }

    @Test
    void cursorPagesAreStableWhileDecisionsAreAdded() {
        String auditor = tokenWith("auditor");
        String body = request(A_TXT, "[\"beacon-gate\"]", MESSAGE_BUNDLE);
        for (int i = 0; i < 5; i++) {
            decide(body);
        }
        JsonNode first = api.get("/v1/decisions?limit=2&digest=" + A_TXT, auditor).json();
        String cursor = first.get("nextCursor").asString();
        decide(body);
        JsonNode second = api.get("/v1/decisions?limit=2&digest=" + A_TXT + "&cursor=" + cursor, auditor).json();
        long lastOfFirst = first.get("items").get(1).get("sequence").asLong();
        assertThat(second.get("items").get(0).get("sequence").asLong()).isLessThan(lastOfFirst);
        assertThat(second.get("items").get(0).get("sequence").asLong()).isGreaterThan(lastOfFirst - 3);
    }

    @Test
    void exportsStreamNdjsonAndCsv() {
        decide(request(A_TXT, "[\"beacon-gate\"]", MESSAGE_BUNDLE));
        String auditor = tokenWith("auditor");
        Api.Response ndjson = api.get("/v1/decisions/export?format=ndjson", auditor);
        assertThat(ndjson.status()).isEqualTo(200);
        assertThat(ndjson.contentType()).startsWith("application/x-ndjson");
        String[] lines = ndjson.body().split("\n");
        long previous = 0;
        for (String line : lines) {
            JsonNode record = json.readTree(line);
            assertThat(record.get("sequence").asLong()).isGreaterThan(previous);
            previous = record.get("sequence").asLong();
            assertThat(record.has("hash")).isTrue();
        }
        Api.Response csv = api.get("/v1/decisions/export?format=csv", auditor);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body()).startsWith(
                "decisionId,sequence,decidedAt,allowed,outcome,artifactDigest,artifactName,artifactTag,policies,requester,source,hash\r\n");
        assertThat(csv.body().split("\r\n")).hasSize(lines.length + 1);
        assertThat(csv.body()).contains("\"[{\"\"name\"\":");
        assertThat(api.get("/v1/decisions/export?format=xml", auditor).status()).isEqualTo(400);
        Api.Response later = api.get("/v1/decisions/export?format=ndjson&since=2999-01-01T00:00:00Z", auditor);
        assertThat(later.body()).isEmpty();
    }
}
