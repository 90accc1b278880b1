package dev.tollgate.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import dev.tollgate.db.DatabaseRetry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's full chain verification ({@code GET /v1/audit/verify?full=true}, {@link DecisionHistory#verify})
 * over an existing log (bench/audit-verify.sh, after ScaleGenerator), next to its floor in the same
 * run: the same rows read with plain JDBC (every column's bytes, one SHA-256 per row) on one
 * connection and on as many connections as the verification uses, over the same ranges. The
 * verification with one connection (the single cursor) and with {@code connections}; each with the
 * leaves and a node hash per leaf, as the full check's tree costs. Prints records/s; not a test.
 * <pre>
 *   ChainVerifyBenchmark jdbc:postgresql://127.0.0.1:5432/tollgate user password [runs] [connections] [limit]
 * </pre>
 * {@code limit}: verify the first {@code limit} records only (the floor reads the same rows).
 */
public final class ChainVerifyBenchmark {

    private ChainVerifyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int connections = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        long limit = args.length > 5 ? Long.parseLong(args[5]) : Long.MAX_VALUE;
        DataSource dataSource = new DriverManagerDataSource(url, user, password);
        var retryConstructor = DatabaseRetry.class.getDeclaredConstructor(DataSource.class);
        retryConstructor.setAccessible(true);
        DatabaseRetry retry = retryConstructor.newInstance(dataSource);
        long max;
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(sequence), 0) FROM decision")) {
            rs.next();
            max = Math.min(limit, rs.getLong(1));
        }
        System.out.printf("records: %,d; connections: %d; processors: %d%n", max, connections, Runtime.getRuntime().availableProcessors());
        for (int run = 1; run <= runs; run++) {
            for (int k : new int[] {1, connections}) {
                long start = System.nanoTime();
                long rows = floor(url, user, password, max, k);
                double floor = (System.nanoTime() - start) / 1e9;
                System.out.printf("run %d floor, %d connection(s) (plain JDBC, every column's bytes, one SHA-256 per row): %,d rows"
                        + " in %.2f s, %,.0f rows/s%n", run, k, rows, floor, rows / floor);
            }
            for (int k : new int[] {1, connections}) {
                DecisionHistory history = new DecisionHistory(new JdbcTemplate(dataSource),
                        new TransactionTemplate(new DataSourceTransactionManager(dataSource)), JsonMapper.builder().build(),
                        retry, "bench.invalid/decisions", k);
                long start = System.nanoTime();
                java.security.MessageDigest node = java.security.MessageDigest.getInstance("SHA-256");
                DecisionHistory.Verification v = history.verify(0, "0".repeat(64), () -> (sequence, leaf, hash) -> {
                    node.update((byte) 1);
                    node.update(leaf);
                    node.update(leaf);
                    node.digest();
                    return sequence < max;
                });
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("run %d verification, %d connection(s) (every chain hash, leaf, a node hash per leaf): valid %s,"
                        + " %,d records in %.2f s, %,.0f records/s%n", run, k, v.valid(), v.decisions(), seconds, v.decisions() / seconds);
            }
        }
    }

    /** Rows 1..max read over {@code k} connections, ranges of the verification's size taken in turn. */
    private static long floor(String url, String user, String password, long max, int k) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(k);
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
        try {
            java.util.List<Future<Long>> parts = new java.util.ArrayList<>();
            for (int i = 0; i < k; i++) {
                parts.add(pool.submit(() -> {
                    long rows = 0;
                    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                    try (Connection c = DriverManager.getConnection(url, user, password)) {
                        c.setAutoCommit(false);
                        c.setReadOnly(true);
                        try (PreparedStatement s = c.prepareStatement("SELECT * FROM decision WHERE sequence > ? AND sequence <= ?"
                                + " ORDER BY sequence")) {
                            s.setFetchSize(1024);
                            while (true) {
                                long from = next.getAndAdd(ChainRanges.RANGE);
                                if (from >= max) {
                                    break;
                                }
                                s.setLong(1, from);
                                s.setLong(2, Math.min(max, from + ChainRanges.RANGE));
                                try (ResultSet rs = s.executeQuery()) {
                                    int columns = rs.getMetaData().getColumnCount();
                                    while (rs.next()) {
                                        for (int i1 = 1; i1 <= columns; i1++) {
                                            byte[] b = rs.getBytes(i1);
                                            if (b != null) {
                                                sha.update(b);
                                            }
                                        }
                                        sha.digest();
                                        rows++;
                                    }
                                }
                            }
                        }
                        c.commit();
                    }
                    return rows;
                }));
            }
            long rows = 0;
            for (Future<Long> f : parts) {
                rows += f.get();
            }
            return rows;
        } finally {
            pool.shutdown();
        }
    }
}
