package dev.tollgate.audit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The floor under a recorded decision (bench/decision-load.sh): a bare {@code INSERT} of one row of
 * about a decision's size, then {@code COMMIT}, in a closed loop on N connections of plain JDBC, for
 * S seconds, against the same PostgreSQL and settings the server used. Prints commits/s and the
 * commit latency's p50 and p99. Not a test.
 *
 * <p>Arguments: JDBC URL, user, password, connections, seconds, row bytes (default 2,800).
 */
public final class InsertCommitFloor {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        int connections = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int rowBytes = args.length > 5 ? Integer.parseInt(args[5]) : 2_800;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS bench_insert_floor (id bigserial PRIMARY KEY, payload text NOT NULL)");
            c.createStatement().execute("TRUNCATE bench_insert_floor");
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        int[] counts = new int[connections];
        for (int t = 0; t < connections; t++) {
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            int index = t;
            Connection c = DriverManager.getConnection(url, user, password);
            c.setAutoCommit(false);
            PreparedStatement insert = c.prepareStatement("INSERT INTO bench_insert_floor (payload) VALUES (?)");
            Thread thread = new Thread(() -> {
                SecureRandom random = new SecureRandom();
                byte[] bytes = new byte[rowBytes / 2];
                try (c; insert) {
                    while (running.get() && counts[index] < mine.length) {
                        random.nextBytes(bytes);
                        long start = System.nanoTime();
                        insert.setString(1, HexFormat.of().formatHex(bytes));
                        insert.executeUpdate();
                        c.commit();
                        mine[counts[index]++] = System.nanoTime() - start;
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "floor-" + t);
            threads.add(thread);
        }
        long begin = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - begin) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < connections; t++) {
            System.arraycopy(latencies.get(t), 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        System.out.printf("floor: INSERT + COMMIT of %d-byte rows over plain JDBC, %d connections: %.0f commits/s, p50 %.2f ms, p99 %.2f ms"
                + " (%d commits)%n", rowBytes, connections, total / elapsed, all[total / 2] / 1e6,
                all[Math.max(0, (int) Math.ceil(total * 0.99) - 1)] / 1e6, total);
    }

    private InsertCommitFloor() {
    }
}
