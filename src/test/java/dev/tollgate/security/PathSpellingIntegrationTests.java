package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.tollgate.support.Api;
import dev.tollgate.support.EndpointExamples;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.RawRequests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The authentication bypass of issue 9, and every spelling like it: every endpoint the server maps
 * (read from its own handler mappings, so a new one is covered without touching this test) × no
 * token, a forged token and each role × the path spellings an attacker would try — matrix
 * parameters on each segment, {@code ;jsessionid=}, each character percent-encoded, upper case,
 * {@code //}, {@code /./}, {@code /x/../}, trailing {@code /} and {@code ;}, {@code %00},
 * {@code %20}, escapes out of {@code /actuator/health}, encoded separators — sent byte for byte
 * over a socket with a body that would succeed on the canonical path. Every answer is a 4xx, and
 * policies, tokens, trust material and the decision log are exactly as before.
 */
class PathSpellingIntegrationTests extends IntegrationTest {

    private static final String POLICY = "spelling-policy";
    private static final String TOKEN = "spelling-token";
    private static final String KEY = "spelling-key";
    private static final String ROOT = "spelling-root";
        private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private String decisionId;

    private String admin() {
        return BOOTSTRAP_TOKEN;
    }

    private static String policy(String description) {
        return EndpointExamples.policy(POLICY, description);
    }

    private EndpointExamples examples() {
        return new EndpointExamples(new EndpointExamples.Names(POLICY, TOKEN, KEY, ROOT, decisionId, DIGEST), json);
    }

    @BeforeEach
    void resources() throws Exception {
        // two versions, the second active: activating version 1 through a bypass would show
        if (api.get("/v1/policies/" + POLICY + "/versions/2", admin()).status() != 200) {
            assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, admin(), policy("first")).status()).isEqualTo(201);
            assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, admin(), policy("second")).status()).isEqualTo(201);
        }
        if (api.get("/v1/tokens", admin()).body().indexOf("\"" + TOKEN + "\"") < 0) {
            assertThat(api.postJson("/v1/tokens", admin(), Api.map("name", TOKEN, "roles", List.of("decider"))).status())
                    .isEqualTo(201);
        }
        api.send("PUT", "/v1/trust/keys/" + KEY, admin(), "application/x-pem-file", EndpointExamples.freshPublicKey());
        api.send("PUT", "/v1/trust/roots/" + ROOT, admin(), "application/json",
                Files.readAllBytes(Path.of(EndpointExamples.CONFORMANCE + "rekor2-checkpoint-cosigned/trusted_root.json")));
        decisionId = null;
        Api.Response decision = api.postJson("/v1/decisions", admin(), examples().decisionBody());
        assertThat(decision.status()).isEqualTo(200);
        decisionId = decision.json().get("decisionId").asString();
    }

    /** What a bypass could change: policies and their versions, tokens, trust, the head of the decision log. */
    private Map<String, String> state() {
        Map<String, String> state = new TreeMap<>();
        for (String path : List.of("/v1/policies", "/v1/policies/" + POLICY + "/versions", "/v1/tokens", "/v1/trust/roots",
                "/v1/trust/keys", "/v1/decisions?limit=1")) {
            Api.Response response = api.get(path, admin());
            assertThat(response.status()).as(path).isEqualTo(200);
            state.put(path, response.body());
        }
        return state;
    }

    private List<EndpointExamples.Example> endpoints() {
        List<EndpointExamples.Example> requests = examples().all(mappings);
        assertThat(requests).hasSizeGreaterThan(25);
        return requests;
    }

    @Test
    void theReportedCommandsAreRefusedAndChangeNothing() throws Exception {
        Map<String, String> before = state();
        try (RawRequests raw = new RawRequests(port)) {
            Map<String, String> json = Map.of("Content-Type", "application/json");
            List<RawRequests.Response> answers = List.of(
                    raw.send("GET", "/v1;x=y/decisions/export?format=ndjson", Map.of(), null),
                    raw.send("POST", "/v1;x=y/policies/" + POLICY + "/activate", json, "{\"version\":1}".getBytes()),
                    raw.send("DELETE", "/v1;x=y/tokens/" + TOKEN, Map.of(), null),
                    raw.send("DELETE", "/%76%31/trust/roots/" + ROOT, Map.of(), null));
            for (RawRequests.Response answer : answers) {
                assertThat(answer.status()).isIn(400, 401);
                assertThat(answer.isProblem()).isTrue();
            }
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void everyEndpointRefusesEverySpellingForEveryCaller() throws Exception {
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("no token", null);
        callers.put("forged token", "tg_" + "A".repeat(43));
        for (String role : List.of("decider", "policy-admin", "auditor", "admin")) {
            callers.put(role, tokenWith(role));
        }
        Map<String, String> before = state();
        List<String> wrong = new ArrayList<>();
        int sent = 0;
        try (RawRequests raw = new RawRequests(port)) {
            for (EndpointExamples.Example endpoint : endpoints()) {
                for (String spelling : EndpointExamples.spellings(endpoint.path())) {
                    for (var caller : callers.entrySet()) {
                        Map<String, String> headers = new LinkedHashMap<>();
                        if (caller.getValue() != null) {
                            headers.put("Authorization", "Bearer " + caller.getValue());
                        }
                        if (endpoint.contentType() != null) {
                            headers.put("Content-Type", endpoint.contentType());
                        }
                        RawRequests.Response answer = raw.send(endpoint.method(), spelling, headers, endpoint.body());
                        sent++;
                        // health stays open in every spelling that still reaches it; everything else is a 4xx
                        boolean open = endpoint.path().startsWith("/actuator/health") && answer.status() == 200;
                        if (!open && (answer.status() < 400 || answer.status() >= 500 || !answer.isProblem())) {
                            wrong.add(endpoint.method() + " " + spelling + " as " + caller.getKey() + " -> " + answer.status()
                                    + " " + answer.header("content-type"));
                        }
                    }
                }
            }
        }
        assertThat(sent).isGreaterThan(5_000);
        assertThat(wrong).as("answers that are not a 4xx problem").isEmpty();
        assertThat(state()).isEqualTo(before);
    }
}
