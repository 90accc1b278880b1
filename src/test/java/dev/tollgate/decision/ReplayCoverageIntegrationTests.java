package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.DecisionFixtures;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * What replay covers beyond the decisions a version took part in: decisions a wider
 * {@code applies when} newly applies to, governed exceptions (also in {@code :evaluate}), and a
 * trust change that verifies the kept bundles again — over real recorded decisions, real bundles.
 */
class ReplayCoverageIntegrationTests extends IntegrationTest {

    private static final String GH = "src/test/resources/attestations/gh-cli/";
    private static final String REUSABLE = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
    private static String second;

    @Autowired
    JdbcTemplate jdbc;

    private String admin() {
        return tokenWith("policy-admin");
    }

    /** Another token holding policy-admin: an exception's approver. */
    private String secondAdmin() {
        synchronized (ReplayCoverageIntegrationTests.class) {
            if (second == null) {
                Api.Response r = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                        Api.map("name", "replay-approver-" + Long.toHexString(System.nanoTime()), "roles", List.of("policy-admin")));
                assertThat(r.status()).as(r.body()).isEqualTo(201);
                second = r.json().get("token").asString();
            }
            return second;
        }
    }

    private long decisions() {
        return jdbc.queryForObject("select count(*) from decision", Long.class);
    }

    private static String since() {
        return Instant.now().minusMillis(1).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String digest(String seed) {
        return "sha256:" + DecisionFixtures.sha256((seed + System.nanoTime()).getBytes());
    }

    private JsonNode decide(Map<String, Object> body) {
        Api.Response r = api.postJson("/v1/decisions", tokenWith("decider"), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private List<JsonNode> replay(String policy, Map<String, Object> body) {
        Api.Response r = api.postJson("/v1/policies/" + policy + ":replay", admin(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    private static JsonNode summary(List<JsonNode> lines) {
        return lines.get(lines.size() - 1).get("summary");
    }

    private static JsonNode line(List<JsonNode> lines, String decisionId) {
        return lines.stream().filter(l -> decisionId.equals(l.path("decisionId").asString(null))).findFirst().orElse(null);
    }

    @Test
    void aWiderAppliesWhenIsReplayedOverTheDecisionsTheOldVersionDidNotApplyTo() {
        String name = "replay-widened";
        String v1 = """
                policy "replay-widened" {
                  applies when context.suite == "replay-widened" and context.team == "a"
                  rule team-a {
                    require context.team == "a"
                    message "team a only"
                  }
                }
                """;
        String v2 = v1.replace(" and context.team == \"a\"", "");
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin(), v1).status()).isIn(200, 201);
        // the suite's decisions are allowed by a policy of its own, with or without replay-widened
        assertThat(api.sendText("PUT", "/v1/policies/replay-widened-base", admin(), """
                policy "replay-widened-base" {
                  applies when context.suite == "replay-widened"
                  rule suite-named {
                    require context.suite != ""
                  }
                }
                """).status()).isIn(200, 201);
        String since = since();
        // decisions that select their policies (none named): v1 takes part in team a's, not in team b's nor in another suite's
        Map<String, JsonNode> recorded = new HashMap<>();
        for (String team : List.of("a", "a", "b", "b")) {
            JsonNode d = decide(Api.map("artifact", Api.map("digest", digest("widened-" + team)),
                    "context", Api.map("suite", "replay-widened", "team", team), "storedEvidence", false));
            recorded.put(d.get("decisionId").asString(), d);
        }
        JsonNode elsewhere = decide(Api.map("artifact", Api.map("digest", digest("widened-other")),
                "context", Api.map("suite", "replay-elsewhere", "team", "b"), "storedEvidence", false));
        long before = decisions();

        List<JsonNode> lines = replay(name, Api.map("source", v2, "since", since));
        JsonNode s = summary(lines);
        assertThat(s.get("read").asInt()).isEqualTo(5);
        assertThat(s.get("decisions").asInt()).isEqualTo(4);
        assertThat(s.get("stillNotApplicable").asInt()).as("the other suite's decision").isEqualTo(1);
        assertThat(line(lines, elsewhere.get("decisionId").asString())).isNull();
        JsonNode newly = s.get("newlyApplies");
        assertThat(newly.get("count").asInt()).isEqualTo(2);
        int teamBAllowed = 0;
        for (JsonNode d : recorded.values()) {
            JsonNode l = line(lines, d.get("decisionId").asString());
            assertThat(l).as("every decision of the suite is reported").isNotNull();
            boolean teamB = d.get("policies").findValues("name").stream().noneMatch(n -> n.asString().equals(name));
            if (teamB) {
                assertThat(l.get("newlyApplies").asBoolean()).isTrue();
                assertThat(l.get("before").get("policyOutcome").asString()).isEqualTo("not-applicable");
                assertThat(l.get("after").get("policyOutcome").asString()).isEqualTo("deny");
                assertThat(l.get("after").get("allowed").asBoolean()).isFalse();
                assertThat(l.get("changedRules").get(0).get("rule").asString()).isEqualTo("team-a");
                assertThat(l.get("changedRules").get(0).get("reason").asString()).isEqualTo("team a only");
                teamBAllowed += d.get("allowed").asBoolean() ? 1 : 0;
            } else {
                assertThat(l.has("newlyApplies")).isFalse();
                assertThat(l.get("after").get("policyOutcome").asString()).isEqualTo("allow");
            }
        }
        // (whether team b was allowed before depends on the other active policies of this JVM's tests: counted from the answers)
        assertThat(newly.get("allowToDeny").asInt()).isEqualTo(teamBAllowed);
        assertThat(decisions()).as("replay writes nothing").isEqualTo(before);

        // the same version replayed finds nothing new: it applies where it applied
        List<JsonNode> same = replay(name, Api.map("version", 1, "since", since));
        assertThat(summary(same).get("newlyApplies").get("count").asInt()).isZero();
        assertThat(summary(same).get("stillNotApplicable").asInt()).isEqualTo(3);
        assertThat(summary(same).get("unchanged").asInt()).isEqualTo(2);
    }

    @Test
    void exceptionsInForceAtTheDecisionTimeWaiveTheCandidatesFailuresInReplayAndInEvaluate() {
        String name = "replay-excepted";
        String v2 = """
                policy "replay-excepted" {
                  rule team-named {
                    require context.team != ""
                  }
                  rule core-only {
                    require context.team == "core"
                    message "core team only"
                  }
                  rule prod-only {
                    require context.environment == "prod"
                    message "prod only"
                  }
                }
                """;
        // v1 has the rules (an exception names rules of the active version) but does not enforce them yet
        String v1 = v2.replace("rule core-only {", "rule core-only effective \"2099-01-01T00:00:00Z\" {")
                .replace("rule prod-only {", "rule prod-only effective \"2099-01-01T00:00:00Z\" {");
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin(), v1).status()).isIn(200, 201);
        String covered = digest("excepted-covered");
        String other = digest("excepted-other");
        Instant expiresAt = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
        Api.Response asked = api.postJson("/v1/exceptions", admin(), Api.map("scope", Api.map("digest", covered, "policy", name,
                "rules", List.of("core-only", "prod-only")), "reason", "the fix ships next week", "ticket", "SEC-7",
                "expiresAt", expiresAt.toString()));
        assertThat(asked.status()).as(asked.body()).isEqualTo(201);
        String id = asked.json().get("id").asString();
        Api.Response approved = api.postJson("/v1/exceptions/" + id + "/approve", secondAdmin(), Map.of());
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        Instant approvedAt = Instant.parse(approved.json().get("approvedAt").asString());

        String since = since();
        JsonNode onCovered = decide(Api.map("artifact", Api.map("digest", covered), "policies", List.of(name),
                "context", Api.map("team", "web", "environment", "dev"), "storedEvidence", false));
        JsonNode onOther = decide(Api.map("artifact", Api.map("digest", other), "policies", List.of(name),
                "context", Api.map("team", "web", "environment", "dev"), "storedEvidence", false));
        assertThat(onCovered.get("allowed").asBoolean()).isTrue();

        // active: the covered digest warns through the exception, the other digest is denied
        List<JsonNode> lines = replay(name, Api.map("source", v2, "since", since));
        JsonNode c = line(lines, onCovered.get("decisionId").asString());
        assertThat(c.get("after").get("allowed").asBoolean()).isTrue();
        assertThat(c.get("after").get("outcome").asString()).isEqualTo("warn");
        assertThat(c.get("after").get("exceptions").get(0).get("id").asString()).isEqualTo(id);
        assertThat(c.get("after").get("exceptions").get(0).get("ticket").asString()).isEqualTo("SEC-7");
        assertThat(c.get("changedRules")).as("warned before (not yet effective), warns now (excepted)").isEmpty();
        JsonNode o = line(lines, onOther.get("decisionId").asString());
        assertThat(o.get("after").get("allowed").asBoolean()).as("another digest is out of scope").isFalse();
        assertThat(o.get("after").has("exceptions")).isFalse();
        assertThat(summary(lines).get("exceptionsApplied").asInt()).isEqualTo(1);
        assertThat(summary(lines).get("allowToDeny").asInt()).isEqualTo(1);

        // a rule out of its scope still denies the covered digest
        String v3 = v2.replace("rule prod-only", "rule signed-off").replace("\"prod only\"", "\"signed off\"");
        JsonNode outOfRules = line(replay(name, Api.map("source", v3, "since", since)), onCovered.get("decisionId").asString());
        assertThat(outOfRules.get("after").get("allowed").asBoolean()).isFalse();

        // expiry, judged at the time evaluated: just before it the exception applies, at it it does not
        JsonNode justBefore = line(replay(name, Api.map("source", v2, "since", since, "asOf", expiresAt.minusMillis(1).toString())),
                onCovered.get("decisionId").asString());
        assertThat(justBefore.get("after").get("allowed").asBoolean()).isTrue();
        JsonNode atExpiry = line(replay(name, Api.map("source", v2, "since", since, "asOf", expiresAt.toString())),
                onCovered.get("decisionId").asString());
        assertThat(atExpiry.get("after").get("allowed").asBoolean()).as("expired").isFalse();
        assertThat(atExpiry.get("after").has("exceptions")).isFalse();
        // and not before its approval
        JsonNode beforeApproval = line(replay(name, Api.map("source", v2, "since", since,
                "asOf", approvedAt.minusMillis(1).toString())), onCovered.get("decisionId").asString());
        assertThat(beforeApproval.get("after").get("allowed").asBoolean()).isFalse();

        // the evaluation without recording waives the same way, and names the exception
        Map<String, Object> evaluate = Api.map("artifact", Api.map("digest", covered), "policies", List.of(name),
                "context", Api.map("team", "web", "environment", "dev"), "source", v2);
        Api.Response e = api.postJson("/v1/decisions:evaluate", admin(), evaluate);
        assertThat(e.status()).as(e.body()).isEqualTo(200);
        assertThat(e.json().get("allowed").asBoolean()).isTrue();
        assertThat(e.json().get("outcome").asString()).isEqualTo("warn");
        JsonNode policy = e.json().get("policies").get(0);
        assertThat(policy.get("exceptions").get(0).get("id").asString()).isEqualTo(id);
        assertThat(policy.get("exceptions").get(0).get("rules").toString()).contains("core-only", "prod-only");
        assertThat(e.json().get("warnings").toString()).contains("excepted by exception " + id);
        Map<String, Object> onOtherDigest = new HashMap<>(evaluate);
        onOtherDigest.put("artifact", Api.map("digest", other));
        Api.Response denied = api.postJson("/v1/decisions:evaluate", admin(), onOtherDigest);
        assertThat(denied.json().get("allowed").asBoolean()).isFalse();
        assertThat(denied.json().get("policies").get(0).has("exceptions")).isFalse();

        // revoked: it never applies again, in replay or in evaluate
        assertThat(api.postJson("/v1/exceptions/" + id + "/revoke", admin(), Map.of("reason", "fixed")).status()).isEqualTo(200);
        JsonNode revoked = line(replay(name, Api.map("source", v2, "since", since)), onCovered.get("decisionId").asString());
        assertThat(revoked.get("after").get("allowed").asBoolean()).isFalse();
        assertThat(api.postJson("/v1/decisions:evaluate", admin(), evaluate).json().get("allowed").asBoolean()).isFalse();
    }

    @Test
    void aTrustReplayVerifiesTheKeptBundlesAgainAgainstTheTrustHeldLessTheRootsLeftOut() throws Exception {
        String name = "replay-trusted";
        String policy = """
                policy "replay-trusted" {
                  rule provenance {
                    require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
                    message "a verified SLSA provenance"
                  }
                }
                """;
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin(), policy).status()).isIn(200, 201);
        String since = since();
        JsonNode bundle = json.readTree(Files.readString(Path.of(GH + "reusable-workflow-attestation.sigstore.json")));
        JsonNode d = decide(Api.map("artifact", Api.map("digest", REUSABLE), "policies", List.of(name),
                "evidence", List.of(Api.map("bundle", bundle)), "storedEvidence", false));
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        assertThat(d.get("evidence").get(0).get("trustRoots").toString()).contains("public-good");
        long before = decisions();

        // the trust held now: the bundle verifies again, nothing changes
        List<JsonNode> now = replay(name, Api.map("trust", Api.map(), "since", since));
        JsonNode same = line(now, d.get("decisionId").asString());
        assertThat(same.get("after").get("allowed").asBoolean()).isTrue();
        assertThat(same.has("evidence")).isFalse();
        assertThat(summary(now).get("trust").get("without")).isEmpty();
        assertThat(summary(now).get("candidate").get("version").asInt()).as("the active version").isEqualTo(1);
        assertThat(summary(now).get("unchanged").asInt()).isEqualTo(1);

        // without the root that verified it: the attestation no longer verifies, the decision would be denied
        List<JsonNode> without = replay(name, Api.map("trust", Api.map("without", List.of("public-good")), "since", since));
        JsonNode changed = line(without, d.get("decisionId").asString());
        assertThat(changed.get("after").get("allowed").asBoolean()).isFalse();
        assertThat(changed.get("changedRules").get(0).get("rule").asString()).isEqualTo("provenance");
        JsonNode item = changed.get("evidence").get(0);
        assertThat(item.get("index").asInt()).isZero();
        assertThat(item.get("before").asBoolean()).isTrue();
        assertThat(item.get("after").asBoolean()).isFalse();
        assertThat(item.get("code").asString()).startsWith("evidence_");
        JsonNode s = summary(without);
        assertThat(s.get("allowToDeny").asInt()).isEqualTo(1);
        assertThat(s.get("trust").get("without").get(0).asString()).isEqualTo("public-good");
        assertThat(s.get("trust").get("evidenceNoLongerVerifying").asInt()).isEqualTo(1);

        // a candidate with the trust change, and nothing written; the trust held is unchanged
        List<JsonNode> both = replay(name, Api.map("source", policy.replace("provenance/v1", "provenance/v0.2"),
                "trust", Api.map("without", List.of("public-good")), "since", since));
        assertThat(line(both, d.get("decisionId").asString()).get("after").get("allowed").asBoolean()).isFalse();
        assertThat(decisions()).isEqualTo(before);
        assertThat(api.get("/v1/trust/roots", tokenWith("admin")).body()).contains("\"public-good\"");
    }
}
