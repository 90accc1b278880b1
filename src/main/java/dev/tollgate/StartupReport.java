package dev.tollgate;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Says, once the server is ready, where it listens and which database it uses. */
@Component
class StartupReport {

    private static final Logger log = LoggerFactory.getLogger(StartupReport.class);

    private final DataSource dataSource;

    StartupReport(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        String database;
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            database = meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " at " + meta.getURL();
        } catch (SQLException e) {
            database = "unreachable (" + e.getMessage() + ")";
        }
        int port = event.getApplicationContext() instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort() : -1;
        log.info("Tollgate is ready on http://localhost:{} (health: /actuator/health); database: {}", port, database);
    }
}
