package dev.tollgate.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;

import dev.tollgate.TollgateApplication;
import dev.tollgate.support.Api;
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
