package dev.tollgate.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.tollgate.db.DatabaseRetry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reading the decision record: filtered pages (newest first, cursor on the sequence, so pages are
 * stable while decisions are added), single records, streamed exports and chain verification —
 * the last two in ascending order with a database cursor, in constant memory.
 */
@Repository
public class DecisionHistory {

    private static final int FETCH = 500;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readOnly;
    private final ObjectMapper json;
    private final DatabaseRetry retry;
    /** The decision ledger's origin, for the receipt of a full record. */
    private final String origin;

    /** Connections a full verification reads with at once, over disjoint ranges of sequences (1: one cursor). */
    private final int verifyConnections;

    DecisionHistory(JdbcTemplate jdbc, TransactionTemplate transactions, ObjectMapper json, DatabaseRetry retry,
            @org.springframework.beans.factory.annotation.Value("${tollgate.audit.origin:tollgate.invalid/decisions}") String origin,
            @org.springframework.beans.factory.annotation.Value("${tollgate.audit.verify-connections:2}") int verifyConnections) {
        if (verifyConnections < 1 || verifyConnections > 16) {
            throw new IllegalArgumentException("tollgate.audit.verify-connections is between 1 and 16");
        }
        this.verifyConnections = verifyConnections;
        this.origin = origin;
        this.jdbc = jdbc;
        this.retry = retry;
        this.readOnly = new TransactionTemplate(transactions.getTransactionManager());
        this.readOnly.setReadOnly(true);
        this.json = json;
    }

    /**
     * The history filters, the same for {@code GET /v1/decisions} and its export; null means "any".
     * Parsed in one place ({@link AuditController}) and turned into SQL in one place ({@link #where}).
     */
    public record Filter(String digest, String name, String policy, String outcome, Instant since, Instant until,
            String signerSubject, String signerIssuer, String key, String builderId, String sourceRepository) {

        /** Every decision. */
        public static final Filter NONE = new Filter(null, null, null, null, null, null, null, null, null, null, null);
    }

    public record Page(List<ObjectNode> items, Long nextCursor) {
    }

    /**
     * A page, newest first: at most {@code limit} decisions matching the filter below sequence
     * {@code before} (if given). With a policy or impact filter the page is read along that facet's
     * rows in {@code decision_facet} (newest first, joined to the record by sequence), so it costs
     * the same whether the value is rare or in every record; every condition is checked on the record.
     */
    public Page list(Filter f, Long before, int limit) {
        String[] driver = facets(f).stream().findFirst().orElse(null);
        StringBuilder sql = new StringBuilder("SELECT d.sequence, decision_id, decided_at, allowed, outcome, artifact_digest,"
                + " artifact_name, artifact_tag, response -> 'policies' AS policies");
        List<Object> params = new ArrayList<>();
        if (driver != null) {
            sql.append(" FROM decision_facet x JOIN decision d ON d.sequence = x.sequence WHERE x.field = ? AND x.value = md5(?)::uuid");
            params.add(driver[0]);
            params.add(driver[1]);
            where(sql, params, "x.sequence < ?", before);
        } else if (f.digest() == null && f.name() == null && (f.since() != null || f.until() != null)) {
            // a window (and perhaps an outcome) alone: the page's sequences from the index alone
            // ((outcome,) decided_at, sequence), then only those records are read
            sql.append(" FROM (SELECT sequence FROM decision WHERE true");
            where(sql, params, "outcome = ?", f.outcome());
            where(sql, params, "decided_at >= ?", f.since() == null ? null : Timestamp.from(f.since()));
            where(sql, params, "decided_at < ?", f.until() == null ? null : Timestamp.from(f.until()));
            where(sql, params, "sequence < ?", before);
            sql.append(" ORDER BY sequence DESC LIMIT ?) w JOIN decision d ON d.sequence = w.sequence WHERE true");
            params.add(limit + 1);
        } else {
            sql.append(" FROM decision d WHERE true");
            where(sql, params, "d.sequence < ?", before);
        }
        where(f, sql, params, driver);
        sql.append(driver != null ? " ORDER BY x.sequence DESC LIMIT ?" : " ORDER BY d.sequence DESC LIMIT ?");
        params.add(limit + 1);
        // a page is at most 501 records along an index: starting a parallel worker costs more than it
        // (the planner may otherwise pick one for a common value)
        List<ObjectNode> items = readOnly.execute(status -> {
            jdbc.execute("SET LOCAL max_parallel_workers_per_gather = 0");
            return jdbc.query(sql.toString(), (rs, i) -> summary(rs), params.toArray());
        });
        Long next = null;
        if (items.size() > limit) {
            items = new ArrayList<>(items.subList(0, limit));
            next = items.get(items.size() - 1).get("sequence").asLong();
        }
        return new Page(items, next);
    }

