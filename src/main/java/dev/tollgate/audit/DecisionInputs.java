package dev.tollgate.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The recorded decisions with the policy input each was evaluated on (table
 * {@code decision_input}, kept since V21): read for replay, in ascending sequence with a database
 * cursor (constant memory), and one at a time for a decision's test case. Reads only.
 */
@Repository
public class DecisionInputs {

    private static final int FETCH = 1000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readOnly;
    private final ObjectMapper json;

    /** Public for the replay benchmark, which builds one without Spring. */
    public DecisionInputs(JdbcTemplate jdbc, TransactionTemplate transactions, ObjectMapper json) {
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactions.getTransactionManager());
        this.readOnly.setReadOnly(true);
        this.json = json;
    }

    /**
     * One recorded decision as replay needs it: {@code named}, the policies its request named (null:
     * none were, the applicable ones were selected); {@code policies}, the answer's per-policy
     * outcomes; {@code reason}, the answer's reason (a denial outside the rules) — the JSON ones
     * as text, parsed by the reader (replay parses them on its evaluating threads, not on the one
     * walking the cursor); {@code input} the kept policy input as the UTF-8 bytes PostgreSQL sent
     * (not decoded into a String: the parser reads the bytes once), or null — then {@code omitted}
     * says why (null for a decision recorded before inputs were kept).
     */
    public record Recorded(long sequence, UUID decisionId, Instant decidedAt, String artifactDigest, String artifactName,
            String artifactTag, boolean allowed, String outcome, List<String> policyNames, String named, String policies,
            String reason, byte[] input, String omitted, boolean inputRow, String evidence) {

        public Recorded(long sequence, UUID decisionId, Instant decidedAt, String artifactDigest, String artifactName,
                String artifactTag, boolean allowed, String outcome, List<String> policyNames, String named, String policies,
                String reason, byte[] input, String omitted, boolean inputRow) {
            this(sequence, decisionId, decidedAt, artifactDigest, artifactName, artifactTag, allowed, outcome, policyNames, named,
                    policies, reason, input, omitted, inputRow, null);
        }

        /** Whether the policy took part in the decision (it was named, or selected by its {@code applies when}). */
        public boolean tookPart(String policy) {
            return policyNames.contains(policy);
        }
    }

    /**
     * What a replay walks besides the decisions a policy took part in: {@code notApplied} adds the
     * decisions (with a kept input) that selected their policies and in which it did not take part
     * — those a candidate with a wider {@code applies when} may newly apply to; {@code evidence} adds
     * each decision's recorded evidence list (the answer's {@code evidence}), for a replay that
     * verifies the kept bundles again.
     */
    public record Walk(boolean notApplied, boolean evidence) {
        public static final Walk TOOK_PART = new Walk(false, false);
    }

    /** Stops a walk early (the visitor's answer). */
    @FunctionalInterface
    public interface Visitor {
        /** @return false to stop */
        boolean visit(Recorded decision);
    }

    /**
     * Each decision in which {@code policy} took part (it was named, or selected by its
     * {@code applies when}), decided in {@code [since, until)}, oldest first, at most {@code limit};
     * the visitor may stop the walk.
     */
    public void forPolicy(String policy, Instant since, Instant until, int limit, Visitor visitor) {
        forPolicy(policy, since, until, limit, Walk.TOOK_PART, visitor);
    }

    /**
     * As {@link #forPolicy(String, Instant, Instant, int, Visitor)}, with what {@code walk} adds:
     * the limit counts every decision read, of either kind, in one ascending walk.
     */
    public void forPolicy(String policy, Instant since, Instant until, int limit, Walk walk, Visitor visitor) {
        String select = walk.evidence() ? SELECT.replace(" FROM decision d", ", d.response -> 'evidence' AS evidence FROM decision d")
                : SELECT;
        String which = walk.notApplied()
                ? " (d.policy_names @> ARRAY[?]::text[] OR (i.input IS NOT NULL"
                        + " AND jsonb_typeof(d.request -> 'policies') IS DISTINCT FROM 'array'))"
                : " d.policy_names @> ARRAY[?]::text[]";
        String sql = select + " WHERE" + which + " AND d.decided_at >= ? AND d.decided_at < ? ORDER BY d.sequence LIMIT ?";
        try {
            readOnly.executeWithoutResult(status -> jdbc.query(connection -> {
                var statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
                statement.setFetchSize(FETCH);
                statement.setString(1, policy);
                statement.setTimestamp(2, Timestamp.from(since));
                statement.setTimestamp(3, Timestamp.from(until));
                statement.setInt(4, limit);
                return statement;
            }, rs -> {
                if (!visitor.visit(row(rs, walk.evidence()))) {
                    throw new Stopped(); // the cursor is not read further; the read-only transaction ends
                }
            }));
        } catch (Stopped stopped) {
            // the visitor had enough
        }
    }

    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private static final String SELECT = "SELECT d.sequence, d.decision_id, d.decided_at, d.artifact_digest, d.artifact_name,"
            + " d.artifact_tag, d.allowed, d.outcome, d.policy_names, d.request -> 'policies' AS named,"
            + " d.response -> 'policies' AS policies, d.response ->> 'reason' AS reason,"
            + " i.input, i.omitted, i.sequence AS input_row"
            + " FROM decision d LEFT JOIN decision_input i ON i.sequence = d.sequence";

    /** One recorded decision, by its id. */
    public Optional<Recorded> find(UUID decisionId) {
        return readOnly.execute(status -> jdbc.query(SELECT + " WHERE d.decision_id = ?", (rs, n) -> row(rs, false), decisionId)
                .stream().findFirst());
    }

    private Recorded row(ResultSet rs, boolean evidence) throws SQLException {
        // a json column comes as its text in the client encoding (UTF-8): getBytes hands over those bytes as they are
        byte[] input = rs.getBytes("input");
        rs.getLong("input_row");
        boolean inputRow = !rs.wasNull();
        return new Recorded(rs.getLong("sequence"), rs.getObject("decision_id", UUID.class),
                rs.getTimestamp("decided_at").toInstant(), rs.getString("artifact_digest"), rs.getString("artifact_name"),
                rs.getString("artifact_tag"), rs.getBoolean("allowed"), rs.getString("outcome"),
                List.of((String[]) rs.getArray("policy_names").getArray()), rs.getString("named"),
                rs.getString("policies"), rs.getString("reason"), input, rs.getString("omitted"), inputRow,
                evidence ? rs.getString("evidence") : null);
    }
}
