package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.tollgate.support.Api;
import dev.tollgate.support.ConsoleSession;
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
            Map.entry("POST /v1/policies/{name}:replay", Set.of(P, ADMIN)),
            Map.entry("GET /v1/decisions/{decisionId}/test-case", Set.of(P, A, ADMIN)),
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
            Map.entry("GET /v1/policy-sources", Set.of(P, A, ADMIN)),
            Map.entry("POST /v1/exceptions", Set.of(P, ADMIN)),
            Map.entry("POST /v1/exceptions/{id}/approve", Set.of(P, ADMIN)),
            Map.entry("POST /v1/exceptions/{id}/revoke", Set.of(P, ADMIN)),
            Map.entry("GET /v1/exceptions", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/exceptions/{id}", Set.of(P, A, ADMIN)),
            Map.entry("GET /v1/decisions", Set.of(A, ADMIN)),
            Map.entry("GET /v1/decisions/{decisionId}", Set.of(A, ADMIN)),
            Map.entry("GET /v1/decisions/{decisionId}/vsa", Set.of(A, ADMIN)),
            Map.entry("GET /v1/decisions/export", Set.of(A, ADMIN)),
            Map.entry("GET /v1/artifacts/{digest}/evidence", Set.of(A, ADMIN)),
            Map.entry("GET /v1/audit/verify", Set.of(A, ADMIN)),
            Map.entry("GET /v1/audit/admin-events", Set.of(A, ADMIN)),
            Map.entry("GET /v1/components", Set.of(A, ADMIN)),
            Map.entry("GET /v1/components/export", Set.of(A, ADMIN)),
            Map.entry("GET /v1/reports/weak-links", Set.of(A, ADMIN)),
            Map.entry("GET /v1/audit/checkpoints/latest", Set.of(A, ADMIN)),
            Map.entry("GET /v1/audit/consistency", Set.of(A, ADMIN)),
            Map.entry("GET /v1/decisions/{decisionId}/proof", Set.of(D, A, ADMIN)),
            Map.entry("GET /v1/audit/keys", Set.of(D, P, A, ADMIN)),
            Map.entry("GET /v1/openapi.yaml", Set.of(D, P, A, ADMIN)),
            Map.entry("POST /v1/tokens", Set.of(ADMIN)),
            Map.entry("GET /v1/tokens", Set.of(ADMIN)),
            Map.entry("DELETE /v1/tokens/{name}", Set.of(ADMIN))));

    /**
     * The console's pages and buttons, each with the API endpoint it reads or calls: it is for exactly
     * that endpoint's roles. The overview is for every role (it shows each what its roles may read).
     */
    static final Map<String, String> CONSOLE = new TreeMap<>(Map.ofEntries(
            Map.entry("GET /ui/decisions", "GET /v1/decisions"),
            Map.entry("GET /ui/decisions/{decisionId}", "GET /v1/decisions/{decisionId}"),
            // the proof of a decision the console shows: for the roles that may read every decision
            Map.entry("GET /ui/decisions/{decisionId}/proof", "GET /v1/decisions/{decisionId}"),
            Map.entry("GET /ui/decisions/{decisionId}/vsa", "GET /v1/decisions/{decisionId}/vsa"),
            Map.entry("GET /ui/decisions/export", "GET /v1/decisions/export"),
            Map.entry("GET /ui/artifacts/{digest}", "GET /v1/artifacts/{digest}/evidence"),
            Map.entry("GET /ui/audit/verify", "GET /v1/audit/verify"),
            Map.entry("GET /ui/audit/admin-events", "GET /v1/audit/admin-events"),
            Map.entry("GET /ui/policies", "GET /v1/policies"),
            Map.entry("GET /ui/policies/{name}", "GET /v1/policies/{name}/versions/{version}"),
            Map.entry("GET /ui/policies/{name}/editor", "GET /v1/policies/{name}/versions/{version}"),
            Map.entry("POST /ui/policies/diagnostics", "POST /v1/policies:validate"),
            Map.entry("POST /ui/policies/{name}/activate", "POST /v1/policies/{name}/activate"),
            Map.entry("GET /ui/trust", "GET /v1/trust/roots"),
            Map.entry("GET /ui/tokens", "GET /v1/tokens"),
            Map.entry("POST /ui/tokens", "POST /v1/tokens"),
            Map.entry("POST /ui/tokens/{name}/revoke", "DELETE /v1/tokens/{name}"),
            Map.entry("GET /ui/exceptions", "GET /v1/exceptions"),
            Map.entry("GET /ui/exceptions/{id}", "GET /v1/exceptions/{id}"),
            Map.entry("POST /ui/exceptions", "POST /v1/exceptions"),
            Map.entry("POST /ui/exceptions/{id}/approve", "POST /v1/exceptions/{id}/approve"),
            Map.entry("POST /ui/exceptions/{id}/revoke", "POST /v1/exceptions/{id}/revoke"),
            Map.entry("GET /ui/reports/weak-links", "GET /v1/reports/weak-links"),
            Map.entry("GET /ui/components", "GET /v1/components"),
            // a stored version replayed over the recorded decisions: a GET (nothing is written), for the replay's roles
            Map.entry("GET /ui/policies/{name}/replay", "POST /v1/policies/{name}:replay"),
            // the editor's source evaluated on one recorded decision's kept input: a replay of one decision
            Map.entry("POST /ui/policies/{name}/evaluate", "POST /v1/policies/{name}:replay")));
    /** Open to anyone: the way in and the sign-in page. */
    static final Set<String> CONSOLE_OPEN = Set.of("GET /", "GET /ui", "GET /ui/login");
    static final String OVERVIEW = "GET /ui/";
    /** Endpoints open without a token (the ledger's public keys: docs/audit.md). */
    static final Set<String> OPEN = Set.of("GET /v1/audit/keys", "GET /v1/openapi.yaml");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    static Set<String> mappedConsoleEndpoints(RequestMappingHandlerMapping mappings) {
        Set<String> endpoints = new LinkedHashSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (pattern.equals("/") || pattern.equals("/ui") || pattern.startsWith("/ui/")) {
                    info.getMethodsCondition().getMethods().forEach(method -> endpoints.add(method.name() + " " + pattern));
                }
            }
        }
        return endpoints;
    }

    private Set<String> consoleRoles(String endpoint) {
        return endpoint.equals(OVERVIEW) ? Set.copyOf(ALL_ROLES) : CONTRACT.get(CONSOLE.get(endpoint));
    }

    @Test
    void everyConsoleEndpointHasItsRolesFromTheApi() {
        Set<String> mapped = mappedConsoleEndpoints(mappings);
        assertThat(mapped).hasSizeGreaterThan(10);
        for (String endpoint : mapped) {
            assertThat(CONSOLE.containsKey(endpoint) || CONSOLE_OPEN.contains(endpoint) || endpoint.equals(OVERVIEW))
                    .as("%s has its roles decided here", endpoint).isTrue();
        }
        assertThat(CONTRACT.keySet()).containsAll(CONSOLE.values());
    }

    @Test
    void everyConsoleEndpointSendsStrangersToSignInAndAdmitsExactlyTheApisRoles() {
        java.util.Map<String, ConsoleSession> sessions = new java.util.LinkedHashMap<>();
        for (String role : ALL_ROLES) {
            sessions.put(role, ConsoleSession.signIn(port, tokenWith(role)));
        }
        for (String endpoint : mappedConsoleEndpoints(mappings)) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String path = endpoint.substring(endpoint.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "zz-no-such");
            Map<String, String> form = path.endsWith("/activate") ? Map.of("version", "1") : Map.of();

            ConsoleSession stranger = ConsoleSession.anonymous(port);
            ConsoleSession.Response anonymous = method.equals("GET") ? stranger.get(path) : stranger.post(path, form);
            if (CONSOLE_OPEN.contains(endpoint)) {
                assertThat(anonymous.status()).as("%s without a session", endpoint).isIn(200, 302);
                continue;
            }
            if (method.equals("GET")) {
                assertThat(anonymous.status()).as("%s without a session", endpoint).isEqualTo(302);
                assertThat(anonymous.location()).as("%s without a session", endpoint).isEqualTo("/ui/login");
            } else {
                assertThat(anonymous.status()).as("%s without a session", endpoint).isEqualTo(401);
                assertThat(anonymous.isProblem()).isTrue();
            }
            // not a browser: 401, or for a form without a CSRF token 403, before anything else is looked at
            Set<Integer> refused = method.equals("GET") ? Set.of(401) : Set.of(401, 403);
            Api.Response machine = api.send(method, path, null, null, null);
            assertThat(machine.status()).as("%s without a session, not a browser", endpoint).isIn(refused);
            assertThat(machine.isProblem()).isTrue();
            assertThat(api.send(method, path, tokenWith(ADMIN), null, null).status())
                    .as("%s with a bearer token: the console takes sessions only", endpoint).isIn(refused);

            for (String role : ALL_ROLES) {
                ConsoleSession session = sessions.get(role);
                ConsoleSession.Response response = method.equals("GET") ? session.get(path) : session.post(path, form);
                if (consoleRoles(endpoint).contains(role)) {
                    assertThat(response.status()).as("%s as %s", endpoint, role).isNotIn(401, 403);
                    assertThat(response.location()).as("%s as %s", endpoint, role).isNotEqualTo("/ui/login");
                } else {
                    assertThat(response.status()).as("%s as %s", endpoint, role).isEqualTo(403);
                }
            }
        }
    }

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
            if (OPEN.contains(endpoint)) {
                assertThat(anonymous.status()).as("%s without a token", endpoint).isEqualTo(200);
            } else {
                assertThat(anonymous.status()).as("%s without a token", endpoint).isEqualTo(401);
                assertThat(anonymous.isProblem()).isTrue();
            }

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
            assertThat(api.send("HEAD", path, null, null, null).status()).as("HEAD %s without a token", path)
                    .isEqualTo(OPEN.contains(endpoint) ? 200 : 401);
            for (String role : ALL_ROLES) {
                int get = api.send("GET", path, tokenWith(role), null, null).status();
                int head = api.send("HEAD", path, tokenWith(role), null, null).status();
                assertThat(head).as("HEAD %s as %s (GET: %s)", path, role, get).isEqualTo(get);
            }
        }
    }
}
