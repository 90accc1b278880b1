package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.RawHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Whatever goes wrong at the edge — requests Tomcat refuses before the application sees them, and the
 * application's own refusals of malformed HTTP — the answer is a problem document with a stable type:
 * never Tomcat's HTML page, never a 500.
 */
class EdgeProblemIntegrationTests extends IntegrationTest {

    record Case(String name, byte[] request, int status, String type) {
        Case(String name, String request, int status, String type) {
            this(name, request.getBytes(StandardCharsets.ISO_8859_1), status, type);
        }
    }

    static final String HOST = "Host: localhost\r\n";

    List<Case> cases() {
        String auth = "Authorization: Bearer " + BOOTSTRAP_TOKEN + "\r\n";
        String json = "Content-Type: application/json\r\n";
        return List.of(
                new Case("unknown HTTP version", "GET /actuator/health HTTP/1.2\r\n" + HOST + "\r\n", 400, "bad-request"),
                new Case("HTTP/2.0 without the preface", "GET /actuator/health HTTP/2.0\r\n" + HOST + "\r\n", 400, "bad-request"),
                new Case("HTTP/3.0", "GET /actuator/health HTTP/3.0\r\n" + HOST + "\r\n", 400, "bad-request"),
                new Case("lower-case version", "GET /actuator/health http/1.1\r\n" + HOST + "\r\n", 400, "bad-request"),
                new Case("no Host in HTTP/1.1", "GET /actuator/health HTTP/1.1\r\n\r\n", 400, "bad-request"),
                new Case("two Host headers", "GET /actuator/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad-request"),
                new Case("bad Host", "GET /actuator/health HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "bad-request"),
                new Case("unterminated IPv6 Host", "GET /actuator/health HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "bad-request"),
                new Case("URI too long", "GET /actuator/health?" + "a".repeat(20_000) + " HTTP/1.1\r\n" + HOST + "\r\n", 400, "bad-request"),
                new Case("header too large", "GET /actuator/health HTTP/1.1\r\n" + HOST + "X-A: " + "a".repeat(20_000) + "\r\n\r\n", 400,
                        "bad-request"),
                new Case("too many headers", "GET /actuator/health HTTP/1.1\r\n" + HOST + "X-A: a\r\n".repeat(200) + "\r\n", 400, "bad-request"),
                new Case("space in a header name", "GET /actuator/health HTTP/1.1\r\n" + HOST + "X A: b\r\n\r\n", 400, "bad-request"),
                new Case("header without colon", "GET /actuator/health HTTP/1.1\r\n" + HOST + "XA\r\n\r\n", 400, "bad-request"),
                new Case("control character in a header", "GET /actuator/health HTTP/1.1\r\n" + HOST + "X-A: a\u0001b\r\n\r\n", 400,
                        "bad-request"),
                new Case("space in the target", "GET /a b HTTP/1.1\r\n" + HOST + "\r\n", 400, "bad-request"),
                new Case("bad method token", "G(T / HTTP/1.1\r\n" + HOST + "\r\n", 400, "bad-request"),
                new Case("TLS to a plain port", new String(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03},
                        StandardCharsets.ISO_8859_1) + "\u0000".repeat(40), 400, "bad-request"),
                new Case("bad chunk size", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                        400, "bad-request"),
                new Case("chunk without its end", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX",
                        400, "bad-request"),
                new Case("unknown transfer coding", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Transfer-Encoding: gzip\r\n\r\n{}", 400,
                        "bad-request"),
                new Case("two Content-Lengths", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                        400, "bad-request"),
                new Case("Content-Length not a number", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Content-Length: abc\r\n\r\n{}", 400,
                        "bad-request"),
                new Case("negative Content-Length", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Content-Length: -1\r\n\r\n{}", 400,
                        "bad-request"),
                new Case("huge Content-Length", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Content-Length: 99999999999999\r\n\r\n", 413,
                        "payload-too-large"),
                new Case("100-continue with a huge length", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json
                        + "Expect: 100-continue\r\nContent-Length: 99999999999\r\n\r\n", 413, "payload-too-large"),
                new Case("100-continue without a token", "POST /v1/tokens HTTP/1.1\r\n" + HOST + json
                        + "Expect: 100-continue\r\nContent-Length: 100\r\n\r\n", 401, "unauthorized"),
                new Case("unknown expectation", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Expect: teapot\r\nContent-Length: 2\r\n\r\n{}",
                        417, "expectation-failed"),
                new Case("two Content-Types", "POST /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + json + "Content-Length: 2\r\n\r\n{}", 415,
                        "unsupported-media-type"),
                new Case("CONNECT", "CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n", 405, "method-not-allowed"),
                new Case("TRACE", "TRACE /v1/tokens HTTP/1.1\r\n" + HOST + "\r\n", 405, "method-not-allowed"),
                new Case("unknown method", "FOO /v1/tokens HTTP/1.1\r\n" + HOST + auth + "\r\n", 405, "method-not-allowed"),
                new Case("malformed query", "GET /v1/tokens?a=%zz HTTP/1.1\r\n" + HOST + auth + "\r\n", 400, "malformed-query"),
                new Case("a body on GET", "GET /v1/tokens HTTP/1.1\r\n" + HOST + auth + json + "Content-Length: 2\r\n\r\n{}", 400,
                        "bad-request"),
                // Tomcat would turn the 200 of a handler that left the body unread into a 500
                new Case("a body on GET with 100-continue", "GET /v1/tokens HTTP/1.1\r\n" + HOST + auth + json
                        + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}", 400, "bad-request"),
                new Case("a chunked body on DELETE", "DELETE /v1/tokens/x HTTP/1.1\r\n" + HOST + auth + json
                        + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400, "bad-request"),
                new Case("Accept with a bad quality", "GET /v1/tokens HTTP/1.1\r\n" + HOST + auth + "Accept: application/json;q=x\r\n\r\n",
                        400, "bad-request"),
                new Case("Accept that is no media type", "GET /actuator/health HTTP/1.1\r\n" + HOST + "Accept: json\r\n\r\n", 400,
                        "bad-request"),
                new Case("unknown path", "GET /no/such HTTP/1.1\r\n" + HOST + auth + "\r\n", 404, "not-found"),
                new Case("unknown path without a token", "GET /no/such HTTP/1.1\r\n" + HOST + "\r\n", 401, "unauthorized"));
    }

    @Test
    void everyRefusalAtTheEdgeIsAProblemDocument() {
        for (Case c : cases()) {
            try (RawHttp raw = RawHttp.connect(port)) {
                raw.send(c.request());
                RawHttp.Answer answer = raw.read(Duration.ofSeconds(15));
                assertThat(answer.status()).as("%s: %s", c.name(), answer.raw()).isEqualTo(c.status());
                assertThat(answer.isProblem()).as("%s: content type of %s", c.name(), answer.raw()).isTrue();
                JsonNode body = json.readTree(answer.body());
                assertThat(body.path("type").asString()).as(c.name()).isEqualTo(ProblemType.BASE + c.type());
                assertThat(body.path("status").asInt()).as(c.name()).isEqualTo(c.status());
                assertThat(body.path("title").asString()).as(c.name()).isNotBlank();
                assertThat(body.path("detail").asString()).as(c.name()).isNotBlank();
                assertThat(answer.raw()).as(c.name()).doesNotContain("<html", "<!doctype", "Apache Tomcat", "Exception");
            }
        }
    }

    @Test
    void emptyElementsOfAnAcceptListAreIgnored() {
        for (String path : List.of("/actuator/health", "/v1/tokens")) {
            try (RawHttp raw = RawHttp.connect(port)) {
                raw.send("GET " + path + " HTTP/1.1\r\n" + HOST + "Authorization: Bearer " + BOOTSTRAP_TOKEN + "\r\nAccept: ,, ,\r\n\r\n");
                assertThat(raw.read(Duration.ofSeconds(15)).status()).as(path).isEqualTo(200);
            }
        }
    }

    @Test
    void anHttp09RequestGetsAProblemDocumentAsItsWholeAnswer() {
        try (RawHttp raw = RawHttp.connect(port)) {
            raw.send("GET /actuator/health\r\n");
            assertThat(raw.awaitClose(Duration.ofSeconds(15))).isTrue();
            String answer = raw.received().raw(); // HTTP/0.9 has no status line and no headers: the body is all
            JsonNode body = json.readTree(answer);
            assertThat(body.path("type").asString()).isEqualTo(ProblemType.BASE + "http-version-not-supported");
        }
    }

    @Test
    void anHttp2PrefaceOnThePlainPortIsClosedWithoutHtml() {
        try (RawHttp raw = RawHttp.connect(port)) {
            raw.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            assertThat(raw.awaitClose(Duration.ofSeconds(15))).isTrue();
            assertThat(raw.received().raw()).doesNotContain("<html", "Exception");
        }
    }

    @Test
    void theExpectationOfABodyIsNotAnsweredBeforeTheRequestIsAccepted() {
        try (RawHttp raw = RawHttp.connect(port)) {
            raw.send("POST /v1/tokens HTTP/1.1\r\n" + HOST + "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            RawHttp.Answer answer = raw.read(Duration.ofSeconds(10));
            assertThat(answer.status()).as("no 100 Continue for a request refused without its body").isEqualTo(401);
        }
    }
}
