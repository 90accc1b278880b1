package dev.tollgate.exceptions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tollgate.db.Deadline;
import dev.tollgate.support.Api;
import dev.tollgate.support.DecisionFixtures;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TcpProxy;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Governed exceptions end to end (docs/exceptions.md): requested and approved by two real
 * policy-admin tokens over HTTP, stored in the real PostgreSQL, applied by real decisions whose
 * stored responses and admin-log events are read back through the API.
 */
class ExceptionIntegrationTests extends IntegrationTest {

    static final String GATE = """
            policy "exc-gate" {
              applies when context.suite == "exceptions"
              rule needs-prod {
                require context.environment == "prod"
                message "deploy to prod only"
              }
              rule needs-core {
                require context.team == "core"
                message "core team only"
              }
            }
            """;
    static final String OTHER = GATE.replace("exc-gate", "exc-other");
    // (the test policies apply only to this class's decisions, which name them: other tests deciding by every active policy are unaffected)
    private static final AtomicInteger artifacts = new AtomicInteger();
    private static String second;

    @Autowired
    PolicyExceptions exceptions;

    String requester;
    String approver;

    @BeforeEach
    void policiesAndTokens() {
        requester = tokenWith("policy-admin");
        approver = secondPolicyAdmin();
        assertThat(api.sendText("PUT", "/v1/policies/exc-gate", requester, GATE).status()).isIn(200, 201);
        assertThat(api.sendText("PUT", "/v1/policies/exc-other", requester, OTHER).status()).isIn(200, 201);
    }

