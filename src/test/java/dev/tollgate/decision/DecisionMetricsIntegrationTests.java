package dev.tollgate.decision;

import static dev.tollgate.support.DecisionFixtures.A_TXT;
import static dev.tollgate.support.DecisionFixtures.BEACON;
import static dev.tollgate.support.DecisionFixtures.DSSE_BUNDLE;
import static dev.tollgate.support.DecisionFixtures.GITHUB;
import static dev.tollgate.support.DecisionFixtures.MESSAGE_BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A known sequence of decisions through real HTTP gives exact counter deltas and histogram
 * counts in {@code /actuator/prometheus} (the policy's name is this test's own, so its labelled
 * series see nothing else).
 */
class DecisionMetricsIntegrationTests extends IntegrationTest {

    static final String POLICY = "metrics-gate";
    static final String GATE = DecisionIntegrationTests.GATE.replace("beacon-gate", POLICY);
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One scrape: metric name → (its labels → value). */
    record Scrape(Map<String, List<Map.Entry<Map<String, String>, Double>>> samples) {

        /** The sum of the samples of this name whose labels include these (a missing series is 0). */
        double value(String name, String... labels) {
            double sum = 0;
            for (Map.Entry<Map<String, String>, Double> sample : samples.getOrDefault(name, List.of())) {
                boolean matches = true;
                for (int i = 0; i < labels.length; i += 2) {
                    matches &= labels[i + 1].equals(sample.getKey().get(labels[i]));
                }
                if (matches) {
                    sum += sample.getValue();
                }
            }
            return sum;
        }

        boolean has(String name) {
            return samples.containsKey(name);
        }
    }

