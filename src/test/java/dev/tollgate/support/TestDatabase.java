package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL for the whole test JVM (zonky's binaries, a fresh data directory), reached
 * through a {@link TcpProxy} so that tests can take the database away and give it back.
 */
public final class TestDatabase {

    private static TestDatabase instance;

    private final EmbeddedPostgres postgres;
    private final TcpProxy proxy;

    private TestDatabase() throws IOException, SQLException {
        Path dir = Files.createTempDirectory("tollgate-test-pg");
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                // durable, as in production ("durable means durable"): zonky's defaults turn these off
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_connections", "200")
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE tollgate");
        }
        proxy = new TcpProxy(postgres.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.close();
                postgres.close();
            } catch (IOException ignored) {
                // the JVM is going away
            }
        }));
    }

    public static synchronized TestDatabase get() {
        if (instance == null) {
            try {
                instance = new TestDatabase();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    /** The JDBC URL through the proxy, as the application uses it. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/tollgate";
    }

    /** A URL straight to the server, for a test acting as superuser behind the application's back. */
    public String directJdbcUrl() {
        return postgres.getJdbcUrl("postgres", "tollgate");
    }

    /**
     * Runs statements on the decision table as its owner would, past the append-only trigger (an
     * insider's edit, for tamper tests); the trigger is in force again afterwards.
     */
    public void editDecisionsAsInsider(String... sql) throws SQLException {
        try (Connection superuser = java.sql.DriverManager.getConnection(directJdbcUrl()); Statement s = superuser.createStatement()) {
            s.execute("ALTER TABLE decision DISABLE TRIGGER decision_append_only");
            try {
                for (String each : sql) {
                    s.execute(each);
                }
            } finally {
                s.execute("ALTER TABLE decision ENABLE TRIGGER decision_append_only");
            }
        }
    }

    public TcpProxy proxy() {
        return proxy;
    }

    /**
     * Terminates every session of the application's database but the caller's
     * ({@code pg_terminate_backend}), as a database restart or fail-over does to a pool: the
     * pooled connections look alive until they are used. Answers how many were terminated.
     */
    public int terminateApplicationConnections() {
        try (Connection c = java.sql.DriverManager.getConnection(directJdbcUrl()); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = 'tollgate' AND pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
