package dev.tollgate.web;

import static dev.tollgate.web.HttpBasicsIntegrationTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The one ObjectMapper is strict for every endpoint that reads JSON: duplicate names, trailing content,
 * bytes that are not UTF-8, lone surrogates (escaped or raw), unknown fields of bound records and scalar
 * coercion are all 400 (422 for a trusted root, whose contract makes every unusable root 422), and change
 * nothing.
 */
class StrictJsonIntegrationTests extends IntegrationTest {

    static final String DIGEST = "sha256:" + "0".repeat(64);

    /** Documents that are not strict JSON (or not UTF-8), whatever shape the endpoint wants. */
    static final Map<String, byte[]> NOT_STRICT_JSON = Map.ofEntries(
            Map.entry("duplicate name", utf8("{\"name\":\"a\",\"name\":\"b\",\"roles\":[\"auditor\"],\"source\":\"x\",\"input\":{}}")),
            Map.entry("nested duplicate", utf8("{\"artifact\":{\"digest\":\"" + DIGEST + "\",\"digest\":\"" + DIGEST + "\"}}")),
            Map.entry("escaped high surrogate", utf8("{\"name\":\"a\\ud800\",\"kind\":\"AdmissionReview\",\"version\":1}")),
            Map.entry("escaped low surrogate", utf8("{\"name\":\"\\udc00a\",\"kind\":\"AdmissionReview\",\"version\":1}")),
            Map.entry("reversed pair", utf8("{\"name\":\"\\udc00\\ud800\",\"version\":1}")),
            Map.entry("surrogate in a name", utf8("{\"a\\ud800\":1,\"version\":1}")),
            Map.entry("raw encoded surrogate", bytes("{\"name\":\"", 0xED, 0xA0, 0x80, "\",\"version\":1}")),
            Map.entry("overlong slash", bytes("{\"name\":\"", 0xC0, 0xAF, "\",\"version\":1}")),
            Map.entry("overlong three bytes", bytes("{\"name\":\"", 0xE0, 0x80, 0xAF, "\",\"version\":1}")),
            Map.entry("beyond U+10FFFF", bytes("{\"name\":\"", 0xF4, 0x90, 0x80, 0x80, "\",\"version\":1}")),
            Map.entry("invalid byte", bytes("{\"name\":\"", 0xFF, "\",\"version\":1}")),
            Map.entry("truncated sequence", bytes("{\"version\":1,\"name\":\"", 0xE2, 0x82)),
            Map.entry("UTF-16", "{\"version\":1}".getBytes(StandardCharsets.UTF_16LE)),
            Map.entry("trailing garbage", utf8("{\"version\":1} x")),
            Map.entry("second document", utf8("{\"version\":1}{\"version\":2}")),
            Map.entry("trailing bracket", utf8("{\"version\":1}]")),
            Map.entry("comment", utf8("{\"version\":1 /* one */}")),
            Map.entry("single quotes", utf8("{'version':1}")),
            Map.entry("trailing comma", utf8("{\"version\":1,}")),
            Map.entry("NaN", utf8("{\"version\":NaN}")),
            Map.entry("leading zero", utf8("{\"version\":01}")));

