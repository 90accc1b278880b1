package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.DecisionRecord;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/policies/{name}:replay}: decisions recorded under one version replayed under
 * another from the kept policy inputs (predicates included), exact counts, nothing written,
 * bounded, and stopped when the client goes away.
 */
class ReplayIntegrationTests extends IntegrationTest {

    private static final String GH = "src/test/resources/attestations/gh-cli/";
    private static final String REUSABLE = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
    private static final String GITHUB_HOSTED = "https://github.com/actions/runner/github-hosted";

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    AuditLog audit;
    @Autowired
    Replays replays;
    @Autowired
    dev.tollgate.audit.DecisionInputs inputs;
    @Autowired
    dev.tollgate.policy.PolicyCatalog catalog;
    @Autowired
    DecisionProperties decisionProperties;
    @Autowired
    java.time.Clock clock;

    private static String v1(String name) {
        return """
                policy "%s" {
                  rule team-named {
                    require context.team != ""
                  }
                }
                """.formatted(name);
    }

    /** Denies what was not built on a GitHub-hosted runner: a rule over the attestation's predicate. */
    private static String v2(String name) {
        return """
                policy "%s" {
                  rule team-named {
                    require context.team != ""
                  }
                  rule github-hosted {
                    require any a in attestations: a.predicate.runDetails.builder.id == "%s"
                    message "built on a GitHub-hosted runner"
                  }
                }
                """.formatted(name, GITHUB_HOSTED);
    }

    private String admin() {
        return tokenWith("policy-admin");
    }

    private long decisions() {
        return jdbc.queryForObject("select count(*) from decision", Long.class);
    }

