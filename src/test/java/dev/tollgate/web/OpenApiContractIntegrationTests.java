package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.StatusRecorder;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * openapi/tollgate.yaml is the contract: every /v1 endpoint the server maps is described there
 * (and nothing more), and every status any test of this run saw an endpoint answer is listed
 * under that operation. Runs last so that it sees the statuses of the whole suite.
 */
@Order(Integer.MAX_VALUE)
class OpenApiContractIntegrationTests extends IntegrationTest {

    private static final JsonNode SPEC = new YAMLMapper().readTree(Path.of("openapi/tollgate.yaml").toFile());

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void documentIsOpenApi31() {
        assertThat(SPEC.get("openapi").asString()).startsWith("3.1");
    }

    @Test
    void everyImplementedEndpointIsDocumentedAndNothingElse() {
        Set<String> implemented = new LinkedHashSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (pattern.startsWith("/v1")) {
                    info.getMethodsCondition().getMethods().forEach(m -> implemented.add(m.name() + " " + pattern));
                }
            }
        }
        Set<String> documented = new LinkedHashSet<>();
        for (var path : SPEC.get("paths").properties()) {
            if (path.getKey().startsWith("/v1")) {
                for (var operation : path.getValue().properties()) {
                    if (!METHODS.contains(operation.getKey())) {
                        continue;
                    }
                    documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
            }
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(implemented);
    }

    @Test
    void theContractIsServedWithoutATokenByteForByte() throws Exception {
        Api.Response served = api.get("/v1/openapi.yaml", null);
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.contentType()).startsWith("application/yaml");
        assertThat(served.body()).isEqualTo(java.nio.file.Files.readString(Path.of("openapi/tollgate.yaml")));
        assertThat(new YAMLMapper().readTree(served.body()).get("openapi").asString()).startsWith("3.1");
        assertThat(api.send("HEAD", "/v1/openapi.yaml", null, null, null).status()).isEqualTo(200);
        assertThat(api.send("PUT", "/v1/openapi.yaml", null, "application/yaml", "x: 1".getBytes()).status()).isEqualTo(401);
    }

    @Test
    void everyStatusSeenInThisRunIsDocumented() {
        List<String> missing = new ArrayList<>();
        JsonNode edge = SPEC.path("x-edge-responses");
        for (StatusRecorder.Seen seen : StatusRecorder.SEEN) {
            // HEAD is GET without the body (Spring MVC serves it for every GET mapping)
            String method = seen.method().equals("HEAD") ? "get" : seen.method().toLowerCase(Locale.ROOT);
            JsonNode operation = SPEC.path("paths").path(seen.pattern()).path(method);
            String status = String.valueOf(seen.status());
            if (operation.isMissingNode() || !(operation.path("responses").has(status) || edge.has(status))) {
                missing.add(seen.method() + " " + seen.pattern() + " -> " + seen.status());
            }
        }
        assertThat(missing).as("statuses answered but not in openapi/tollgate.yaml").isEmpty();
        assertThat(StatusRecorder.SEEN).isNotEmpty();
    }

    @Test
    void everyEdgeResponseIsAProblemDocument() {
        JsonNode edge = SPEC.path("x-edge-responses");
        assertThat(edge.properties()).isNotEmpty();
        for (var entry : edge.properties()) {
            String ref = entry.getValue().path("$ref").asString();
            JsonNode response = SPEC.path("components").path("responses").path(ref.substring(ref.lastIndexOf('/') + 1));
            assertThat(response.path("content").has("application/problem+json")).as(entry.getKey()).isTrue();
        }
    }

    @Test
    void everyOperationNamesItsRolesAndAuthenticationFailures() {
        for (var path : SPEC.get("paths").properties()) {
            if (!path.getKey().startsWith("/v1")) {
                continue;
            }
            for (var operation : path.getValue().properties()) {
                if (!METHODS.contains(operation.getKey())) {
                    continue;
                }
                String where = operation.getKey() + " " + path.getKey();
                assertThat(operation.getValue().path("x-roles").isArray()).as(where).isTrue();
                assertThat(operation.getValue().path("responses").has("401")).as(where).isTrue();
                boolean open = operation.getValue().path("security").isArray() && operation.getValue().path("security").isEmpty();
                if (!open) { // an open operation (security: []) has no role to lack; a bad token is still 401
                    assertThat(operation.getValue().path("responses").has("403")).as(where).isTrue();
                }
            }
        }
    }
}
