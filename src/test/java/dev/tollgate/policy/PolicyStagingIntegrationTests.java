package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Staged versions ({@code ?activate=false}), diffs between versions, and warnings at upload. */
class PolicyStagingIntegrationTests extends IntegrationTest {

    private static final String V1 = """
            policy "staged" {
              rule signed {
                require any s in signatures: s.kind == "keyless"
              }
            }
            """;
    private static final String V2 = """
            policy "staged" {
              rule signed {
                require any s in signatures: s.kind == "keyless" and s.issuer == "https://token.actions.githubusercontent.com"
              }
              rule provenance {
                require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
              }
            }
            """;

    private String admin() {
        return tokenWith("policy-admin");
    }

    @Test
    void aStagedVersionIsStoredButNotActiveUntilActivated() {
        assertThat(api.sendText("PUT", "/v1/policies/staged", admin(), V1).status()).isEqualTo(201);
        Api.Response staged = api.sendText("PUT", "/v1/policies/staged?activate=false", admin(), V2);
        assertThat(staged.status()).isEqualTo(201);
        assertThat(staged.json().get("version").asInt()).isEqualTo(2);
        assertThat(staged.json().get("active").asBoolean()).isFalse();

        // the active version is still 1, for decisions too
        assertThat(api.get("/v1/policies/staged", tokenWith("auditor")).json().get("version").asInt()).isEqualTo(1);
        JsonNode versions = api.get("/v1/policies/staged/versions", tokenWith("auditor")).json().get("items");
        assertThat(versions).hasSize(2);
        assertThat(versions.get(1).get("active").asBoolean()).isFalse();

        // staging the same source again stages nothing
        Api.Response again = api.sendText("PUT", "/v1/policies/staged?activate=false", admin(), V2);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("version").asInt()).isEqualTo(2);

        assertThat(api.postJson("/v1/policies/staged/activate", admin(), Api.map("version", 2)).status()).isEqualTo(200);
        assertThat(api.get("/v1/policies/staged", tokenWith("auditor")).json().get("version").asInt()).isEqualTo(2);

        // a policy staged before it was ever active has no active version
        assertThat(api.sendText("PUT", "/v1/policies/staged-only?activate=false", admin(), V1.replace("\"staged\"", "\"staged-only\""))
                .status()).isEqualTo(201);
        assertThat(api.get("/v1/policies/staged-only", tokenWith("auditor")).status()).isEqualTo(404);
        assertThat(api.get("/v1/policies/staged-only/versions/1", tokenWith("auditor")).status()).isEqualTo(200);

        assertThat(api.sendText("PUT", "/v1/policies/staged?activate=maybe", admin(), V1).status()).isEqualTo(400);
        api.delete("/v1/policies/staged", admin());
    }

    @Test
    void theDiffOfTwoVersionsShowsTheSourceAndTheRulesChanged() {
        api.sendText("PUT", "/v1/policies/diffed", admin(), V1.replace("\"staged\"", "\"diffed\""));
        api.sendText("PUT", "/v1/policies/diffed?activate=false", admin(), V2.replace("\"staged\"", "\"diffed\""));
        Api.Response diff = api.get("/v1/policies/diffed/versions/1/diff/2", tokenWith("auditor"));
        assertThat(diff.status()).isEqualTo(200);
        JsonNode d = diff.json();
        assertThat(d.get("from").get("version").asInt()).isEqualTo(1);
        assertThat(d.get("from").get("active").asBoolean()).isTrue();
        assertThat(d.get("to").get("active").asBoolean()).isFalse();
        assertThat(d.get("identical").asBoolean()).isFalse();
        assertThat(d.get("rules").get("added").toString()).isEqualTo("[\"provenance\"]");
        assertThat(d.get("rules").get("removed")).isEmpty();
        assertThat(d.get("rules").get("kept").toString()).isEqualTo("[\"signed\"]");
        assertThat(d.get("diff").asString()).startsWith("--- diffed v1\n+++ diffed v2\n@@ ")
                .contains("-    require any s in signatures: s.kind == \"keyless\"\n")
                .contains("+  rule provenance {\n");

        assertThat(api.get("/v1/policies/diffed/versions/2/diff/2", tokenWith("auditor")).json().get("diff").asString()).isEmpty();
        assertThat(api.get("/v1/policies/diffed/versions/1/diff/9", tokenWith("auditor")).status()).isEqualTo(404);
        assertThat(api.get("/v1/policies/diffed/versions/x/diff/1", tokenWith("auditor")).status()).isEqualTo(404);
        assertThat(api.get("/v1/policies/nope/versions/1/diff/2", tokenWith("auditor")).status()).isEqualTo(404);
        assertThat(api.get("/v1/policies/diffed/versions/1/diff/2", tokenWith("decider")).status()).isEqualTo(403);
        api.delete("/v1/policies/diffed", admin());
    }

    @Test
    void anAnchoredPatternIsAWarningAtUploadAndValidationNeverARefusal() {
        String anchored = """
                policy "anchored" {
                  applies when context.namespace matches "^prod-"
                  rule signed {
                    require any s in signatures: s.kind == "keyless"
                  }
                }
                """;
        Api.Response upload = api.sendText("PUT", "/v1/policies/anchored", admin(), anchored);
        assertThat(upload.status()).isEqualTo(201);
        JsonNode warning = upload.json().get("warnings").get(0);
        assertThat(warning.get("code").asString()).isEqualTo("policy_anchored_pattern");
        assertThat(warning.get("line").asInt()).isEqualTo(2);
        assertThat(warning.get("column").asInt()).isEqualTo(42);
        assertThat(warning.get("message").asString()).contains("\"^prod-\"", "anchoring is implicit");

        Api.Response validate = api.sendText("POST", "/v1/policies:validate", admin(), anchored);
        assertThat(validate.status()).isEqualTo(200);
        assertThat(validate.json().get("warnings").get(0).get("code").asString()).isEqualTo("policy_anchored_pattern");

        Api.Response clean = api.sendText("POST", "/v1/policies:validate", admin(), V1);
        assertThat(clean.json().get("warnings")).isEmpty();
        api.delete("/v1/policies/anchored", admin());
    }
}
