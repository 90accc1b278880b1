package dev.tollgate.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Quick start: with no {@code spring.datasource.url} configured, Tollgate runs a real PostgreSQL
 * (zonky's embedded binaries) whose data lives in {@code tollgate.embedded-db.dir}. As root it
 * runs under {@code unshare -U}, which zonky does by itself when user namespaces are available.
 * The image leaves zonky out (src/main/layers.xml): there this class is never loaded, and a missing
 * URL fails the start with Spring Boot's "'url' attribute is not specified".
 * <p>
 * <p>
 * It is run as a database, not as a test fixture: {@code fsync}, {@code synchronous_commit} and
 * {@code full_page_writes} are on (zonky turns the first two off), and every connection, local
 * or over TCP, needs the password (SCRAM): a secret generated on the first start and kept in
 * {@code <dir>/db-password} (mode 600). A data directory from a version without it is converted
 * on its next start.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres")
@Conditional(EmbeddedDatabaseConfiguration.NoDatasourceUrl.class)
@EnableConfigurationProperties(EmbeddedDatabaseProperties.class)
class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);
    static final String DATABASE = "tollgate";
    static final String SUPERUSER = "postgres";
    static final String SECRET_FILE = "db-password";
    static final String HBA = """
            # Written by Tollgate: every connection needs the password (kept in %s next to pgdata).
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 scram-sha-256
            host    all       all   127.0.0.1/32  scram-sha-256
            host    all       all   ::1/128       scram-sha-256
            """.formatted(SECRET_FILE);

    /** The running server and the secret its connections use. */
    record Embedded(EmbeddedPostgres postgres, String secret) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            postgres.close();
        }
    }

    @Bean(destroyMethod = "close")
    Embedded embeddedPostgres(EmbeddedDatabaseProperties properties) throws IOException {
        Path dir = properties.dir().toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Path pgdata = dir.resolve("pgdata");
        Path secretFile = dir.resolve(SECRET_FILE);
        String secret = Files.exists(secretFile) ? Files.readString(secretFile, StandardCharsets.UTF_8).strip() : null;
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(pgdata)
                .setCleanDataDirectory(false)
                .setPort(properties.port())
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1");
        durable(builder);
        if (secret != null) {
            builder.setConnectConfig("password", secret); // zonky's own readiness check connects too
        }
        EmbeddedPostgres postgres = builder.start();
        try {
            if (secret == null) {
                secret = secure(postgres, pgdata, secretFile);
            } else {
                requirePasswords(postgres, pgdata, secret);
            }
            createDatabaseIfMissing(postgres, secret);
        } catch (IOException | RuntimeException e) {
            postgres.close();
            throw e;
        }
        log.info("Database: embedded PostgreSQL on 127.0.0.1:{}, data in {}", postgres.getPort(), dir);
        return new Embedded(postgres, secret);
    }

    /** Durable settings, whatever zonky's test-oriented defaults are ({@code -F}, {@code synchronous_commit=off}). */
    static EmbeddedPostgres.Builder durable(EmbeddedPostgres.Builder builder) {
        return builder.setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on");
    }

    /** Takes the same {@code spring.datasource.hikari.*} settings as an external database. */
    @Bean(destroyMethod = "close")
    @ConfigurationProperties("spring.datasource.hikari")
    BoundedDataSource dataSource(Embedded embedded, DatabaseBudget budget) {
        BoundedDataSource dataSource = DataSourceBuilder.create()
                .type(BoundedDataSource.class)
                .driverClassName("org.postgresql.Driver")
                .url(embedded.postgres().getJdbcUrl(SUPERUSER, DATABASE))
                .username(SUPERUSER)
                .password(embedded.secret())
                .build();
        dataSource.setPoolName("tollgate-embedded");
        dataSource.budget(budget);
        return dataSource;
    }

    /**
     * First start (or a data directory from before passwords): set a generated password, keep it,
     * then require it. In that order, so that an interruption at any step leaves a directory the
     * next start can use (still trusting, or requiring the kept password).
     */
    private static String secure(EmbeddedPostgres postgres, Path pgdata, Path secretFile) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + secret + "'"); // base64url: nothing to escape
        } catch (SQLException e) {
            throw new IOException("cannot set the embedded database's password: " + e.getMessage(), e);
        }
        Path temporary = secretFile.resolveSibling(SECRET_FILE + ".new");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, secret + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, secretFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        requirePasswords(postgres, pgdata, secret);
        log.info("The embedded database now requires a password for every connection (kept in {})", secretFile);
        return secret;
    }

    /** Makes pg_hba.conf require the password (SCRAM) for local and TCP connections, if it does not yet. */
    private static void requirePasswords(EmbeddedPostgres postgres, Path pgdata, String secret) throws IOException {
        Path hba = pgdata.resolve("pg_hba.conf");
        if (Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).equals(HBA)) {
            return;
        }
        Path temporary = pgdata.resolve("pg_hba.conf.new");
        Files.writeString(temporary, HBA, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        Files.move(temporary, hba, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = admin(postgres, secret).getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_reload_conf()")) {
            rs.next();
        } catch (SQLException e) {
            throw new IOException("cannot reload the embedded database's configuration: " + e.getMessage(), e);
        }
    }

    private static DataSource admin(EmbeddedPostgres postgres, String secret) {
        return postgres.getDatabase(SUPERUSER, "postgres", Map.of("password", secret));
    }

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres, String secret) throws IOException {
        try (Connection connection = admin(postgres, secret).getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IOException("cannot create the embedded database: " + e.getMessage(), e);
        }
    }

    static final class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }
}
