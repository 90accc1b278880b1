package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The role table of api.md, written out independently of the code, walked for every /v1
 * endpoint the server maps: no token, each role alone, and every mapped endpoint must be in
 * the table (a new endpoint cannot slip in without its roles being decided here).
 */
class RoleMatrixIntegrationTests extends IntegrationTest {

    private static final String D = "decider";
    private static final String P = "policy-admin";
    private static final String A = "auditor";
    private static final String ADMIN = "admin";
    private static final List<String> ALL_ROLES = List.of(D, P, A, ADMIN);

    /** "METHOD pattern" → roles allowed, straight from api.md's table. */
    static final Map<String, Set<String>> CONTRACT = new TreeMap<>(Map.ofEntries(
            Map.entry("POST /v1/decisions", Set.of(D, ADMIN)),
            Map.entry("POST /v1/admission", Set.of(D, ADMIN)),
            Map.entry("POST /v1/decisions:evaluate", Set.of(P, ADMIN)),
            Map.entry("GET /v1/policies/{name}/versions/{from}/diff/{to}", Set.of(P, A, ADMIN)),
            Map.entry("PUT /v1/policies/{name}", Set.of(P, ADMIN)),
            Map.entry("DELETE /v1/policies/{name}", Set.of(P, ADMIN)),
            Map.entry("POST /v1/policies/{name}/activate", Set.of(P, ADMIN)),
            Map.entry("PUT /v1/trust/roots/{name}", Set.of(P, ADMIN)),
            Map.entry("DELETE /v1/trust/roots/{name}", Set.of(P, ADMIN)),
            Map.entry("PUT /v1/trust/keys/{name}", Set.of(P, ADMIN)),
            Map.entry("DELETE /v1/trust/keys/{name}", Set.of(P, ADMIN)),
            Map.entry("GET /v1/policies", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/policies/{name}", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/policies/{name}/versions", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/policies/{name}/versions/{version}", Set.of(P, A, ADMIN)),
            Map.entry("POST /v1/policies:validate", Set.of(P, A, ADMIN)),
            Map.entry("POST /v1/policies:evaluate", Set.of(P, A, ADMIN)),
            Map.entry("POST /v1/policies/{name}/evaluate", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/trust/roots", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/trust/roots/{name}", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/trust/keys", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/trust/keys/{name}", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/decisions", Set.of(A, ADMIN)),
            Map.entry("GET /v1/decisions/{decisionId}", Set.of(A, ADMIN)),
            Map.entry("GET /v1/decisions/export", Set.of(A, ADMIN)),
            Map.entry("GET /v1/artifacts/{digest}/evidence", Set.of(A, ADMIN)),
            Map.entry("GET /v1/audit/verify", Set.of(A, ADMIN)),
            Map.entry("GET /v1/audit/admin-events", Set.of(A, ADMIN)),
            Map.entry("POST /v1/tokens", Set.of(ADMIN)),
            Map.entry("GET /v1/tokens", Set.of(ADMIN)),
            Map.entry("DELETE /v1/tokens/{name}", Set.of(ADMIN))));

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    static Set<String> mappedV1Endpoints(RequestMappingHandlerMapping mappings) {
        Set<String> endpoints = new LinkedHashSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/v1")) {
                    continue;
                }
                info.getMethodsCondition().getMethods()
                        .forEach(method -> endpoints.add(method.name() + " " + pattern));
            }
        }
        return endpoints;
    }

    @Test
    void everyMappedEndpointHasItsRolesInTheContract() {
        Set<String> mapped = mappedV1Endpoints(mappings);
        assertThat(mapped).isNotEmpty();
        assertThat(CONTRACT.keySet()).containsAll(mapped);
    }

    @Test
    void everyMappedEndpointRefusesAnonymousAndWrongRolesAndAdmitsTheRightOnes() {
        for (String endpoint : mappedV1Endpoints(mappings)) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String path = endpoint.substring(endpoint.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "zz-no-such");
            byte[] body = method.equals("GET") || method.equals("DELETE") ? null : "{}".getBytes();
            String contentType = body == null ? null : "application/json";

            Api.Response anonymous = api.send(method, path, null, contentType, body);
            assertThat(anonymous.status()).as("%s without a token", endpoint).isEqualTo(401);
            assertThat(anonymous.isProblem()).isTrue();

            Api.Response forged = api.send(method, path, "tg_not-a-real-token", contentType, body);
            assertThat(forged.status()).as("%s with an unknown token", endpoint).isEqualTo(401);

            for (String role : ALL_ROLES) {
                Api.Response response = api.send(method, path, tokenWith(role), contentType, body);
                if (CONTRACT.get(endpoint).contains(role)) {
                    assertThat(response.status()).as("%s as %s", endpoint, role).isNotIn(401, 403);
                } else {
                    assertThat(response.status()).as("%s as %s", endpoint, role).isEqualTo(403);
                    assertThat(response.isProblem()).isTrue();
                }
            }
        }
    }

    @Test
    void headIsAuthorisedExactlyLikeGet() {
        for (String endpoint : mappedV1Endpoints(mappings)) {
            if (!endpoint.startsWith("GET ")) {
                continue;
            }
            String path = endpoint.substring(4).replaceAll("\\{[^}]+}", "zz-no-such");
            assertThat(api.send("HEAD", path, null, null, null).status()).as("HEAD %s without a token", path).isEqualTo(401);
            for (String role : ALL_ROLES) {
                int get = api.send("GET", path, tokenWith(role), null, null).status();
                int head = api.send("HEAD", path, tokenWith(role), null, null).status();
                assertThat(head).as("HEAD %s as %s (GET: %s)", path, role, get).isEqualTo(get);
            }
        }
    }
}
