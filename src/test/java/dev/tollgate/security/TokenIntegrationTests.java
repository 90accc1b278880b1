package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import dev.tollgate.digest.Digest;

class TokenIntegrationTests extends IntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void issuedSecretIsShownOnceAndStoredOnlyAsItsHash() {
        Api.Response created = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "ci-deployer", "roles", List.of("decider", "auditor")));
        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        String secret = body.get("token").asString();
        assertThat(secret).startsWith("tg_").hasSizeGreaterThan(40);
        assertThat(body.get("name").asString()).isEqualTo("ci-deployer");
        assertThat(body.get("roles").valueStream().map(JsonNode::asString)).containsExactlyInAnyOrder("decider", "auditor");

        Api.Response listed = api.get("/v1/tokens", BOOTSTRAP_TOKEN);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body()).contains("ci-deployer").doesNotContain(secret).doesNotContain(Digest.sha256(secret).hex());

        // every column of every row, as text: no secret anywhere, only its hash
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM api_token");
        for (Map<String, Object> row : rows) {
            for (Object value : row.values()) {
                assertThat(String.valueOf(value)).doesNotContain(secret).doesNotContain(BOOTSTRAP_TOKEN);
            }
        }
        String stored = jdbc.queryForObject("SELECT secret_sha256 FROM api_token WHERE name = 'ci-deployer'", String.class);
        assertThat(stored).isEqualTo(Digest.sha256(secret).hex());

        // the secret works, for its roles only
        assertThat(api.get("/v1/tokens", secret).status()).isEqualTo(403);
    }

    @Test
    void revokedTokenNoLongerAuthenticates() {
        String secret = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "short-lived", "roles", List.of("admin")))
                .json().get("token").asString();
        assertThat(api.get("/v1/tokens", secret).status()).isEqualTo(200);

        assertThat(api.delete("/v1/tokens/short-lived", BOOTSTRAP_TOKEN).status()).isEqualTo(204);
        assertThat(api.get("/v1/tokens", secret).status()).isEqualTo(401);
        assertThat(api.delete("/v1/tokens/short-lived", BOOTSTRAP_TOKEN).status()).isEqualTo(404);
    }

    @Test
    void unknownRoleNameInUseAndBadNamesAreUnprocessable() {
        assertThat(api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "x1", "roles", List.of("root"))).status()).isEqualTo(422);
        assertThat(api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "x2", "roles", List.of())).status()).isEqualTo(422);
        assertThat(api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "Bad Name", "roles", List.of("admin"))).status()).isEqualTo(422);
        assertThat(api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("roles", List.of("admin"))).status()).isEqualTo(422);
        assertThat(api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "bootstrap", "roles", List.of("admin"))).status()).isEqualTo(422);
        Api.Response unknown = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "x3", "roles", List.of("decider", "superuser")));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("detail").asString()).contains("superuser");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_token WHERE name IN ('x1','x2','x3')", Integer.class)).isZero();
    }

    @Test
    void bootstrapTokenFromTheEnvironmentIsAnAdmin() {
        JsonNode tokens = api.get("/v1/tokens", BOOTSTRAP_TOKEN).json().get("items");
        JsonNode bootstrap = tokens.valueStream().filter(t -> t.get("name").asString().equals("bootstrap")).findFirst().orElseThrow();
        assertThat(bootstrap.get("roles").valueStream().map(JsonNode::asString)).containsExactly("admin");
    }

    @Test
    void malformedAuthorizationHeadersAreUnauthorized() {
        for (String header : new String[] {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "bearer x", BOOTSTRAP_TOKEN}) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/v1/tokens"))
                    .header("Authorization", header).GET().build();
            try {
                var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(header).isEqualTo(401);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