    private Api.Response decide(String policy, String digest, String team, boolean withBundle) throws Exception {
        Map<String, Object> body = Api.map("artifact", Api.map("digest", digest), "policies", List.of(policy),
                "context", Api.map("team", team));
        if (withBundle) {
            body.put("evidence", List.of(Api.map("bundle",
                    json.readTree(Files.readString(Path.of(GH + "reusable-workflow-attestation.sigstore.json"))))));
        }
        Api.Response r = api.postJson("/v1/decisions", tokenWith("decider"), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    /** A hook that makes each replayed decision take {@code millis} longer. */
    private static Runnable sleeping(long millis) {
        return () -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private static String otherDigest(int i) {
        return "sha256:" + String.format("%064x", 0xabc000L + i);
    }

    /** The NDJSON lines of a replay (the last is the summary). */
    private List<JsonNode> replay(String policy, Object body) {
        Api.Response r = api.postJson("/v1/policies/" + policy + ":replay", admin(), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/x-ndjson");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void decisionsRecordedUnderV1ReplayedUnderAV2ThatDeniesHalfGiveExactCounts() throws Exception {
        String name = "replayed-half";
        // the window starts with this test: decisions of other tests that selected their policies would newly apply
        String since = Instant.now().minusMillis(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin(), v1(name)).status()).isEqualTo(201);
        for (int i = 0; i < 4; i++) {
            assertThat(decide(name, REUSABLE, "a", true).json().get("allowed").asBoolean()).isTrue();
            assertThat(decide(name, otherDigest(i), "a", false).json().get("allowed").asBoolean()).isTrue();
        }
        // a decision recorded without its policy input, as before V21
        // (as the writer's callers make records: the time in milliseconds, an answer with its id)
        UUID seeded = UUID.randomUUID();
        Instant at = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("decisionId", seeded.toString());
        answer.put("allowed", true);
        answer.put("outcome", "allow");
        answer.put("decidedAt", at.toString());
        answer.put("artifact", Map.of("digest", otherDigest(99)));
        answer.put("policies", List.of());
        answer.put("evidence", List.of());
        answer.put("warnings", List.of());
        audit.append(new DecisionRecord(seeded, at, "test", "api", false, otherDigest(99), null, null,
                true, "allow", List.of(name), List.of(), Map.of("context", Map.of()), answer, List.of()));
        long recorded = decisions();

        List<JsonNode> lines = replay(name, Api.map("source", v2(name), "since", since));
        JsonNode summary = lines.get(lines.size() - 1).get("summary");
        assertThat(summary.get("decisions").asInt()).isEqualTo(9);
        assertThat(summary.get("replayed").asInt()).isEqualTo(8);
        assertThat(summary.get("allowToDeny").asInt()).isEqualTo(4);
        assertThat(summary.get("denyToAllow").asInt()).isZero();
        assertThat(summary.get("unchanged").asInt()).isEqualTo(4);
        assertThat(summary.get("notReplayable").get("count").asInt()).isEqualTo(1);
        assertThat(summary.get("notReplayable").get("reasons").get(Replays.BEFORE_INPUTS).asInt()).isEqualTo(1);
        assertThat(summary.get("complete").asBoolean()).isTrue();
        assertThat(summary.get("newlyApplies").get("count").asInt()).as("every decision in the window named the policy").isZero();
        assertThat(lines).hasSize(10);

        JsonNode denied = lines.stream().filter(l -> l.has("after") && !l.get("after").get("allowed").asBoolean()).findFirst()
                .orElseThrow();
        assertThat(denied.get("artifact").get("digest").asString()).isNotEqualTo(REUSABLE);
        assertThat(denied.get("before").get("allowed").asBoolean()).isTrue();
        assertThat(denied.get("before").get("policyVersion").asInt()).isEqualTo(1);
        assertThat(denied.get("after").get("outcome").asString()).isEqualTo("deny");
        assertThat(denied.get("changedRules")).hasSize(1);
        assertThat(denied.get("changedRules").get(0).get("rule").asString()).isEqualTo("github-hosted");
        assertThat(denied.get("changedRules").get(0).get("after").asString()).isEqualTo("fail");
        assertThat(denied.get("changedRules").get(0).get("reason").asString()).isEqualTo("built on a GitHub-hosted runner");
        JsonNode kept = lines.stream().filter(l -> l.has("artifact") && REUSABLE.equals(l.get("artifact").get("digest").asString()))
                .findFirst().orElseThrow();
        assertThat(kept.get("after").get("allowed").asBoolean()).as("the predicate was kept").isTrue();
        assertThat(kept.get("changedRules").get(0).get("after").asString()).isEqualTo("pass");

        assertThat(decisions()).as("replay writes no decision").isEqualTo(recorded);

        // the same from a stored (staged) version, only the changed ones, and a window without them
        assertThat(api.sendText("PUT", "/v1/policies/" + name + "?activate=false", admin(), v2(name)).status()).isEqualTo(201);
        List<JsonNode> stored = replay(name, Api.map("version", 2, "changedOnly", true, "since", since));
        JsonNode s = stored.get(stored.size() - 1).get("summary");
        assertThat(s.get("candidate").get("version").asInt()).isEqualTo(2);
        assertThat(s.get("allowToDeny").asInt()).isEqualTo(4);
        assertThat(stored).hasSize(4 + 4 + 1); // the four denied, the four whose github-hosted rule is new, the summary
        List<JsonNode> none = replay(name, Api.map("version", 2, "since", "2020-01-01T00:00:00Z", "until", "2020-01-02T00:00:00Z"));
        assertThat(none).hasSize(1);
        assertThat(none.get(0).get("summary").get("decisions").asInt()).isZero();
        List<JsonNode> two = replay(name, Api.map("version", 2, "limit", 2, "since", since));
        assertThat(two.get(two.size() - 1).get("summary").get("decisions").asInt()).isEqualTo(2);
        assertThat(two.get(two.size() - 1).get("summary").get("stoppedBy").asString()).isEqualTo("limit");
        assertThat(decisions()).isEqualTo(recorded);
    }

    @Test
    void badRequestsAreProblemsBeforeAnythingStreamsAndTheRoleIsThePolicyAdmins() {
        String name = "replayed-refusals";
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin(), v1(name)).status()).isEqualTo(201);
        String path = "/v1/policies/" + name + ":replay";
        for (Object body : List.of(Api.map(), Api.map("source", v2(name), "version", 1), Api.map("source", 5),
                Api.map("source", v2("another-name")), Api.map("version", 1, "limit", 0),
                Api.map("version", 1, "since", "2020-01-01T00:00:00Z", "until", "2026-01-01T00:00:00Z"),
                Api.map("version", 1, "since", "yesterday"), Api.map("version", 1, "bogus", true),
                Api.map("version", 1, "trust", Api.map("keys", List.of())), Api.map("trust", 5),
                Api.map("trust", Api.map("without", List.of("no-such-root"))), Api.map("trust", Api.map("without", "public-good")))) {
            Api.Response r = api.postJson(path, admin(), body);
            assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(400);
            assertThat(r.isProblem()).isTrue();
        }
        assertThat(api.postJson(path, admin(), Api.map("trust", Api.map("add", List.of()))).body())
                .contains("add it and replay without the old one");
        assertThat(api.postJson("/v1/policies/replayed-never-stored:replay", admin(), Api.map("trust", Api.map())).status())
                .as("a trust replay without a candidate replays the active version").isEqualTo(404);
        assertThat(api.postJson(path, admin(), Api.map("version", 7)).status()).isEqualTo(404);
        assertThat(api.postJson(path, admin(), Api.map("source", "policy \"" + name + "\" {")).status()).isEqualTo(422);
        assertThat(api.postJson(path, tokenWith("auditor"), Api.map("version", 1)).status()).isEqualTo(403);
        assertThat(api.postJson(path, tokenWith("decider"), Api.map("version", 1)).status()).isEqualTo(403);
    }

    @Test
    void aClientThatGoesAwayStopsTheReplay() throws Exception {
        String name = "replayed-abandoned";
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin(), v1(name)).status()).isEqualTo(201);
        int total = 60;
        for (int i = 0; i < total; i++) {
            decide(name, otherDigest(1000 + i), "a", false);
        }
        replays.beforeEach = sleeping(50);
        try {
            long before = replays.evaluated.get();
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v1/policies/" + name + ":replay")
                    .toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Authorization", "Bearer " + admin());
            c.setRequestProperty("Content-Type", "application/json");
            c.getOutputStream().write(json.writeValueAsBytes(Api.map("version", 1)));
            assertThat(c.getResponseCode()).isEqualTo(200);
            BufferedReader reader = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
            assertThat(json.readTree(reader.readLine()).has("decisionId")).isTrue();
            c.disconnect(); // the client goes away after the first line
            long stoppedAt = -1;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                long seen = replays.evaluated.get();
                Thread.sleep(500);
                if (replays.evaluated.get() == seen) {
                    stoppedAt = seen;
                    break;
                }
            }
            assertThat(stoppedAt).as("the replay stopped").isGreaterThan(0);
            assertThat(stoppedAt - before).as("it stopped before the end").isLessThan(total);
        } finally {
            replays.beforeEach = null;
        }
    }

    @Test
    void aReplayPastItsLongestDurationStopsAndSaysSo() throws Exception {
        String name = "replayed-timed";
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin(), v1(name)).status()).isEqualTo(201);
        int total = 40;
        for (int i = 0; i < total; i++) {
            decide(name, otherDigest(2000 + i), "a", false);
        }
        // the application's replays, with tollgate.replay.max-duration=300ms, each decision taking 50 ms
        Replays timed = new Replays(inputs, catalog, new ReplayProperties(java.time.Duration.ofDays(30), java.time.Duration.ofDays(90),
                100_000, 1_000_000, java.time.Duration.ofMillis(300)), decisionProperties, clock, json);
        timed.beforeEach = sleeping(50);
        try {
            List<JsonNode> lines = new ArrayList<>();
            JsonNode summary = timed.run(replays.plan(name, json.valueToTree(Api.map("version", 1))), lines::add, () -> false)
                    .get("summary");
            assertThat(summary.get("complete").asBoolean()).as(summary.toString()).isFalse();
            assertThat(summary.get("stoppedBy").asString()).isEqualTo("time");
            assertThat(summary.get("read").asLong()).isGreaterThan(0).isLessThan(total);
            assertThat(lines.size()).isLessThan(total);
            // without the bound, the same plan reads every decision in the window (this test's, and others'
            // the candidate would newly apply to: the database is shared)
            JsonNode whole = replays.run(replays.plan(name, json.valueToTree(Api.map("version", 1))), line -> { }, () -> false)
                    .get("summary");
            assertThat(whole.get("complete").asBoolean()).as(whole.toString()).isTrue();
            assertThat(whole.get("read").asLong()).isGreaterThanOrEqualTo(total);
        } finally {
            timed.stop();
        }
    }
}
