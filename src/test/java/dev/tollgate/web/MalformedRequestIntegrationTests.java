package dev.tollgate.web;

import static dev.tollgate.web.HttpBasicsIntegrationTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/** Query strings, timestamps and methods no endpoint can mean: 400 or 405 problems, never Tomcat's HTML or a 500. */
class MalformedRequestIntegrationTests extends IntegrationTest {

    /** Malformed encodings, bytes that are not UTF-8, control characters, repeats, sizes. */
    static final List<String> MALFORMED = List.of("name=%zz", "name=%", "name=%2", "name=%FF%FE", "name=%C0%AF",
            "name=%E0%80%AF", "name=%ED%A0%80", "name=%ED%B0%80", "name=%F4%90%80%80", "name=%E2%82", "name=%00",
            "name=a%00b", "name=%1F", "name=%7F", "name=%C2%85", "%00=x", "=x", "limit=1&limit=2", "name=a&name=b",
            "name=" + "a".repeat(2049), "n" + "a".repeat(64) + "=x", manyParameters(65));

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    static String manyParameters(int n) {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i < n; i++) {
            query.append(i == 0 ? "" : "&").append("p").append(i).append("=1");
        }
        return query.toString();
    }

    /** Every mapped GET endpoint, with its path variables filled in. */
    List<String> getEndpoints() {
        List<String> paths = new ArrayList<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            if (info.getMethodsCondition().getMethods().contains(RequestMethod.GET)) {
                info.getPatternValues().stream().filter(p -> p.startsWith("/v1"))
                        .map(p -> p.replaceAll("\\{[^}]+}", "q-probe")).forEach(paths::add);
            }
        }
        return paths;
    }

    @Test
    void malformedQueriesAreBadRequestProblemsOnEveryEndpoint() {
        List<String> paths = getEndpoints();
        assertThat(paths).contains("/v1/decisions", "/v1/decisions/export", "/v1/policies");
        for (String path : paths) {
            for (String query : MALFORMED) {
                RawHttp.Answer answer = get(path + "?" + query);
                assertThat(answer.status()).as("%s?%s", path, query.length() > 80 ? query.substring(0, 80) : query).isEqualTo(400);
                assertRawProblem(answer, "malformed-query");
            }
        }
    }

    @Test
    void wellFormedQueriesWithEncodedTextStillWork() {
        for (String query : List.of("name=%C3%A9t%C3%A9", "name=a+b", "policy=%F0%9F%98%80", "name=" + "a".repeat(2048),
                "digest=sha256%3A" + "0".repeat(64), "name=a&&policy=b", "")) {
            Api.Response response = api.get("/v1/decisions?" + query, BOOTSTRAP_TOKEN);
            assertThat(response.status()).as(query).isEqualTo(200);
        }
    }

    @Test
    void outsideTheApiQueriesMustBeWellFormedButMayRepeatAParameter() {
        assertRawProblem(get("/actuator/health?x=%zz"), "malformed-query");
        assertRawProblem(get("/actuator/prometheus?includedNames=%FF"), "malformed-query");
        Api.Response repeated = api.get("/actuator/prometheus?includedNames=jvm_threads_live_threads&includedNames=process_uptime_seconds", null);
        assertThat(repeated.status()).isEqualTo(200);
        assertThat(repeated.body()).contains("jvm_threads_live_threads", "process_uptime_seconds");
    }

    @Test
    void outOfRangeTimestampsAreBadRequestNotServerErrors() {
        for (String query : List.of("since=%2B999999999-12-31T23:59:59Z", "since=-999999999-01-01T00:00:00Z",
                "until=%2B999999999-12-31T23:59:59Z", "since=-4714-01-01T00:00:00Z")) {
            for (String path : List.of("/v1/decisions", "/v1/decisions/export")) {
                Api.Response response = api.get(path + "?" + query, BOOTSTRAP_TOKEN);
                assertThat(response.status()).as("%s?%s", path, query).isEqualTo(400);
                assertProblem(response, "bad-request");
            }
        }
    }

    @Test
    void rawNonAsciiInTheRequestTargetIsABadRequestProblem() {
        for (String target : List.of("/v1/decisions?name=\u00c3\u00a9", "/v1/decisions?name=\u00ff\u00fe", "/v1/d\u00c3\u00a9cisions")) {
            RawHttp.Answer answer = get(target); // the bytes of UTF-8 é, and of U+FFFE, unencoded
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertRawProblem(answer, "bad-request");
        }
    }

    @Test
    void connectTraceAndUnknownMethodsAreMethodNotAllowedOnEveryPath() {
        for (String path : List.of("/", "/v1/tokens", "/v1/decisions", "/v1/no-such-thing", "/actuator/health", "/no/such/thing")) {
            for (String method : List.of("TRACE", "FOO", "PROPFIND", "CONNECT")) {
                String target = method.equals("CONNECT") ? "localhost:443" : path;
                try (RawHttp raw = RawHttp.connect(port)) {
                    raw.send(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + BOOTSTRAP_TOKEN
                            + "\r\nConnection: close\r\n\r\n");
                    RawHttp.Answer answer = raw.read(Duration.ofSeconds(10));
                    assertThat(answer.status()).as("%s %s", method, target).isEqualTo(405);
                    assertRawProblem(answer, "method-not-allowed");
                    assertThat(answer.header("allow")).as("%s %s", method, target).isNotBlank().doesNotContain("TRACE", "CONNECT");
                }
            }
        }
    }

    private RawHttp.Answer get(String target) {
        try (RawHttp raw = RawHttp.connect(port)) {
            raw.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + BOOTSTRAP_TOKEN
                    + "\r\nConnection: close\r\n\r\n");
            return raw.read(Duration.ofSeconds(10));
        }
    }

    void assertRawProblem(RawHttp.Answer answer, String slug) {
        assertRawProblem(answer, slug, json);
    }

    static void assertRawProblem(RawHttp.Answer answer, String slug, tools.jackson.databind.ObjectMapper json) {
        assertThat(answer.isProblem()).as("content type of %s", answer.raw()).isTrue();
        JsonNode body = json.readTree(answer.body());
        assertThat(body.path("type").asString()).as(answer.raw()).isEqualTo(ProblemType.BASE + slug);
        assertThat(body.path("status").asInt()).isEqualTo(answer.status());
        assertThat(body.path("title").asString()).isNotBlank();
        assertThat(answer.body()).doesNotContain("<html", "Exception", "org.apache", "Tomcat");
    }
}
