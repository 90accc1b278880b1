package dev.tollgate.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TcpProxy;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * A database that stopped answering (black hole: connections accepted, nothing answered) or
 * went away (cut): decisions are refused with a 503 problem within the budget, the admission
 * webhook answers an AdmissionReview refusal (never a problem document), and once the database
 * is back decisions succeed again without a restart. The times are printed (they are measured,
 * not asserted: see the report in the commit and docs/configuration.md).
 */
class OutageIntegrationTests extends IntegrationTest {

    private static final String DIGEST = "sha256:" + "e".repeat(64);

    String decider;
    String body;
    String review;

    @BeforeEach
    void policy() {
        decider = tokenWith("decider");
        String policy = "policy \"outage\" { rule r { require size(signatures) >= 0 } }";
        assertThat(api.sendText("PUT", "/v1/policies/outage", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        body = "{\"artifact\": {\"digest\": \"" + DIGEST + "\"}, \"policies\": [\"outage\"]}";
        review = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "outage-1", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "payments",
                   "operation": "CREATE", "object": {"spec": {"containers": [{"name": "a", "image": "registry.example/app@%s"}]}}}}
                """.formatted(DIGEST);
        for (int i = 0; i < 20; i++) {
            assertThat(api.postJson("/v1/decisions", decider, body).status()).isEqualTo(200);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aBlackHoledDatabaseIsAnswered503AndAdmissionRefusesWithAReviewAndDecisionsResume() throws Exception {
        // a token that was never used: during the outage its lookup needs the database
        String fresh = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                Api.map("name", "outage-" + Long.toHexString(System.nanoTime()), "roles", List.of("decider"))).json().get("token")
                .asString();
        TcpProxy proxy = TestDatabase.get().proxy();
        List<Long> millis = new ArrayList<>();
        Instant restored;
        proxy.blackHole();
        try {
            for (int i = 0; i < 3; i++) {
                Instant start = Instant.now();
                Api.Response during = api.postJson("/v1/decisions", decider, body);
                millis.add(Duration.between(start, Instant.now()).toMillis());
                assertThat(during.status()).as(during.body()).isEqualTo(503);
                assertThat(during.isProblem()).isTrue();
            }
            millis.addAll(concurrently(8, () -> api.postJson("/v1/decisions", decider, body), 503));

            for (String token : new String[] {decider, fresh}) {
                Instant start = Instant.now();
                Api.Response admission = api.postJson("/v1/admission", token, review);
                millis.add(Duration.between(start, Instant.now()).toMillis());
                assertThat(admission.status()).as(admission.body()).isEqualTo(200);
                assertThat(admission.isProblem()).isFalse();
                JsonNode answer = admission.json();
                assertThat(answer.get("kind").asString()).isEqualTo("AdmissionReview");
                assertThat(answer.get("response").get("uid").asString()).isEqualTo("outage-1");
                assertThat(answer.get("response").get("allowed").asBoolean()).isFalse();
                assertThat(answer.get("response").get("status").get("message").asString()).contains("no decision could be made");
            }
            awaitStatus("/actuator/health/readiness", 503, Duration.ofSeconds(30));
        } finally {
            proxy.restore();
            restored = Instant.now();
        }
        long recovery = awaitDecision(restored);
        System.out.printf("black hole: refusals answered after %s ms (max %d ms); first decision %d ms after the database answered again%n",
                millis, millis.stream().mapToLong(Long::longValue).max().orElse(0), recovery);
        awaitStatus("/actuator/health/readiness", 200, Duration.ofSeconds(30));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void afterALongerOutageDecisionsResumeAsSoonAsTheDatabaseIsBack() throws Exception {
        TcpProxy proxy = TestDatabase.get().proxy();
        Instant restored;
        proxy.cut();
        try {
            // long enough that a pool backing off exponentially would wait seconds between attempts
            Instant end = Instant.now().plusSeconds(10);
            while (Instant.now().isBefore(end)) {
                assertThat(api.postJson("/v1/decisions", decider, body).status()).isEqualTo(503);
                Thread.sleep(500);
            }
        } finally {
            proxy.restore();
            restored = Instant.now();
        }
        long recovery = awaitDecision(restored);
        awaitStatus("/actuator/health/readiness", 200, Duration.ofSeconds(30));
        System.out.printf("after a 10 s cut: first decision %d ms, readiness UP %d ms after the database was back%n", recovery,
                Duration.between(restored, Instant.now()).toMillis());
    }

    /** Milliseconds from {@code since} to the first decision answered 200 (decisions in between are 503, never anything else). */
    private long awaitDecision(Instant since) throws InterruptedException {
        Instant deadline = since.plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            Api.Response after = api.postJson("/v1/decisions", decider, body);
            if (after.status() == 200) {
                return Duration.between(since, Instant.now()).toMillis();
            }
            assertThat(after.status()).as(after.body()).isEqualTo(503);
            Thread.sleep(50);
        }
        throw new AssertionError("decisions did not succeed again within 30 s");
    }

    private List<Long> concurrently(int n, java.util.concurrent.Callable<Api.Response> call, int status) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Long>> times = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                times.add(pool.submit(() -> {
                    Instant start = Instant.now();
                    Api.Response r = call.call();
                    assertThat(r.status()).as(r.body()).isEqualTo(status);
                    return Duration.between(start, Instant.now()).toMillis();
                }));
            }
            List<Long> millis = new ArrayList<>();
            for (Future<Long> t : times) {
                millis.add(t.get());
            }
            return millis;
        } finally {
            pool.shutdownNow();
        }
    }

    private long awaitStatus(String path, int status, Duration timeout) throws InterruptedException {
        Instant start = Instant.now();
        Instant deadline = start.plus(timeout);
        int last;
        do {
            last = api.get(path, null).status();
            if (last == status) {
                return Duration.between(start, Instant.now()).toMillis();
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(path + " did not answer " + status + " in " + timeout + "; last: " + last);
    }
}
