package dev.tollgate.ledger;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import dev.tollgate.audit.RecordText;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The scale data set (bench/scale-generate.sh, issue 17): appends N realistic, log-valid decision
 * records to a Tollgate database — varied digests, names, policies, outcomes, requesters, signers,
 * keys, builders and source repositories over the last 90 days — numbered, chained and hashed as the
 * audit path writes them, and added to the ledger's Merkle tree ({@link Merkle.Frontier},
 * {@link Merkle#leafHash}, the ledger's own code), so that a server started on the database afterwards
 * verifies the chain, extends the tree and signs the next checkpoint as if the records had been
 * decided live.
 * <p>
 * <b>Making.</b> One thread draws each record's facts and writes its canonical text (the form of
 * {@link RecordText#canonical}: sorted keys, no white space) straight from a template of the record's
 * shape, hashes the chain ({@code sha256(previousHash ‖ text)}) and the leaf, appends the leaf to the
 * frontier and encodes the rows for a binary {@code COPY}. Every {@code --reference}-th record (and the
 * first of each batch) is also built as a JSON tree and written and hashed by the audit path's code
 * ({@link RecordText#canonical}, {@link RecordText#chainHash}); a single differing byte stops the run.
 * {@code check} then re-derives every record from its stored columns by the audit path's code.
 * <p>
 * <b>Writing.</b> {@code --writers} connections (default 2) take batches of {@code --batch} records
 * and write each in one transaction: {@code COPY … FROM STDIN (FORMAT binary)} into {@code decision}
 * and {@code ledger_node}, then the batch's facet rows by the {@code decision_facets} trigger's own
 * statement (V31) over the batch's sequences. Batches commit out of order; the log is only complete,
 * and {@code ledger_state} only moves, when every batch has committed. For the load the generator
 * holds the chain's and the ledger's advisory locks (a server's writer waits), sets
 * {@code synchronous_commit = off} for its own sessions only, disables the facet trigger, and drops
 * every index of {@code decision} but its primary key and the primary key of {@code decision_facet};
 * afterwards it builds them again from their definitions as read from the catalog before the drop
 * ({@code pg_get_indexdef}, {@code pg_get_constraintdef}), on {@code --writers} connections at once,
 * and enables the trigger. The append-only triggers stay in force throughout. The pending rebuild
 * steps are kept in the table {@code scale_generator_rebuild} until done: a run that died is finished
 * by the next one ({@code ScaleGenerator finish …}). {@code --keep-indexes} writes into the table as it
 * is (indexes and the trigger in place) instead.
 * <p>
 * It continues an existing log (its tree must be up to date). No checkpoint is signed: the signing
 * key belongs to the server. No server may write to the database while it runs. Not a test; prints
 * records/s for the write and rebuild phases and the table sizes.
 * <pre>
 *   ScaleGenerator jdbc:postgresql://127.0.0.1:5432/tollgate user password 1000000 [batch] [--writers=2] [--reference=1000]
 *       [--keep-indexes | --facets=sql]   (--facets=sql: the writers derive the facet rows by the trigger's statement per batch)
 *   ScaleGenerator check jdbc:postgresql://127.0.0.1:5432/tollgate user password
 *   ScaleGenerator finish jdbc:postgresql://127.0.0.1:5432/tollgate user password
 * </pre>
 */
public final class ScaleGenerator {

    private static final long CHAIN_LOCK = 7316504276L;
    private static final long LEDGER_LOCK = 7316504277L;
    private static final Duration SPAN = Duration.ofDays(90);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String ISSUER = "https://token.actions.githubusercontent.com";
    /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z). */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final int TEXT_OID = 25;

    /** The V31 trigger's statement, over the rows of one batch instead of the statement's transition table. */
    static final String FACETS = "INSERT INTO decision_facet (field, value, sequence)"
            + " SELECT DISTINCT f.field, md5(f.value)::uuid, f.sequence"
            + " FROM (SELECT 'policy' AS field, p AS value, n.sequence FROM added n, unnest(n.policy_names) p"
            + "       UNION ALL"
            + "       SELECT kv.key, kv.value #>> '{}', n.sequence"
            + "       FROM added n,"
            + "            jsonb_array_elements(CASE jsonb_typeof(n.impact) WHEN 'array' THEN n.impact ELSE '[]'::jsonb END) e,"
            + "            jsonb_each(CASE jsonb_typeof(e) WHEN 'object' THEN e ELSE '{}'::jsonb END) kv"
            + "       WHERE kv.key IN ('subject', 'issuer', 'key', 'builderId', 'sourceRepository')"
            + "         AND jsonb_typeof(kv.value) = 'string') f";

    private static String facetsOver(String range) {
        return "WITH added AS MATERIALIZED (SELECT sequence, policy_names, impact FROM decision WHERE " + range + ") " + FACETS;
    }

    private ScaleGenerator() {
    }

    /** Who writes a batch's decision_facet rows: the trigger (indexes kept), the trigger's statement per batch, or the maker (COPY). */
    private enum Facets {
        TRIGGER, SQL, COPY
    }

    /** One batch as binary COPY data (decision_facet's rows too, unless the writers derive them by SQL), with its sequence range. */
    private record Chunk(byte[] decisions, byte[] nodes, byte[] facets, long first, long last) {
    }

    /** The tree and chain after the last record made. */
    private record Made(long size, byte[] root, String head) {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("check")) {
            check(args[1], args[2], args[3]);
            return;
        }
        if (args[0].equals("finish")) {
            try (Connection c = DriverManager.getConnection(args[1], args[2], args[3])) {
                finish(c, args[1], args[2], args[3], 2);
            }
            return;
        }
        String url = args[0];
        String user = args[1];
        String password = args[2];
        long n = Long.parseLong(args[3]);
        int batch = 20_000;
        int writers = 2;
        int reference = 1000;
        boolean keepIndexes = false;
        Facets facetMode = Facets.COPY;
        for (int i = 4; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--writers=")) {
                writers = Integer.parseInt(a.substring(10));
            } else if (a.startsWith("--reference=")) {
                reference = Integer.parseInt(a.substring(12));
            } else if (a.equals("--facets=sql")) {
                facetMode = Facets.SQL;
            } else if (a.equals("--keep-indexes")) {
                keepIndexes = true;
            } else if (a.startsWith("--batch=")) {
                batch = Integer.parseInt(a.substring(8));
            } else {
                batch = Integer.parseInt(a);
            }
        }
        // the schema as the server makes it (its own migrations), if the database is new
        org.flywaydb.core.Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            bulkSession(c);
            try (Statement s = c.createStatement()) {
                // a server's writer and ledger wait until the load is done (session locks conflict with their transaction locks)
                s.execute("SELECT pg_advisory_lock(" + CHAIN_LOCK + "), pg_advisory_lock(" + LEDGER_LOCK + ")");
            }
            finish(c, url, user, password, writers);
            long size = state(c);
            String head = head(c, size);
            Merkle.Frontier tree = load(c, size);
            long t0 = System.nanoTime();
            if (!keepIndexes) {
                prepare(c, size);
            }
            long prepared = System.nanoTime();

            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(writers + 2);
            java.util.concurrent.atomic.AtomicBoolean makerDone = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            long[] written = new long[writers];
            java.util.concurrent.atomic.DoubleAdder backendCpu = new java.util.concurrent.atomic.DoubleAdder();
            double jvmCpu0 = jvmCpu();
            for (int w = 0; w < writers; w++) {
                int slot = w;
                Facets facetsBy = keepIndexes ? Facets.TRIGGER : facetMode;
                Thread t = new Thread(() -> {
                    try (Connection wc = DriverManager.getConnection(url, user, password)) {
                        bulkSession(wc);
                        int pid = backend(wc);
                        wc.setAutoCommit(false);
                        CopyManager copy = wc.unwrap(PGConnection.class).getCopyAPI();
                        while (failed.get() == null) {
                            Chunk chunk = queue.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                            if (chunk == null) {
                                if (makerDone.get()) {
                                    break;
                                }
                                continue;
                            }
                            copy.copyIn("COPY decision (sequence, decision_id, decided_at, requester, source, dry_run, artifact_digest,"
                                    + " artifact_name, artifact_tag, allowed, outcome, policy_names, impact, request, response,"
                                    + " previous_hash, hash) FROM STDIN (FORMAT binary)", new ByteArrayInputStream(chunk.decisions()));
                            copy.copyIn("COPY ledger_node (level, idx, hash) FROM STDIN (FORMAT binary)",
                                    new ByteArrayInputStream(chunk.nodes()));
                            if (facetsBy == Facets.SQL) {
                                try (Statement s = wc.createStatement()) {
                                    s.executeUpdate(facetsOver("sequence BETWEEN " + chunk.first() + " AND " + chunk.last()));
                                }
                            } else if (facetsBy == Facets.COPY) {
                                copy.copyIn("COPY decision_facet (field, value, sequence) FROM STDIN (FORMAT binary)",
                                        new ByteArrayInputStream(chunk.facets()));
                            }
                            wc.commit();
                            written[slot] += chunk.last() - chunk.first() + 1;
                        }
                        backendCpu.add(cpu(pid));
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                }, "scale-writer-" + w);
                t.start();
                threads.add(t);
            }
            Maker maker = new Maker(size, n, tree, head, reference);
            long makingNanos = 0;
            long lastReport = System.nanoTime();
            try {
                while (maker.hasNext() && failed.get() == null) {
                    long m0 = System.nanoTime();
                    Chunk chunk = maker.next(batch);
                    makingNanos += System.nanoTime() - m0;
                    while (!queue.offer(chunk, 200, java.util.concurrent.TimeUnit.MILLISECONDS) && failed.get() == null) {
                        // the writers are busy
                    }
                    long now = System.nanoTime();
                    if (now - lastReport > 10_000_000_000L) {
                        long done = Arrays.stream(written).sum();
                        System.out.printf("%,d records written, %,.0f records/s%n", done, done / ((now - prepared) / 1e9));
                        lastReport = now;
                    }
                }
            } finally {
                makerDone.set(true);
                for (Thread t : threads) {
                    t.join();
                }
            }
            if (failed.get() != null) {
                throw new IllegalStateException("writing failed; the log is incomplete (ledger_state was not moved)", failed.get());
            }
            double writeCpu = backendCpu.sum();
            double jvmWriteCpu = jvmCpu() - jvmCpu0;
            Made made = maker.made();
            try (PreparedStatement u = c.prepareStatement("UPDATE ledger_state SET size = ?, root = ?, chain_head = ?")) {
                u.setLong(1, made.size());
                u.setBytes(2, made.root());
                u.setString(3, made.head());
                u.executeUpdate();
            }
            long wrote = System.nanoTime();
            double rebuildCpu = finish(c, url, user, password, writers);
            long rebuilt = System.nanoTime();
            double writeSeconds = (wrote - prepared) / 1e9;
            double rebuildSeconds = (rebuilt - wrote) / 1e9;
            double all = (rebuilt - t0) / 1e9;
            System.out.printf("write phase: %,d records in %.1f s, %,.0f records/s (%d writers, batches of %,d; making took %.1f s"
                    + " of the maker thread, %,.0f records/s; %,d records checked against the audit path's code)%n",
                    n, writeSeconds, n / writeSeconds, writers, batch, makingNanos / 1e9, n / (makingNanos / 1e9), maker.referenced);
            System.out.printf("CPU of the write phase: PostgreSQL backends %.1f s (%.1f µs/record), generator JVM %.1f s (%.1f µs/record)%n",
                    writeCpu, writeCpu * 1e6 / n, jvmWriteCpu, jvmWriteCpu * 1e6 / n);
            System.out.printf("rebuild phase (indexes, constraints, facet trigger): %.1f s, %,.0f records/s; PostgreSQL CPU %.1f s"
                    + " (%.1f µs/record); prepare %.1f s%n", rebuildSeconds, n / rebuildSeconds, rebuildCpu, rebuildCpu * 1e6 / n,
                    (prepared - t0) / 1e9);
            System.out.printf("generated %,d records in %.1f s: %,.0f records/s overall, start to an indexed, valid log (log now %,d records)%n",
                    n, all, n / all, made.size());
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('decision'), pg_relation_size('decision'),"
                            + " pg_indexes_size('decision'), pg_total_relation_size('ledger_node'), pg_total_relation_size('decision_facet'),"
                            + " (SELECT size FROM ledger_state)")) {
                rs.next();
                double millions = rs.getLong(6) / 1e6;
                System.out.printf("decision: %,d MB in all (table %,d MB, indexes %,d MB), ledger_node %,d MB, decision_facet %,d MB;"
                        + " per million records: %,.0f MB decision + %,.0f MB ledger + %,.0f MB facets%n",
                        rs.getLong(1) >> 20, rs.getLong(2) >> 20, rs.getLong(3) >> 20, rs.getLong(4) >> 20, rs.getLong(5) >> 20,
                        (rs.getLong(1) >> 20) / millions, (rs.getLong(4) >> 20) / millions, (rs.getLong(5) >> 20) / millions);
            }
        }
    }

    /** The generator's own sessions: a bulk load (the server's settings are not touched). */
    private static void bulkSession(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = off");
            s.execute("SET maintenance_work_mem = '512MB'");
            s.execute("SET work_mem = '64MB'");
            s.execute("SET max_parallel_maintenance_workers = 0");
        }
    }

    /**
     * Before the load: the definitions of the indexes to drop (all of decision's but its primary key,
     * decision_facet's primary key) and the trigger to disable are kept as rebuild steps, then dropped.
     */
    private static void prepare(Connection c, long size) throws Exception {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE scale_generator_rebuild (step int PRIMARY KEY, phase int NOT NULL, ddl text NOT NULL)");
            List<String> drops = new ArrayList<>();
            List<String> builds = new ArrayList<>();
            List<String> constraints = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, con.conname,"
                    + " pg_get_indexdef(i.indexrelid), CASE WHEN con.oid IS NOT NULL THEN pg_get_constraintdef(con.oid) END"
                    + " FROM pg_index i LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u')"
                    + " WHERE i.indrelid IN ('decision'::regclass, 'decision_facet'::regclass)"
                    + " AND i.indexrelid <> 'decision_pkey'::regclass ORDER BY i.indrelid = 'decision_facet'::regclass DESC, 1")) {
                while (rs.next()) {
                    String index = rs.getString(1);
                    String table = rs.getString(2);
                    String constraint = rs.getString(3);
                    // a constraint's index is built like the others (CREATE INDEX: the builds on one table run
                    // side by side), then made the constraint again (USING INDEX: the same catalog entries)
                    builds.add(rs.getString(4));
                    if (constraint != null) {
                        String kind = rs.getString(5).startsWith("PRIMARY KEY") ? "PRIMARY KEY" : "UNIQUE";
                        drops.add("ALTER TABLE " + table + " DROP CONSTRAINT " + constraint);
                        constraints.add("ALTER TABLE " + table + " ADD CONSTRAINT " + constraint + " " + kind + " USING INDEX " + index);
                    } else {
                        drops.add("DROP INDEX " + index);
                    }
                }
            }
            // decision_facet's primary key (about six rows per record) is the longest build: it goes first
            int step = 0;
            try (PreparedStatement add = c.prepareStatement("INSERT INTO scale_generator_rebuild VALUES (?, ?, ?)")) {
                for (String ddl : builds) {
                    add.setInt(1, ++step);
                    add.setInt(2, 1);
                    add.setString(3, ddl);
                    add.addBatch();
                }
                constraints.add("ALTER TABLE decision ENABLE TRIGGER decision_facets");
                for (String ddl : constraints) {
                    add.setInt(1, ++step);
                    add.setInt(2, 2);
                    add.setString(3, ddl);
                    add.addBatch();
                }
                add.executeBatch();
            }
            for (String drop : drops) {
                s.execute(drop);
            }
            s.execute("ALTER TABLE decision DISABLE TRIGGER decision_facets");
        }
        c.commit();
        c.setAutoCommit(true);
        System.out.printf("for the load: the facet trigger disabled, secondary indexes dropped (log at %,d records)%n", size);
    }

    /** Runs what is left of the rebuild steps, each phase's steps on up to {@code parallel} connections at once. */
    static double finish(Connection c, String url, String user, String password, int parallel) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('scale_generator_rebuild') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return 0;
            }
        }
        double[] cpu = {0};
        for (int phase = 1; phase <= 2; phase++) {
            ConcurrentLinkedQueue<Object[]> steps = new ConcurrentLinkedQueue<>();
            try (PreparedStatement q = c.prepareStatement("SELECT step, ddl FROM scale_generator_rebuild WHERE phase = ? ORDER BY step")) {
                q.setInt(1, phase);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        steps.add(new Object[] {rs.getInt(1), rs.getString(2)});
                    }
                }
            }
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < Math.min(parallel, steps.size()); w++) {
                Thread t = new Thread(() -> {
                    try (Connection wc = DriverManager.getConnection(url, user, password)) {
                        bulkSession(wc);
                        wc.setAutoCommit(false);
                        for (Object[] step; (step = steps.poll()) != null && failed.get() == null;) {
                            long t0 = System.nanoTime();
                            try (Statement s = wc.createStatement();
                                    PreparedStatement done = wc.prepareStatement("DELETE FROM scale_generator_rebuild WHERE step = ?")) {
                                s.execute((String) step[1]);
                                done.setInt(1, (Integer) step[0]);
                                done.executeUpdate();
                            }
                            wc.commit();
                            System.out.printf("  %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, step[1]);
                        }
                        double used = cpu(backend(wc));
                        synchronized (cpu) {
                            cpu[0] += used;
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                }, "scale-rebuild-" + w);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failed.get() != null) {
                throw new IllegalStateException("a rebuild step failed (run ScaleGenerator finish to retry)", failed.get());
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE scale_generator_rebuild");
        }
        return cpu[0];
    }

    private static int backend(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** CPU seconds (user + system) of a local PostgreSQL backend so far, 0 if its /proc entry cannot be read. */
    private static double cpu(int pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return 0;
        }
    }

    private static double jvmCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /**
     * Reads the whole log in order and checks every record as the ledger does before adding it
     * (sequence, previous hash, chain hash from the stored columns, by the audit path's code) and that
     * its stored leaf is the leaf of its canonical text, then that the stored root is the tree's: the
     * generated records are what the server would have written. Then that decision_facet holds exactly
     * the rows the decision_facets trigger makes of the records, that the trigger is enabled and that
     * no rebuild step is pending.
     */
    static void check(String url, String user, String password) throws Exception {
        tools.jackson.databind.ObjectMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setAutoCommit(false);
            Merkle.Frontier tree = new Merkle.Frontier();
            String previous = "0".repeat(64);
            long t0 = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.setFetchSize(2000);
                try (ResultSet rs = s.executeQuery("SELECT d.*, n.hash AS leaf FROM decision d"
                        + " LEFT JOIN ledger_node n ON n.level = 0 AND n.idx = d.sequence - 1 ORDER BY d.sequence")) {
                    while (rs.next()) {
                        String text = RecordText.canonical(RecordText.hashedColumns(rs, json));
                        long sequence = rs.getLong("sequence");
                        if (sequence != tree.size() + 1 || !rs.getString("previous_hash").equals(previous)
                                || !RecordText.chainHash(previous, text).equals(rs.getString("hash"))) {
                            throw new IllegalStateException("the record at sequence " + sequence + " does not continue the chain");
                        }
                        byte[] leaf = Merkle.leafHash(text);
                        if (!Arrays.equals(leaf, rs.getBytes("leaf"))) {
                            throw new IllegalStateException("the stored leaf of sequence " + sequence + " is not its text's");
                        }
                        tree.append(leaf);
                        previous = rs.getString("hash");
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT size, root, chain_head FROM ledger_state")) {
                    rs.next();
                    if (rs.getLong(1) != tree.size() || !Arrays.equals(rs.getBytes(2), tree.root())
                            || !rs.getString(3).equals(previous)) {
                        throw new IllegalStateException("ledger_state is not the tree of the log");
                    }
                }
                System.out.printf("checked %,d records in %.1f s: chain, leaves and root hold%n", tree.size(), (System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                try (ResultSet rs = s.executeQuery("SELECT to_regclass('scale_generator_rebuild') IS NULL,"
                        + " (SELECT tgenabled = 'O' FROM pg_trigger WHERE tgname = 'decision_facets' AND tgrelid = 'decision'::regclass)")) {
                    rs.next();
                    if (!rs.getBoolean(1) || !rs.getBoolean(2)) {
                        throw new IllegalStateException("a load has not finished (run ScaleGenerator finish)");
                    }
                }
                s.execute("SET work_mem = '256MB'");
                // the trigger's own statement as the database holds it (its transition table 'added' = every record)
                String derive;
                try (ResultSet rs = s.executeQuery("SELECT prosrc FROM pg_proc WHERE proname = 'tollgate_decision_facets'")) {
                    rs.next();
                    String body = rs.getString(1);
                    int from = body.indexOf("SELECT DISTINCT");
                    derive = body.substring(from, body.indexOf(';', from));
                }
                try (ResultSet rs = s.executeQuery("WITH added AS (SELECT * FROM decision),"
                        + " expected AS (" + derive + "),"
                        + " stored AS (SELECT field, value, sequence FROM decision_facet)"
                        + " SELECT (SELECT count(*) FROM stored), (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) x),"
                        + " (SELECT count(*) FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) y)")) {
                    rs.next();
                    if (rs.getLong(2) != 0 || rs.getLong(3) != 0) {
                        throw new IllegalStateException("decision_facet is not what the trigger makes: " + rs.getLong(2) + " rows missing, "
                                + rs.getLong(3) + " rows more");
                    }
                    System.out.printf("checked %,d facet rows in %.1f s: exactly the decision_facets trigger's rows of the records%n",
                            rs.getLong(1), (System.nanoTime() - t1) / 1e9);
                }
            }
        }
    }

    private static long state(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT size, (SELECT coalesce(max(sequence), 0) FROM decision) FROM ledger_state")) {
            rs.next();
            if (rs.getLong(1) != rs.getLong(2)) {
                throw new IllegalStateException("the ledger's tree (size " + rs.getLong(1) + ") is behind the log (" + rs.getLong(2)
                        + " records): let the server catch up first");
            }
            return rs.getLong(1);
        }
    }

    private static String head(Connection c, long size) throws Exception {
        if (size == 0) {
            return "0".repeat(64);
        }
        try (PreparedStatement q = c.prepareStatement("SELECT hash FROM decision WHERE sequence = ?")) {
            q.setLong(1, size);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static Merkle.Frontier load(Connection c, long size) throws Exception {
        List<byte[]> hashes = new ArrayList<>();
        for (Merkle.Node tile : Merkle.tiles(0, size)) {
            try (PreparedStatement q = c.prepareStatement("SELECT hash FROM ledger_node WHERE level = ? AND idx = ?")) {
                q.setInt(1, tile.level());
                q.setLong(2, tile.index());
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("the stored tree lacks " + tile);
                    }
                    hashes.add(rs.getBytes(1));
                }
            }
        }
        return size == 0 ? new Merkle.Frontier() : new Merkle.Frontier(size, hashes);
    }

    /** The random facts of one record; both writers below make the same record of them. */
    private record Facts(long sequence, Instant decidedAt, String previous, UUID id, int build, int image, String tag,
            String outcome, boolean admission, boolean generic, boolean keyed, List<String> policies, boolean dryRun) {

        boolean allowed() {
            return !outcome.equals("deny");
        }

        String digest() {
            return "sha256:" + sha256("digest-" + build);
        }

        String name() {
            return "registry.example.com/team-" + (image % 60) + "/service-" + image;
        }

        String repo() {
            return "https://github.com/acme/service-" + (image % 500);
        }

        String subject() {
            return repo() + "/.github/workflows/release.yml@refs/tags/v" + (build % 40);
        }

        String builder() {
            return "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_"
                    + (generic ? "generic" : "container") + "_slsa3.yml@refs/tags/v2." + (image % 10) + ".0";
        }

        String key() {
            return "release-key-" + (image % 20);
        }

        int items() {
            return outcome.equals("exempt") ? 0 : 2;
        }

        String reason() {
            return switch (outcome) {
                case "allow" -> "every enforced policy allowed";
                case "deny" -> "prod-images: rule signed-by-release failed: no signature from the release workflow";
                case "warn" -> "slsa-level-2 (warn): rule provenance failed";
                default -> "namespace 'kube-system' is exempt by configuration";
            };
        }
    }

    private static Facts facts(long sequence, Instant decidedAt, String previous, SplittableRandom r) {
        UUID id = new UUID((decidedAt.toEpochMilli() << 16) | 0x7000L | (r.nextLong() & 0xfff), 0x8000000000000000L
                | (r.nextLong() & 0x3fffffffffffffffL));
        int build = skewed(r, 200_000);
        int image = build % 2_000;
        String tag = r.nextInt(10) < 7 ? "v" + (build % 40) + "." + (build % 17) + "." + (build % 7) : null;
        int o = r.nextInt(100);
        String outcome = o < 85 ? "allow" : o < 95 ? "deny" : o < 99 ? "warn" : "exempt";
        boolean admission = r.nextInt(3) > 0;
        boolean generic = !r.nextBoolean();
        boolean keyed = r.nextInt(10) == 0;
        List<String> policies = new ArrayList<>(3);
        if (!outcome.equals("exempt")) {
            policies.add("prod-images");
            if (r.nextInt(2) == 0) {
                policies.add("slsa-level-" + (1 + image % 3));
            }
            if (r.nextInt(4) == 0) {
                policies.add("team-" + (image % 40) + "-rules");
            }
        }
        boolean dryRun = r.nextInt(50) == 0;
        return new Facts(sequence, decidedAt, previous, id, build, image, tag, outcome, admission, generic, keyed, policies, dryRun);
    }

    /**
     * Makes the records in order: facts, canonical text from the template, chain hash, leaf, the
     * subtrees completed; binary COPY rows of them. Every {@code reference}-th record is made again as a
     * JSON tree through the audit path's code and must be the same text and hash.
     */
    private static final class Maker {
        private final long from;
        private final long n;
        private final Merkle.Frontier tree;
        private final int reference;
        private final SplittableRandom random;
        private final long first;
        private final long step;
        private final MessageDigest sha = sha();
        private final HexFormat hex = HexFormat.of();
        private final String[] digests = new String[200_000];
        private final String[][] evidenceHashes = new String[200_000][];
        private final Bin decisions = new Bin(1 << 20);
        private final Bin nodes = new Bin(1 << 16);
        private final Bin facetRows = new Bin(1 << 16);
        private final MessageDigest md5 = md5();
        private final List<String> facetSeen = new ArrayList<>(16);
        private final StringBuilder text = new StringBuilder(4096);
        private final StringBuilder impact = new StringBuilder(512);
        private final StringBuilder request = new StringBuilder(1024);
        private final StringBuilder response = new StringBuilder(2048);
        private String previous;
        private long i;
        long referenced;

        Maker(long from, long n, Merkle.Frontier tree, String head, int reference) {
            this.from = from;
            this.n = n;
            this.tree = tree;
            this.previous = head;
            this.reference = Math.max(1, reference);
            this.random = new SplittableRandom(from + 17);
            this.first = Instant.now().minus(SPAN).toEpochMilli();
            this.step = Math.max(1, SPAN.toMillis() / Math.max(1, n));
        }

        boolean hasNext() {
            return i < n;
        }

        Made made() {
            return new Made(tree.size(), tree.root(), previous);
        }

        Chunk next(int batch) {
            decisions.reset();
            nodes.reset();
            facetRows.reset();
            decisions.header();
            nodes.header();
            facetRows.header();
            long firstSequence = from + i + 1;
            for (int k = 0; k < batch && i < n; k++) {
                i++;
                long sequence = from + i;
                Instant decidedAt = Instant.ofEpochMilli(first + (i - 1) * step + random.nextInt((int) Math.min(step, 1000)));
                Facts f = facts(sequence, decidedAt, previous, random);
                write(f);
                byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                sha.update(previous.getBytes(StandardCharsets.US_ASCII));
                String hash = hex.formatHex(sha.digest(bytes));
                byte[] leaf = Merkle.leafHash(bytes);
                if (k == 0 || i % reference == 0) {
                    String expected = RecordText.canonical(reference(f));
                    if (!expected.equals(text.toString()) || !RecordText.chainHash(previous, expected).equals(hash)
                            || !Arrays.equals(Merkle.leafHash(expected), leaf)) {
                        throw new IllegalStateException("record " + sequence + " differs from the audit path's text:\n" + expected + "\n" + text);
                    }
                    referenced++;
                }
                for (Merkle.Stored s : tree.append(leaf)) {
                    nodes.row(3);
                    nodes.field(2).putShort(s.node().level());
                    nodes.field(8).putLong(s.node().index());
                    nodes.field(32).put(s.hash());
                }
                row(f, hash);
                facets(f);
                previous = hash;
            }
            decisions.trailer();
            nodes.trailer();
            facetRows.trailer();
            return new Chunk(decisions.toByteArray(), nodes.toByteArray(), facetRows.toByteArray(), firstSequence, from + i);
        }

        private String digest(Facts f) {
            String d = digests[f.build()];
            if (d == null) {
                d = digests[f.build()] = "sha256:" + hex(("digest-" + f.build()).getBytes(StandardCharsets.UTF_8));
            }
            return d;
        }

        /** bundle and payload SHA-256 of evidence items 0 and 1 of a build. */
        private String[] evidence(Facts f) {
            String[] e = evidenceHashes[f.build()];
            if (e == null) {
                e = evidenceHashes[f.build()] = new String[] {hex(("bundle-" + f.build() + "-0").getBytes(StandardCharsets.UTF_8)),
                    hex(("payload-" + f.build() + "-0").getBytes(StandardCharsets.UTF_8)),
                    hex(("bundle-" + f.build() + "-1").getBytes(StandardCharsets.UTF_8)),
                    hex(("payload-" + f.build() + "-1").getBytes(StandardCharsets.UTF_8))};
            }
            return e;
        }

        private String hex(byte[] b) {
            return hex.formatHex(sha.digest(b));
        }

        /** The canonical texts of impact, request, response and the record (sorted keys, no white space). */
        private void write(Facts f) {
            String digest = digest(f);
            String subject = f.subject();
            String repo = f.repo();
            String builder = f.builder();
            String key = f.key();
            int items = f.items();
            impact.setLength(0);
            impact.append('[');
            if (items > 0) {
                if (f.keyed()) {
                    impact.append("{\"key\":\"").append(key).append("\"}");
                } else {
                    impact.append("{\"issuer\":\"" + ISSUER + "\",\"subject\":\"").append(subject).append("\"}");
                }
                impact.append(",{\"builderId\":\"").append(builder).append("\",\"issuer\":\"" + ISSUER + "\",\"sourceRepository\":\"")
                        .append(repo).append("\",\"subject\":\"").append(subject).append("\"}");
            }
            impact.append(']');
            request.setLength(0);
            request.append("{\"context\":{\"cluster\":\"eu-").append(f.image() % 4).append("\",\"namespace\":\"team-")
                    .append(f.image() % 60).append("\"},\"evidence\":[");
            String[] ev = items > 0 ? evidence(f) : null;
            for (int e = 0; e < items; e++) {
                request.append(e == 0 ? "" : ",").append("{\"bundleSha256\":\"").append(ev[2 * e]).append("\",\"payloadSha256\":\"")
                        .append(ev[2 * e + 1]).append("\",\"verified\":true}");
            }
            request.append("],\"policies\":[");
            for (int p = 0; p < f.policies().size(); p++) {
                request.append(p == 0 ? "\"" : ",\"").append(f.policies().get(p)).append('"');
            }
            request.append("]}");
            boolean allowed = f.allowed();
            String outcome = f.outcome();
            response.setLength(0);
            response.append("{\"allowed\":").append(allowed).append(",\"decisionId\":\"").append(f.id()).append("\",\"evidence\":[");
            for (int e = 0; e < items; e++) {
                response.append(e == 0 ? "{" : ",{");
                if (e == 1) {
                    response.append("\"builderId\":\"").append(builder).append("\",");
                }
                response.append("\"identity\":{");
                if (f.keyed() && e == 0) {
                    response.append("\"key\":\"").append(key).append("\"}");
                } else {
                    response.append("\"issuer\":\"" + ISSUER + "\",\"subject\":\"").append(subject).append("\"}");
                }
                response.append(",\"kind\":\"").append(e == 0 ? "signature" : "attestation").append('"');
                if (e == 1) {
                    response.append(",\"predicateType\":\"https://slsa.dev/provenance/v1\",\"sourceRepository\":\"").append(repo).append('"');
                }
                response.append(",\"trustRoots\":[\"public-good\"],\"verified\":true}");
            }
            response.append("],\"outcome\":\"").append(outcome).append("\",\"policies\":[");
            for (int p = 0; p < f.policies().size(); p++) {
                String policy = f.policies().get(p);
                response.append(p == 0 ? "{" : ",{").append("\"mode\":\"").append(policy.startsWith("slsa") ? "warn" : "enforce")
                        .append("\",\"name\":\"").append(policy).append("\",\"outcome\":\"")
                        .append(outcome.equals("deny") && policy.equals("prod-images") ? "deny" : "allow").append("\",\"rules\":[");
                for (int k = 0; k < 3; k++) {
                    boolean fail = outcome.equals("deny") && k == 0 && policy.equals("prod-images");
                    response.append(k == 0 ? "{" : ",{").append("\"effective\":true,\"evidence\":[0],");
                    if (fail) {
                        response.append("\"message\":\"no signature from the release workflow\",");
                    }
                    response.append("\"name\":\"rule-").append(k).append("\",\"outcome\":\"").append(fail ? "fail" : "pass").append('"');
                    if (fail) {
                        response.append(",\"reason\":\"no signature matched\"");
                    }
                    response.append('}');
                }
                response.append("],\"sha256\":\"").append(sha256(policy)).append("\",\"version\":").append(1 + (policy.length() % 5))
                        .append('}');
            }
            response.append("],\"reason\":\"").append(f.reason()).append("\",\"sequence\":").append(f.sequence())
                    .append(",\"warnings\":[]}");
            text.setLength(0);
            text.append("{\"allowed\":").append(allowed).append(",\"artifactDigest\":\"").append(digest).append("\",\"artifactName\":\"")
                    .append(f.name()).append("\",\"artifactTag\":");
            if (f.tag() == null) {
                text.append("null");
            } else {
                text.append('"').append(f.tag()).append('"');
            }
            text.append(",\"decidedAt\":\"").append(f.decidedAt()).append("\",\"decisionId\":\"").append(f.id()).append("\",\"dryRun\":")
                    .append(f.dryRun()).append(",\"impact\":").append(impact).append(",\"outcome\":\"").append(outcome)
                    .append("\",\"policyNames\":[");
            for (int p = 0; p < f.policies().size(); p++) {
                text.append(p == 0 ? "\"" : ",\"").append(f.policies().get(p)).append('"');
            }
            text.append("],\"previousHash\":\"").append(f.previous()).append("\",\"request\":").append(request).append(",\"requester\":\"")
                    .append(requester(f)).append("\",\"response\":").append(response).append(",\"sequence\":").append(f.sequence())
                    .append(",\"source\":\"").append(f.admission() ? "admission" : "api").append("\"}");
        }

        private static String requester(Facts f) {
            return f.admission() ? "admission" : "ci-deployer-" + (f.image() % 30);
        }

        /**
         * The record's decision_facet rows, as the decision_facets trigger (V31) derives them from the
         * stored columns: ('policy', name) per policy name, (key, value) per string-valued subject, issuer,
         * key, builderId or sourceRepository member of each impact object; each distinct (field,
         * md5(value)) once. {@code check} compares them with the trigger's statement over every record.
         */
        private void facets(Facts f) {
            facetSeen.clear();
            for (String p : f.policies()) {
                facet("policy", p);
            }
            if (f.items() > 0) {
                if (f.keyed()) {
                    facet("key", f.key());
                } else {
                    facet("issuer", ISSUER);
                    facet("subject", f.subject());
                }
                facet("builderId", f.builder());
                facet("issuer", ISSUER);
                facet("sourceRepository", f.repo());
                facet("subject", f.subject());
            }
            for (int k = 0; k < facetSeen.size(); k += 2) {
                facetRows.row(3);
                facetRows.text(facetSeen.get(k));
                facetRows.field(16).put(md5.digest(facetSeen.get(k + 1).getBytes(StandardCharsets.UTF_8)));
                facetRows.field(8).putLong(f.sequence());
            }
        }

        private void facet(String field, String value) {
            for (int k = 0; k < facetSeen.size(); k += 2) {
                if (facetSeen.get(k).equals(field) && facetSeen.get(k + 1).equals(value)) {
                    return;
                }
            }
            facetSeen.add(field);
            facetSeen.add(value);
        }

        /** One decision row for {@code COPY … (FORMAT binary)}, in the column order of the COPY statement. */
        private void row(Facts f, String hash) {
            Bin b = decisions;
            b.row(17);
            b.field(8).putLong(f.sequence());
            b.field(16).putLong(f.id().getMostSignificantBits()).putLong(f.id().getLeastSignificantBits());
            Instant at = f.decidedAt();
            b.field(8).putLong(at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000 - PG_EPOCH_MICROS);
            b.text(requester(f));
            b.text(f.admission() ? "admission" : "api");
            b.field(1).put((byte) (f.dryRun() ? 1 : 0));
            b.text(digest(f));
            b.text(f.name());
            if (f.tag() == null) {
                b.putInt(-1);
            } else {
                b.text(f.tag());
            }
            b.field(1).put((byte) (f.allowed() ? 1 : 0));
            b.text(f.outcome());
            List<String> policies = f.policies();
            int length = policies.isEmpty() ? 12 : 20;
            for (String p : policies) {
                length += 4 + p.length();
            }
            b.field(length).putInt(policies.isEmpty() ? 0 : 1).putInt(0).putInt(TEXT_OID);
            if (!policies.isEmpty()) {
                b.putInt(policies.size()).putInt(1);
                for (String p : policies) {
                    b.text(p);
                }
            }
            b.jsonb(impact);
            b.jsonb(request);
            b.jsonb(response);
            b.text(f.previous());
            b.text(hash);
        }
    }

    /** A growable buffer of COPY's binary format (big-endian; text as UTF-8, jsonb as version 1 and its text). */
    private static final class Bin {
        private byte[] buf;
        private int len;

        Bin(int capacity) {
            buf = new byte[capacity];
        }

        void reset() {
            len = 0;
        }

        private void room(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        void header() {
            put("PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1)).putInt(0).putInt(0);
        }

        void trailer() {
            putShort(-1);
        }

        void row(int fields) {
            putShort(fields);
        }

        Bin field(int length) {
            return putInt(length);
        }

        Bin put(byte b) {
            room(1);
            buf[len++] = b;
            return this;
        }

        Bin put(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        Bin putShort(int v) {
            room(2);
            buf[len++] = (byte) (v >> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Bin putInt(int v) {
            room(4);
            buf[len++] = (byte) (v >> 24);
            buf[len++] = (byte) (v >> 16);
            buf[len++] = (byte) (v >> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Bin putLong(long v) {
            return putInt((int) (v >> 32)).putInt((int) v);
        }

        /** A text field, UTF-8. */
        void text(CharSequence s) {
            byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
            field(b.length);
            utf8(b);
        }

        void jsonb(CharSequence s) {
            byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
            field(b.length + 1).put((byte) 1);
            utf8(b);
        }

        private void utf8(byte[] b) {
            put(b);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    /** One record as the decision service writes it (shape of a real answer; see docs/audit.md, "What is recorded"), as a JSON tree. */
    private static ObjectNode reference(Facts f) {
        String subject = f.subject();
        String repo = f.repo();
        String builder = f.builder();
        String key = f.key();
        String outcome = f.outcome();
        boolean allowed = f.allowed();
        List<String> policies = f.policies();
        ObjectNode c = F.objectNode();
        c.put("allowed", allowed);
        c.put("artifactDigest", f.digest());
        c.put("artifactName", f.name());
        if (f.tag() == null) {
            c.putNull("artifactTag");
        } else {
            c.put("artifactTag", f.tag());
        }
        c.put("decidedAt", f.decidedAt().toString());
        c.put("decisionId", f.id().toString());
        c.put("dryRun", f.dryRun());
        ArrayNode impact = c.putArray("impact");
        if (f.items() > 0) {
            ObjectNode signer = impact.addObject();
            if (f.keyed()) {
                signer.put("key", key);
            } else {
                signer.put("issuer", ISSUER).put("subject", subject);
            }
            impact.addObject().put("builderId", builder).put("issuer", ISSUER).put("sourceRepository", repo).put("subject", subject);
        }
        c.put("outcome", outcome);
        ArrayNode names = c.putArray("policyNames");
        policies.forEach(names::add);
        c.put("previousHash", f.previous());
        ObjectNode request = c.putObject("request");
        request.putObject("context").put("cluster", "eu-" + (f.image() % 4)).put("namespace", "team-" + (f.image() % 60));
        ArrayNode evidence = request.putArray("evidence");
        for (int e = 0; e < impact.size(); e++) {
            evidence.addObject().put("bundleSha256", sha256("bundle-" + f.build() + "-" + e))
                    .put("payloadSha256", sha256("payload-" + f.build() + "-" + e)).put("verified", true);
        }
        ArrayNode named = request.putArray("policies");
        policies.forEach(named::add);
        c.put("requester", f.admission() ? "admission" : "ci-deployer-" + (f.image() % 30));
        ObjectNode response = c.putObject("response");
        response.put("allowed", allowed);
        response.put("decisionId", f.id().toString());
        response.put("outcome", outcome);
        response.put("reason", f.reason());
        ArrayNode considered = response.putArray("policies");
        for (String policy : policies) {
            ObjectNode p = considered.addObject().put("mode", policy.startsWith("slsa") ? "warn" : "enforce").put("name", policy)
                    .put("outcome", outcome.equals("deny") && policy.equals("prod-images") ? "deny" : "allow")
                    .put("sha256", sha256(policy)).put("version", 1 + (policy.length() % 5));
            ArrayNode rules = p.putArray("rules");
            for (int k = 0; k < 3; k++) {
                boolean fail = outcome.equals("deny") && k == 0 && policy.equals("prod-images");
                ObjectNode rule = rules.addObject().put("effective", true).put("name", "rule-" + k).put("outcome", fail ? "fail" : "pass");
                rule.putArray("evidence").add(0);
                if (fail) {
                    rule.put("message", "no signature from the release workflow").put("reason", "no signature matched");
                }
            }
        }
        ArrayNode items = response.putArray("evidence");
        for (int e = 0; e < impact.size(); e++) {
            ObjectNode item = items.addObject().put("kind", e == 0 ? "signature" : "attestation").put("verified", true);
            ObjectNode identity = item.putObject("identity");
            if (f.keyed() && e == 0) {
                identity.put("key", key);
            } else {
                identity.put("issuer", ISSUER).put("subject", subject);
            }
            item.putArray("trustRoots").add("public-good");
            if (e == 1) {
                item.put("builderId", builder).put("predicateType", "https://slsa.dev/provenance/v1").put("sourceRepository", repo);
            }
        }
        response.put("sequence", f.sequence());
        response.putArray("warnings");
        c.put("sequence", f.sequence());
        c.put("source", f.admission() ? "admission" : "api");
        return c;
    }

    /** A value in [0, n), the small ones far more often (a few busy images, a long tail). */
    private static int skewed(SplittableRandom r, int n) {
        double u = r.nextDouble();
        return (int) Math.min(n - 1, Math.floor(n * u * u * u));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, String> POLICY_HASHES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String sha256(String s) {
        if (s.length() < 40) {
            return POLICY_HASHES.computeIfAbsent(s, ScaleGenerator::sha256Uncached);
        }
        return sha256Uncached(s);
    }

    private static String sha256Uncached(String s) {
        return HexFormat.of().formatHex(sha().digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
