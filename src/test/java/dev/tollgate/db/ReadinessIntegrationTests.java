package dev.tollgate.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.Test;

class ReadinessIntegrationTests extends IntegrationTest {

    @Test
    void readinessGoesDownWhileTheDatabaseIsUnreachableAndRecovers() throws Exception {
        assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(200);
        TestDatabase.get().proxy().cut();
        try {
            Api.Response down = awaitStatus("/actuator/health/readiness", 503, Duration.ofSeconds(30));
            assertThat(down.json().get("status").asString()).isEqualTo("DOWN");
            // liveness stays UP: a database outage is no reason to restart the process
            assertThat(api.get("/actuator/health/liveness", null).status()).isEqualTo(200);
            // authenticated endpoints answer 503, not 500, while the database is away
            Api.Response tokens = api.get("/v1/tokens", BOOTSTRAP_TOKEN);
            assertThat(tokens.status()).isEqualTo(503);
            assertThat(tokens.isProblem()).isTrue();
        } finally {
            TestDatabase.get().proxy().restore();
        }
        awaitStatus("/actuator/health/readiness", 200, Duration.ofSeconds(30));
        assertThat(api.get("/v1/tokens", BOOTSTRAP_TOKEN).status()).isEqualTo(200);
    }

    private Api.Response awaitStatus(String path, int status, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Api.Response last;
        do {
            last = api.get(path, null);
            if (last.status() == status) {
                return last;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(path + " did not answer " + status + " in " + timeout + "; last: " + last.status());
    }
}
