package dev.tollgate.decision;

import static dev.tollgate.support.DecisionFixtures.A_TXT;
import static dev.tollgate.support.DecisionFixtures.MESSAGE_BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** The hash chain, append-only records, the database outage, and requests that must change nothing. */
class AuditChainIntegrationTests extends IntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    private String body() {
        String policy = "policy \"chain\" { rule r { require any s in signatures: s.kind == \"keyless\" } }";
        api.sendText("PUT", "/v1/policies/chain", tokenWith("policy-admin"), policy);
        return "{\"artifact\": {\"digest\": \"" + A_TXT + "\"}, \"policies\": [\"chain\"], \"evidence\": [{\"bundle\": "
                + MESSAGE_BUNDLE + "}]}";
    }

    private JsonNode verify() {
        Api.Response response = api.get("/v1/audit/verify", tokenWith("auditor"));
        assertThat(response.status()).isEqualTo(200);
        return response.json();
    }

    @Test
    void theChainHoldsAfterConcurrentDecisionsWithoutGaps() throws Exception {
        String body = body();
        String decider = tokenWith("decider");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Api.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                futures.add(pool.submit(() -> api.postJson("/v1/decisions", decider, body)));
            }
            for (Future<Api.Response> f : futures) {
                assertThat(f.get().status()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode verified = verify();
        assertThat(verified.get("valid").asBoolean()).as(verified.toString()).isTrue();
        long count = jdbc.queryForObject("SELECT count(*) FROM decision", Long.class);
        assertThat(verified.get("decisions").asLong()).isEqualTo(count);
        assertThat(jdbc.queryForObject("SELECT max(sequence) FROM decision", Long.class)).isEqualTo(count);
        assertThat(verified.get("head").asString())
                .isEqualTo(jdbc.queryForObject("SELECT hash FROM decision ORDER BY sequence DESC LIMIT 1", String.class));
    }

    @Test
    void theDatabaseRefusesToChangeRecords() {
        api.postJson("/v1/decisions", tokenWith("decider"), body());
        assertThatThrownBy(() -> jdbc.update("UPDATE decision SET allowed = true WHERE sequence = 1")).rootCause().hasMessageContaining("immutable");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM decision WHERE sequence = 1")).rootCause().hasMessageContaining("immutable");
        assertThatThrownBy(() -> jdbc.update("TRUNCATE decision")).rootCause().hasMessageContaining("immutable");
    }

    @Test
    void verificationNamesTheFirstAlteredSequence() throws Exception {
        String decider = tokenWith("decider");
        String body = body();
        JsonNode last = null;
        for (int i = 0; i < 3; i++) {
            last = api.postJson("/v1/decisions", decider, body).json();
        }
        long target = jdbc.queryForObject("SELECT sequence FROM decision WHERE decision_id = ?::uuid", Long.class,
                last.get("decisionId").asString()) - 1;
        String original;
        try (Connection superuser = DriverManager.getConnection(TestDatabase.get().directJdbcUrl());
                Statement s = superuser.createStatement()) {
            var rs = s.executeQuery("SELECT outcome, allowed FROM decision WHERE sequence = " + target);
            rs.next();
            original = rs.getString(1) + "/" + rs.getBoolean(2);
        }
        TestDatabase.get().editDecisionsAsInsider("UPDATE decision SET artifact_name = 'forged' WHERE sequence = " + target);
        JsonNode broken = verify();
        assertThat(broken.get("valid").asBoolean()).isFalse();
        assertThat(broken.get("brokenSequence").asLong()).isEqualTo(target);
        TestDatabase.get().editDecisionsAsInsider("UPDATE decision SET artifact_name = NULL WHERE sequence = " + target);
        assertThat(verify().get("valid").asBoolean()).as(original).isTrue();
    }

    @Test
    void aDatabaseOutageIsA503NeverAnAllowAndDecisionsResumeWithoutRestart() throws Exception {
        String decider = tokenWith("decider");
        String body = body();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        JsonNode before = api.postJson("/v1/decisions", decider, body).json();
        answered.add(before.get("decisionId").asString());

        TestDatabase.get().proxy().cut();
        try {
            // a client that waits 15 s and no longer still reads the refusal: the database budget ends the request first
            Api patient = api.waitingAtMost(Duration.ofSeconds(15));
            for (int i = 0; i < 3; i++) {
                Api.Response during = patient.postJson("/v1/decisions", decider, body);
                assertThat(during.status()).isIn(503);
                assertThat(during.isProblem()).isTrue();
            }
        } finally {
            TestDatabase.get().proxy().restore();
        }
        Instant deadline = Instant.now().plusSeconds(30);
        Api.Response after;
        do {
            after = api.postJson("/v1/decisions", decider, body);
            if (after.status() == 200) {
                break;
            }
            assertThat(after.status()).isEqualTo(503);
            Thread.sleep(250);
        } while (Instant.now().isBefore(deadline));
        assertThat(after.status()).isEqualTo(200);
        answered.add(after.json().get("decisionId").asString());
        for (String id : answered) {
            assertThat(jdbc.queryForObject("SELECT count(*) FROM decision WHERE decision_id = ?::uuid", Integer.class, id))
                    .as("answered 200 but not recorded: " + id).isEqualTo(1);
        }
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void malformedRequestsAre4xxAndWriteNothing() {
        String decider = tokenWith("decider");
        String digest = "\"" + A_TXT + "\"";
        String bundle = MESSAGE_BUNDLE;
        String[] bad = {
            "{", "[]", "null", "\"text\"", "{}",
            "{\"artifact\": {}}",
            "{\"artifact\": {\"digest\": 5}}",
            "{\"artifact\": {\"digest\": \"sha256:ABC\"}}",
            "{\"artifact\": {\"digest\": \"sha384:" + "a".repeat(96) + "\"}}",
            "{\"artifact\": {\"digest\": \"sha512:" + "a".repeat(127) + "\"}}",
            "{\"artifact\": {\"digest\": \"sha256:" + "A".repeat(64) + "\"}}",
            "{\"artifact\": {\"digest\": " + digest + ", \"name\": 7}}",
            "{\"artifact\": {\"digest\": " + digest + ", \"color\": \"red\"}}",
            "{\"artifact\": {\"ref\": \"ghcr.io/acme/app:v1\"}}",
            "{\"artifact\": {\"ref\": \"ghcr.io/acme/app@sha256:123\"}}",
            "{\"artifact\": {\"ref\": \"ghcr.io/acme/app@" + A_TXT + "\", \"digest\": " + digest + "}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"context\": []}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"context\": {\"n\": 1}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"context\": {\"b\": true}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"context\": {\"z\": null}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"context\": {\"o\": {}}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"context\": " + tooManyEntries() + "}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"policies\": []}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"policies\": \"chain\"}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"policies\": [1]}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"storedEvidence\": \"yes\"}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"evidence\": {}}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"evidence\": [1]}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"evidence\": [{\"bundle\": {}}]}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"evidence\": [{\"bundle\": " + bundle + ", \"payload\": \"%%\"}]}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"evidence\": [{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle+json;version=9\"}}]}",
            "{\"artifact\": {\"digest\": " + digest + "}, \"unknown\": 1}",
        };
        long before = jdbc.queryForObject("SELECT count(*) FROM decision", Long.class);
        long evidence = jdbc.queryForObject("SELECT count(*) FROM artifact_evidence", Long.class);
        for (String request : bad) {
            Api.Response response = api.postJson("/v1/decisions", decider, request);
            assertThat(response.status()).as(request).isBetween(400, 499);
            assertThat(response.isProblem()).as(request).isTrue();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM decision", Long.class)).isEqualTo(before);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM artifact_evidence", Long.class)).isEqualTo(evidence);
    }

    private static String tooManyEntries() {
        StringBuilder context = new StringBuilder("{");
        for (int i = 0; i < 65; i++) {
            context.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"v\"");
        }
        return context.append("}").toString();
    }
}