    static final List<String> JSON_ENDPOINTS = List.of("/v1/tokens", "/v1/decisions", "/v1/admission", "/v1/policies:evaluate",
            "/v1/policies/strict-probe/evaluate", "/v1/policies/strict-probe/activate");

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void documentsThatAreNotStrictJsonAreRefusedByEveryJsonEndpoint() {
        Map<String, Integer> before = counts();
        for (String path : JSON_ENDPOINTS) {
            for (Map.Entry<String, byte[]> hostile : NOT_STRICT_JSON.entrySet()) {
                Api.Response response = api.send("POST", path, BOOTSTRAP_TOKEN, "application/json", hostile.getValue());
                assertThat(response.status()).as("%s: %s", path, hostile.getKey()).isEqualTo(400);
                assertProblem(response, "malformed-json");
            }
        }
        for (Map.Entry<String, byte[]> hostile : NOT_STRICT_JSON.entrySet()) {
            Api.Response response = api.send("PUT", "/v1/trust/roots/strict-probe", BOOTSTRAP_TOKEN, "application/json",
                    hostile.getValue());
            assertThat(response.status()).as("trusted root: %s", hostile.getKey()).isEqualTo(422);
        }
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void problemsSayWhichCheckRefusedTheDocument() {
        assertThat(detail(NOT_STRICT_JSON.get("duplicate name"))).contains("twice");
        assertThat(detail(NOT_STRICT_JSON.get("escaped high surrogate"))).contains("surrogate");
        assertThat(detail(NOT_STRICT_JSON.get("overlong slash"))).contains("UTF-8");
        assertThat(detail(NOT_STRICT_JSON.get("UTF-16"))).contains("UTF-8");
    }

    @Test
    void aNumberIsNeverReadAsATokenNameNorAnythingElseCoerced() {
        Map<String, Integer> before = counts();
        for (String body : List.of("{\"name\": 4369, \"roles\": [\"auditor\"]}", "{\"name\": 43.69, \"roles\": [\"auditor\"]}",
                "{\"name\": true, \"roles\": [\"auditor\"]}", "{\"name\": [\"coerce-me\"], \"roles\": [\"auditor\"]}",
                "{\"name\": \"coerce-me\", \"roles\": \"auditor\"}", "{\"name\": \"coerce-me\", \"roles\": [7]}",
                "{\"name\": \"coerce-me\", \"roles\": [\"auditor\"], \"admin\": true}", "{\"name\": \"coerce-me\", \"roles\": [\"auditor\"], \"name\": \"x\"}")) {
            Api.Response response = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertProblem(response, "malformed-json");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_token WHERE name IN ('4369', '43.69', 'true', 'coerce-me')",
                Integer.class)).isZero();
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void handWrittenParsersRefuseCoercionToo() {
        Map<String, Integer> before = counts();
        String artifact = "{\"digest\": \"" + DIGEST + "\"}";
        List<String[]> cases = List.of(
                new String[] {"/v1/decisions", "{\"artifact\": " + artifact + ", \"storedEvidence\": \"true\"}"},
                new String[] {"/v1/decisions", "{\"artifact\": " + artifact + ", \"context\": {\"env\": 1}}"},
                new String[] {"/v1/decisions", "{\"artifact\": " + artifact + ", \"context\": {\"env\": true}}"},
                new String[] {"/v1/decisions", "{\"artifact\": {\"digest\": 5}}"},
                new String[] {"/v1/decisions", "{\"artifact\": " + artifact + ", \"policies\": [5]}"},
                new String[] {"/v1/policies:evaluate", "{\"source\": 5, \"input\": {\"artifact\": " + artifact + "}}"},
                new String[] {"/v1/policies:evaluate", "{\"source\": \"policy \\\"p\\\" { rule r { require true } }\", \"input\": {\"artifact\": "
                        + artifact + ", \"context\": {\"a\": 1}}}"},
                new String[] {"/v1/policies/strict-probe/activate", "{\"version\": \"1\"}"},
                new String[] {"/v1/policies/strict-probe/activate", "{\"version\": 1.5}"},
                new String[] {"/v1/policies/strict-probe/activate", "{\"version\": true}"});
        for (String[] c : cases) {
            Api.Response response = api.postJson(c[0], BOOTSTRAP_TOKEN, c[1]);
            assertThat(response.status()).as("%s %s", c[0], c[1]).isEqualTo(400);
            assertThat(response.isProblem()).isTrue();
        }
        assertThat(counts()).isEqualTo(before);
    }

    private String detail(byte[] body) {
        Api.Response response = api.send("POST", "/v1/tokens", BOOTSTRAP_TOKEN, "application/json", body);
        assertThat(response.status()).isEqualTo(400);
        return response.json().path("detail").asString();
    }

    private Map<String, Integer> counts() {
        return Map.of("tokens", count("api_token"), "policies", count("policy_version"), "trust", count("trust_material"),
                "decisions", count("decision"));
    }

    private int count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Integer.class);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Text and raw byte values, in order. */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(utf8(s));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }
}