    Scrape scrape() {
        Api.Response response = api.get("/actuator/prometheus", null);
        assertThat(response.status()).isEqualTo(200);
        Map<String, List<Map.Entry<Map<String, String>, Double>>> samples = new TreeMap<>();
        Matcher m = SAMPLE.matcher(response.body());
        while (m.find()) {
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Map.entry(labels, Double.parseDouble(m.group(3))));
        }
        return new Scrape(samples);
    }

    JsonNode decide(String digest, String name, String... bundles) {
        List<String> items = new ArrayList<>();
        for (String bundle : bundles) {
            items.add("{\"bundle\": " + bundle + "}");
        }
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"" + name + "\"}, \"policies\": [\"" + POLICY
                + "\"], \"storedEvidence\": false, \"evidence\": [" + String.join(", ", items) + "]}";
        Api.Response response = api.postJson("/v1/decisions", tokenWith("decider"), body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    @Test
    void aKnownSequenceOfDecisionsGivesExactCountsAndHistograms() {
        assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, tokenWith("policy-admin"), GATE).status()).isIn(200, 201);
        String other = "sha256:" + "2".repeat(64);
        String unknown = "sha256:" + Long.toHexString(System.nanoTime()).repeat(8).substring(0, 64);
        Scrape before = scrape();

        assertThat(decide(A_TXT, "example.com/a", MESSAGE_BUNDLE, DSSE_BUNDLE).get("outcome").asString()).isEqualTo("allow");
        assertThat(decide(A_TXT, "example.com/a", MESSAGE_BUNDLE, DSSE_BUNDLE).get("outcome").asString()).isEqualTo("allow");
        assertThat(decide(A_TXT, "example.com/a", MESSAGE_BUNDLE).get("outcome").asString()).isEqualTo("deny");
        assertThat(decide(other, "example.com/a", MESSAGE_BUNDLE, DSSE_BUNDLE).get("outcome").asString()).isEqualTo("deny");
        assertThat(decide(unknown, REGISTRY.host() + "/metrics/none").get("outcome").asString()).isEqualTo("deny");

        Scrape after = scrape();
        assertThat(delta(before, after, "tollgate_decisions_total", "outcome", "allow", "source", "api", "policy", POLICY)).isEqualTo(2);
        assertThat(delta(before, after, "tollgate_decisions_total", "outcome", "deny", "source", "api", "policy", POLICY)).isEqualTo(3);
        assertThat(delta(before, after, "tollgate_rule_failures_total", "policy", POLICY, "rule", "slsa-provenance")).isEqualTo(3);
        assertThat(delta(before, after, "tollgate_rule_failures_total", "policy", POLICY, "rule", "signed-by-beacon")).isEqualTo(2);
        assertThat(delta(before, after, "tollgate_rule_failures_total", "policy", POLICY)).isEqualTo(5);
        assertThat(delta(before, after, "tollgate_evidence_verifications_total", "result", "verified")).isEqualTo(5);
        assertThat(delta(before, after, "tollgate_evidence_verifications_total", "result", "failed", "code", "evidence_digest_mismatch"))
                .isEqualTo(1);
        assertThat(delta(before, after, "tollgate_evidence_verifications_total", "result", "failed", "code", "evidence_subject_mismatch"))
                .isEqualTo(1);
        assertThat(delta(before, after, "tollgate_evidence_verifications_total", "result", "failed")).isEqualTo(2);
        // the second allow and the deny read the first one's verifications from the cache (earlier tests may have filled it too)
        assertThat(delta(before, after, "tollgate_evidence_cache_hits_total")).isBetween(3.0, 5.0);
        assertThat(delta(before, after, "tollgate_registry_fetches_total", "registry", REGISTRY.host(), "kind", "evidence")).isEqualTo(1);

        // histograms: five decisions timed, in SLO buckets, at least one group commit each
        assertThat(delta(before, after, "tollgate_decision_seconds_count")).isEqualTo(5);
        assertThat(delta(before, after, "tollgate_decision_seconds_bucket", "le", "+Inf")).isEqualTo(5);
        assertThat(delta(before, after, "tollgate_decision_seconds_bucket", "le", "10.0")).isEqualTo(5);
        assertThat(after.samples().get("tollgate_decision_seconds_bucket")).extracting(e -> e.getKey().get("le"))
                .contains("0.005", "0.05", "0.25", "1.0", "+Inf");
        assertThat(delta(before, after, "tollgate_audit_commit_seconds_count")).isBetween(1.0, 5.0);
        assertThat(delta(before, after, "tollgate_audit_commit_seconds_bucket", "le", "+Inf"))
                .isEqualTo(delta(before, after, "tollgate_audit_commit_seconds_count"));
        assertThat(after.value("tollgate_audit_batch_size")).isBetween(1.0, 10_000.0);
        assertThat(after.has("tollgate_audit_queue_depth")).isTrue();
        assertThat(after.value("tollgate_audit_queue_depth")).isBetween(0.0, 10_000.0);
        // the same evidence for the same digest again: both items from the cache
        Scrape again = scrape();
        decide(other, "example.com/a", MESSAGE_BUNDLE, DSSE_BUNDLE);
        assertThat(delta(again, scrape(), "tollgate_evidence_cache_hits_total")).isEqualTo(2);
        // no digest in any label
        Api.Response raw = api.get("/actuator/prometheus", null);
        assertThat(raw.body()).doesNotContain(A_TXT.substring(7)).doesNotContain(other.substring(7)).doesNotContain(BEACON)
                .doesNotContain(GITHUB + "\"");
    }

    @Test
    void theDecidingPolicyIsTheFirstThatRefusedOrTheOnlyOne() {
        List<PolicyOutcome> policies = List.of(policy("a", "warn", "deny"), policy("b", "enforce", "allow"),
                policy("c", "enforce", "deny"));
        assertThat(DecisionMetrics.decidingPolicy(policies, "deny")).isEqualTo("c");
        assertThat(DecisionMetrics.decidingPolicy(policies, "warn")).isEqualTo("a");
        assertThat(DecisionMetrics.decidingPolicy(policies, "allow")).isEqualTo(DecisionMetrics.SEVERAL_POLICIES);
        assertThat(DecisionMetrics.decidingPolicy(List.of(), "deny")).isEqualTo(DecisionMetrics.NO_POLICY);
        assertThat(DecisionMetrics.decidingPolicy(List.of(policy("x", "enforce", "allow")), "allow")).isEqualTo("x");
    }

    private static PolicyOutcome policy(String name, String mode, String outcome) {
        return new PolicyOutcome(name, 1, "0".repeat(64), mode, outcome, null, List.of());
    }

    static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    /**
     * The two gauges the stale-checkpoint and trust-expiry alerts read: the checkpoint age is 0 once a signed
     * checkpoint covers every decision (the ledger signs within its 1 s interval), and each held material that
     * stops being valid at some time has its seconds left — a key by its validUntil, a root (public-good) by its
     * certificate authorities' validity — and loses its row when it is removed.
     */
    @Test
    void theCheckpointAgeAndTheTrustExpiryGauges() throws Exception {
        decide("sha256:" + "c4".repeat(32), "example.com/metrics-checkpoint");
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
        Scrape scrape = scrape();
        while (scrape.value("tollgate_checkpoint_age_seconds") != 0.0 && java.time.Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            scrape = scrape();
        }
        assertThat(scrape.has("tollgate_checkpoint_age_seconds")).isTrue();
        assertThat(scrape.value("tollgate_checkpoint_age_seconds")).as("every decision covered by a checkpoint").isEqualTo(0.0);

        String name = "metrics-expiring-key";
        java.time.Instant until = java.time.Instant.now().plus(java.time.Duration.ofDays(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Api.Response put = api.send("PUT", "/v1/trust/keys/" + name + "?validUntil=" + until, tokenWith("policy-admin"),
                "application/x-pem-file", dev.tollgate.support.PolicySourceFiles.pem(dev.tollgate.support.PolicySourceFiles.ec())
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(put.status()).as(put.body()).isIn(200, 201);
        try {
            Scrape held = scrape();
            double left = held.value("tollgate_trust_expiry_seconds", "name", name);
            assertThat(left).as("seconds until validUntil").isBetween(9 * 86_400.0, 10 * 86_400.0);
            assertThat(held.value("tollgate_trust_expiry_seconds", "name", "public-good")).as("the public-good root's CAs").isPositive();
        } finally {
            api.delete("/v1/trust/keys/" + name, tokenWith("policy-admin"));
        }
        assertThat(scrape().samples().getOrDefault("tollgate_trust_expiry_seconds", List.of()))
                .noneMatch(sample -> name.equals(sample.getKey().get("name")));
    }
}
