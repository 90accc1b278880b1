package dev.tollgate.web;

import static dev.tollgate.web.HttpBasicsIntegrationTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every endpoint that reads a body — found in the application's own handler mappings, so that a new one is
 * covered without a change here — refuses a Content-Type that is not one concrete media type it takes with
 * 415, changing nothing.
 */
class BodyContentTypeIntegrationTests extends IntegrationTest {

    static final List<String> NOT_A_MEDIA_TYPE = List.of("*/*", "text/*", "application/*", "*", "garbage", "",
            "application/json; charset=no-such-charset", "application/json, text/plain", "/json", "application/");

    /** Concrete types that no JSON endpoint takes: other charsets, odd parameters, relatives of JSON, forms. */
    static final List<String> NOT_JSON = List.of("application/json; charset=iso-8859-1", "application/json; charset=utf-16",
            "application/json; v=1", "application/json; charset=utf-8; q=1", "application/merge-patch+json",
            "application/problem+json", "text/json", "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/octet-stream");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Autowired
    JdbcTemplate jdbc;

    record BodyEndpoint(String method, String path, boolean json) {
    }

    /** Each mapped handler with a {@code @RequestBody}, with its path variables filled in. */
    List<BodyEndpoint> bodyEndpoints() {
        List<BodyEndpoint> endpoints = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mappings.getHandlerMethods().entrySet()) {
            for (MethodParameter parameter : entry.getValue().getMethodParameters()) {
                if (!parameter.hasParameterAnnotation(RequestBody.class)) {
                    continue;
                }
                Class<?> type = parameter.getParameterType();
                boolean json = type != byte[].class && type != String.class;
                for (String pattern : entry.getKey().getPatternValues()) {
                    String path = pattern.replaceAll("\\{[^}]+}", "ct-probe");
                    entry.getKey().getMethodsCondition().getMethods().forEach(m -> endpoints.add(new BodyEndpoint(m.name(), path, json)));
                }
            }
        }
        return endpoints;
    }

    @Test
    void theBodyEndpointsAreFoundInTheHandlerMappings() {
        List<String> found = bodyEndpoints().stream().map(e -> e.method() + " " + e.path()).toList();
        assertThat(found).contains("POST /v1/decisions", "POST /v1/admission", "POST /v1/tokens", "POST /v1/policies:evaluate",
                "POST /v1/policies/ct-probe/activate", "PUT /v1/trust/roots/ct-probe", "PUT /v1/policies/ct-probe");
    }

    @Test
    void noBodyEndpointTakesSomethingThatIsNotOneConcreteMediaType() {
        Map<String, Integer> before = counts();
        byte[] body = "{\"name\": \"ct-probe\", \"roles\": [\"auditor\"]}".getBytes(StandardCharsets.UTF_8);
        for (BodyEndpoint endpoint : bodyEndpoints()) {
            for (String type : NOT_A_MEDIA_TYPE) {
                Api.Response response = api.send(endpoint.method(), endpoint.path(), BOOTSTRAP_TOKEN, type, body);
                assertThat(response.status()).as("%s %s with Content-Type '%s'", endpoint.method(), endpoint.path(), type)
                        .isEqualTo(415);
                assertProblem(response, "unsupported-media-type");
            }
        }
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void jsonEndpointsTakeExactlyApplicationJsonInUtf8() {
        Map<String, Integer> before = counts();
        byte[] body = "{\"name\": \"ct-probe\", \"roles\": [\"auditor\"]}".getBytes(StandardCharsets.UTF_8);
        for (BodyEndpoint endpoint : bodyEndpoints().stream().filter(BodyEndpoint::json).toList()) {
            for (String type : NOT_JSON) {
                Api.Response response = api.send(endpoint.method(), endpoint.path(), BOOTSTRAP_TOKEN, type, body);
                assertThat(response.status()).as("%s %s with Content-Type '%s'", endpoint.method(), endpoint.path(), type)
                        .isEqualTo(415);
                assertProblem(response, "unsupported-media-type");
            }
            Api.Response missing = api.send(endpoint.method(), endpoint.path(), BOOTSTRAP_TOKEN, null, body);
            assertThat(missing.status()).as("%s %s without Content-Type", endpoint.method(), endpoint.path()).isEqualTo(415);
        }
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void applicationJsonWithTheUtf8CharsetIsTaken() {
        for (String type : List.of("application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\"")) {
            String name = "ct-ok-" + Long.toHexString(System.nanoTime());
            Api.Response response = api.send("POST", "/v1/tokens", BOOTSTRAP_TOKEN, type,
                    ("{\"name\": \"" + name + "\", \"roles\": [\"auditor\"]}").getBytes(StandardCharsets.UTF_8));
            assertThat(response.status()).as(type).isEqualTo(201);
            api.delete("/v1/tokens/" + name, BOOTSTRAP_TOKEN);
        }
    }

    @Test
    void rawBodyEndpointsNeverDecodeFormsOrMultipart() {
        Map<String, Integer> before = counts();
        for (BodyEndpoint endpoint : bodyEndpoints().stream().filter(e -> !e.json()).toList()) {
            for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
                Api.Response response = api.send(endpoint.method(), endpoint.path(), BOOTSTRAP_TOKEN, type,
                        "a=%zz&b=%00".getBytes(StandardCharsets.US_ASCII));
                assertThat(response.status()).as("%s %s with %s", endpoint.method(), endpoint.path(), type).isEqualTo(415);
                assertProblem(response, "unsupported-media-type");
            }
        }
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aCallerWithoutTheRoleGetsForbiddenNotAMediaTypeVerdict() {
        Api.Response response = api.send("POST", "/v1/tokens", tokenWith("auditor"), "application/json; charset=iso-8859-1",
                "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(403);
    }

    private Map<String, Integer> counts() {
        return Map.of("tokens", count("api_token"), "policies", count("policy_version"), "trust", count("trust_material"),
                "decisions", count("decision"));
    }

    private int count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Integer.class);
    }
}
