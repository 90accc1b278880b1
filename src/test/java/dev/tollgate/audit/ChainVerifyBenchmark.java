package dev.tollgate.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import dev.tollgate.db.DatabaseRetry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server's full chain verification ({@code GET /v1/audit/verify}, {@link DecisionHistory#verify})
 * over an existing log (bench/audit-verify.sh, after ScaleGenerator), next to its floor in the same
 * run: the same rows read with plain JDBC (every column's bytes, the same fetch size) and one SHA-256
 * over them. Prints records/s; not a test.
 * <pre>
 *   ChainVerifyBenchmark jdbc:postgresql://127.0.0.1:5432/tollgate user password [runs]
 * </pre>
 */
public final class ChainVerifyBenchmark {

    private ChainVerifyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        DataSource dataSource = new DriverManagerDataSource(url, user, password);
        var retryConstructor = DatabaseRetry.class.getDeclaredConstructor(DataSource.class);
        retryConstructor.setAccessible(true);
        DecisionHistory history = new DecisionHistory(new JdbcTemplate(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), JsonMapper.builder().build(),
                retryConstructor.newInstance(dataSource), "bench.invalid/decisions");
        for (int run = 1; run <= runs; run++) {
            long start = System.nanoTime();
            long rows = 0;
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                c.setAutoCommit(false);
                c.setReadOnly(true);
                try (Statement s = c.createStatement()) {
                    s.setFetchSize(500);
                    try (ResultSet rs = s.executeQuery("SELECT * FROM decision ORDER BY sequence")) {
                        int columns = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            for (int i = 1; i <= columns; i++) {
                                byte[] b = rs.getBytes(i);
                                if (b != null) {
                                    sha.update(b);
                                }
                            }
                            sha.digest();
                            rows++;
                        }
                    }
                }
                c.commit();
            }
            double floor = (System.nanoTime() - start) / 1e9;
            System.out.printf("run %d floor (plain JDBC, every column's bytes, one SHA-256 per row): %,d rows in %.2f s, %,.0f rows/s%n",
                    run, rows, floor, rows / floor);
            start = System.nanoTime();
            DecisionHistory.Verification v = history.verify();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("run %d the chain alone (DecisionHistory.verify()): valid %s, %,d records in %.2f s, %,.0f records/s%n",
                    run, v.valid(), v.decisions(), seconds, v.decisions() / seconds);
            // what a full GET /v1/audit/verify adds: each record's leaf, and about one node hash per leaf for the tree
            start = System.nanoTime();
            java.security.MessageDigest node = java.security.MessageDigest.getInstance("SHA-256");
            v = history.verify(0, "0".repeat(64), () -> (sequence, leaf, hash) -> {
                node.update((byte) 1);
                node.update(leaf);
                node.update(leaf);
                node.digest();
                return true;
            });
            seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("run %d with leaves and tree hashing (GET /v1/audit/verify?full=true's walk): valid %s, %,d records"
                    + " in %.2f s, %,.0f records/s%n", run, v.valid(), v.decisions(), seconds, v.decisions() / seconds);
        }
    }
}