    /** The filter's facets ({@code decision_facet} field and value), in a fixed order: policy, then the impact facts. */
    private static List<String[]> facets(Filter f) {
        List<String[]> facets = new ArrayList<>();
        String[][] all = { { "policy", f.policy() }, { "subject", f.signerSubject() }, { "issuer", f.signerIssuer() },
                { "key", f.key() }, { "builderId", f.builderId() }, { "sourceRepository", f.sourceRepository() } };
        for (String[] facet : all) {
            if (facet[1] != null) {
                facets.add(facet);
            }
        }
        return facets;
    }

    /** The filter's conditions, for every query that filters decisions ({@code decision} as {@code d}). */
    private void where(Filter f, StringBuilder sql, List<Object> params) {
        where(f, sql, params, null);
    }

    /**
     * The conditions; each facet but the one the query is already driven by also narrows the
     * records to that facet's sequences (an index probe), and every condition is checked on the record.
     */
    private void where(Filter f, StringBuilder sql, List<Object> params, String[] driver) {
        where(sql, params, "artifact_digest = ?", f.digest());
        where(sql, params, "artifact_name = ?", f.name());
        where(sql, params, "policy_names @> ARRAY[?]::text[]", f.policy());
        where(sql, params, "outcome = ?", f.outcome());
        where(sql, params, "decided_at >= ?", f.since() == null ? null : Timestamp.from(f.since()));
        where(sql, params, "decided_at < ?", f.until() == null ? null : Timestamp.from(f.until()));
        impact(sql, params, "subject", f.signerSubject());
        impact(sql, params, "issuer", f.signerIssuer());
        impact(sql, params, "key", f.key());
        impact(sql, params, "builderId", f.builderId());
        impact(sql, params, "sourceRepository", f.sourceRepository());
        for (String[] facet : facets(f)) {
            if (driver == null || !facet[0].equals(driver[0])) {
                sql.append(" AND d.sequence IN (SELECT sequence FROM decision_facet WHERE field = ? AND value = md5(?)::uuid)");
                params.add(facet[0]);
                params.add(facet[1]);
            }
        }
    }

