package dev.tollgate.web;

import static dev.tollgate.web.HttpBasicsIntegrationTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What bounds the memory of a parse (the JSON limits) and of large bodies at once (the large-body gate),
 * as a client sees them: 400 for a document beyond a limit, 503 with Retry-After for a large body while
 * the permits are taken — and small decisions answered all the while.
 */
class MemoryBoundsIntegrationTests extends IntegrationTest {

    static final String DIGEST = "sha256:" + "0".repeat(64);

    @Autowired
    LargeBodyGate gate;

    @Test
    void documentsBeyondTheParseLimitsAreBadRequests() {
        Map<String, String> hostile = Map.of(
                "tiny values", "[" + "0,".repeat(300_000) + "0]",
                "tiny objects", "[" + "{},".repeat(150_000) + "{}]",
                "deep arrays", "{\"artifact\":{\"digest\":\"" + DIGEST + "\"},\"context\":" + "[".repeat(2000) + "]".repeat(2000) + "}",
                "deep objects", "{\"a\":".repeat(1000) + "1" + "}".repeat(1000),
                "long name", "{\"" + "n".repeat(10_000) + "\":1}",
                "long number", "{\"version\":" + "1".repeat(100) + "}");
        for (String path : List.of("/v1/decisions", "/v1/admission", "/v1/tokens", "/v1/policies:evaluate")) {
            for (Map.Entry<String, String> body : hostile.entrySet()) {
                Api.Response response = api.postJson(path, BOOTSTRAP_TOKEN, body.getValue());
                assertThat(response.status()).as("%s: %s", path, body.getKey()).isEqualTo(400);
                assertProblem(response, "malformed-json");
                if (!path.equals("/v1/tokens")) { // a bound record refuses the wrong shape at its first token
                    assertThat(response.json().path("detail").asString()).as("%s: %s", path, body.getKey()).contains("limit");
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void largeBodiesBeyondTheBoundAreAnsweredBusyWhileSmallDecisionsGoOn() throws Exception {
        String decider = tokenWith("decider");
        List<RawHttp> holders = new ArrayList<>();
        try {
            // four large bodies that arrive slowly take the four permits
            for (int i = 0; i < 4; i++) {
                RawHttp holder = RawHttp.connect(port, "127.0.0.7");
                holder.send("POST /v1/decisions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + decider
                        + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"artifact\":");
                holders.add(holder);
            }
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (gate.available() > 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(gate.available()).isZero();

            byte[] large = ("{\"artifact\":{\"digest\":\"" + DIGEST + "\"}}" + " ".repeat(200_000)).getBytes(StandardCharsets.UTF_8);
            Api.Response busy = api.send("POST", "/v1/decisions", decider, "application/json", large);
            assertThat(busy.status()).isEqualTo(503);
            assertProblem(busy, "server-busy");
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");

            Api.Response small = api.postJson("/v1/decisions", decider, Map.of("artifact", Map.of("digest", DIGEST)));
            assertThat(small.status()).isEqualTo(200);
            assertThat(small.json().has("allowed")).isTrue();

            // the slow ones run out of time (tollgate.http.body-timeout), are refused with 408 and free the permits
            for (RawHttp holder : holders) {
                RawHttp.Answer answer = holder.read(Duration.ofSeconds(30));
                assertThat(answer.status()).isEqualTo(408);
                assertThat(answer.isProblem()).isTrue();
                assertThat(holder.awaitClose(Duration.ofSeconds(10))).isTrue();
            }
            until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (gate.available() < 4 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(gate.available()).isEqualTo(4);
            assertThat(api.send("POST", "/v1/decisions", decider, "application/json", large).status()).isEqualTo(200);
        } finally {
            holders.forEach(RawHttp::close);
        }
    }
}
