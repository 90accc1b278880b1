package dev.tollgate.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import dev.tollgate.TollgateApplication;
import dev.tollgate.support.Api;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.ObjectMapper;

/**
 * The quick start: no datasource configured, so the server runs its own PostgreSQL in a
 * directory, writes a first admin token to a private file, and keeps everything across a restart.
 */
class EmbeddedDatabaseIntegrationTests {

    @TempDir
    Path dir;

    @Test
    void withoutADatasourceTheEmbeddedDatabaseServesAndSurvivesARestart() throws Exception {
        Path data = dir.resolve("data");
        Path tokenFile = data.resolve("admin-token");
        String secret;
        try (ConfigurableApplicationContext first = start(data, tokenFile)) {
            Api api = api(first);
            assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(200);
            assertThat(Files.getPosixFilePermissions(tokenFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            secret = Files.readString(tokenFile).strip();
            assertThat(api.postJson("/v1/tokens", secret, Api.map("name", "kept", "roles", List.of("auditor"))).status())
                    .isEqualTo(201);
        }
        assertThat(data.resolve("pgdata").resolve("PG_VERSION")).exists();

        try (ConfigurableApplicationContext second = start(data, tokenFile)) {
            Api api = api(second);
            Api.Response tokens = api.get("/v1/tokens", secret);
            assertThat(tokens.status()).isEqualTo(200);
            assertThat(tokens.body()).contains("\"kept\"");
        }
    }

    @Test
    void theEmbeddedDatabaseIsDurableAndRefusesConnectionsWithoutItsPassword() throws Exception {
        Path data = dir.resolve("secured");
        int port;
        String secret;
        try (ConfigurableApplicationContext app = start(data, data.resolve("admin-token"))) {
            assertThat(api(app).get("/actuator/health/readiness", null).status()).isEqualTo(200);
            Path secretFile = data.resolve("db-password");
            assertThat(Files.getPosixFilePermissions(secretFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            secret = Files.readString(secretFile).strip();
            assertThat(secret).hasSizeGreaterThanOrEqualTo(40);
            port = app.getBean(EmbeddedDatabaseConfiguration.Embedded.class).postgres().getPort();

            assertRefusedWithoutPassword(port);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/tollgate", "postgres", secret);
                    Statement s = c.createStatement()) {
                for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                        rs.next();
                        assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                    }
                }
            }
        }
    }

    @Test
    void aDataDirectoryFromBeforePasswordsIsConvertedAndKeepsItsData() throws Exception {
        Path data = dir.resolve("old");
        // an earlier version's directory: zonky's initdb (trust for everyone), a database with a table in it
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(data.resolve("pgdata")).setCleanDataDirectory(false)
                .start(); Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE tollgate");
        }
        assertThat(data.resolve("db-password")).doesNotExist();
        Path tokenFile = data.resolve("admin-token");
        String adminToken;
        try (ConfigurableApplicationContext app = start(data, tokenFile)) {
            Api api = api(app);
            assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(200);
            adminToken = Files.readString(tokenFile).strip();
            assertThat(api.get("/v1/tokens", adminToken).status()).isEqualTo(200);
            assertRefusedWithoutPassword(app.getBean(EmbeddedDatabaseConfiguration.Embedded.class).postgres().getPort());
        }
        assertThat(data.resolve("db-password")).exists();
        try (ConfigurableApplicationContext again = start(data, tokenFile)) {
            assertThat(api(again).get("/v1/tokens", adminToken).status()).isEqualTo(200);
        }
    }

    private static void assertRefusedWithoutPassword(int port) {
        for (String url : new String[] {"jdbc:postgresql://127.0.0.1:" + port + "/tollgate?user=postgres",
            "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&password=wrong"}) {
            assertThatThrownBy(() -> DriverManager.getConnection(url).close()).as(url).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("28P01", "08004"));
        }
    }

    private static ConfigurableApplicationContext start(Path data, Path tokenFile) {
        return new SpringApplicationBuilder(TollgateApplication.class)
                .run("--server.port=0", "--spring.datasource.url=", "--TOLLGATE_BOOTSTRAP_TOKEN=",
                        "--tollgate.embedded-db.dir=" + data, "--tollgate.security.initial-token-file=" + tokenFile);
    }

    private static Api api(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return new Api(port, context.getBean(ObjectMapper.class));
    }
}
