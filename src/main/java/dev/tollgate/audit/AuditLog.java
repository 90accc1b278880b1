package dev.tollgate.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import dev.tollgate.db.ConnectionFailures;
import dev.tollgate.db.DatabaseBudget;
import dev.tollgate.db.DatabaseRetry;
import dev.tollgate.db.Deadline;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Appends decision records to the hash chain. One writer thread commits records in groups: each
 * transaction takes the chain lock, reads the head, numbers the records without gaps, chains
 * their hashes, inserts them and the evidence they verified, and commits — then, and only then,
 * the waiting decisions are answered. A decision waits for its commit until its deadline (its
 * request's arrival plus the database budget); past it, the caller gets {@link RecordingFailed}
 * and answers 503: a decision is never returned unrecorded.
 * <p>
 * Nothing crashes, nothing hangs, nothing is lost:
 * <ul>
 * <li>a record the database cannot hold (U+0000) is refused before it is queued; if a group
 * still fails for the content of a row, its records are committed one by one, so that only the
 * bad one fails;</li>
 * <li>a group whose connection broke before the commit was asked for is tried again once on a
 * new connection; if it broke during the commit, the outcome is looked up (are the group's
 * decision ids in the table?) and never guessed: a group that landed is answered from the
 * stored rows, one that did not is tried again, and one whose fate cannot be learnt fails;</li>
 * <li>if the writer thread dies (an {@link Error}), its group fails and a new writer starts;
 * {@link AuditHealth} reports the log unready while the writer is dead, the queue is full or
 * the last group failed for want of the database.</li>
 * </ul>
 */
@Component
public class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final long CHAIN_LOCK = 7316504276L;
    private static final long MAX_RESTART_DELAY_MILLIS = 1000;
    private static final java.time.Duration COMMIT_FLOOR = java.time.Duration.ofMillis(250);

    private final DataSource dataSource;
    private final ObjectMapper json;
    private final AuditProperties properties;
    private final DatabaseBudget budget;
    private final DatabaseRetry retry;
    private final BlockingQueue<Pending> queue;
    private final AuditMetrics metrics;
    private final org.springframework.context.ApplicationEventPublisher events;
    private volatile Thread writer;
    /** The writer is in its loop (false from the moment it dies, while its successor is not yet started). */
    private volatile boolean writing;
    private volatile boolean running = true;
    private long restartDelayMillis = 10;
    /** True from a group that failed for want of the database until one succeeds. */
    private volatile boolean failing;
    private volatile String lastFailure;
    /** A test's hook, run by the writer before each wait for records (it may throw, even an Error). */
    volatile Runnable beforeEachPoll;

    /**
     * A record made ready in the caller's thread: its canonical members and its JSON columns. The
     * response still lacks its sequence, which the writer adds when it numbers the record.
     */
    private record Pending(DecisionRecord record, Map<String, String> members, DecisionChain.Unnumbered canonicalResponse,
            String impact, String request, String response, List<KeptColumns> evidence, String input, String omitted,
            Deadline deadline,
            CompletableFuture<DecisionRecord.Written> done) {

        /** The stored response: the answer with its place in the chain. */
        String response(long sequence) {
            return "{\"" + DecisionRecord.SEQUENCE + "\":" + sequence + (response.equals("{}") ? "}" : "," + response.substring(1));
        }
    }

    /** The JSON columns of one kept evidence item. */
    private record KeptColumns(String facts, String trust) {
    }

    AuditLog(DataSource dataSource, ObjectMapper json, AuditProperties properties, DatabaseBudget budget, DatabaseRetry retry,
            AuditMetrics metrics, org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.dataSource = dataSource;
        this.metrics = metrics;
        this.json = json;
        this.properties = properties;
        this.budget = budget;
        this.retry = retry;
        this.queue = new ArrayBlockingQueue<>(properties.queueCapacity());
        metrics.queue(queue::size);
        startWriter();
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
        Deadline request = Deadline.current() != null ? Deadline.current() : budget.fromNow();
        // a decision that took its request's whole budget before it got here (a CPU-starved
        // server, a slow registry) still gets a moment for its commit
        Deadline deadline = Deadline.later(request, Deadline.in(COMMIT_FLOOR));
        List<Pending> pending = enqueue(records, deadline);
        List<DecisionRecord.Written> written = new ArrayList<>(records.size());
        try {
            for (Pending p : pending) {
                written.add(p.done().get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS));
            }
            return written;
        } catch (TimeoutException e) {
            pending.forEach(q -> q.done().cancel(false)); // not yet written ones are skipped
            throw new RecordingFailed("the decision was not recorded within the database budget of " + budget.budget(), e);
        } catch (ExecutionException e) {
            pending.forEach(q -> q.done().cancel(false));
            Throwable cause = e.getCause();
            if (cause instanceof RecordingFailed failed) {
                throw failed;
            }
            throw new RecordingFailed("the decision could not be recorded: " + describe(cause), cause);
        } catch (CancellationException e) {
            throw new RecordingFailed("the decision was not recorded", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordingFailed("interrupted while recording", e);
        }
    }

    /** Queues the records for the writer, to be committed by the deadline; refuses them all if one cannot be queued. */
    private List<Pending> enqueue(List<DecisionRecord> records, Deadline deadline) {
        List<Pending> pending = new ArrayList<>(records.size());
        for (DecisionRecord record : records) {
            pending.add(prepare(record, deadline));
        }
        if (!running || !writerAlive()) {
            throw new RecordingFailed("the audit writer is not running", null);
        }
        for (Pending p : pending) {
            if (!queue.offer(p)) {
                pending.forEach(q -> q.done().cancel(false));
                throw new RecordingFailed("the audit log is not accepting records (its queue is full)", null);
            }
        }
        return pending;
    }

    /** Queues without waiting (the caller may wait on the futures); for tests that fill the queue. */
    List<CompletableFuture<DecisionRecord.Written>> enqueue(List<DecisionRecord> records) {
        return enqueue(records, budget.fromNow()).stream().map(Pending::done).toList();
    }

    private Pending prepare(DecisionRecord record, Deadline deadline) {
        JsonNode impact = json.valueToTree(record.impact());
        JsonNode request = json.valueToTree(record.request());
        JsonNode response = json.valueToTree(record.response());
        if (response == null || !response.isObject() || response.has(DecisionRecord.SEQUENCE)) {
            throw new IllegalArgumentException("a recorded response is an object without a sequence member");
        }
        DecisionChain.Columns columns = new DecisionChain.Columns(record.decisionId().toString(), record.decidedAt().toString(),
                record.requester(), record.source(), record.dryRun(), record.artifactDigest(), record.artifactName(),
                record.artifactTag(), record.allowed(), record.outcome(), record.policyNames(), impact, request, null);
        Map<String, String> members;
        DecisionChain.Unnumbered canonicalResponse;
        List<KeptColumns> evidence = new ArrayList<>(record.newEvidence().size());
        try {
            members = DecisionChain.members(columns);
            canonicalResponse = DecisionChain.unnumbered(response, DecisionRecord.SEQUENCE);
            for (DecisionRecord.NewEvidence e : record.newEvidence()) {
                JsonNode facts = json.valueToTree(e.facts());
                JsonNode trust = json.valueToTree(e.trust());
                DecisionChain.requireStorable(e.bundle());
                DecisionChain.requireStorable(facts);
                DecisionChain.requireStorable(trust);
                evidence.add(new KeptColumns(json.writeValueAsString(facts), json.writeValueAsString(trust)));
            }
        } catch (DecisionChain.Unstorable e) {
            throw RecordingFailed.unstorable(e.getMessage(), e);
        }
        String input = null;
        String omitted = null;
        if (record.input() != null) {
            // the input is handed over as a tree (its own, never kept by the caller): not copied again
            JsonNode tree = record.input() instanceof JsonNode given ? given : json.valueToTree(record.input());
            try {
                DecisionChain.requireStorable(tree);
                input = json.writeValueAsString(tree);
            } catch (DecisionChain.Unstorable e) {
                omitted = "the policy input holds text the database cannot store";
            }
            if (input != null && input.length() > properties.maxInputChars()) {
                omitted = "the policy input was larger than tollgate.audit.max-input-chars (" + properties.maxInputChars() + ")";
                input = null;
            }
        }
        return new Pending(record, members, canonicalResponse, json.writeValueAsString(impact), json.writeValueAsString(request),
                json.writeValueAsString(response), List.copyOf(evidence), input, omitted, deadline, new CompletableFuture<>());
    }

    // ---- the writer and its supervision ---------------------------------------------------------

    private synchronized void startWriter() {
        Thread thread = new Thread(this::run, "audit-writer");
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((dead, error) -> restart(error));
        writer = thread;
        writing = true;
        thread.start();
    }

    /** Runs in the dying writer: a new one takes over after a short pause (growing while writers keep dying). */
    private void restart(Throwable error) {
        log.error("the audit writer died; starting a new one", error);
        long delay;
        synchronized (this) {
            delay = restartDelayMillis;
            restartDelayMillis = Math.min(MAX_RESTART_DELAY_MILLIS, restartDelayMillis * 2);
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            return;
        }
        if (running) {
            startWriter();
        }
    }

    boolean writerAlive() {
        Thread current = writer;
        return writing && current != null && current.isAlive();
    }

    boolean queueFull() {
        return queue.remainingCapacity() == 0;
    }

    boolean failing() {
        return failing;
    }

    String lastFailure() {
        return lastFailure;
    }

    /** Whether a group could be committed now: the database answers and the chain lock is free or soon free. */
    boolean canRecord() {
        try {
            return budget.fromNow().run(() -> {
                try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(false);
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("SET LOCAL lock_timeout = '1s'; SELECT pg_advisory_xact_lock(" + CHAIN_LOCK + ")");
                    } finally {
                        connection.rollback();
                    }
                    return true;
                }
            });
        } catch (Exception e) {
            return false;
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        Thread current = writer;
        if (current != null) {
            current.interrupt();
            current.join(5_000);
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done().completeExceptionally(new RecordingFailed("shutting down", null)));
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(properties.maxBatch());
        try {
            while (running) {
                Runnable hook = beforeEachPoll;
                if (hook != null) {
                    hook.run();
                }
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, properties.maxBatch() - 1);
                try {
                    write(batch);
                } catch (Exception e) {
                    log.warn("could not record {} decision(s): {}", batch.size(), describe(e));
                    fail(batch, e);
                }
                batch.clear();
                synchronized (this) {
                    restartDelayMillis = 10;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            writing = false;
            // an Error on its way out, or shutting down: nobody may wait for these any more
            fail(batch, new RecordingFailed("the audit writer stopped", null));
        }
    }

    private static void fail(List<Pending> batch, Throwable cause) {
        for (Pending p : batch) {
            p.done().completeExceptionally(cause);
        }
    }

    /** Writes a group, within the latest deadline of its callers. */
    private void write(List<Pending> batch) throws Exception {
        List<Pending> live = new ArrayList<>(batch.size());
        Deadline latest = null;
        for (Pending p : batch) {
            if (p.done().isDone()) {
                continue; // its caller gave up (or another of its request's records failed)
            }
            if (p.deadline().passed()) {
                p.done().completeExceptionally(new RecordingFailed("its deadline passed before it could be recorded", null));
                continue;
            }
            live.add(p);
            latest = latest == null ? p.deadline() : Deadline.later(latest, p.deadline());
        }
        if (live.isEmpty()) {
            return;
        }
        Deadline deadline = latest;
        deadline.run(() -> {
            commit(live, deadline);
            return null;
        });
    }

    /** Where a group's transaction failed: before the commit was asked for (nothing happened) or during it. */
    private static final class Failed extends Exception {
        final boolean duringCommit;

        Failed(boolean duringCommit, Throwable cause) {
            super(cause.getMessage(), cause, false, false);
            this.duringCommit = duringCommit;
        }
    }

    private void commit(List<Pending> batch, Deadline deadline) {
        for (int attempt = 1; ; attempt++) {
            Failed failed;
            try {
                long start = System.nanoTime();
                List<DecisionRecord.Written> written = transaction(batch, deadline);
                metrics.committed(batch.size(), System.nanoTime() - start);
                complete(batch, written);
                failing = false;
                return;
            } catch (Failed f) {
                failed = f;
            }
            Throwable cause = failed.getCause();
            boolean broken = ConnectionFailures.isBrokenConnection(cause);
            if (broken) {
                retry.evictPool();
            }
            if (failed.duringCommit && broken) {
                // the commit may or may not have happened: find out, never guess
                List<DecisionRecord.Written> landed;
                try {
                    landed = landed(batch);
                } catch (SQLException | RuntimeException e) {
                    log.warn("a commit of {} decision(s) was interrupted and its outcome cannot be learnt: {}", batch.size(),
                            describe(e));
                    failed(batch, cause, true);
                    return;
                }
                if (landed != null) {
                    complete(batch, landed);
                    failing = false;
                    return;
                }
            }
            if (broken && attempt == 1 && !deadline.passed()) {
                log.info("recording {} decision(s) again on a new connection: {}", batch.size(), describe(cause));
                continue;
            }
            if (!broken && rowFault(cause) && batch.size() > 1) {
                log.warn("a group of {} decisions failed ({}); recording them one by one", batch.size(), describe(cause));
                for (Pending p : batch) {
                    if (!deadline.passed()) {
                        commit(List.of(p), deadline);
                    } else {
                        p.done().completeExceptionally(new RecordingFailed("its deadline passed before it could be recorded", null));
                    }
                }
                return;
            }
            failed(batch, cause, !rowFault(cause));
            return;
        }
    }

    private void failed(List<Pending> batch, Throwable cause, boolean forWantOfTheDatabase) {
        log.warn("could not record {} decision(s): {}", batch.size(), describe(cause));
        if (forWantOfTheDatabase) {
            failing = true;
            lastFailure = describe(cause);
            fail(batch, cause);
        } else {
            // the record itself: retrying will not help (the database's message stays in the log)
            fail(batch, RecordingFailed.unstorable("the database refused the record (SQLSTATE " + sqlState(cause) + ")", cause));
        }
    }

    /** A short description for the log: SQLSTATE and the database's message, without the statement and its values. */
    static String describe(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                SQLException inner = sql.getNextException() != null ? sql.getNextException() : sql;
                String message = String.valueOf(inner.getMessage());
                return "SQLSTATE " + inner.getSQLState() + ": " + (message.length() > 200 ? message.substring(0, 200) + "…" : message);
            }
        }
        return String.valueOf(cause.getMessage());
    }

    private static String sqlState(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return "unknown";
    }

    /** The content of a row, not the database's state, made the group fail (data exception, constraint, size limit). */
    private static boolean rowFault(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
            }
        }
        return false;
    }

    private void complete(List<Pending> batch, List<DecisionRecord.Written> written) {
        List<DecisionsCommitted.Decision> committed = new java.util.ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            DecisionRecord.Written w = written.get(i);
            p.done().complete(w);
            committed.add(new DecisionsCommitted.Decision(w.sequence(), w.previousHash(), w.hash(), w.leafHash(), p.record().decisionId(),
                    p.record().source(), p.record().dryRun(), p.response(w.sequence())));
        }
        try {
            events.publishEvent(new DecisionsCommitted(committed));
        } catch (RuntimeException e) {
            log.warn("a follower of committed decisions failed: {}", e.toString());
        }
    }

    private List<DecisionRecord.Written> transaction(List<Pending> batch, Deadline deadline) throws Failed {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException | RuntimeException e) {
            throw new Failed(false, e);
        }
        try (connection) {
            List<DecisionRecord.Written> written;
            try {
                connection.setAutoCommit(false);
                written = writeIn(connection, batch, deadline);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw new Failed(false, e);
            } catch (AssertionError e) {
                // with assertions on (tests), the driver asserts instead of reporting a connection that died mid-batch
                rollbackQuietly(connection);
                throw new Failed(false, alive(connection) ? e : new SQLException("the connection broke", "08006", e));
            }
            try {
                connection.commit();
            } catch (SQLException | RuntimeException | AssertionError e) {
                throw new Failed(true, e);
            }
            return written;
        } catch (SQLException e) {
            throw new Failed(false, e); // closing the connection failed after the commit: the pool discards it
        }
    }

    /** After an interrupted commit: the stored chain fields of the group if it landed, null if it did not. */
    private List<DecisionRecord.Written> landed(List<Pending> batch) throws SQLException {
        UUID[] ids = batch.stream().map(p -> p.record().decisionId()).toArray(UUID[]::new);
        Map<UUID, DecisionRecord.Written> found = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT * FROM decision WHERE decision_id = ANY (?)")) {
            query.setArray(1, connection.createArrayOf("uuid", ids));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getObject("decision_id", UUID.class), new DecisionRecord.Written(rs.getLong("sequence"),
                            rs.getString("previous_hash"), rs.getString("hash"),
                            RecordText.leafHash(RecordText.canonical(RecordText.hashedColumns(rs, json)))));
                }
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() != ids.length) {
            throw new SQLException("only " + found.size() + " of " + ids.length + " records of one commit are stored");
        }
        List<DecisionRecord.Written> written = new ArrayList<>(ids.length);
        for (UUID id : ids) {
            written.add(found.get(id));
        }
        log.info("a commit of {} decision(s) was interrupted but had happened", ids.length);
        return written;
    }

    private List<DecisionRecord.Written> writeIn(Connection connection, List<Pending> batch, Deadline deadline) throws SQLException {
        long left = Math.max(1, deadline.remainingMillis());
        try (Statement statement = connection.createStatement()) {
            // one round trip: the group may take at most what is left of its callers' time, and a
            // session whose client vanished mid-transaction must not hold the chain lock for long
            statement.execute("SET LOCAL statement_timeout = '" + left + "ms'; SET LOCAL idle_in_transaction_session_timeout = '"
                    + Math.max(1000, left) + "ms'; SELECT pg_advisory_xact_lock(" + CHAIN_LOCK + ")");
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
                        + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?) ON CONFLICT DO NOTHING");
                PreparedStatement inputs = connection.prepareStatement(
                        "INSERT INTO decision_input (sequence, input, omitted) VALUES (?, ?::json, ?)")) {
            boolean anyEvidence = false;
            boolean anyInput = false;
            for (Pending pending : batch) {
                DecisionRecord r = pending.record();
                sequence++;
                Map<String, String> members = new HashMap<>(pending.members());
                members.put("response", pending.canonicalResponse().at(sequence));
                String text = DecisionChain.text(members, sequence, previous);
                String hash = RecordText.chainHash(previous, text);
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
                insert.setString(i++, pending.response(sequence));
                insert.setString(i++, previous);
                insert.setString(i, hash);
                insert.addBatch();
                written.add(new DecisionRecord.Written(sequence, previous, hash, RecordText.leafHash(text)));
                previous = hash;
                if (pending.input() != null || pending.omitted() != null) {
                    inputs.setLong(1, sequence);
                    inputs.setString(2, pending.input());
                    inputs.setString(3, pending.omitted());
                    inputs.addBatch();
                    anyInput = true;
                }
                for (int k = 0; k < r.newEvidence().size(); k++) {
                    DecisionRecord.NewEvidence e = r.newEvidence().get(k);
                    int j = 1;
                    evidence.setString(j++, r.artifactDigest());
                    evidence.setString(j++, e.signatureSha256());
                    evidence.setString(j++, e.bundleSha256());
                    evidence.setString(j++, e.bundle());
                    evidence.setBytes(j++, e.payload());
                    evidence.setString(j++, e.kind());
                    evidence.setString(j++, pending.evidence().get(k).facts());
                    evidence.setString(j++, pending.evidence().get(k).trust());
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
            if (anyInput) {
                inputs.executeBatch();
            }
        }
        return written;
    }

    private static boolean alive(Connection connection) {
        try {
            return connection.isValid(1);
        } catch (SQLException e) {
            return false;
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
