package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.RawHttp;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Slow clients (slow-loris): headers trickled, bodies trickled with and without a token, idle connections.
 * While they run, an ordinary request is answered; the slow ones are closed (or refused with 408) once their
 * bound passes — in the test context {@code tollgate.http.header-timeout} is 2 s and {@code body-timeout}
 * 3 s, with Tomcat's per-read time-out of 5 s — and one client address cannot hold more connections than
 * {@code tollgate.http.max-connections-per-client}. Each group of slow clients uses its own loopback
 * address, so that the rest of the suite (127.0.0.1) keeps its own budget.
 */
class SlowClientIntegrationTests extends IntegrationTest {

    /** Generous: every bound plus Tomcat's per-read time-out, twice. */
    static final Duration CLOSED_WITHIN = Duration.ofSeconds(20);

    @Autowired
    WebServerApplicationContext context;

    @Test
    @Timeout(120)
    void slowClientsAreCutOffWhileOthersAreServed() throws Exception {
        String decider = tokenWith("decider");
        ExecutorService pool = Executors.newFixedThreadPool(96);
        try {
            List<CompletableFuture<RawHttp.Answer>> headers = new ArrayList<>();
            List<CompletableFuture<RawHttp.Answer>> anonymousBodies = new ArrayList<>();
            List<CompletableFuture<RawHttp.Answer>> bodies = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                headers.add(CompletableFuture.supplyAsync(() -> trickleHeaders("127.0.0.3"), pool));
                anonymousBodies.add(CompletableFuture.supplyAsync(() -> trickleBody("127.0.0.4", null), pool));
                bodies.add(CompletableFuture.supplyAsync(() -> trickleBody("127.0.0.5", decider), pool));
            }
            Thread.sleep(1000); // all of them connected and trickling

            for (int i = 0; i < 5; i++) {
                Api.Response ordinary = api.get("/v1/policies", BOOTSTRAP_TOKEN);
                assertThat(ordinary.status()).isEqualTo(200);
                Api.Response decision = api.postJson("/v1/decisions", decider,
                        java.util.Map.of("artifact", java.util.Map.of("digest", "sha256:" + "1".repeat(64))));
                assertThat(decision.status()).isEqualTo(200);
                Thread.sleep(500);
            }

            for (CompletableFuture<RawHttp.Answer> f : headers) {
                RawHttp.Answer answer = f.get(60, TimeUnit.SECONDS);
                assertThat(answer.closed()).as("a header trickler is closed").isTrue();
                assertThat(answer.raw()).doesNotContain("<html");
            }
            for (CompletableFuture<RawHttp.Answer> f : anonymousBodies) {
                RawHttp.Answer answer = f.get(60, TimeUnit.SECONDS);
                assertThat(answer.status()).isEqualTo(401);
                assertThat(answer.closed()).as("a body trickler without a token is closed after its 401").isTrue();
            }
            for (CompletableFuture<RawHttp.Answer> f : bodies) {
                RawHttp.Answer answer = f.get(60, TimeUnit.SECONDS);
                assertThat(answer.status()).as(answer.raw()).isIn(408, 503);
                assertThat(answer.isProblem()).isTrue();
                assertThat(answer.closed()).as("a body trickler with a token is closed after its 408").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends the request line and headers one byte every 200 ms; returns what came back by the time it was closed. */
    private RawHttp.Answer trickleHeaders(String from) {
        String request = "GET /v1/policies HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + BOOTSTRAP_TOKEN
                + "\r\nX-Padding: " + "p".repeat(200) + "\r\n\r\n";
        try (RawHttp raw = RawHttp.connect(port, from)) {
            long until = System.nanoTime() + CLOSED_WITHIN.toNanos();
            for (int i = 0; i < request.length() && System.nanoTime() < until; i++) {
                if (!raw.send(request.substring(i, i + 1)) || raw.awaitClose(Duration.ofMillis(200))) {
                    return new RawHttp.Answer(raw.received().status(), raw.received().headers(), raw.received().body(), true,
                            raw.received().raw());
                }
            }
            return raw.received();
        }
    }

    /** Sends the headers of a 100 kB JSON body, then one body byte every 200 ms. */
    private RawHttp.Answer trickleBody(String from, String token) {
        String head = "POST /v1/decisions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
        try (RawHttp raw = RawHttp.connect(port, from)) {
            raw.send(head);
            long until = System.nanoTime() + CLOSED_WITHIN.toNanos();
            while (System.nanoTime() < until) {
                if (!raw.send("[") || raw.awaitClose(Duration.ofMillis(200))) {
                    RawHttp.Answer got = raw.received();
                    return new RawHttp.Answer(got.status(), got.headers(), got.body(), true, got.raw());
                }
            }
            return raw.received();
        }
    }

    @Test
    @Timeout(60)
    void oneClientAddressHoldsABoundedNumberOfConnections() throws Exception {
        BoundedHttp11Protocol protocol = protocol();
        InetAddress client = InetAddress.getByName("127.0.0.6");
        List<RawHttp> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 140; i++) {
                connections.add(RawHttp.connect(port, "127.0.0.6"));
            }
            long accepted = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (protocol.connectionsOf(client) < 128 && System.nanoTime() < accepted) {
                Thread.sleep(10);
            }
            assertThat(protocol.connectionsOf(client)).isEqualTo(128);
            for (RawHttp connection : connections.subList(128, 140)) {
                RawHttp.Answer answer = connection.read(Duration.ofSeconds(3));
                assertThat(answer.status()).isEqualTo(429);
                assertThat(answer.isProblem()).isTrue();
                assertThat(answer.body()).contains(ProblemType.BASE + "too-many-requests");
                assertThat(answer.header("retry-after")).isEqualTo("1");
                assertThat(connection.awaitClose(Duration.ofSeconds(3))).isTrue();
            }
            // another address is served meanwhile
            assertThat(api.get("/v1/policies", BOOTSTRAP_TOKEN).status()).isEqualTo(200);
        } finally {
            connections.forEach(RawHttp::close);
        }
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (protocol.connectionsOf(client) > 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(protocol.connectionsOf(client)).isZero();
        try (RawHttp again = RawHttp.connect(port, "127.0.0.6")) {
            again.send("GET /actuator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(again.read(Duration.ofSeconds(10)).status()).isEqualTo(200);
        }
    }

    private BoundedHttp11Protocol protocol() {
        Connector connector = ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();
        return (BoundedHttp11Protocol) connector.getProtocolHandler();
    }
}
