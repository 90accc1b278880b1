package dev.tollgate.db;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded PostgreSQL that serves when no {@code spring.datasource.url} is configured.
 *
 * @param dir  where the cluster's data lives; it survives restarts
 * @param port TCP port on 127.0.0.1, 0 for any free port
 */
@ConfigurationProperties("tollgate.embedded-db")
record EmbeddedDatabaseProperties(@DefaultValue("./tollgate-data") Path dir, @DefaultValue("0") int port) {
}
