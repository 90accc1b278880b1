package dev.tollgate.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.tollgate.web.ApiException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What got in without proof (docs/reports.md, "Weak links"): the artifacts admitted in a window
 * other than by an enforcing policy's pass, by category, read from the decision record. A decision
 * may fall into several categories (a warn-mode refusal and an exception, say); dry runs admitted
 * nothing and are left out, and so are refusals.
 */
@Repository
public class WeakLinks {

    /**
     * The categories, in the order of the report, each with its condition on a row of
     * {@code decision} (allowed, not a dry run). {@code response} is the stored answer.
     */
    public enum Category {
        /** A policy in warn or audit mode refused it: enforced, it would not have been admitted. */
        WARN_OR_AUDIT_MODE("warn-or-audit-mode", "outcome = 'warn' OR jsonb_path_exists(response,"
                + " '$.policies[*] ? ((@.mode == \"warn\" || @.mode == \"audit\") && @.outcome == \"deny\")')"),
        /** A governed exception turned a failure into a warning (the policy outcome lists the exceptions that applied). */
        EXCEPTION("exception", "jsonb_path_exists(response, '$.policies[*].exceptions[*]')"),
        /** Admitted by break-glass although its policies refused it. */
        BREAK_GLASS("break-glass", "outcome = 'break-glass'"),
        /** Admitted without policy: its namespace is exempt by configuration. */
        EXEMPT_NAMESPACE("exempt-namespace", "outcome = 'exempt'"),
        /** Allowed with no policy in enforce mode applying (tollgate.decision.deny-when-no-policy-applies off). */
        NO_POLICY("no-policy", "outcome IN ('allow', 'warn')"
                + " AND NOT jsonb_path_exists(response, '$.policies[*] ? (@.mode == \"enforce\")')");

        private final String id;
        private final String condition;

        Category(String id, String condition) {
            this.id = id;
            this.condition = condition;
        }

        public String id() {
            return id;
        }
    }

    /** An artifact of a category: how often it got in that way in the window, when last, and the last such decision. */
    public record Artifact(String digest, String name, long decisions, Instant lastSeen, UUID exampleDecisionId) {
    }

    /** One category of the report: its decisions and artifacts in the window, the latest {@code limit} artifacts listed. */
    public record Finding(String category, long decisions, long artifacts, List<Artifact> items, boolean truncated) {
    }

    /** The report over the last {@code days} days, {@code [since, until]}: every category, in order. */
    public record Report(int days, Instant since, Instant until, List<Finding> categories) {
    }

    /** The window of the report, in days, when none is asked for. */
    public static final int DEFAULT_DAYS = 30;
    /** The longest window of the report, in days (a year and a day). */
    public static final int MAX_DAYS = 366;
    private static final String DAYS = "days is a whole number from 1 to " + MAX_DAYS;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readOnly;
    private final Clock clock;

    WeakLinks(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
        this.clock = clock;
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactions.getTransactionManager());
        this.readOnly.setReadOnly(true);
    }

    /**
     * The report for {@code GET /v1/reports/weak-links?days=} (and the console's page): the decisions
     * of the last {@code days} days (as given, null for {@link #DEFAULT_DAYS}; anything but a whole
     * number from 1 to {@link #MAX_DAYS} is a 400), up to now to the millisecond.
     */
    public Report lastDays(String days, int limit) {
        int n = days(days);
        Instant until = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant since = until.minus(Duration.ofDays(n));
        return new Report(n, since, until, report(since, until.plusMillis(1), limit));
    }

    private static int days(String text) {
        if (text == null) {
            return DEFAULT_DAYS;
        }
        if (!text.matches("[0-9]{1,4}")) {
            throw ApiException.badRequest(DAYS);
        }
        int days = Integer.parseInt(text);
        if (days < 1 || days > MAX_DAYS) {
            throw ApiException.badRequest(DAYS);
        }
        return days;
    }

    /**
     * Every category, in order, for the decisions made in {@code [since, until)}; per category at
     * most {@code limit} artifacts (those seen last first), with the totals over all of them.
     * An artifact is its digest and name as recorded (an exempt image given by tag has no digest).
     */
    public List<Finding> report(Instant since, Instant until, int limit) {
        StringBuilder categories = new StringBuilder();
        for (Category c : Category.values()) {
            categories.append(categories.isEmpty() ? "" : ", ").append("(CASE WHEN ").append(c.condition).append(" THEN '")
                    .append(c.id).append("' END)");
        }
        String sql = """
                WITH found AS (
                    SELECT c.category, d.artifact_digest, d.artifact_name, count(*) AS decisions, max(d.decided_at) AS last_seen,
                           (array_agg(d.decision_id ORDER BY d.sequence DESC))[1] AS example
                      FROM decision d
                      CROSS JOIN LATERAL (VALUES %s) AS c(category)
                     WHERE d.decided_at >= ? AND d.decided_at < ? AND d.allowed AND NOT d.dry_run AND c.category IS NOT NULL
                     GROUP BY c.category, d.artifact_digest, d.artifact_name
                ), ranked AS (
                    SELECT found.*,
                           row_number() OVER (PARTITION BY category ORDER BY last_seen DESC, artifact_digest, artifact_name) AS rank,
                           count(*) OVER (PARTITION BY category) AS artifacts,
                           sum(decisions) OVER (PARTITION BY category) AS total
                      FROM found
                )
                SELECT * FROM ranked WHERE rank <= ? ORDER BY category, rank
                """.formatted(categories); // the conditions name decision's columns: c has only category
        Map<String, List<Artifact>> items = new LinkedHashMap<>();
        Map<String, long[]> totals = new LinkedHashMap<>();
        readOnly.executeWithoutResult(status -> jdbc.query(sql, rs -> {
            String category = rs.getString("category");
            items.computeIfAbsent(category, k -> new ArrayList<>()).add(new Artifact(rs.getString("artifact_digest"),
                    rs.getString("artifact_name"), rs.getLong("decisions"), rs.getTimestamp("last_seen").toInstant(),
                    rs.getObject("example", UUID.class)));
            totals.put(category, new long[] {rs.getLong("total"), rs.getLong("artifacts")});
        }, Timestamp.from(since), Timestamp.from(until), limit));
        List<Finding> findings = new ArrayList<>();
        for (Category c : Category.values()) {
            List<Artifact> listed = items.getOrDefault(c.id, List.of());
            long[] total = totals.getOrDefault(c.id, new long[] {0, 0});
            findings.add(new Finding(c.id, total[0], total[1], List.copyOf(listed), total[1] > listed.size()));
        }
        return findings;
    }
}
