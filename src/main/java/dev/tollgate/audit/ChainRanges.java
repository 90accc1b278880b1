package dev.tollgate.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

/**
 * {@link DecisionHistory#verify} over several connections at once: the records after {@code after}
 * cut into ranges of {@link #RANGE} sequences, read and checked on their own by one thread per
 * connection (each row's hash recomputed from its columns, its leaf), all in one snapshot
 * ({@code pg_export_snapshot}: the rows one cursor would read); then, in sequence order on the calling
 * thread, what joins them: each sequence follows the one before, each {@code previousHash} is the hash
 * before it (inside a range and across its edges alike), and the leaves go to the tree in order. So
 * the first sequence that does not hold, the records counted and the leaves handed on are those of
 * the single cursor. At most two ranges per connection are read ahead of the one being joined.
 */
final class ChainRanges {

    /** Sequences per range. */
    static final int RANGE = 4096;

    private static final String COLUMNS = "sequence, decision_id, decided_at, requester, source, dry_run, artifact_digest,"
            + " artifact_name, artifact_tag, allowed, outcome, policy_names, impact, request, response, previous_hash, hash";

    private ChainRanges() {
    }

    /** One range read and checked on its own. */
    private static final class Range {
        int n;
        long[] sequences;
        String[] previous;
        String[] hashes;
        boolean[] holds;
        byte[] leaves;

        Range(int size) {
            sequences = new long[size];
            previous = new String[size];
            hashes = new String[size];
            holds = new boolean[size];
            leaves = new byte[32 * size];
        }

        void add(long sequence, String storedPrevious, String storedHash, DecisionHistory.RowCheck check) {
            if (n == sequences.length) { // more rows than sequences: cannot happen with a primary key, but holds anyway
                int size = 2 * n;
                sequences = Arrays.copyOf(sequences, size);
                previous = Arrays.copyOf(previous, size);
                hashes = Arrays.copyOf(hashes, size);
                holds = Arrays.copyOf(holds, size);
                leaves = Arrays.copyOf(leaves, 32 * size);
            }
            sequences[n] = sequence;
            previous[n] = storedPrevious;
            hashes[n] = storedHash;
            holds[n] = check.holds();
            if (check.holds()) {
                System.arraycopy(check.leaf(), 0, leaves, 32 * n, 32);
            }
            n++;
        }
    }

    static DecisionHistory.Verification verify(DecisionHistory history, long after, String previousHash,
            DecisionHistory.Leaves leaves, int connections) {
        return verify(history, after, previousHash, leaves, connections, RANGE);
    }

