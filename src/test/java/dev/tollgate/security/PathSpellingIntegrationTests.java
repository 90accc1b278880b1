package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.RawRequests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
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
    private static final String CONFORMANCE = "src/test/resources/sigstore/conformance/bundle-verify/";
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private String decisionId;

    private String admin() {
        return BOOTSTRAP_TOKEN;
    }

    private static String policy(String description) {
        return "policy \"" + POLICY + "\" {\n  description \"" + description + "\"\n"
                + "  rule anything { require artifact.digest startsWith \"sha256:\" }\n}\n";
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
        api.send("PUT", "/v1/trust/keys/" + KEY, admin(), "application/x-pem-file", freshPublicKey());
        api.send("PUT", "/v1/trust/roots/" + ROOT, admin(), "application/json",
                Files.readAllBytes(Path.of(CONFORMANCE + "rekor2-checkpoint-cosigned/trusted_root.json")));
        Api.Response decision = api.postJson("/v1/decisions", admin(), decisionBody());
        assertThat(decision.status()).isEqualTo(200);
        decisionId = decision.json().get("decisionId").asString();
    }

    private static byte[] freshPublicKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(generator.generateKeyPair().getPublic().getEncoded());
        return ("-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<String, Object> decisionBody() {
        return Api.map("artifact", Api.map("digest", DIGEST, "name", "ghcr.io/acme/app"), "policies", List.of(POLICY));
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

    /** A request that would succeed for the right role on the canonical path. */
    private record Request(String method, String path, String contentType, byte[] body) {
    }

    private List<Request> endpoints() throws Exception {
        Set<String> seen = new LinkedHashSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                info.getMethodsCondition().getMethods().forEach(m -> seen.add(m.name() + " " + pattern));
            }
        }
        seen.add("GET /actuator/health");
        seen.add("GET /actuator/health/readiness");
        seen.add("GET /actuator/prometheus");
        List<Request> requests = new ArrayList<>();
        for (String endpoint : seen) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String pattern = endpoint.substring(endpoint.indexOf(' ') + 1);
            if (pattern.equals("/error") || pattern.startsWith("${")) {
                continue;
            }
            requests.add(request(method, pattern));
        }
        assertThat(requests).hasSizeGreaterThan(25);
        return requests;
    }

    private Request request(String method, String pattern) throws Exception {
        String path = pattern.replace("{decisionId}", decisionId).replace("{digest}", DIGEST).replace("{version}", "1")
                .replace("{from}", "1").replace("{to}", "1");
        if (path.startsWith("/v1/policies/")) {
            path = path.replace("{name}", POLICY);
        } else if (path.startsWith("/v1/tokens/")) {
            path = path.replace("{name}", TOKEN);
        } else if (path.startsWith("/v1/trust/keys/")) {
            path = path.replace("{name}", KEY);
        } else if (path.startsWith("/v1/trust/roots/")) {
            path = path.replace("{name}", ROOT);
        }
        path = path.replaceAll("\\{[^}]+}", "x");
        String json = "application/json";
        return switch (method + " " + pattern) {
            case "POST /v1/decisions" -> new Request(method, path, json, json(decisionBody()));
            case "POST /v1/decisions:evaluate" -> new Request(method, path, json, json(decisionBody()));
            case "POST /v1/admission" -> new Request(method, path, json, Files.readAllBytes(
                    Path.of("src/test/resources/admission/kubewarden/pod_creation_with_digest.json")));
            case "PUT /v1/policies/{name}" -> new Request(method, path, "text/plain", policy("third").getBytes());
            case "POST /v1/policies/{name}/activate" -> new Request(method, path, json, "{\"version\":1}".getBytes());
            case "POST /v1/policies:validate" -> new Request(method, path, "text/plain", policy("x").getBytes());
            case "POST /v1/policies:evaluate" -> new Request(method, path, json,
                    json(Api.map("source", policy("x"), "input", Api.map("artifact", Api.map("digest", DIGEST)))));
            case "POST /v1/policies/{name}/evaluate" -> new Request(method, path, json,
                    json(Api.map("input", Api.map("artifact", Api.map("digest", DIGEST)))));
            case "PUT /v1/trust/keys/{name}" -> new Request(method, path, "application/x-pem-file", freshPublicKey());
            case "PUT /v1/trust/roots/{name}" -> new Request(method, path, json,
                    Files.readAllBytes(Path.of(CONFORMANCE + "rekor2-dsse-happy-path/trusted_root.json")));
            case "POST /v1/tokens" -> new Request(method, path, json,
                    json(Api.map("name", "spelling-new", "roles", List.of("admin"))));
            default -> method.equals("GET") || method.equals("DELETE") ? new Request(method, path, null, null)
                    : new Request(method, path, json, "{}".getBytes());
        };
    }

    private byte[] json(Object value) {
        return this.json.writeValueAsBytes(value);
    }

    /** The spellings of one canonical path that an attacker would try. */
    static List<String> variants(String path) {
        List<String> segments = List.of(path.substring(1).split("/"));
        Set<String> v = new LinkedHashSet<>();
        for (int i = 0; i < segments.size(); i++) {
            v.add(join(segments, i, segments.get(i) + ";x=y"));
            v.add(join(segments, i, segments.get(i) + ";"));
            v.add(join(segments, i, segments.get(i).toUpperCase(Locale.ROOT)));
            v.add(join(segments, i, segments.get(i) + "%00"));
            v.add(join(segments, i, segments.get(i) + "%20"));
            v.add(insert(segments, i, "/"));
            v.add(insert(segments, i, "./"));
            v.add(insert(segments, i, "x/../"));
            v.add(insert(segments, i, "%2e/"));
            v.add(insert(segments, i, "x/%2e%2e/"));
            String segment = segments.get(i);
            for (int j = 0; j < segment.length(); j++) {
                String encoded = String.format("%%%02X", (int) segment.charAt(j));
                v.add(join(segments, i, segment.substring(0, j) + encoded + segment.substring(j + 1)));
            }
            v.add(join(segments, i, encodeAll(segment).toLowerCase(Locale.ROOT)));
        }
        v.add(path + ";jsessionid=0123456789ABCDEF0123456789ABCDEF");
        v.add(path + ";");
        v.add(path + "/");
        v.add(path + "/.");
        v.add(path + "/..");
        v.add(path + "%00");
        v.add(path + "%20");
        v.add(path + "%2F");
        v.add(path.toUpperCase(Locale.ROOT));
        v.add("/" + encodeAll(path.substring(1)));
        v.add("//" + path.substring(1));
        v.add("/actuator/health/../.." + path);
        v.add("/actuator/health/%2e%2e/%2e%2e" + path);
        v.add("/actuator/health/..;/.." + path);
        v.add("/actuator/health;/../.." + path);
        v.add(path.replace("/", "%2F"));
        v.add(path.replace("/", "\\"));
        v.add("/" + path.substring(1).replaceFirst("/", "%2f"));
        v.add("/" + path.substring(1).replaceFirst("/", "\\\\"));
        v.add("/./" + path.substring(1));
        v.remove(path);
        return new ArrayList<>(v);
    }

    private static String join(List<String> segments, int at, String replacement) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            out.append('/').append(i == at ? replacement : segments.get(i));
        }
        return out.toString();
    }

    private static String insert(List<String> segments, int before, String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            out.append('/');
            if (i == before) {
                out.append(text);
            }
            out.append(segments.get(i));
        }
        return out.toString();
    }

    private static String encodeAll(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c == '/' ? "/" : String.format("%%%02X", (int) c));
        }
        return out.toString();
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
            for (Request endpoint : endpoints()) {
                for (String spelling : variants(endpoint.path())) {
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
