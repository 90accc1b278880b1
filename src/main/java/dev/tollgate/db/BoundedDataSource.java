package dev.tollgate.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import com.zaxxer.hikari.util.DriverDataSource;
import org.springframework.beans.factory.InitializingBean;

/**
 * The connection pool (HikariCP) with two additions, for "nothing hangs":
 * <ul>
 * <li>a connection borrowed while a {@link Deadline} is in force (a request, an audit batch)
 * waits for the pool at most until the deadline, and every read on it times out at the deadline
 * ({@code setNetworkTimeout}), so a database that stopped answering cannot hold a request past
 * its budget;</li>
 * <li>the pool opens its connections through {@link PatientConnections}, which keeps trying
 * every 200 ms while the database is unreachable, instead of HikariCP's own back-off that grows
 * to 5 s between attempts and so delays the recovery after an outage by up to 5 s.</li>
 * </ul>
 * The pool's time-outs are derived from the one budget ({@link DatabaseBudget}); the rest of
 * {@code spring.datasource.hikari.*} applies as usual.
 */
class BoundedDataSource extends HikariDataSource implements InitializingBean {

    private static final Runnable[] NONE = {};

    private DatabaseBudget budget;

    void budget(DatabaseBudget budget) {
        this.budget = budget;
    }

    @Override
    public void afterPropertiesSet() {
        if (budget == null) {
            throw new IllegalStateException("the database budget is not set");
        }
        setConnectionTimeout(budget.connectionTimeout().toMillis());
        setValidationTimeout(budget.validationTimeout().toMillis());
        Properties driver = getDataSourceProperties();
        driver.setProperty("connectTimeout", String.valueOf(budget.connectTimeoutSeconds()));
        if (getDataSource() == null && getJdbcUrl() != null) {
            setDataSource(new PatientConnections(new DriverDataSource(getJdbcUrl(), getDriverClassName(), driver,
                    getUsername(), getPassword()), this::isClosed));
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Deadline deadline = Deadline.current();
        if (deadline == null || !(getHikariPoolMXBean() instanceof HikariPool pool)) {
            return super.getConnection(); // no deadline, or the pool is not started yet
        }
        long left = deadline.remainingMillis();
        if (left <= 0 || isClosed()) {
            throw new SQLTransientConnectionException(isClosed() ? "the pool is closed"
                    : "the time for this work's database access has run out", "08001");
        }
        Connection connection = pool.getConnection(Math.min(getConnectionTimeout(), left));
        try {
            connection.setNetworkTimeout(Runnable::run, (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline.remainingMillis())));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }
}