    private static void where(StringBuilder sql, List<Object> params, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            params.add(value);
        }
    }

    private void impact(StringBuilder sql, List<Object> params, String field, String value) {
        if (value != null) {
            ArrayNode probe = JsonNodeFactory.instance.arrayNode();
            probe.addObject().put(field, value);
            sql.append(" AND impact @> ?::jsonb");
            params.add(json.writeValueAsString(probe));
        }
    }

    private ObjectNode summary(ResultSet rs) throws SQLException {
        ObjectNode item = JsonNodeFactory.instance.objectNode();
        item.put("decisionId", rs.getObject("decision_id", UUID.class).toString());
        item.put("sequence", rs.getLong("sequence"));
        item.put("decidedAt", rs.getTimestamp("decided_at").toInstant().toString());
        item.put("allowed", rs.getBoolean("allowed"));
        item.put("outcome", rs.getString("outcome"));
        ObjectNode artifact = item.putObject("artifact");
        putIfPresent(artifact, "digest", rs.getString("artifact_digest"));
        putIfPresent(artifact, "name", rs.getString("artifact_name"));
        putIfPresent(artifact, "tag", rs.getString("artifact_tag"));
        ArrayNode policies = item.putArray("policies");
        String stored = rs.getString("policies");
        if (stored != null) {
            for (JsonNode p : json.readTree(stored)) {
                ObjectNode summary = policies.addObject();
                summary.put("name", p.path("name").asString());
                summary.set("version", p.path("version"));
                summary.put("outcome", p.path("outcome").asString());
            }
        }
        return item;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    /** Decisions of one outcome that began in one interval ({@code start}, of the unit asked for). */
    public record Bucket(Instant start, String outcome, long count) {
    }

    /** Decisions made since {@code since}, counted by outcome per {@code unit} (minute, hour or day, UTC). */
    public List<Bucket> outcomesOverTime(Instant since, String unit) {
        if (!List.of("minute", "hour", "day").contains(unit)) {
            throw new IllegalArgumentException("unit is minute, hour or day");
        }
        return jdbc.query("SELECT date_trunc(?, decided_at AT TIME ZONE 'UTC') AS start, outcome, count(*) AS n FROM decision"
                + " WHERE decided_at >= ? GROUP BY 1, 2 ORDER BY 1, 2",
                (rs, i) -> new Bucket(rs.getTimestamp("start").toLocalDateTime().toInstant(java.time.ZoneOffset.UTC),
                        rs.getString("outcome"), rs.getLong("n")), unit, Timestamp.from(since));
    }

    /** A count of decisions for one thing (a rule, an artifact, a failure code), most first. */
    public record Tally(String key, long count) {
    }

    /** The failing rules of denied decisions since {@code since}, as "policy/rule: reason", most frequent first. */
    public List<Tally> mostDenyingRules(Instant since, int limit) {
        return jdbc.query("SELECT (p ->> 'name') || '/' || (r ->> 'name') || coalesce(': ' || (r ->> 'reason'), '') AS k,"
                + " count(*) AS n FROM decision, jsonb_array_elements(response -> 'policies') p,"
                + " jsonb_array_elements(coalesce(p -> 'rules', '[]'::jsonb)) r"
                + " WHERE decided_at >= ? AND outcome = 'deny' AND r ->> 'outcome' = 'fail'"
                + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", (rs, i) -> new Tally(rs.getString("k"), rs.getLong("n")),
                Timestamp.from(since), limit);
    }

    /** The decisions' own reasons for denying (outside the rules: "no applicable policy", ...), most frequent first. */
    public List<Tally> mostDenyingReasons(Instant since, int limit) {
        return jdbc.query("SELECT response ->> 'reason' AS k, count(*) AS n FROM decision"
                + " WHERE decided_at >= ? AND outcome = 'deny' AND response ->> 'reason' IS NOT NULL"
                + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", (rs, i) -> new Tally(rs.getString("k"), rs.getLong("n")),
                Timestamp.from(since), limit);
    }

    /** The artifacts (by digest) denied most often since {@code since}. */
    public List<Tally> mostRefusedArtifacts(Instant since, int limit) {
        return jdbc.query("SELECT artifact_digest AS k, count(*) AS n FROM decision"
                + " WHERE decided_at >= ? AND outcome = 'deny' AND artifact_digest IS NOT NULL"
                + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", (rs, i) -> new Tally(rs.getString("k"), rs.getLong("n")),
                Timestamp.from(since), limit);
    }

    /** Evidence items that failed verification since {@code since}, by failure code. */
    public List<Tally> evidenceFailures(Instant since, int limit) {
        return jdbc.query("SELECT coalesce(e ->> 'code', 'unknown') AS k, count(*) AS n FROM decision,"
                + " jsonb_array_elements(coalesce(response -> 'evidence', '[]'::jsonb)) e"
                + " WHERE decided_at >= ? AND e ->> 'verified' = 'false'"
                + " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?", (rs, i) -> new Tally(rs.getString("k"), rs.getLong("n")),
                Timestamp.from(since), limit);
    }

    /** The newest record of the chain. */
    public record Head(long sequence, String hash, Instant decidedAt) {
    }

    public Optional<Head> head() {
        return jdbc.query("SELECT sequence, hash, decided_at FROM decision ORDER BY sequence DESC LIMIT 1",
                (rs, i) -> new Head(rs.getLong("sequence"), rs.getString("hash"), rs.getTimestamp("decided_at").toInstant()))
                .stream().findFirst();
    }

    /** The whole record: the response, the request, who asked, the chain fields, and the receipt the answer carried. */
    public Optional<ObjectNode> find(UUID decisionId) {
        List<ObjectNode> found = jdbc.query("SELECT * FROM decision WHERE decision_id = ?", (rs, i) -> {
            ObjectNode record = full(rs);
            ObjectNode receipt = record.putObject("receipt");
            receipt.put("sequence", rs.getLong("sequence"));
            receipt.put("leafIndex", rs.getLong("sequence") - 1);
            receipt.put("leafHash", RecordText.leafHash(RecordText.canonical(RecordText.hashedColumns(rs, json))));
            receipt.put("origin", origin);
            return record;
        }, decisionId);
        return found.stream().findFirst();
    }

    /** A recorded decision's stored response (the answer without what the commit adds), with its place in the log. */
    public record Recorded(long sequence, String leafHash, String origin, ObjectNode response) {
    }

    /** The stored response of a decision and its receipt's parts, if it is recorded. */
    public Optional<Recorded> recorded(UUID decisionId) {
        return jdbc.query("SELECT * FROM decision WHERE decision_id = ?", (rs, i) -> new Recorded(rs.getLong("sequence"),
                RecordText.leafHash(RecordText.canonical(RecordText.hashedColumns(rs, json))), origin,
                (ObjectNode) json.readTree(rs.getString("response"))), decisionId).stream().findFirst();
    }

    private ObjectNode full(ResultSet rs) throws SQLException {
        ObjectNode record = (ObjectNode) json.readTree(rs.getString("response"));
        record.put("sequence", rs.getLong("sequence"));
        record.put("requester", rs.getString("requester"));
        record.put("source", rs.getString("source"));
        record.put("dryRun", rs.getBoolean("dry_run"));
        record.set("request", json.readTree(rs.getString("request")));
        record.put("previousHash", rs.getString("previous_hash"));
        record.put("hash", rs.getString("hash"));
        return record;
    }

    /**
     * NDJSON: one full record per line, ascending sequence; each line also carries its Merkle
     * {@code leafIndex} and, as {@code hashedRecord}, every hashed column exactly as hashed (so an
     * export can be verified offline: docs/audit.md).
     */
    public void exportNdjson(Filter filter, OutputStream out) {
        RecordText.Fast fast = new RecordText.Fast();
        stream(filter, rs -> {
            ObjectNode record = full(rs);
            record.put("leafIndex", rs.getLong("sequence") - 1);
            // the hashed columns written in their canonical form: the bytes the chain and the leaf hash, so that a
            // verifier finds them already in order (docs/audit.md, "The formats")
            record.putRawValue("hashedRecord", new tools.jackson.databind.util.RawValue(RecordText.canonicalText(rs, json, fast)));
            byte[] line = json.writeValueAsBytes(record);
            write(out, line);
            write(out, new byte[] {'\n'});
        });
    }

    static final String CSV_HEADER = "decisionId,sequence,decidedAt,allowed,outcome,artifactDigest,artifactName,artifactTag,"
            + "policies,requester,source,hash\r\n";

    /** CSV (RFC 4180): a header row, then the summary fields, who asked, from where, and the chain hash; nested ones as JSON text. */
    public void exportCsv(Filter filter, OutputStream out) {
        write(out, CSV_HEADER.getBytes(StandardCharsets.UTF_8));
        stream(filter, rs -> {
            ObjectNode s = summary(rs);
            String row = String.join(",", Arrays.asList(
                    csv(s.get("decisionId").asString()), csv(String.valueOf(s.get("sequence").asLong())),
                    csv(s.get("decidedAt").asString()), csv(String.valueOf(s.get("allowed").asBoolean())),
                    csv(s.get("outcome").asString()), csv(s.get("artifact").path("digest").asString("")),
                    csv(s.get("artifact").path("name").asString("")), csv(s.get("artifact").path("tag").asString("")),
                    csv(json.writeValueAsString(s.get("policies"))), csv(rs.getString("requester")), csv(rs.getString("source")),
                    csv(rs.getString("hash")))) + "\r\n";
            write(out, row.getBytes(StandardCharsets.UTF_8));
        });
    }

    static String csv(String value) {
        if (value.isEmpty()) {
            return "";
        }
        boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
        return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    /** The outcome of recomputing the chain. */
    public record Verification(boolean valid, long decisions, String head, Long brokenSequence) {
    }

    /**
     * Recomputes every hash from the stored columns, in order; names the first sequence that does
     * not hold. Read again from the start if the connection breaks on the way.
     */
    public Verification verify() {
        return verify(0, DecisionChain.GENESIS, null);
    }

    /**
     * Receives each record whose chain hash held, in sequence order, with its Merkle leaf hash
     * ({@code SHA-256(0x00 ‖ text)}, from the same canonical text); false stops the walk there.
     */
    public interface Leaves {
        boolean leaf(long sequence, byte[] leafHash, String hash);
    }

    /**
     * Recomputes the hashes of the records after sequence {@code after}, in order, the first one
     * continuing {@code previousHash}; names the first sequence that does not hold. {@code decisions}
     * counts the records read. With {@code leaves} (made anew for each attempt: the walk is read
     * again from its start if the connection breaks), each record that holds is handed on with its
     * leaf hash; it may stop the walk.
     */
    public Verification verify(long after, String previousHash, java.util.function.Supplier<Leaves> leaves) {
        return retry.withRetry(() -> verifyConnections > 1
                ? ChainRanges.verify(this, after, previousHash, leaves == null ? null : leaves.get(), verifyConnections)
                : verifyOnce(after, previousHash, leaves == null ? null : leaves.get()));
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    /** What one stored row proves on its own: whether its hash is that of its columns, and its leaf. */
    record RowCheck(boolean holds, byte[] leaf) {
    }

    /**
     * Recomputes one row's hash from its columns (by {@code fast}, or by the definition for a row outside
     * its subset) and compares it with the stored one; the link to the row before is the caller's.
     */
    RowCheck checkRow(ResultSet rs, RecordText.Fast fast, long sequence, String storedPrevious, String storedHash)
            throws SQLException {
        String[] policyNames = (String[]) rs.getArray("policy_names").getArray();
        if (fast.text(rs, policyNames, sequence, storedPrevious) && fast.chainHash(storedPrevious).equals(storedHash)) {
            return new RowCheck(true, fast.leafHash());
        }
        String text = definitionText(rs, policyNames, sequence, storedPrevious);
        return RecordText.chainHash(storedPrevious, text).equals(storedHash)
                ? new RowCheck(true, java.util.HexFormat.of().parseHex(RecordText.leafHash(text)))
                : new RowCheck(false, null);
    }

    private String definitionText(ResultSet rs, String[] policyNames, long sequence, String storedPrevious) throws SQLException {
        DecisionChain.Columns columns = new DecisionChain.Columns(rs.getObject("decision_id", UUID.class).toString(),
                rs.getTimestamp("decided_at").toInstant().toString(), rs.getString("requester"), rs.getString("source"),
                rs.getBoolean("dry_run"), rs.getString("artifact_digest"), rs.getString("artifact_name"),
                rs.getString("artifact_tag"), rs.getBoolean("allowed"), rs.getString("outcome"),
                List.of(policyNames), json.readTree(rs.getString("impact")),
                json.readTree(rs.getString("request")), json.readTree(rs.getString("response")));
        return DecisionChain.text(DecisionChain.members(columns), sequence, storedPrevious);
    }

    private Verification verifyOnce(long after, String previousHash, Leaves leaves) {
        long[] count = {0};
        long[] expectedSequence = {after + 1};
        String[] previous = {previousHash};
        Long[] broken = {null};
        boolean[] stopped = {false};
        RecordText.Fast fast = new RecordText.Fast();
        readOnly.executeWithoutResult(status -> jdbc.query(connection -> {
            var statement = connection.prepareStatement("SELECT * FROM decision WHERE sequence > ? ORDER BY sequence",
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(FETCH);
            statement.setLong(1, after);
            return statement;
        }, (org.springframework.jdbc.core.ResultSetExtractor<Void>) rs -> {
            while (rs.next() && broken[0] == null && !stopped[0]) {
                long sequence = rs.getLong("sequence");
                count[0]++;
                String storedPrevious = rs.getString("previous_hash");
                String storedHash = rs.getString("hash");
                java.sql.Array names = rs.getArray("policy_names");
                String[] policyNames = (String[]) names.getArray();
                // the fast route accepts only a row whose every check holds; any other row is judged by the definition below
                if (sequence == expectedSequence[0] && storedPrevious.equals(previous[0])
                        && fast.text(rs, policyNames, sequence, storedPrevious) && fast.chainHash(storedPrevious).equals(storedHash)) {
                    previous[0] = storedHash;
                    expectedSequence[0] = sequence + 1;
                    if (leaves != null && !leaves.leaf(sequence, fast.leafHash(), storedHash)) {
                        stopped[0] = true;
                    }
                    continue;
                }
                String text = definitionText(rs, policyNames, sequence, storedPrevious);
                if (sequence != expectedSequence[0] || !storedPrevious.equals(previous[0])
                        || !RecordText.chainHash(storedPrevious, text).equals(storedHash)) {
                    broken[0] = sequence;
                    continue;
                }
                previous[0] = storedHash;
                expectedSequence[0] = sequence + 1;
                if (leaves != null && !leaves.leaf(sequence, java.util.HexFormat.of().parseHex(RecordText.leafHash(text)), storedHash)) {
                    stopped[0] = true;
                }
            }
            return null;
        }));
        return new Verification(broken[0] == null, count[0], broken[0] == null ? previous[0] : null, broken[0]);
    }

    private interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    private void stream(Filter filter, Row row) {
        stream(filter, "*, response -> 'policies' AS policies", row);
    }

    private void stream(Filter filter, String columns, Row row) {
        StringBuilder sql = new StringBuilder("SELECT ").append(columns).append(" FROM decision d WHERE true");
        List<Object> params = new ArrayList<>();
        where(filter, sql, params);
        sql.append(" ORDER BY d.sequence");
        readOnly.executeWithoutResult(status -> jdbc.query(connection -> {
            var statement = connection.prepareStatement(sql.toString(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setFetchSize(FETCH);
            for (int i = 0; i < params.size(); i++) {
                statement.setObject(i + 1, params.get(i));
            }
            return statement;
        }, rs -> {
            row.accept(rs);
        }));
    }

    private static void write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
