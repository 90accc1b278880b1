package dev.tollgate.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.slf4j.LoggerFactory;

/**
 * Where the pool gets its physical connections: the driver, tried again every
 * {@value #POLL_MILLIS} ms while the database cannot be reached, until it can (or the pool is
 * closed). HikariCP's creator would otherwise wait 10, 20, 40 … up to 5000 ms between attempts,
 * and after an outage of more than a few seconds the first connection came only 4–5 s after the
 * database was back. An attempt that is refused for another reason (a wrong password) fails at
 * once. Until the pool has had its first connection, the wait is bounded by {@code patienceAtStart}
 * so that a start-up without a database still fails.
 */
final class PatientConnections implements DataSource {

    static final long POLL_MILLIS = 200;
    private static final long PATIENCE_AT_START_MILLIS = 10_000;
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(PatientConnections.class);

    private final DataSource driver;
    private final BooleanSupplier closed;
    private volatile boolean everConnected;
    private volatile boolean failing;

    PatientConnections(DataSource driver, BooleanSupplier closed) {
        this.driver = driver;
        this.closed = closed;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(null, null);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        long start = System.nanoTime();
        while (true) {
            try {
                Connection connection = username == null ? driver.getConnection() : driver.getConnection(username, password);
                everConnected = true;
                if (failing) {
                    failing = false;
                    log.info("the database can be reached again");
                }
                return connection;
            } catch (SQLException e) {
                boolean unreachable = ConnectionFailures.isUnreachable(e);
                boolean patient = everConnected || System.nanoTime() - start < PATIENCE_AT_START_MILLIS * 1_000_000;
                if (!unreachable || !patient || closed.getAsBoolean()) {
                    throw e;
                }
                if (!failing) {
                    failing = true;
                    log.warn("the database cannot be reached ({}); trying every {} ms", e.getMessage(), POLL_MILLIS);
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return driver.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        driver.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        driver.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return driver.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return driver.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || driver.isWrapperFor(type);
    }
}
