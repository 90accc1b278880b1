package dev.tollgate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.audit.DecisionsCommitted;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** A collector that hangs never holds up the writer: the handing over returns at once, and what does not fit is dropped and counted. */
class DecisionStreamTests {

    @Test
    void aHangingCollectorDropsWhatDoesNotFitAndNeverBlocksTheHandOver() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer hanging = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        hanging.createContext("/", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hanging.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hanging.start();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        DecisionStreamProperties properties = new DecisionStreamProperties(false, 3, new DecisionStreamProperties.Http(
                URI.create("http://127.0.0.1:" + hanging.getAddress().getPort() + "/"), 2, Duration.ofMillis(1),
                Duration.ofSeconds(30), 1, Duration.ofMillis(1), Duration.ofMillis(1), Map.of()));
        DecisionStream stream = new DecisionStream(properties, metrics);
        try {
            List<DecisionsCommitted.Decision> decisions = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                decisions.add(new DecisionsCommitted.Decision(i, "0".repeat(64), "1".repeat(64), "2".repeat(64), UUID.randomUUID(), "api", false,
                        "{\"sequence\":" + i + "}"));
            }
            stream.committed(new DecisionsCommitted(decisions));
            double dropped = metrics.get("tollgate.decision.stream.dropped").counter().count();
            // at most the queue (3) and one batch in flight (2) are kept
            assertThat(dropped).isGreaterThanOrEqualTo(1000 - 3 - 2);
            assertThat(metrics.get("tollgate.decision.stream.sent").counter().count()).isZero();
        } finally {
            release.countDown();
            stream.stop();
            hanging.stop(0);
        }
    }

    @Test
    void anEntryIsTheStoredResponseWithItsChainHashes() {
        String entry = DecisionStream.entry(new DecisionsCommitted.Decision(7, "a".repeat(64), "b".repeat(64), "c".repeat(64), UUID.randomUUID(),
                "admission", false, "{\"sequence\":7,\"allowed\":true}"));
        assertThat(entry).isEqualTo("{\"sequence\":7,\"hash\":\"" + "b".repeat(64) + "\",\"previousHash\":\"" + "a".repeat(64)
                + "\",\"decision\":{\"sequence\":7,\"allowed\":true}}");
    }
}
