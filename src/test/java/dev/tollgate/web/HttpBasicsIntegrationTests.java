package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

class HttpBasicsIntegrationTests extends IntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void flywayMigratedTheRealDatabase() {
        Integer applied = jdbc.queryForObject(
                "SELECT count(*) FROM flyway_schema_history WHERE success AND version = '1'", Integer.class);
        assertThat(applied).isEqualTo(1);
        String version = jdbc.queryForObject("SHOW server_version", String.class);
        assertThat(version).isNotBlank();
    }

    @Test
    void healthAndProbesAreOpenAndUp() {
        for (String path : new String[] {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            Api.Response response = api.get(path, null);
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.json().get("status").asString()).as(path).isEqualTo("UP");
        }
    }

    @Test
    void prometheusIsOpenAndOtherActuatorEndpointsAreNotExposed() {
        Api.Response metrics = api.get("/actuator/prometheus", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        for (String path : new String[] {"/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/heapdump"}) {
            Api.Response response = api.get(path, BOOTSTRAP_TOKEN);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertProblem(response, "not-found");
        }
    }

    @Test
    void unknownPathNeedsATokenFirstThenIsNotFound() {
        Api.Response anonymous = api.get("/no/such/thing", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertProblem(anonymous, "unauthorized");
        Api.Response response = api.get("/no/such/thing", BOOTSTRAP_TOKEN);
        assertThat(response.status()).isEqualTo(404);
        assertProblem(response, "not-found");
    }

    @Test
    void unknownPathUnderV1NeedsATokenFirstThenIsNotFound() {
        Api.Response anonymous = api.get("/v1/no-such-thing", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertProblem(anonymous, "unauthorized");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

        Api.Response known = api.get("/v1/no-such-thing", BOOTSTRAP_TOKEN);
        assertThat(known.status()).isEqualTo(404);
        assertProblem(known, "not-found");
    }

    @Test
    void wrongMethodIsMethodNotAllowedProblem() {
        Api.Response response = api.send("PATCH", "/v1/tokens", BOOTSTRAP_TOKEN, "application/json", "{}".getBytes());
        assertThat(response.status()).isEqualTo(405);
        assertProblem(response, "method-not-allowed");
    }

    @Test
    void malformedJsonIsBadRequestProblemAndCreatesNothing() {
        int before = tokenCount();
        for (String body : new String[] {"{", "{\"name\": \"x\", \"roles\": [}", "nonsense", "[1,2", "{\"name\": \"a\", \"roles\": {\"x\": 1}}"}) {
            Api.Response response = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertProblem(response, "malformed-json");
        }
        assertThat(tokenCount()).isEqualTo(before);
    }

    @Test
    void declaredOversizedBodyIsPayloadTooLarge() {
        byte[] body = new byte[4 * 1024 * 1024 + 1];
        Arrays.fill(body, (byte) ' ');
        Api.Response response = api.send("POST", "/v1/tokens", BOOTSTRAP_TOKEN, "application/json", body);
        assertThat(response.status()).isEqualTo(413);
        assertProblem(response, "payload-too-large");
    }

    @Test
    void oversizedBodyIsRefusedEvenWithoutToken() {
        byte[] body = new byte[5 * 1024 * 1024];
        Api.Response response = api.send("POST", "/v1/tokens", null, "application/json", body);
        assertThat(response.status()).isEqualTo(413);
        assertProblem(response, "payload-too-large");
    }

    @Test
    void chunkedOversizedBodyIsPayloadTooLarge() throws Exception {
        // a body with no Content-Length: the limit is enforced while reading
        var http = java.net.http.HttpClient.newHttpClient();
        byte[] chunk = "                ".repeat(4096).getBytes(StandardCharsets.US_ASCII);
        var publisher = java.net.http.HttpRequest.BodyPublishers.fromPublisher(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.InputStream() {
                    long sent;
                    @Override
                    public int read() {
                        return sent++ < 5L * 1024 * 1024 ? ' ' : -1;
                    }
                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (sent >= 5L * 1024 * 1024) {
                            return -1;
                        }
                        int n = Math.min(len, chunk.length);
                        System.arraycopy(chunk, 0, b, off, n);
                        sent += n;
                        return n;
                    }
                }));
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/v1/tokens"))
                .header("Authorization", "Bearer " + BOOTSTRAP_TOKEN)
                .header("Content-Type", "application/json")
                .POST(publisher).build();
        var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    }

    @Test
    void unsupportedMediaTypeIsProblem() {
        Api.Response response = api.send("POST", "/v1/tokens", BOOTSTRAP_TOKEN, "text/plain", "name".getBytes());
        assertThat(response.status()).isEqualTo(415);
        assertProblem(response, "unsupported-media-type");
    }

    private int tokenCount() {
        return jdbc.queryForObject("SELECT count(*) FROM api_token", Integer.class);
    }

    static void assertProblem(Api.Response response, String slug) {
        assertThat(response.isProblem()).as("content type %s", response.contentType()).isTrue();
        JsonNode body = response.json();
        assertThat(body.path("type").asString()).as(response.body()).isEqualTo(ProblemType.BASE + slug);
        assertThat(body.get("status").asInt()).isEqualTo(response.status());
        assertThat(body.get("title").asString()).isNotBlank();
        assertThat(body.has("detail")).isTrue();
        assertThat(response.body()).doesNotContain("Exception", "dev.tollgate", "org.springframework", "\tat ");
    }
}
