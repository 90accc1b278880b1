package dev.tollgate.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.marcnuri.helm.Helm;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard and the PrometheusRule query only the metrics of docs/operations.md's
 * "Metrics" table (and their histogram series), and that table names exactly those metrics.
 */
class MonitoringMetricsTests {

    /** docs/operations.md, "Metrics": the names Tollgate exports. */
    static final Set<String> COUNTERS_AND_GAUGES = Set.of("tollgate_decisions_total", "tollgate_rule_failures_total",
            "tollgate_evidence_verifications_total", "tollgate_audit_queue_depth", "tollgate_audit_batch_size",
            "tollgate_evidence_cache_hits_total", "tollgate_registry_fetches_total", "tollgate_checkpoint_age_seconds",
            "tollgate_trust_expiry_seconds", "tollgate_break_glass_total", "tollgate_exceptions_applied_total",
            "tollgate_policy_source_sync_total", "tollgate_policy_source_last_applied", "tollgate_decision_stream_sent_total",
            "tollgate_decision_stream_dropped_total", "tollgate_decision_stream_failed_total", "tollgate_decision_stream_queue");
    static final Set<String> HISTOGRAMS = Set.of("tollgate_decision_seconds", "tollgate_audit_commit_seconds", "http_server_requests_seconds");

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern RANGES = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern GROUPINGS = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\)$");

    /** The metric names a PromQL expression selects (functions, keywords, labels, strings and durations left out). */
    static Set<String> metricsIn(String promql) {
        String expression = promql.strip();
        Matcher labelValues = LABEL_VALUES.matcher(expression);
        if (labelValues.matches()) {
            expression = labelValues.group(1);
        }
        expression = STRINGS.matcher(expression).replaceAll("\"\"");
        expression = MATCHERS.matcher(expression).replaceAll(" ");
        expression = RANGES.matcher(expression).replaceAll(" ");
        expression = GROUPINGS.matcher(expression).replaceAll(" ");
        Set<String> metrics = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(expression);
        while (identifier.find()) {
            String token = identifier.group();
            if (token.endsWith("(") || KEYWORDS.contains(token.toLowerCase(java.util.Locale.ROOT))) {
                continue; // a function or an operator
            }
            int start = identifier.start();
            if (start > 0 && Character.isDigit(expression.charAt(start - 1))) {
                continue; // the exponent or unit of a number (1e3)
            }
            metrics.add(token);
        }
        return metrics;
    }

    static boolean known(String metric) {
        if (COUNTERS_AND_GAUGES.contains(metric)) {
            return true;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
            if (metric.endsWith(suffix) && HISTOGRAMS.contains(metric.substring(0, metric.length() - suffix.length()))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theTokenCheckSeesMetricsAndOnlyMetrics() {
        assertThat(metricsIn("sum by (outcome) (rate(tollgate_decisions_total{namespace=\"$namespace\", outcome=~\"deny|warn\"}[5m]))"))
                .containsExactly("tollgate_decisions_total");
        assertThat(metricsIn("histogram_quantile(0.99, sum by (le) (rate(tollgate_decision_seconds_bucket[$__rate_interval]))) > 1e3"))
                .containsExactly("tollgate_decision_seconds_bucket");
        assertThat(metricsIn("a_total / on (pod) group_left (node) b_info and c offset 1h")).containsExactly("a_total", "b_info", "c");
        assertThat(metricsIn("label_values(http_server_requests_seconds_count{uri=\"/v1/admission\"}, namespace)"))
                .containsExactly("http_server_requests_seconds_count");
        assertThat(known("tollgate_decision_seconds_bucket")).isTrue();
        assertThat(known("tollgate_decisions_total_bucket")).isFalse();
        assertThat(known("up")).isFalse();
    }

    @Test
    void theDashboardParsesAndQueriesOnlyDocumentedMetrics() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Path.of("helm/tollgate/dashboards/tollgate.json").toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asString());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asString().equals("query")) {
                expressions.add(variable.path("query").path("query").asString());
            }
        }
        assertThat(expressions).hasSizeGreaterThan(15).allSatisfy(e -> assertThat(e).isNotBlank());
        Set<String> used = new TreeSet<>();
        for (String expression : expressions) {
            Set<String> metrics = metricsIn(expression);
            assertThat(metrics).as(expression).isNotEmpty().allSatisfy(m -> assertThat(known(m)).as(m + " in " + expression).isTrue());
            used.addAll(metrics);
        }
        // every documented metric has a panel
        for (String metric : COUNTERS_AND_GAUGES) {
            assertThat(used).as("a panel for " + metric).contains(metric);
        }
        for (String histogram : HISTOGRAMS) {
            assertThat(used).as("a panel for " + histogram).anyMatch(m -> m.startsWith(histogram));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAlertsQueryOnlyDocumentedMetrics() {
        List<Map<String, Object>> docs = HelmChartTests.render(new Helm(Path.of("helm/tollgate")).template().set("prometheusRule.enabled", true));
        Map<String, Object> rule = HelmChartTests.kind(docs, "PrometheusRule");
        List<Map<String, Object>> rules = HelmChartTests.at(rule, "spec", "groups", 0, "rules");
        assertThat(rules).hasSizeGreaterThanOrEqualTo(5);
        for (Map<String, Object> r : rules) {
            String expression = (String) r.get("expr");
            Set<String> metrics = metricsIn(expression);
            assertThat(metrics).as(expression).isNotEmpty().allSatisfy(m -> assertThat(known(m)).as(m + " in " + expression).isTrue());
        }
    }

    @Test
    void theMetricsTableOfTheRunbookNamesExactlyTheseMetrics() throws IOException {
        String operations = Files.readString(Path.of("docs/operations.md"));
        int start = operations.indexOf("## Metrics");
        String section = operations.substring(start, operations.indexOf("\n## ", start + 1));
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)(\\{[^`]*\\})?`").matcher(section);
        while (row.find()) {
            documented.add(row.group(1));
        }
        Set<String> expected = new TreeSet<>(COUNTERS_AND_GAUGES);
        expected.addAll(HISTOGRAMS);
        assertThat(documented).isEqualTo(expected);
    }
}
