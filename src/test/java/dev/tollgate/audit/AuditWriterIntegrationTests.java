package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The audit writer cannot be lost: when its thread dies a new one takes over, and readiness is
 * DOWN exactly while decisions cannot be recorded (writer dead, queue full), UP again after.
 */
class AuditWriterIntegrationTests extends IntegrationTest {

    private static final String DIGEST = "sha256:" + "d".repeat(64);

    @Autowired
    AuditLog audit;

    String decider;
    String body;

    @BeforeEach
    void policy() {
        decider = tokenWith("decider");
        String policy = "policy \"writer\" { rule r { require size(signatures) >= 0 } }";
        assertThat(api.sendText("PUT", "/v1/policies/writer", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        body = "{\"artifact\": {\"digest\": \"" + DIGEST + "\"}, \"policies\": [\"writer\"]}";
    }

    @AfterEach
    void noHook() {
        audit.beforeEachPoll = null;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriterKilledByAnErrorIsRestartedAndReadinessFollows() throws Exception {
        assertThat(api.postJson("/v1/decisions", decider, body).status()).isEqualTo(200);
        Thread before = writerThread();

        // every writer that starts dies at once, as if out of memory, until the hook is removed
        audit.beforeEachPoll = () -> {
            throw new OutOfMemoryError("test: the audit writer dies");
        };
        await(() -> !audit.writerAlive(), "the writer died");
        awaitStatus("/actuator/health/readiness", 503);
        Instant start = Instant.now();
        Api.Response refused = api.postJson("/v1/decisions", decider, body);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.isProblem()).isTrue();
        assertThat(Duration.between(start, Instant.now())).as("refused at once, not after the budget").isLessThan(Duration.ofSeconds(3));

        audit.beforeEachPoll = null;
        awaitStatus("/actuator/health/readiness", 200);
        assertThat(api.postJson("/v1/decisions", decider, body).status()).isEqualTo(200);
        Thread after = writerThread();
        assertThat(after).isNotSameAs(before);
        assertThat(after.isAlive()).isTrue();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFullQueueMakesTheServerUnreadyAndDecisionsAre503UntilItDrains() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        audit.beforeEachPoll = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        List<CompletableFuture<DecisionRecord.Written>> queued = new ArrayList<>();
        try {
            Thread.sleep(300); // the writer is parked in the hook
            // fill the queue with records (they expire before the writer is let go, so none is written)
            while (true) {
                try {
                    queued.addAll(audit.enqueue(List.of(record())));
                } catch (RecordingFailed full) {
                    assertThat(full.getMessage()).contains("queue is full");
                    break;
                }
            }
            assertThat(audit.queueFull()).isTrue();
            awaitStatus("/actuator/health/readiness", 503);
            Api.Response refused = api.postJson("/v1/decisions", decider, body);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.isProblem()).isTrue();
            Thread.sleep(5_000); // past every queued record's deadline
        } finally {
            audit.beforeEachPoll = null;
            release.countDown();
        }
        awaitStatus("/actuator/health/readiness", 200);
        assertThat(api.postJson("/v1/decisions", decider, body).status()).isEqualTo(200);
        for (CompletableFuture<DecisionRecord.Written> f : queued) {
            assertThat(f).isCompletedExceptionally(); // expired: never written, never answered as recorded
        }
        assertThat(api.get("/v1/audit/verify", tokenWith("auditor")).json().get("valid").asBoolean()).isTrue();
    }

    private static DecisionRecord record() {
        var nodes = JsonNodeFactory.instance;
        return new DecisionRecord(UUID.randomUUID(), Instant.now(), "test-queue", "api", false, DIGEST, null, null, false, "deny",
                List.of(), nodes.arrayNode(), nodes.objectNode(), nodes.objectNode().put("allowed", false), List.of());
    }

    private static Thread writerThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("audit-writer") && t.isAlive())
                .findFirst().orElseThrow();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private void awaitStatus(String path, int status) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        int last;
        do {
            last = api.get(path, null).status();
            if (last == status) {
                return;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(path + " did not answer " + status + " within 20 s; last: " + last);
    }
}