    /** As {@link #verify(DecisionHistory, long, String, DecisionHistory.Leaves, int)}, with ranges of {@code range} sequences. */
    static DecisionHistory.Verification verify(DecisionHistory history, long after, String previousHash,
            DecisionHistory.Leaves leaves, int connections, int range) {
        DataSource dataSource = history.jdbc().getDataSource();
        Connection[] open = new Connection[connections];
        ExecutorService readers = null;
        AtomicBoolean stop = new AtomicBoolean();
        Semaphore ahead = new Semaphore(2 * connections);
        try {
            // one snapshot for every connection; the first one exports it and reads too
            open[0] = begin(dataSource);
            String snapshot;
            long last;
            try (Statement s = open[0].createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_export_snapshot(), coalesce(max(sequence), 0) FROM decision")) {
                rs.next();
                snapshot = rs.getString(1);
                last = rs.getLong(2);
            }
            int ranges = (int) Math.max(0, (last - after + range - 1) / range);
            int readerCount = Math.max(1, Math.min(connections, ranges));
            for (int i = 1; i < readerCount; i++) {
                open[i] = begin(dataSource);
                try (Statement s = open[i].createStatement()) {
                    s.execute("SET TRANSACTION SNAPSHOT '" + snapshot.replace("'", "''") + "'");
                }
            }
            @SuppressWarnings("unchecked")
            CompletableFuture<Range>[] slots = new CompletableFuture[ranges];
            for (int i = 0; i < ranges; i++) {
                slots[i] = new CompletableFuture<>();
            }
            AtomicInteger next = new AtomicInteger();
            readers = Executors.newFixedThreadPool(readerCount, r -> {
                Thread t = new Thread(r, "audit-verify-range");
                t.setDaemon(true);
                return t;
            });
            for (int i = 0; i < readerCount; i++) {
                Connection connection = open[i];
                readers.execute(() -> read(history, connection, after, last, range, slots, next, ahead, stop));
            }
            return join(slots, ahead, after, previousHash, leaves);
        } catch (SQLException e) {
            throw translate(history, e);
        } finally {
            stop.set(true);
            ahead.release(4 * connections);
            if (readers != null) {
                readers.shutdownNow();
                try {
                    readers.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (Connection c : open) {
                close(c);
            }
        }
    }

    /** A read-only repeatable-read transaction on a connection of the pool. */
    private static Connection begin(DataSource dataSource) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static void close(Connection c) {
        if (c == null) {
            return;
        }
        try (c) {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            // the connection broke or was being closed; the pool discards it
        }
    }

    /** One reader: takes the next range (at most two per connection ahead of the join), reads and checks it. */
    private static void read(DecisionHistory history, Connection connection, long after, long last, int size,
            CompletableFuture<Range>[] slots, AtomicInteger next, Semaphore ahead, AtomicBoolean stop) {
        RecordText.Fast fast = new RecordText.Fast();
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS
                + " FROM decision WHERE sequence > ? AND sequence <= ? ORDER BY sequence",
                ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            statement.setFetchSize(1024);
            while (!stop.get()) {
                ahead.acquire();
                int index = next.getAndIncrement();
                if (stop.get() || index >= slots.length) {
                    return;
                }
                long from = after + (long) index * size;
                statement.setLong(1, from);
                statement.setLong(2, Math.min(last, from + size));
                Range range = new Range(size);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        long sequence = rs.getLong("sequence");
                        String storedPrevious = rs.getString("previous_hash");
                        String storedHash = rs.getString("hash");
                        range.add(sequence, storedPrevious, storedHash,
                                history.checkRow(rs, fast, sequence, storedPrevious, storedHash));
                    }
                }
                slots[index].complete(range);
            }
        } catch (Throwable e) { // every range not yet read fails with it: the join ends at the first one it waits for
            RuntimeException failure = e instanceof SQLException sql ? translate(history, sql)
                    : e instanceof RuntimeException r ? r : new IllegalStateException(e);
            for (CompletableFuture<Range> slot : slots) {
                slot.completeExceptionally(failure);
            }
        }
    }

    /** The ranges in order: links across and inside them, the records counted, the leaves handed on. */
    private static DecisionHistory.Verification join(CompletableFuture<Range>[] slots, Semaphore ahead, long after,
            String previousHash, DecisionHistory.Leaves leaves) {
        long count = 0;
        long expected = after + 1;
        String previous = previousHash;
        for (int i = 0; i < slots.length; i++) {
            Range r;
            try {
                r = slots[i].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while verifying the chain", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
            }
            slots[i] = null;
            ahead.release();
            for (int j = 0; j < r.n; j++) {
                long sequence = r.sequences[j];
                count++;
                if (sequence != expected || !r.previous[j].equals(previous) || !r.holds[j]) {
                    return new DecisionHistory.Verification(false, count, null, sequence);
                }
                previous = r.hashes[j];
                expected = sequence + 1;
                if (leaves != null && !leaves.leaf(sequence, Arrays.copyOfRange(r.leaves, 32 * j, 32 * j + 32), previous)) {
                    return new DecisionHistory.Verification(true, count, previous, null);
                }
            }
        }
        return new DecisionHistory.Verification(true, count, previous, null);
    }

    private static RuntimeException translate(DecisionHistory history, SQLException e) {
        RuntimeException translated = history.jdbc().getExceptionTranslator().translate("verifying the chain", null, e);
        return translated != null ? translated : new org.springframework.jdbc.UncategorizedSQLException("verifying the chain", null, e);
    }
}