    /** Another token holding policy-admin: the second person. */
    private String secondPolicyAdmin() {
        synchronized (ExceptionIntegrationTests.class) {
            if (second == null) {
                Api.Response r = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                        Api.map("name", "exc-approver-" + Long.toHexString(System.nanoTime()), "roles", List.of("policy-admin")));
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                second = r.json().get("token").asString();
            }
            return second;
        }
    }

    static String freshDigest() {
        return "sha256:" + DecisionFixtures.sha256(("exceptions-" + System.nanoTime() + "-" + artifacts.incrementAndGet()).getBytes());
    }

    JsonNode decide(String digest, String name, String policy, String team) {
        Map<String, Object> artifact = new LinkedHashMap<>();
        artifact.put("digest", digest);
        if (name != null) {
            artifact.put("name", name);
        }
        Api.Response r = api.postJson("/v1/decisions", tokenWith("decider"), Api.map("artifact", artifact,
                "context", Map.of("environment", "test", "team", team, "suite", "exceptions"), "policies", List.of(policy), "evidence", List.of(),
                "storedEvidence", false));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static Map<String, Object> scope(Object... keyValues) {
        return Api.map(keyValues);
    }

    Api.Response ask(Map<String, Object> scope, Instant expiresAt) {
        return api.postJson("/v1/exceptions", requester, Api.map("scope", scope, "reason", "CVE-2026-0001: the fix ships next week",
                "ticket", "SEC-42", "expiresAt", expiresAt.toString()));
    }

    String requested(Map<String, Object> scope, Instant expiresAt) {
        Api.Response r = ask(scope, expiresAt);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("status").asString()).isEqualTo("pending");
        assertThat(r.json().get("requestedBy").asString()).startsWith("test-policy-admin-");
        return r.json().get("id").asString();
    }

    String approved(Map<String, Object> scope, Instant expiresAt) {
        String id = requested(scope, expiresAt);
        Api.Response r = api.postJson("/v1/exceptions/" + id + "/approve", approver, Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("status").asString()).isEqualTo("active");
        return id;
    }

    static Instant inDays(int days) {
        return Instant.now().plus(Duration.ofDays(days)).truncatedTo(ChronoUnit.MILLIS);
    }

    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

    static JsonNode rule(JsonNode decision, String name) {
        for (JsonNode r : decision.get("policies").get(0).get("rules")) {
            if (r.get("name").asString().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no rule " + name + " in " + decision);
    }

    @Test
    void approvalByTheRequestingTokenIsRefusedAndAPendingExceptionDoesNotApply() {
        String digest = freshDigest();
        String id = requested(scope("digest", digest, "policy", "exc-gate"), inDays(7));

        Api.Response self = api.postJson("/v1/exceptions/" + id + "/approve", requester, Map.of());
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.isProblem()).isTrue();
        assertThat(self.json().get("detail").asString()).contains("other than the one that requested it");

        JsonNode d = decide(digest, null, "exc-gate", "core");
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(rule(d, "needs-prod").get("outcome").asString()).isEqualTo("fail");
        assertThat(rule(d, "needs-prod").has("exception")).isFalse();
        assertThat(d.get("policies").get(0).has("exceptions")).isFalse();
        assertThat(api.get("/v1/exceptions/" + id, requester).json().get("status").asString()).isEqualTo("pending");
        assertThat(ids(api.get("/v1/exceptions?status=pending", tokenWith("auditor")).json()))
                .contains(id);
    }

    @Test
    void anApprovedExceptionWaivesItsRulesForItsDigestAndIsRecordedInTheDecision() {
        String digest = freshDigest();
        String id = approved(scope("digest", digest, "policy", "exc-gate", "rules", List.of("needs-prod")), inDays(7));

        JsonNode d = decide(digest, "registry.example/exc/app", "exc-gate", "core");
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        assertThat(d.get("outcome").asString()).isEqualTo("warn");
        JsonNode policy = d.get("policies").get(0);
        assertThat(policy.get("outcome").asString()).isEqualTo("allow");
        JsonNode waived = rule(d, "needs-prod");
        assertThat(waived.get("outcome").asString()).isEqualTo("warn");
        assertThat(waived.get("exception").asString()).isEqualTo(id);
        assertThat(waived.get("message").asString()).isEqualTo("deploy to prod only");
        assertThat(waived.get("reason").asString()).isNotBlank();
        assertThat(rule(d, "needs-core").get("outcome").asString()).isEqualTo("pass");
        assertThat(d.get("warnings").toString()).contains("exc-gate/needs-prod").contains(id);
        JsonNode applied = policy.get("exceptions");
        assertThat(applied).hasSize(1);
        assertThat(applied.get(0).get("id").asString()).isEqualTo(id);
        assertThat(applied.get(0).get("requestedBy").asString()).startsWith("test-policy-admin-");
        assertThat(applied.get(0).get("approvedBy").asString()).startsWith("exc-approver-");
        assertThat(applied.get(0).get("reason").asString()).isEqualTo("CVE-2026-0001: the fix ships next week");
        assertThat(applied.get(0).get("ticket").asString()).isEqualTo("SEC-42");
        assertThat(applied.get(0).get("expiresAt").asString()).isNotBlank();
        assertThat(applied.get(0).get("rules").toString()).isEqualTo("[\"needs-prod\"]");

        // the stored record names it too
        Api.Response stored = api.get("/v1/decisions/" + d.get("decisionId").asString(), tokenWith("auditor"));
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.body()).contains("\"exceptions\":[{\"id\":\"" + id + "\"");
        assertThat(stored.body()).contains("\"exception\":\"" + id + "\"");

        // its metric counts it
        String metrics = api.get("/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("tollgate_exceptions_applied_total\\{[^}]*policy=\"exc-gate\"[^}]*} [1-9]");
    }

    @Test
    void aPolicyAllowedThroughAnExceptionVouchesForNoSlsaLevelInTheVsa() {
        String leveled = "policy \"exc-leveled\" {\n levels \"SLSA_BUILD_LEVEL_3\"\n applies when context.suite == \"exceptions\"\n"
                + " rule needs-prod { require context.environment == \"prod\" }\n}";
        assertThat(api.sendText("PUT", "/v1/policies/exc-leveled", requester, leveled).status()).isIn(200, 201);
        String digest = freshDigest();
        approved(scope("digest", digest, "policy", "exc-leveled"), inDays(1));
        JsonNode d = decide(digest, "registry.example/exc/leveled", "exc-leveled", "core");
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        JsonNode statement = json.readTree(java.util.Base64.getDecoder().decode(
                d.get("vsa").get("dsseEnvelope").get("payload").asString()));
        JsonNode predicate = statement.get("predicate");
        assertThat(predicate.get("verificationResult").asString()).isEqualTo("PASSED");
        assertThat(predicate.get("verifiedLevels")).isEmpty();
        assertThat(predicate.get("decision").get("outcome").asString()).isEqualTo("warn");
    }

    @Test
    void anExceptionCoversOnlyItsDigestItsPolicyAndItsRules() {
        String digest = freshDigest();
        String id = approved(scope("digest", digest, "policy", "exc-gate", "rules", List.of("needs-prod")), inDays(7));

        // another rule of the policy still fails: the decision denies, the waived rule still warns
        JsonNode otherRule = decide(digest, null, "exc-gate", "web");
        assertThat(otherRule.get("allowed").asBoolean()).isFalse();
        assertThat(rule(otherRule, "needs-core").get("outcome").asString()).isEqualTo("fail");
        assertThat(rule(otherRule, "needs-prod").get("exception").asString()).isEqualTo(id);

        // another digest
        JsonNode otherDigest = decide(freshDigest(), null, "exc-gate", "core");
        assertThat(otherDigest.get("allowed").asBoolean()).isFalse();
        assertThat(otherDigest.get("policies").get(0).has("exceptions")).isFalse();

        // another policy with the same rule names, on the same digest
        JsonNode otherPolicy = decide(digest, null, "exc-other", "core");
        assertThat(otherPolicy.get("allowed").asBoolean()).isFalse();
        assertThat(rule(otherPolicy, "needs-prod").get("outcome").asString()).isEqualTo("fail");
        assertThat(otherPolicy.get("policies").get(0).has("exceptions")).isFalse();
    }

    @Test
    void aNameGlobWithoutRulesWaivesEveryRuleOfTheNamesItMatches() {
        String glob = "registry.example/exc-" + Long.toHexString(System.nanoTime()) + "/*";
        String base = glob.substring(0, glob.length() - 1);
        String id = approved(scope("name", glob, "policy", "exc-gate"), inDays(7));

        JsonNode matched = decide(freshDigest(), base + "app", "exc-gate", "web");
        assertThat(matched.get("allowed").asBoolean()).as(matched.toString()).isTrue();
        assertThat(matched.get("policies").get(0).get("exceptions").get(0).get("rules").toString())
                .isEqualTo("[\"needs-prod\",\"needs-core\"]");
        assertThat(rule(matched, "needs-core").get("exception").asString()).isEqualTo(id);

        // * stays within one path segment, and the glob is anchored at both ends
        for (String name : List.of(base + "team/app", base.substring(0, base.length() - 1) + "x/app", "mirror." + base + "app")) {
            JsonNode d = decide(freshDigest(), name, "exc-gate", "web");
            assertThat(d.get("allowed").asBoolean()).as(name).isFalse();
        }
        // a decision by digest alone has no name to match
        assertThat(decide(freshDigest(), null, "exc-gate", "web").get("allowed").asBoolean()).isFalse();
    }

    @Test
    void aRevokedExceptionNoLongerAppliesAndItsHistoryAndTheAdminLogSaySo() {
        String digest = freshDigest();
        String id = approved(scope("digest", digest, "policy", "exc-gate"), inDays(7));
        assertThat(decide(digest, null, "exc-gate", "web").get("allowed").asBoolean()).isTrue();

        Api.Response revoked = api.postJson("/v1/exceptions/" + id + "/revoke", requester, Map.of("reason", "the fix shipped"));
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        assertThat(revoked.json().get("status").asString()).isEqualTo("revoked");
        assertThat(decide(digest, null, "exc-gate", "web").get("allowed").asBoolean()).isFalse();

        Api.Response again = api.postJson("/v1/exceptions/" + id + "/revoke", approver, Map.of());
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.isProblem()).isTrue();
        Api.Response approveRevoked = api.postJson("/v1/exceptions/" + id + "/approve", approver, Map.of());
        assertThat(approveRevoked.status()).isEqualTo(409);

        JsonNode read = api.get("/v1/exceptions/" + id, tokenWith("auditor")).json();
        assertThat(read.get("revokedBy").asString()).startsWith("test-policy-admin-");
        assertThat(read.get("revokeReason").asString()).isEqualTo("the fix shipped");
        List<String> actions = new ArrayList<>();
        read.get("history").forEach(e -> actions.add(e.get("action").asString()));
        assertThat(actions).containsExactly("exception.request", "exception.approve", "exception.revoke");
        assertThat(ids(api.get("/v1/exceptions?status=revoked", requester).json())).contains(id);
        assertThat(ids(api.get("/v1/exceptions?status=active", requester).json()))
                .doesNotContain(id);

        JsonNode events = api.get("/v1/audit/admin-events?target=" + id, tokenWith("auditor")).json().get("items");
        List<String> logged = new ArrayList<>();
        events.forEach(e -> logged.add(e.get("action").asString()));
        assertThat(logged).containsExactly("exception.revoke", "exception.approve", "exception.request");
        assertThat(events.get(2).get("details").get("ticket").asString()).isEqualTo("SEC-42");
        assertThat(events.get(1).get("actor").asString()).startsWith("exc-approver-");
    }

    @Test
    void anExceptionAppliesUntilTheMillisecondBeforeItsExpiryAndNotAtIt() throws Exception {
        String digest = freshDigest();
        Instant expiresAt = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.MILLIS);
        String id = approved(scope("digest", digest, "policy", "exc-gate"), expiresAt);

        // what a decision at that time is given (the decision time is the argument)
        assertThat(exceptions.applicable(digest, null, expiresAt.minusMillis(1))).extracting(e -> e.id().toString()).containsExactly(id);
        assertThat(exceptions.applicable(digest, null, expiresAt)).isEmpty();
        assertThat(exceptions.applicable(digest, null, expiresAt.plusMillis(1))).isEmpty();

        // and real decisions before and after it
        JsonNode before = decide(digest, null, "exc-gate", "web");
        assertThat(Instant.parse(before.get("decidedAt").asString())).isBefore(expiresAt);
        assertThat(before.get("allowed").asBoolean()).isTrue();
        while (!Instant.now().isAfter(expiresAt.plusMillis(50))) {
            Thread.sleep(100);
        }
        JsonNode after = decide(digest, null, "exc-gate", "web");
        assertThat(after.get("allowed").asBoolean()).isFalse();
        assertThat(api.get("/v1/exceptions/" + id, requester).json().get("status").asString()).isEqualTo("expired");
        assertThat(ids(api.get("/v1/exceptions?status=expired", requester).json())).contains(id);
    }

    @Test
    void anExpiredExceptionCannotBeApproved() throws Exception {
        Instant expiresAt = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
        String id = requested(scope("digest", freshDigest(), "policy", "exc-gate"), expiresAt);
        while (!Instant.now().isAfter(expiresAt.plusMillis(50))) {
            Thread.sleep(100);
        }
        Api.Response late = api.postJson("/v1/exceptions/" + id + "/approve", approver, Map.of());
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("detail").asString()).contains("expired");
    }

    @Test
    void whenTheExceptionsCannotBeReadNoneApplies() throws Exception {
        String digest = freshDigest();
        approved(scope("digest", digest, "policy", "exc-gate"), inDays(1));
        assertThat(exceptions.applicable(digest, null, Instant.now())).hasSize(1);
        TcpProxy proxy = TestDatabase.get().proxy();
        proxy.cut();
        try {
            List<PolicyException> unread = Deadline.in(Duration.ofSeconds(2)).run(() -> exceptions.applicable(digest, null, Instant.now()));
            assertThat(unread).isEmpty();
        } finally {
            proxy.restore();
        }
        // and once the database is back, it applies again
        Instant patience = Instant.now().plusSeconds(30);
        while (exceptions.applicable(digest, null, Instant.now()).isEmpty() && Instant.now().isBefore(patience)) {
            Thread.sleep(100);
        }
        assertThat(exceptions.applicable(digest, null, Instant.now())).hasSize(1);
    }

    @Test
    void badRequestsAreProblemsNeverAcceptedAndNeverErrors() {
        String digest = freshDigest();
        Map<String, Object> good = scope("digest", digest, "policy", "exc-gate");
        Map<String, Map<String, Object>> bad = new LinkedHashMap<>();
        bad.put("no expiry", Api.map("scope", good, "reason", "r", "ticket", "T-1"));
        bad.put("too long", Api.map("scope", good, "reason", "r", "ticket", "T-1", "expiresAt", inDays(31).toString()));
        bad.put("in the past", Api.map("scope", good, "reason", "r", "ticket", "T-1",
                "expiresAt", Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS).toString()));
        bad.put("not a date", Api.map("scope", good, "reason", "r", "ticket", "T-1", "expiresAt", "next tuesday"));
        bad.put("sub-millisecond", Api.map("scope", good, "reason", "r", "ticket", "T-1", "expiresAt", "2099-01-01T00:00:00.0000001Z"));
        bad.put("bad digest", Api.map("scope", scope("digest", "sha256:XYZ", "policy", "exc-gate"), "reason", "r", "ticket", "T-1",
                "expiresAt", inDays(1).toString()));
        bad.put("upper-case digest", Api.map("scope", scope("digest", digest.toUpperCase(), "policy", "exc-gate"), "reason", "r",
                "ticket", "T-1", "expiresAt", inDays(1).toString()));
        bad.put("digest and name", Api.map("scope", scope("digest", digest, "name", "a/*", "policy", "exc-gate"), "reason", "r",
                "ticket", "T-1", "expiresAt", inDays(1).toString()));
        bad.put("neither", Api.map("scope", scope("policy", "exc-gate"), "reason", "r", "ticket", "T-1",
                "expiresAt", inDays(1).toString()));
        bad.put("only wildcards", Api.map("scope", scope("name", "**", "policy", "exc-gate"), "reason", "r", "ticket", "T-1",
                "expiresAt", inDays(1).toString()));
        bad.put("no scope", Api.map("reason", "r", "ticket", "T-1", "expiresAt", inDays(1).toString()));
        bad.put("no reason", Api.map("scope", good, "ticket", "T-1", "expiresAt", inDays(1).toString()));
        bad.put("no ticket", Api.map("scope", good, "reason", "r", "expiresAt", inDays(1).toString()));
        bad.put("empty rules", Api.map("scope", scope("digest", digest, "policy", "exc-gate", "rules", List.of()), "reason", "r",
                "ticket", "T-1", "expiresAt", inDays(1).toString()));
        bad.put("unknown member", Api.map("scope", good, "reason", "r", "ticket", "T-1", "expiresAt", inDays(1).toString(),
                "approvedBy", "me"));
        bad.put("unknown scope member", Api.map("scope", scope("digest", digest, "policy", "exc-gate", "namespace", "prod"),
                "reason", "r", "ticket", "T-1", "expiresAt", inDays(1).toString()));
        bad.put("expiry as a number", Api.map("scope", good, "reason", "r", "ticket", "T-1", "expiresAt", 1893456000));
        for (Map.Entry<String, Map<String, Object>> e : bad.entrySet()) {
            Api.Response r = api.postJson("/v1/exceptions", requester, e.getValue());
            assertThat(r.status()).as(e.getKey() + ": " + r.body()).isEqualTo(400);
            assertThat(r.isProblem()).as(e.getKey()).isTrue();
        }
        Api.Response unknownPolicy = ask(scope("digest", digest, "policy", "no-such-policy"), inDays(1));
        assertThat(unknownPolicy.status()).as(unknownPolicy.body()).isEqualTo(422);
        Api.Response unknownRule = ask(scope("digest", digest, "policy", "exc-gate", "rules", List.of("needs-qa")), inDays(1));
        assertThat(unknownRule.status()).as(unknownRule.body()).isEqualTo(422);
        assertThat(unknownRule.json().get("detail").asString()).contains("needs-qa");
        assertThat(api.sendText("POST", "/v1/exceptions", requester, "{\"scope\": ").status()).isIn(400, 415);

        assertThat(api.get("/v1/exceptions/not-an-id", requester).status()).isEqualTo(404);
        assertThat(api.get("/v1/exceptions/" + java.util.UUID.randomUUID(), requester).status()).isEqualTo(404);
        assertThat(api.postJson("/v1/exceptions/" + java.util.UUID.randomUUID() + "/approve", approver, Map.of()).status())
                .isEqualTo(404);
        assertThat(api.get("/v1/exceptions?status=everything", requester).status()).isEqualTo(400);
        assertThat(api.get("/v1/exceptions?colour=red", requester).status()).isEqualTo(400);
        // a decider or an auditor cannot request one
        assertThat(api.postJson("/v1/exceptions", tokenWith("auditor"), Api.map("scope", good)).status()).isEqualTo(403);
    }
}
