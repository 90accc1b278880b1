package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.ObjectMapper;

/**
 * Every endpoint the server maps (read from its own handler mappings, so a new endpoint is covered
 * without touching the tests that use this), each with a request that would succeed on its
 * canonical path for a caller with the right role: the attack tests start from these and change
 * one thing at a time. Resources named in paths are the ones {@link Names} gives; a test creates them.
 */
public final class EndpointExamples {

    public static final String CONFORMANCE = "src/test/resources/sigstore/conformance/bundle-verify/";

    /** The resources a test has created, named in the example paths. */
    public record Names(String policy, String token, String key, String root, String decisionId, String digest) {

        /** The token the sign-in form's example presents (the suite's admin token). */
        String signInToken() {
            return IntegrationTest.BOOTSTRAP_TOKEN;
        }
    }

    /** A request that would succeed for the right role on the canonical path. */
    public record Example(String method, String pattern, String path, String contentType, byte[] body) {

        /** A page or form of the console (session, not bearer token): {@code /}, {@code /ui} and below. */
        public boolean console() {
            return pattern.equals("/") || pattern.equals("/ui") || pattern.startsWith("/ui/");
        }
    }

    /** The console's forms; a session's CSRF token is added where one is sent. */
    public static final String FORM = "application/x-www-form-urlencoded";

    private final Names names;
    private final ObjectMapper json;

    public EndpointExamples(Names names, ObjectMapper json) {
        this.names = names;
        this.json = json;
    }

    /** A policy of that name that allows every sha256 digest. */
    public static String policy(String name, String description) {
        return "policy \"" + name + "\" {\n  description \"" + description + "\"\n"
                + "  rule anything { require artifact.digest startsWith \"sha256:\" }\n}\n";
    }

    /** A fresh P-256 public key as PEM. */
    public static byte[] freshPublicKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(generator.generateKeyPair().getPublic().getEncoded());
            return ("-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<String, Object> decisionBody() {
        return Api.map("artifact", Api.map("digest", names.digest(), "name", "ghcr.io/acme/app"), "policies",
                List.of(names.policy()));
    }

    /** Every mapped endpoint plus the open actuator ones, each with its example request. */
    public List<Example> all(RequestMappingHandlerMapping mappings) {
        Set<String> seen = new LinkedHashSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                info.getMethodsCondition().getMethods().forEach(m -> seen.add(m.name() + " " + pattern));
            }
        }
        seen.add("GET /actuator/health");
        seen.add("GET /actuator/health/readiness");
        seen.add("GET /actuator/prometheus");
        // the console's sign-in and sign-out are answered by Spring Security's filters, not by a handler
        seen.add("POST /ui/login");
        seen.add("POST /ui/logout");
        List<Example> examples = new ArrayList<>();
        for (String endpoint : seen) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String pattern = endpoint.substring(endpoint.indexOf(' ') + 1);
            if (pattern.equals("/error") || pattern.startsWith("${")) {
                continue;
            }
            examples.add(example(method, pattern));
        }
        return examples;
    }

    private Example example(String method, String pattern) {
        String path = pattern.replace("{decisionId}", names.decisionId()).replace("{digest}", names.digest())
                .replace("{version}", "1").replace("{from}", "1").replace("{to}", "1");
        if (path.startsWith("/v1/policies/") || path.startsWith("/ui/policies/")) {
            path = path.replace("{name}", names.policy());
        } else if (path.startsWith("/v1/tokens/") || path.startsWith("/ui/tokens/")) {
            path = path.replace("{name}", names.token());
        } else if (path.startsWith("/v1/trust/keys/")) {
            path = path.replace("{name}", names.key());
        } else if (path.startsWith("/v1/trust/roots/")) {
            path = path.replace("{name}", names.root());
        }
        path = path.replaceAll("\\{[^}]+}", "x");
        String json = "application/json";
        String digest = names.digest();
        return switch (method + " " + pattern) {
            case "POST /v1/decisions" -> new Example(method, pattern, path, json, bytes(decisionBody()));
            case "POST /v1/decisions:evaluate" -> new Example(method, pattern, path, json, bytes(decisionBody()));
            case "POST /v1/policies/{name}:replay" -> new Example(method, pattern, path, json,
                    "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
            case "POST /v1/admission" -> new Example(method, pattern, path, json,
                    read("src/test/resources/admission/kubewarden/pod_creation_with_digest.json"));
            case "PUT /v1/policies/{name}" -> new Example(method, pattern, path, "text/plain",
                    policy(names.policy(), "third").getBytes(StandardCharsets.UTF_8));
            case "POST /v1/policies/{name}/activate" -> new Example(method, pattern, path, json,
                    "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
            case "POST /v1/policies:validate" -> new Example(method, pattern, path, "text/plain",
                    policy(names.policy(), "x").getBytes(StandardCharsets.UTF_8));
            case "POST /v1/policies:evaluate" -> new Example(method, pattern, path, json, bytes(Api.map(
                    "source", policy(names.policy(), "x"), "input", Api.map("artifact", Api.map("digest", digest)))));
            case "POST /v1/policies/{name}/evaluate" -> new Example(method, pattern, path, json,
                    bytes(Api.map("input", Api.map("artifact", Api.map("digest", digest)))));
            case "PUT /v1/trust/keys/{name}" -> new Example(method, pattern, path, "application/x-pem-file", freshPublicKey());
            case "PUT /v1/trust/roots/{name}" -> new Example(method, pattern, path, json,
                    read(CONFORMANCE + "rekor2-dsse-happy-path/trusted_root.json"));
            // a request only: pending until another token approves it, it applies to nothing
            case "POST /v1/exceptions" -> new Example(method, pattern, path, json, bytes(Api.map(
                    "scope", Api.map("digest", digest, "policy", names.policy()), "reason", "an example", "ticket", "EX-1",
                    "expiresAt", java.time.Instant.now().plus(java.time.Duration.ofDays(1))
                            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString())));
            case "POST /v1/tokens" -> new Example(method, pattern, path, json,
                    bytes(Api.map("name", names.token() + "-new", "roles", List.of("admin"))));
            case "POST /ui/login" -> form(method, pattern, path, "token=" + names.signInToken());
            case "POST /ui/policies/{name}/activate" -> form(method, pattern, path, "version=1");
            case "POST /ui/policies/diagnostics" -> form(method, pattern, path, "source=x");
            case "POST /ui/tokens" -> form(method, pattern, path, "name=" + names.token() + "-console&roles=admin");
            case "POST /ui/exceptions" -> form(method, pattern, path, "digest=" + digest + "&policy=" + names.policy()
                    + "&reason=an+example&ticket=EX-1&expiresAt=" + java.time.Instant.now().plus(java.time.Duration.ofDays(1))
                            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            case "POST /ui/logout", "POST /ui/tokens/{name}/revoke", "POST /ui/exceptions/{id}/approve",
                    "POST /ui/exceptions/{id}/revoke" -> form(method, pattern, path, "");
            default -> method.equals("GET") || method.equals("DELETE") || method.equals("HEAD")
                    ? new Example(method, pattern, path, null, null)
                    : new Example(method, pattern, path, json, "{}".getBytes(StandardCharsets.UTF_8));
        };
    }

    private static Example form(String method, String pattern, String path, String form) {
        return new Example(method, pattern, path, FORM, form.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] bytes(Object value) {
        return json.writeValueAsBytes(value);
    }

    private static byte[] read(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spellings of one canonical path that an attacker would try. */
    public static List<String> spellings(String path) {
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
}
