package dev.tollgate.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Appends decision records to the hash chain. One writer thread commits records in groups: each
 * transaction takes the chain lock, reads the head, numbers the records without gaps, chains
 * their hashes, inserts them and the evidence they verified, and commits — then, and only then,
 * the waiting decisions are answered. If the commit does not happen within the configured time,
 * the caller gets {@link RecordingFailed} and answers 503: a decision is never returned unrecorded.
 */
@Component
public class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final long CHAIN_LOCK = 7316504276L;

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final AuditProperties properties;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private volatile boolean running = true;

    /** A record made ready in the caller's thread: its canonical members and its JSON columns. */
    private record Pending(DecisionRecord record, java.util.Map<String, String> members, String impact, String request,
            String response, CompletableFuture<DecisionRecord.Written> done) {
    }

    AuditLog(DataSource dataSource, ObjectMapper json, AuditProperties properties) {
        this.dataSource = dataSource;
        this.json = json;
        this.properties = properties;
        this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
        this.writer = new Thread(this::run, "audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Records the decision and waits for the commit. */
    public DecisionRecord.Written append(DecisionRecord record) {
        return appendAll(List.of(record)).get(0);
    }

    /**
     * Records the decisions and waits until all are committed; queued together, they usually
     * share one commit. If one cannot be recorded this throws (others may have been recorded:
     * a record never exists without its decision having been made, only unanswered).
     */
    public List<DecisionRecord.Written> appendAll(List<DecisionRecord> records) {
        List<CompletableFuture<DecisionRecord.Written>> futures = new ArrayList<>(records.size());
        for (DecisionRecord record : records) {
            futures.add(enqueue(record));
        }
        long deadline = System.nanoTime() + properties.commitTimeout().toNanos();
        List<DecisionRecord.Written> written = new ArrayList<>(records.size());
        try {
            for (CompletableFuture<DecisionRecord.Written> done : futures) {
                written.add(done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return written;
        } catch (TimeoutException e) {
            throw new RecordingFailed("the decision was not recorded within " + properties.commitTimeout(), e);
        } catch (ExecutionException e) {
            throw new RecordingFailed("the decision could not be recorded: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordingFailed("interrupted while recording", e);
        }
    }

    private CompletableFuture<DecisionRecord.Written> enqueue(DecisionRecord record) {
        CompletableFuture<DecisionRecord.Written> done = new CompletableFuture<>();
        // PostgreSQL's jsonb cannot hold U+0000: replace it before hashing, so that record, hash and answer agree
        withoutNul(record.response());
        withoutNul(record.request());
        withoutNul(record.impact());
        DecisionChain.Columns columns = new DecisionChain.Columns(record.decisionId().toString(), record.decidedAt().toString(),
                record.requester(), record.source(), record.dryRun(), record.artifactDigest(), record.artifactName(),
                record.artifactTag(), record.allowed(), record.outcome(), record.policyNames(), record.impact(), record.request(),
                record.response());
        Pending pending = new Pending(record, DecisionChain.members(columns), json.writeValueAsString(record.impact()),
                json.writeValueAsString(record.request()), json.writeValueAsString(record.response()), done);
        if (!running || !queue.offer(pending)) {
            throw new RecordingFailed("the audit log is not accepting records", null);
        }
        return done;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        writer.interrupt();
        writer.join(5_000);
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done().completeExceptionally(new IllegalStateException("shutting down")));
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(properties.maxBatch());
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, properties.maxBatch() - 1);
                List<DecisionRecord.Written> written = write(batch);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(written.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.done().completeExceptionally(e));
                return;
            } catch (Throwable e) {
                log.warn("could not record {} decision(s): {}", batch.size(), e.getMessage());
                batch.forEach(p -> p.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private List<DecisionRecord.Written> write(List<Pending> batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<DecisionRecord.Written> written = writeIn(connection, batch);
                connection.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private List<DecisionRecord.Written> writeIn(Connection connection, List<Pending> batch) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL statement_timeout = '" + Math.max(1000, properties.commitTimeout().toMillis() - 500) + "ms'");
            statement.execute("SELECT pg_advisory_xact_lock(" + CHAIN_LOCK + ")");
        }
        long sequence = 0;
        String previous = DecisionChain.GENESIS;
        try (Statement statement = connection.createStatement();
                ResultSet head = statement.executeQuery("SELECT sequence, hash FROM decision ORDER BY sequence DESC LIMIT 1")) {
            if (head.next()) {
                sequence = head.getLong(1);
                previous = head.getString(2);
            }
        }
        List<DecisionRecord.Written> written = new ArrayList<>(batch.size());
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO decision (sequence, decision_id, decided_at,"
                + " requester, source, dry_run, artifact_digest, artifact_name, artifact_tag, allowed, outcome, policy_names,"
                + " impact, request, response, previous_hash, hash)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?)");
                PreparedStatement evidence = connection.prepareStatement("INSERT INTO artifact_evidence (artifact_digest,"
                        + " signature_sha256, bundle_sha256, bundle, payload, kind, facts, trust, first_seen, first_decision)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?) ON CONFLICT DO NOTHING")) {
            boolean anyEvidence = false;
            for (Pending pending : batch) {
                DecisionRecord r = pending.record();
                sequence++;
                String hash = DecisionChain.hash(pending.members(), sequence, previous);
                Array names = connection.createArrayOf("text", r.policyNames().toArray());
                int i = 1;
                insert.setLong(i++, sequence);
                insert.setObject(i++, r.decisionId());
                insert.setTimestamp(i++, Timestamp.from(r.decidedAt()));
                insert.setString(i++, r.requester());
                insert.setString(i++, r.source());
                insert.setBoolean(i++, r.dryRun());
                insert.setString(i++, r.artifactDigest());
                insert.setString(i++, r.artifactName());
                insert.setString(i++, r.artifactTag());
                insert.setBoolean(i++, r.allowed());
                insert.setString(i++, r.outcome());
                insert.setArray(i++, names);
                insert.setString(i++, pending.impact());
                insert.setString(i++, pending.request());
                insert.setString(i++, pending.response());
                insert.setString(i++, previous);
                insert.setString(i, hash);
                insert.addBatch();
                written.add(new DecisionRecord.Written(sequence, previous, hash));
                previous = hash;
                for (DecisionRecord.NewEvidence e : r.newEvidence()) {
                    int j = 1;
                    evidence.setString(j++, r.artifactDigest());
                    evidence.setString(j++, e.signatureSha256());
                    evidence.setString(j++, e.bundleSha256());
                    evidence.setString(j++, e.bundle());
                    evidence.setBytes(j++, e.payload());
                    evidence.setString(j++, e.kind());
                    evidence.setString(j++, json.writeValueAsString(e.facts()));
                    evidence.setString(j++, json.writeValueAsString(e.trust()));
                    evidence.setTimestamp(j++, Timestamp.from(r.decidedAt()));
                    evidence.setObject(j, r.decisionId());
                    evidence.addBatch();
                    anyEvidence = true;
                }
            }
            insert.executeBatch();
            if (anyEvidence) {
                evidence.executeBatch();
            }
        }
        return written;
    }

    static void withoutNul(tools.jackson.databind.JsonNode node) {
        if (node instanceof tools.jackson.databind.node.ObjectNode object) {
            for (String name : new ArrayList<>(object.propertyNames())) {
                tools.jackson.databind.JsonNode value = object.get(name);
                if (value.isString() && value.stringValue().indexOf('\u0000') >= 0) {
                    object.put(name, value.stringValue().replace('\u0000', '\uFFFD'));
                } else {
                    withoutNul(value);
                }
            }
        } else if (node instanceof tools.jackson.databind.node.ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                tools.jackson.databind.JsonNode value = array.get(i);
                if (value.isString() && value.stringValue().indexOf('\u0000') >= 0) {
                    array.set(i, value.stringValue().replace('\u0000', '\uFFFD'));
                } else {
                    withoutNul(value);
                }
            }
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
