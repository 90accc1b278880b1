package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.web.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The limits of issue #9 through the real server: an evaluation that runs out of its budget
 * denies and is recorded with its reason, in decisions and in the playground; a compilation past
 * its deadline stores nothing; characters PostgreSQL cannot store are diagnostics, not 500s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PolicyLimitsIntegrationTests extends IntegrationTest {

    /** The budget or, on a very busy machine, the time limit stops it first: both fail closed. */
    private static final String EXHAUSTED = "evaluation (budget|time limit) exceeded: more than [0-9]+ (steps|ms); "
            + "the rule fails closed";

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StoredPolicies policies;

    @Autowired
    PolicyRevisions revisions;

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbcClient;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate transactions;

    private String admin() {
        return tokenWith("policy-admin");
    }

    private static String cube(String name) {
        return EvaluationBudgetTests.NESTED.replace("policy \"nested\"", "policy \"" + name + "\"");
    }

    @org.springframework.beans.factory.annotation.Autowired
    dev.tollgate.adminlog.AdminLog adminLog;

    @Test
    void aDecisionWhosePolicyRunsOutOfBudgetDeniesAndIsRecordedWithTheReason() {
        assertThat(api.sendText("PUT", "/v1/policies/budget-cube", admin(), cube("budget-cube")).status()).isIn(200, 201);
        String request = "{\"artifact\": {\"digest\": \"sha256:" + "b".repeat(64) + "\", \"name\": \"example.com/cube\"},"
                + " \"policies\": [\"budget-cube\"], \"evidence\": []}";
        Api.Response response = api.postJson("/v1/decisions", tokenWith("decider"), request);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode decision = response.json();
        assertThat(decision.get("allowed").asBoolean()).isFalse();
        assertThat(decision.get("outcome").asString()).isEqualTo("deny");
        JsonNode rules = decision.get("policies").get(0).get("rules");
        assertThat(rules.get(0).get("outcome").asString()).isEqualTo("pass");
        assertThat(rules.get(1).get("outcome").asString()).isEqualTo("fail");
        assertThat(rules.get(1).get("reason").asString()).matches(EXHAUSTED);
        assertThat(rules.get(2).get("reason").asString()).startsWith("not evaluated: evaluation ");

        JsonNode recorded = api.get("/v1/decisions/" + decision.get("decisionId").asString(), tokenWith("auditor")).json();
        assertThat(recorded.toString()).contains(rules.get(1).get("reason").asString());
        assertThat(recorded.get("outcome").asString()).isEqualTo("deny");
    }

    @Test
    void thePlaygroundAnswersABudgetFailureToo() {
        String body = "{\"source\": " + json.writeValueAsString(cube("play-cube")) + ", \"input\": {\"artifact\": "
                + "{\"digest\": \"sha256:" + "c".repeat(64) + "\"}}}";
        Api.Response response = api.postJson("/v1/policies:evaluate", tokenWith("auditor"), body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("outcome").asString()).isEqualTo("deny");
        assertThat(response.json().get("rules").get(1).get("reason").asString()).matches(EXHAUSTED);

        assertThat(api.sendText("PUT", "/v1/policies/play-cube", admin(), cube("play-cube")).status()).isIn(200, 201);
        Api.Response active = api.postJson("/v1/policies/play-cube/evaluate", tokenWith("auditor"),
                "{\"input\": {\"artifact\": {\"digest\": \"sha256:" + "c".repeat(64) + "\"}}}");
        assertThat(active.status()).isEqualTo(200);
        assertThat(active.json().get("rules").get(1).get("reason").asString()).matches(EXHAUSTED);
    }

    @Test
    void aNulAnywhereInASourceIs422AtItsPositionForValidateAndUpload() {
        String inString = "policy \"nul-string\" {\n  description \"a\u0000b\"\n  rule r { require true }\n}\n";
        String inComment = "policy \"nul-comment\" {\n  # x\u0000\n  rule r { require true }\n}\n";
        String bare = "policy \"nul-bare\" {\n  rule r { require \u0000true }\n}\n";
        for (String[] c : new String[][] {{"nul-string", inString, "2", "17"}, {"nul-comment", inComment, "2", "6"},
            {"nul-bare", bare, "2", "20"}}) {
            for (Api.Response response : new Api.Response[] {
                api.sendText("POST", "/v1/policies:validate", admin(), c[1]),
                api.sendText("PUT", "/v1/policies/" + c[0], admin(), c[1])}) {
                assertThat(response.status()).as(c[0] + ": " + response.body()).isEqualTo(422);
                assertThat(response.isProblem()).isTrue();
                JsonNode errors = response.json().get("errors");
                assertThat(errors).hasSize(1);
                assertThat(errors.get(0).get("code").asString()).isEqualTo("policy_invalid_character");
                assertThat(errors.get(0).get("line").asInt()).isEqualTo(Integer.parseInt(c[2]));
                assertThat(errors.get(0).get("column").asInt()).isEqualTo(Integer.parseInt(c[3]));
                assertThat(errors.get(0).get("message").asString()).contains("U+0000");
            }
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM policy WHERE name LIKE 'nul-%'", Integer.class)).isZero();
    }

    @Test
    void invalidUtf8IncludingOverlongNulAndEncodedSurrogatesIs422() {
        byte[] prefix = "policy \"bad-utf8\" { description \"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\" rule r { require true } }".getBytes(StandardCharsets.UTF_8);
        for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}}) {
            byte[] body = new byte[prefix.length + bad.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(bad, 0, body, prefix.length, bad.length);
            System.arraycopy(suffix, 0, body, prefix.length + bad.length, suffix.length);
            for (String[] endpoint : new String[][] {{"POST", "/v1/policies:validate"}, {"PUT", "/v1/policies/bad-utf8"}}) {
                Api.Response response = api.send(endpoint[0], endpoint[1], admin(), "text/plain", body);
                assertThat(response.status()).isEqualTo(422);
                assertThat(response.json().get("detail").asString()).contains("not valid UTF-8");
            }
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM policy WHERE name = 'bad-utf8'", Integer.class)).isZero();
    }

    @Test
    void thePlaygroundRefusesNulAndUnpairedSurrogatesInTheSourceAndShowsThemEscapedFromTheInput() {
        // an unpaired surrogate never gets past the strict JSON reader
        String source = "policy \\\"s\\\" { rule r { require context.x == \\\"\\ud800\\\" } }";
        Api.Response lone = api.postJson("/v1/policies:evaluate", admin(), "{\"source\": \"" + source + "\", \"input\": "
                + "{\"artifact\": {\"digest\": \"sha256:" + "d".repeat(64) + "\"}}}");
        assertThat(lone.status()).as(lone.body()).isEqualTo(400);
        assertThat(lone.isProblem()).isTrue();

        // a NUL is well-formed JSON, and the compiler refuses it where it stands
        String nul = "policy \\\"s\\\" { rule r { require context.x == \\\"\\u0000\\\" } }";
        Api.Response refused = api.postJson("/v1/policies:evaluate", admin(), "{\"source\": \"" + nul + "\", \"input\": "
                + "{\"artifact\": {\"digest\": \"sha256:" + "d".repeat(64) + "\"}}}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().get("errors").get(0).get("code").asString()).isEqualTo("policy_invalid_character");
        assertThat(refused.json().get("errors").get(0).get("column").asInt()).isEqualTo(45);

        String plain = "policy \\\"s\\\" { rule r { require context.x == \\\"a\\\" } }";
        Api.Response input = api.postJson("/v1/policies:evaluate", admin(), "{\"source\": \"" + plain + "\", \"input\": "
                + "{\"artifact\": {\"digest\": \"sha256:" + "d".repeat(64) + "\"}, \"context\": {\"x\": \"b\\u0000\"}}}");
        assertThat(input.status()).as(input.body()).isEqualTo(200);
        assertThat(input.json().get("rules").get(0).get("reason").asString()).contains("\\u0000");
    }

    @Test
    void anUploadWhoseCompilationPassesItsDeadlineStoresNothing() {
        PolicyProperties hurried = new PolicyProperties(262_144, 16, Duration.ofSeconds(1), Duration.ofMillis(1),
                10_000_000, Duration.ofMillis(250));
        PolicyCatalog catalog = new PolicyCatalog(policies, revisions, hurried, java.time.Clock.systemUTC(), jdbcClient,
                transactions, adminLog);
        StringBuilder source = new StringBuilder("policy \"too-slow\" {\n");
        for (int i = 0; source.length() < 250_000; i++) {
            source.append("  rule r").append(i).append(" { require context.env == \"prod\" and size(signatures) > 0 }\n");
        }
        byte[] bytes = source.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> catalog.upload("too-slow", bytes, "test")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.getStatusCode().value()).isEqualTo(422);
            assertThat(e.getBody().getDetail()).isEqualTo("1 error in the policy");
            assertThat(String.valueOf(e.getBody().getProperties())).contains("policy_compile_timeout");
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM policy WHERE name = 'too-slow'", Integer.class)).isZero();

        assertThat(api.sendText("PUT", "/v1/policies/too-slow", admin(), new String(bytes, StandardCharsets.UTF_8)).status())
                .isEqualTo(201); // the server's own deadline (2 s) is far above what this takes
    }
}
