package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import dev.tollgate.digest.Digest;

class PolicyApiIntegrationTests extends IntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    private String admin() {
        return tokenWith("policy-admin");
    }

    static String policy(String name, String condition) {
        return "policy \"" + name + "\" {\n  rule r {\n    require " + condition + "\n  }\n}\n";
    }

    private Api.Response put(String name, String source) {
        return api.sendText("PUT", "/v1/policies/" + name, admin(), source);
    }

    @Test
    void versionsIdenticalUploadActivationRollbackAndDeactivation() {
        String v1 = policy("lifecycle", "true");
        String v2 = policy("lifecycle", "1 == 1");

        Api.Response first = put("lifecycle", v1);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().get("version").asInt()).isEqualTo(1);
        assertThat(first.json().get("sha256").asString()).isEqualTo(Digest.sha256(v1).hex());
        assertThat(first.json().has("createdAt")).isTrue();

        Api.Response same = put("lifecycle", v1);
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().get("version").asInt()).isEqualTo(1);

        assertThat(put("lifecycle", v2).json().get("version").asInt()).isEqualTo(2);
        Api.Response backToFirst = put("lifecycle", v1);
        assertThat(backToFirst.status()).isEqualTo(201);
        assertThat(backToFirst.json().get("version").asInt()).isEqualTo(3);

        JsonNode versions = api.get("/v1/policies/lifecycle/versions", tokenWith("auditor")).json().get("items");
        assertThat(versions).hasSize(3);
        assertThat(versions.get(2).get("active").asBoolean()).isTrue();
        assertThat(versions.get(0).get("active").asBoolean()).isFalse();
        assertThat(versions.get(0).get("createdBy").asString()).startsWith("test-policy-admin");

        Api.Response rollback = api.postJson("/v1/policies/lifecycle/activate", admin(), Api.map("version", 2));
        assertThat(rollback.status()).isEqualTo(200);
        JsonNode active = api.get("/v1/policies/lifecycle", tokenWith("auditor")).json();
        assertThat(active.get("version").asInt()).isEqualTo(2);
        assertThat(active.get("source").asString()).isEqualTo(v2);

        assertThat(api.postJson("/v1/policies/lifecycle/activate", admin(), Api.map("version", 9)).status()).isEqualTo(404);
        assertThat(api.postJson("/v1/policies/lifecycle/activate", admin(), Api.map("version", "2")).status()).isEqualTo(400);
        assertThat(api.postJson("/v1/policies/nope/activate", admin(), Api.map("version", 1)).status()).isEqualTo(404);

        assertThat(api.delete("/v1/policies/lifecycle", admin()).status()).isEqualTo(204);
        assertThat(api.get("/v1/policies/lifecycle", admin()).status()).isEqualTo(404);
        assertThat(api.get("/v1/policies", admin()).body()).doesNotContain("\"lifecycle\"");
        Api.Response kept = api.get("/v1/policies/lifecycle/versions/2", admin());
        assertThat(kept.status()).isEqualTo(200);
        assertThat(kept.json().get("source").asString()).isEqualTo(v2);
        assertThat(api.get("/v1/policies/lifecycle/versions/7", admin()).status()).isEqualTo(404);

        // identical to the last active version, but nothing is active now: a new version
        Api.Response again = put("lifecycle", v2);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().get("version").asInt()).isEqualTo(4);
        assertThat(api.get("/v1/policies", admin()).body()).contains("\"lifecycle\"");
    }

    @Test
    void invalidSourceIs422WithEveryDiagnosticAndItsPosition() {
        String source = "policy \"broken\" {\n  rule a {\n    require signaturez == 1\n  }\n  rule a { require now < \"x\" }\n}\n";
        Api.Response response = put("broken", source);
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.isProblem()).isTrue();
        JsonNode errors = response.json().get("errors");
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0).get("line").asInt()).isEqualTo(3);
        assertThat(errors.get(0).get("column").asInt()).isEqualTo(13);
        assertThat(errors.get(0).get("message").asString()).isEqualTo("unknown identifier 'signaturez' (did you mean 'signatures'?)");
        assertThat(errors.get(1).get("line").asInt()).isEqualTo(5);
        assertThat(errors.get(1).get("column").asInt()).isEqualTo(3);
        assertThat(errors.get(2).get("message").asString()).contains("cannot compare a timestamp with a string");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM policy WHERE name = 'broken'", Integer.class)).isZero();
    }

    @Test
    void aNameInTheSourceThatDiffersFromThePathIs422AtTheName() {
        Api.Response response = put("expected-name", "\n  policy \"other-name\" { rule r { require true } }");
        assertThat(response.status()).isEqualTo(422);
        JsonNode error = response.json().get("errors").get(0);
        assertThat(error.get("line").asInt()).isEqualTo(2);
        assertThat(error.get("column").asInt()).isEqualTo(10);
        assertThat(error.get("message").asString()).contains("other-name").contains("expected-name");
    }

    @Test
    void bytesNotUtf8WrongContentTypeAndOversizedSources() {
        byte[] latin1 = policy("latin", "\"caf\u00e9\" == \"x\"").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(api.send("PUT", "/v1/policies/latin", admin(), "text/plain; charset=iso-8859-1", latin1).status()).isEqualTo(422);
        assertThat(api.send("PUT", "/v1/policies/json", admin(), "application/json", "{}".getBytes()).status()).isEqualTo(415);
        String big = policy("big", "true") + "#".repeat(256 * 1024);
        Api.Response tooBig = put("big", big);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.isProblem()).isTrue();
        assertThat(put("Bad_Name", policy("Bad_Name", "true")).status()).isEqualTo(400);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM policy WHERE name IN ('latin', 'json', 'big')", Integer.class)).isZero();
    }

    @Test
    void charsetParameterDoesNotChangeTheDecoding() {
        String source = policy("utf8-anyway", "\"café\" != \"cafe\"");
        Api.Response response = api.send("PUT", "/v1/policies/utf8-anyway", admin(), "text/plain; charset=iso-8859-1",
                source.getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(201);
        assertThat(api.get("/v1/policies/utf8-anyway", admin()).json().get("source").asString()).isEqualTo(source);
    }

    @Test
    void validateStoresNothing() {
        Api.Response ok = api.sendText("POST", "/v1/policies:validate", tokenWith("auditor"), policy("v-ok", "true"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("errors")).isEmpty();
        Api.Response bad = api.sendText("POST", "/v1/policies:validate", tokenWith("auditor"), "policy \"v-bad\" { rule r { require 7w } }");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("errors").get(0).get("message").asString()).startsWith("bad duration literal");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM policy WHERE name LIKE 'v-%'", Integer.class)).isZero();
    }

    @Test
    void playgroundEvaluatesUnsavedSourceAndTheActiveVersion() {
        String source = """
                policy "play" {
                  mode warn
                  applies when context.environment == "prod"
                  rule signed {
                    require any s in signatures: s.issuer == "https://accounts.google.com"
                    message "needs a Google signature"
                  }
                  rule fresh {
                    require now - time("2026-11-20T00:00:00Z") < 7d
                  }
                }
                """;
        String input = """
                {"artifact": {"digest": "sha256:%s"},
                 "context": {"environment": "dev"},
                 "signatures": [{"kind": "keyless", "issuer": "https://accounts.google.com", "subject": "a@b.c",
                                 "trustRoot": "public-good", "integratedTime": "2026-11-24T00:00:00Z"}],
                 "now": "2026-11-25T10:00:00Z"}
                """.formatted("b".repeat(64));
        JsonNode body = json.readTree("{\"source\": " + json.writeValueAsString(source) + ", \"input\": " + input + "}");
        Api.Response response = api.postJson("/v1/policies:evaluate", tokenWith("auditor"), body);
        assertThat(response.status()).isEqualTo(200);
        JsonNode answer = response.json();
        assertThat(answer.get("applicable").asBoolean()).isFalse();
        assertThat(answer.get("outcome").asString()).isEqualTo("allow");
        assertThat(answer.get("mode").asString()).isEqualTo("warn");
        assertThat(answer.get("rules")).hasSize(2);
        assertThat(answer.get("rules").get(0).get("outcome").asString()).isEqualTo("pass");
        assertThat(answer.get("rules").get(0).has("reason")).isFalse();
        assertThat(answer.get("rules").get(1).get("outcome").asString()).isEqualTo("pass");

        assertThat(put("play", source).status()).isEqualTo(201);
        String denied = input.replace("accounts.google.com", "token.actions.githubusercontent.com");
        JsonNode activeAnswer = api.postJson("/v1/policies/play/evaluate", admin(), "{\"input\": " + denied + "}").json();
        JsonNode rule = activeAnswer.get("rules").get(0);
        assertThat(rule.get("outcome").asString()).isEqualTo("fail");
        assertThat(rule.get("message").asString()).isEqualTo("needs a Google signature");
        assertThat(rule.get("reason").asString()).startsWith("no signature satisfied the condition; closest: signatures[0]: ")
                .contains("token.actions.githubusercontent.com");
        assertThat(activeAnswer.get("outcome").asString()).isEqualTo("deny");

        assertThat(api.postJson("/v1/policies/no-such/evaluate", admin(), "{\"input\": " + input + "}").status()).isEqualTo(404);
    }

    @Test
    void playgroundRefusesInputOfTheWrongShape() {
        String source = json.writeValueAsString(policy("shape", "true"));
        String digest = "\"sha256:" + "c".repeat(64) + "\"";
        String[] badInputs = {
            "{}",
            "{\"artifact\": {\"digest\": \"sha256:ABC\"}}",
            "{\"artifact\": {\"digest\": " + digest + ", \"name\": 5}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"context\": {\"a\": 1}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"now\": \"yesterday\"}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"signatures\": {}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"signatures\": [{\"integratedTime\": 5}]}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"attestations\": [{\"subjects\": [{\"name\": 1}]}]}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"extra\": 1}",
            "[]",
        };
        for (String input : badInputs) {
            Api.Response response = api.postJson("/v1/policies:evaluate", admin(), "{\"source\": " + source + ", \"input\": " + input + "}");
            assertThat(response.status()).as(input).isEqualTo(400);
            assertThat(response.isProblem()).isTrue();
        }
        assertThat(api.postJson("/v1/policies:evaluate", admin(), "{\"input\": {}}").status()).isEqualTo(400);
        Api.Response invalid = api.postJson("/v1/policies:evaluate", admin(),
                "{\"source\": \"policy \\\"x\\\" { rule r { require nope } }\", \"input\": {\"artifact\": {\"digest\": " + digest + "}}}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("errors").get(0).get("column").asInt()).isEqualTo(31);
    }

    @Test
    void concurrentUploadsGetDistinctVersions() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Api.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String source = policy("contended", i + " == " + i);
                futures.add(pool.submit(() -> put("contended", source)));
            }
            Set<Integer> versions = new HashSet<>();
            for (Future<Api.Response> future : futures) {
                Api.Response response = future.get();
                assertThat(response.status()).isEqualTo(201);
                versions.add(response.json().get("version").asInt());
            }
            assertThat(versions).hasSize(16);
            assertThat(versions).allMatch(v -> v >= 1 && v <= 16);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void storedVersionsCannotBeChangedEvenBehindTheApplicationsBack() {
        assertThat(put("immutable", policy("immutable", "true")).status()).isEqualTo(201);
        assertThatThrownBy(() -> jdbc.update("UPDATE policy_version SET source = 'x'::bytea WHERE policy_name = 'immutable'"))
                .rootCause().hasMessageContaining("immutable");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM policy_version WHERE policy_name = 'immutable'"))
                .rootCause().hasMessageContaining("immutable");
    }
}
