package dev.tollgate.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import jakarta.annotation.PreDestroy;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tells every replica at once that configuration held in the database changed, with PostgreSQL's
 * {@code LISTEN}/{@code NOTIFY} on the channel {@value #CHANNEL}.
 * <ul>
 * <li>{@link #announce} sends {@code NOTIFY} in the caller's transaction: PostgreSQL delivers it
 * when, and only if, that transaction commits (the administrative log calls it for every change it
 * records, so a policy, trust or token change and its notification commit together).</li>
 * <li>One dedicated connection per replica (opened by the driver, outside the pool) listens; each
 * notification becomes a {@link ConfigurationChanged} event, on which the caches drop what they
 * hold. Whenever that connection is (re)opened, a {@code ConfigurationChanged("*")} follows, since
 * notifications sent while it was away are lost.</li>
 * <li>The connection is checked every {@value #CHECK_MILLIS} ms; a lost one is opened again. While
 * it is away the caches still expire on their own (their poll intervals), the bound that then
 * applies.</li>
 * </ul>
 */
@Component
public class ChangeNotifications {

    public static final String CHANNEL = "tollgate_config";
    /** The listening session's {@code application_name} (in {@code pg_stat_activity}). */
    public static final String APPLICATION_NAME = "tollgate-config-listener";
    private static final Logger log = LoggerFactory.getLogger(ChangeNotifications.class);
    private static final int WAIT_MILLIS = 500;
    private static final long CHECK_MILLIS = 5_000;
    private static final long RETRY_MILLIS = 1_000;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;
    private volatile boolean running = true;
    private volatile boolean listening;
    private volatile Thread listener;

    ChangeNotifications(DataSource dataSource, JdbcClient jdbc, ApplicationEventPublisher events) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.events = events;
    }

    /** Announces a change of {@code topic} to every replica once the caller's transaction commits. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void announce(String topic) {
        jdbc.sql("SELECT pg_notify(?, ?)").params(CHANNEL, topic).query((rs, i) -> 1).list();
    }

    /** Whether the listening connection is open now (else changes arrive within the poll intervals). */
    public boolean listening() {
        return listening;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        Thread thread = new Thread(this::run, "config-listener");
        thread.setDaemon(true);
        listener = thread;
        thread.start();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        Thread current = listener;
        if (current != null) {
            current.interrupt();
            current.join(5_000);
        }
    }

    private void run() {
        boolean warned = false;
        while (running) {
            try (Connection connection = open()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET application_name = '" + APPLICATION_NAME + "'; LISTEN " + CHANNEL);
                }
                listening = true;
                if (warned) {
                    log.info("listening for configuration changes again");
                    warned = false;
                }
                publish(ConfigurationChanged.ANY); // whatever was sent while nobody listened
                listen(connection.unwrap(PGConnection.class), connection);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                if (!warned) {
                    log.warn("not listening for configuration changes ({}); caches expire on their own meanwhile; trying again",
                            e.getMessage());
                    warned = true;
                }
            } finally {
                listening = false;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void listen(PGConnection notifications, Connection connection) throws SQLException {
        long nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
        while (running) {
            PGNotification[] received = notifications.getNotifications(WAIT_MILLIS);
            if (received != null) {
                for (PGNotification n : received) {
                    publish(n.getParameter());
                }
            }
            if (System.nanoTime() - nextCheck > 0) {
                // a connection whose peer vanished without a word never delivers anything: ask it
                if (!connection.isValid(2)) {
                    throw new SQLException("the listening connection is lost", "08006");
                }
                nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    private void publish(String topic) {
        try {
            events.publishEvent(new ConfigurationChanged(topic));
        } catch (RuntimeException e) {
            log.warn("a listener of configuration changes ({}) failed: {}", topic, e.toString());
        }
    }

    /** A connection of its own, from the driver (not the pool: it is held for as long as the replica runs). */
    private Connection open() throws SQLException {
        DataSource raw = dataSource instanceof HikariDataSource hikari && hikari.getDataSource() != null
                ? hikari.getDataSource() : dataSource;
        Connection connection = raw.getConnection();
        connection.setAutoCommit(true);
        return connection;
    }
}
