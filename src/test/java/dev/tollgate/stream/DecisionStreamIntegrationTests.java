package dev.tollgate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The decision stream through the running server: while the collector is down, decisions are
 * still answered; once it is up it receives each committed decision exactly once, as stored
 * (the answer with its sequence), and the log sink writes one JSON line per decision.
 */
class DecisionStreamIntegrationTests extends IntegrationTest {

    @Test
    void decisionsAreAnsweredWhileTheCollectorIsDownAndReachItOnceItIsUp() throws Exception {
        Logger lines = (Logger) LoggerFactory.getLogger(DecisionStream.LOGGER);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        lines.addAppender(appender);
        try {
            STREAM.down();
            int refusedBefore = STREAM.refused();
            String decider = tokenWith("decider");
            List<JsonNode> answers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Api.Response r = api.postJson("/v1/decisions", decider,
                        Map.of("artifact", Map.of("digest", "sha256:" + Integer.toHexString(0xa0 + i).repeat(32))));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                // the stored response is the answer without what only the commit yields (receipt, signed VSA)
                ObjectNode stored = (ObjectNode) r.json();
                assertThat(stored.has("receipt")).isTrue();
                stored.remove(List.of("receipt", "vsa"));
                answers.add(stored);
            }
            await(() -> STREAM.refused() > refusedBefore, "the collector was tried while down");
            for (JsonNode answer : answers) {
                assertThat(received().get(answer.get("decisionId").asString())).as("nothing arrives while down").isNull();
            }

            STREAM.up();
            await(() -> answers.stream().allMatch(a -> received().containsKey(a.get("decisionId").asString())),
                    "every decision received");
            Map<String, List<JsonNode>> received = receivedAll();
            for (JsonNode answer : answers) {
                List<JsonNode> copies = received.get(answer.get("decisionId").asString());
                assertThat(copies).as("received exactly once").hasSize(1);
                JsonNode entry = copies.get(0);
                assertThat(entry.get("sequence").asLong()).isEqualTo(answer.get("sequence").asLong());
                assertThat(entry.get("hash").asString()).hasSize(64);
                assertThat(entry.get("decision")).as("the stored response is the answer").isEqualTo(answer);
            }
            // nothing is received twice, whoever made it
            assertThat(received.values()).allSatisfy(copies -> assertThat(copies).hasSize(1));

            await(() -> answers.stream().allMatch(a -> appender.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().contains(a.get("decisionId").asString()))), "one log line per decision");
            for (JsonNode answer : answers) {
                List<ILoggingEvent> mine = appender.list.stream()
                        .filter(e -> e.getFormattedMessage().contains(answer.get("decisionId").asString())).toList();
                assertThat(mine).hasSize(1);
                JsonNode line = json.readTree(mine.get(0).getFormattedMessage());
                assertThat(line.get("sequence").asLong()).isEqualTo(answer.get("sequence").asLong());
                assertThat(line.get("decision")).isEqualTo(answer);
            }

            String metrics = api.get("/actuator/prometheus", null).body();
            assertThat(metrics).containsPattern("tollgate_decision_stream_sent_total\\{sink=\"http\"\\} [1-9]");
            assertThat(metrics).containsPattern("tollgate_decision_stream_sent_total\\{sink=\"log\"\\} [1-9]");
            assertThat(metrics).contains("tollgate_decision_stream_dropped_total{sink=\"http\"}");
            assertThat(metrics).contains("tollgate_decision_stream_failed_total{sink=\"http\"}");
        } finally {
            STREAM.up();
            lines.detachAppender(appender);
        }
    }

    private Map<String, JsonNode> received() {
        Map<String, JsonNode> byId = new HashMap<>();
        receivedAll().forEach((id, copies) -> byId.put(id, copies.get(0)));
        return byId;
    }

    private Map<String, List<JsonNode>> receivedAll() {
        Map<String, List<JsonNode>> byId = new HashMap<>();
        for (String batch : STREAM.batches()) {
            for (JsonNode entry : json.readTree(batch)) {
                byId.computeIfAbsent(entry.get("decision").get("decisionId").asString(), k -> new ArrayList<>()).add(entry);
            }
        }
        return byId;
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
