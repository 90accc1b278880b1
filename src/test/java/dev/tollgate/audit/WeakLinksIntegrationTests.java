package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/reports/weak-links} over a history seeded through the audit log's own writer
 * (real PostgreSQL, the hash chain and all) and read over real HTTP: each category finds its
 * artifacts, what an enforcing policy allowed, refusals and dry runs are not listed, and the
 * window is respected. The artifacts are this test's own (random digests), so other tests'
 * decisions in the shared database do not matter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WeakLinksIntegrationTests extends IntegrationTest {

    @Autowired
    AuditLog audit;

    final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    final String warned = digest();
    final String audited = digest();
    final String excepted = digest();
    final String brokenGlass = digest();
    final String noPolicy = digest();
    final String enforced = digest();
    final String denied = digest();
    final String dryRun = digest();
    final String old = digest();
    final String exemptName = "registry.example/weak/exempt-" + UUID.randomUUID();
    final Map<String, UUID> last = new LinkedHashMap<>();

    static String digest() {
        byte[] bytes = new byte[32];
        ThreadLocalRandom.current().nextBytes(bytes);
        return "sha256:" + HexFormat.of().formatHex(bytes);
    }

    static Map<String, Object> policy(String mode, String outcome) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", "weak-gate");
        p.put("version", 1);
        p.put("mode", mode);
        p.put("outcome", outcome);
        p.put("rules", List.of());
        return p;
    }

    DecisionRecord record(String digest, String name, Instant at, boolean allowed, String outcome, boolean dry,
            List<Map<String, Object>> policies) {
        UUID id = UUID.randomUUID();
        Map<String, Object> artifact = new LinkedHashMap<>();
        if (digest != null) {
            artifact.put("digest", digest);
        }
        artifact.put("name", name);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("decisionId", id.toString());
        response.put("allowed", allowed);
        response.put("outcome", outcome);
        response.put("decidedAt", at.toString());
        response.put("artifact", artifact);
        response.put("policies", policies);
        response.put("evidence", List.of());
        response.put("warnings", List.of());
        last.put(digest != null ? digest : name, id);
        return new DecisionRecord(id, at, "weak-links-test", "admission", dry, digest, name, null, allowed, outcome,
                policies.stream().map(p -> (String) p.get("name")).distinct().toList(), List.of(),
                Map.of("context", Map.of("namespace", "weak")), response, List.of());
    }

    @BeforeAll
    void seed() {
        Map<String, Object> withException = policy("enforce", "allow");
        withException.put("exceptions", List.of(Map.of("id", UUID.randomUUID().toString(), "requestedBy", "alice",
                "approvedBy", "bob")));
        List<DecisionRecord> records = new ArrayList<>();
        records.add(record(warned, "registry.example/weak/warned", now.minus(Duration.ofDays(3)), true, "warn", false,
                List.of(policy("warn", "deny"))));
        records.add(record(warned, "registry.example/weak/warned", now.minus(Duration.ofHours(2)), true, "warn", false,
                List.of(policy("warn", "deny"), policy("enforce", "allow"))));
        records.add(record(audited, "registry.example/weak/audited", now.minus(Duration.ofDays(1)), true, "allow", false,
                List.of(policy("audit", "deny"), policy("enforce", "allow"))));
        records.add(record(excepted, "registry.example/weak/excepted", now.minus(Duration.ofDays(2)), true, "allow", false,
                List.of(withException)));
        records.add(record(brokenGlass, "registry.example/weak/glass", now.minus(Duration.ofDays(4)), true, "break-glass", false,
                List.of(policy("enforce", "deny"))));
        records.add(record(null, exemptName, now.minus(Duration.ofDays(5)), true, "exempt", false, List.of()));
        records.add(record(noPolicy, "registry.example/weak/unpoliced", now.minus(Duration.ofDays(6)), true, "allow", false,
                List.of()));
        records.add(record(enforced, "registry.example/weak/enforced", now.minus(Duration.ofDays(1)), true, "allow", false,
                List.of(policy("enforce", "allow"), policy("audit", "allow"))));
        records.add(record(denied, "registry.example/weak/denied", now.minus(Duration.ofDays(1)), false, "deny", false,
                List.of(policy("enforce", "deny"), policy("warn", "deny"))));
        records.add(record(dryRun, "registry.example/weak/dry", now.minus(Duration.ofDays(1)), true, "warn", true,
                List.of(policy("warn", "deny"))));
        records.add(record(old, "registry.example/weak/old", now.minus(Duration.ofDays(40)), true, "warn", false,
                List.of(policy("warn", "deny"))));
        audit.appendAll(records);
    }

    JsonNode report(String query) {
        Api.Response response = api.get("/v1/reports/weak-links" + query, tokenWith("auditor"));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    /** The category's item for this artifact (digest, or name when it has none), or null. */
    static JsonNode item(JsonNode report, String category, String artifact) {
        for (JsonNode c : report.get("categories")) {
            if (c.get("category").asString().equals(category)) {
                for (JsonNode i : c.get("items")) {
                    if (artifact.equals(i.path("digest").asString(null)) || artifact.equals(i.path("name").asString(null))) {
                        return i;
                    }
                }
                return null;
            }
        }
        throw new AssertionError("no category " + category + " in " + report);
    }

    /** Every category in which this artifact is listed. */
    static List<String> listedIn(JsonNode report, String artifact) {
        List<String> in = new ArrayList<>();
        for (JsonNode c : report.get("categories")) {
            if (item(report, c.get("category").asString(), artifact) != null) {
                in.add(c.get("category").asString());
            }
        }
        return in;
    }

    @Test
    void eachCategoryFindsItsArtifactsWithCountLastSeenAndAnExampleDecision() {
        JsonNode report = report("?limit=500");
        assertThat(report.get("days").asInt()).isEqualTo(30);
        assertThat(report.get("categories").valueStream().map(c -> c.get("category").asString()))
                .containsExactly("warn-or-audit-mode", "exception", "break-glass", "exempt-namespace", "no-policy");

        JsonNode w = item(report, "warn-or-audit-mode", warned);
        assertThat(w.get("name").asString()).isEqualTo("registry.example/weak/warned");
        assertThat(w.get("decisions").asLong()).isEqualTo(2);
        assertThat(Instant.parse(w.get("lastSeen").asString())).isEqualTo(now.minus(Duration.ofHours(2)));
        assertThat(w.get("exampleDecisionId").asString()).isEqualTo(last.get(warned).toString());

        // its first decision had only a warn-mode policy: no enforcing policy applied either
        assertThat(listedIn(report, warned)).containsExactly("warn-or-audit-mode", "no-policy");
        assertThat(item(report, "no-policy", warned).get("decisions").asLong()).isEqualTo(1);
        assertThat(listedIn(report, audited)).containsExactly("warn-or-audit-mode");
        assertThat(listedIn(report, excepted)).containsExactly("exception");
        assertThat(listedIn(report, brokenGlass)).containsExactly("break-glass");
        assertThat(listedIn(report, exemptName)).containsExactly("exempt-namespace");
        assertThat(item(report, "exempt-namespace", exemptName).get("digest").isNull()).isTrue(); // given by tag
        assertThat(listedIn(report, noPolicy)).containsExactly("no-policy");
        assertThat(item(report, "exception", excepted).get("exampleDecisionId").asString())
                .isEqualTo(last.get(excepted).toString());

        // what an enforcing policy allowed, refusals and dry runs are no weak links
        assertThat(listedIn(report, enforced)).isEmpty();
        assertThat(listedIn(report, denied)).isEmpty();
        assertThat(listedIn(report, dryRun)).isEmpty();

        for (JsonNode c : report.get("categories")) {
            assertThat(c.get("artifacts").asLong()).isGreaterThanOrEqualTo(c.get("items").size());
            assertThat(c.get("decisions").asLong()).isGreaterThanOrEqualTo(c.get("artifacts").asLong());
        }
        // the record the example names is the decision
        JsonNode example = api.get("/v1/decisions/" + w.get("exampleDecisionId").asString(), tokenWith("auditor")).json();
        assertThat(example.get("artifact").get("digest").asString()).isEqualTo(warned);
    }

    @Test
    void theWindowIsRespected() {
        assertThat(listedIn(report("?limit=500"), old)).isEmpty();
        assertThat(listedIn(report("?days=60&limit=500"), old)).containsExactly("warn-or-audit-mode", "no-policy");
        JsonNode lastTwoDays = report("?days=2&limit=500");
        assertThat(lastTwoDays.get("days").asInt()).isEqualTo(2);
        assertThat(listedIn(lastTwoDays, warned)).containsExactly("warn-or-audit-mode");
        assertThat(item(lastTwoDays, "warn-or-audit-mode", warned).get("decisions").asLong()).isEqualTo(1); // the one 3 days ago is out
        assertThat(listedIn(lastTwoDays, noPolicy)).isEmpty();
        assertThat(listedIn(lastTwoDays, brokenGlass)).isEmpty();
        assertThat(Instant.parse(lastTwoDays.get("until").asString()).minus(Duration.ofDays(2)))
                .isEqualTo(Instant.parse(lastTwoDays.get("since").asString()));
    }

    @Test
    void aLimitBoundsTheListedArtifactsButNotTheTotals() {
        JsonNode one = report("?days=366&limit=1");
        for (JsonNode c : one.get("categories")) {
            assertThat(c.get("items").size()).isLessThanOrEqualTo(1);
            assertThat(c.get("truncated").asBoolean()).isEqualTo(c.get("artifacts").asLong() > c.get("items").size());
        }
        JsonNode warnings = one.get("categories").get(0);
        assertThat(warnings.get("artifacts").asLong()).isGreaterThanOrEqualTo(3); // warned, audited, old at least
        assertThat(warnings.get("truncated").asBoolean()).isTrue();
    }

    @Test
    void badParametersAreProblems() {
        String auditor = tokenWith("auditor");
        for (String query : new String[] {"?days=0", "?days=367", "?days=-1", "?days=abc", "?days=1.5", "?days=",
            "?days=99999999999", "?days=1&days=2", "?limit=0", "?limit=501", "?since=2026-01-01T00:00:00Z"}) {
            Api.Response response = api.get("/v1/reports/weak-links" + query, auditor);
            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.contentType()).as(query).startsWith("application/problem+json");
        }
        assertThat(api.get("/v1/reports/weak-links", tokenWith("decider")).status()).isEqualTo(403);
        assertThat(api.get("/v1/reports/weak-links", null).status()).isEqualTo(401);
    }
}
