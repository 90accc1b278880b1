package dev.tollgate.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL is up, but the sessions of every pooled connection were terminated (as a database
 * restart, a fail-over or a restarted proxy does): the pool's connections look alive until used.
 * Every request afterwards must succeed — token lookups, policy, trust and history reads through
 * JPA and JDBC, decisions and their audit commits — on fresh connections, without a 500 or 503.
 */
class BrokenConnectionIntegrationTests extends IntegrationTest {

    private static final String DIGEST = "sha256:" + "b".repeat(64);

    @Autowired
    JdbcTemplate jdbc;

    String decider;
    String body;

    @BeforeEach
    void policy() {
        decider = tokenWith("decider");
        String policy = "policy \"broken-conn\" { rule r { require size(signatures) >= 0 } }";
        assertThat(api.sendText("PUT", "/v1/policies/broken-conn", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        body = "{\"artifact\": {\"digest\": \"" + DIGEST + "\", \"name\": \"example.com/broken\"}, \"policies\": [\"broken-conn\"]}";
    }

    /** Many decisions at once, so that the pool holds many connections that will all be dead. */
    private void fillThePool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Api.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                answers.add(pool.submit(() -> api.postJson("/v1/decisions", decider, body)));
            }
            for (Future<Api.Response> answer : answers) {
                assertThat(answer.get().status()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyRequestAfterTheSessionsWereTerminatedSucceeds() throws Exception {
        fillThePool();
        // a token never used yet: its lookup reads the database (JPA), it is not in the short cache
        Api.Response issued = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                Api.map("name", "fresh-" + Long.toHexString(System.nanoTime()), "roles", List.of("auditor", "policy-admin")));
        assertThat(issued.status()).isEqualTo(201);
        String fresh = issued.json().get("token").asString();

        int terminated = TestDatabase.get().terminateApplicationConnections();
        assertThat(terminated).as("pooled sessions terminated").isPositive();

        List<String> failures = new ArrayList<>();
        check(failures, "GET /v1/decisions (fresh token)", api.get("/v1/decisions?limit=5", fresh));
        check(failures, "GET /v1/policies", api.get("/v1/policies", tokenWith("policy-admin")));
        check(failures, "GET /v1/policies/broken-conn", api.get("/v1/policies/broken-conn", tokenWith("policy-admin")));
        check(failures, "GET /v1/trust/roots", api.get("/v1/trust/roots", tokenWith("auditor")));
        check(failures, "GET /v1/tokens", api.get("/v1/tokens", BOOTSTRAP_TOKEN));
        for (int i = 0; i < 20; i++) {
            check(failures, "POST /v1/decisions #" + i, api.postJson("/v1/decisions", decider, body));
        }
        check(failures, "GET /v1/audit/verify", api.get("/v1/audit/verify", tokenWith("auditor")));
        check(failures, "GET /v1/artifacts/…/evidence", api.get("/v1/artifacts/" + DIGEST + "/evidence", tokenWith("auditor")));
        assertThat(failures).as("requests after the sessions were terminated").isEmpty();

        // and once more, for writes: the sessions die again, a policy upload and a token are made
        TestDatabase.get().terminateApplicationConnections();
        String changed = "policy \"broken-conn\" { rule r { require size(signatures) >= 0 } rule s { require true } }";
        check(failures, "PUT /v1/policies/broken-conn", api.sendText("PUT", "/v1/policies/broken-conn", tokenWith("policy-admin"), changed));
        check(failures, "POST /v1/tokens", api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                Api.map("name", "after-" + Long.toHexString(System.nanoTime()), "roles", List.of("auditor"))));
        TestDatabase.get().terminateApplicationConnections();
        byte[] key = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("src/test/resources/trust-dir/conformance-managed.pem"));
        check(failures, "PUT /v1/trust/keys/…", api.send("PUT", "/v1/trust/keys/broken-conn-key", BOOTSTRAP_TOKEN,
                "application/x-pem-file", key));
        check(failures, "DELETE /v1/trust/keys/…", api.delete("/v1/trust/keys/broken-conn-key", BOOTSTRAP_TOKEN));
        assertThat(failures).as("writes after the sessions were terminated").isEmpty();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void decisionsUnderLoadSurviveRepeatedTerminations() throws Exception {
        fillThePool();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService load = Executors.newFixedThreadPool(8);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            workers.add(load.submit(() -> {
                while (!stop.get()) {
                    Api.Response r = api.postJson("/v1/decisions", decider, body);
                    if (r.status() == 200) {
                        answered.add(r.json().get("decisionId").asString());
                    } else {
                        failures.add(r.status() + " " + r.body());
                    }
                }
            }));
        }
        int kills = 5;
        int terminated = 0;
        try {
            for (int i = 0; i < kills; i++) {
                Thread.sleep(700);
                terminated += TestDatabase.get().terminateApplicationConnections();
            }
            Thread.sleep(700);
        } finally {
            stop.set(true);
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            load.shutdownNow();
        }
        System.out.printf("broken connections under load: %d decisions answered 200, %d failed, %d sessions terminated in %d kills%n",
                answered.size(), failures.size(), terminated, kills);
        assertThat(terminated).isPositive();
        assertThat(failures).as("decisions that were not answered 200 while sessions were being terminated").isEmpty();
        // every decision answered 200 is in the chain, exactly once, and the chain holds
        List<String> ids = List.copyOf(answered);
        Integer recorded = jdbc.queryForObject("SELECT count(*) FROM decision WHERE decision_id = ANY (?::uuid[])", Integer.class,
                (Object) ids.toArray(String[]::new));
        assertThat(recorded).isEqualTo(ids.size());
        JsonNode verified = api.get("/v1/audit/verify", tokenWith("auditor")).json();
        assertThat(verified.get("valid").asBoolean()).as(verified.toString()).isTrue();
    }

    private static void check(List<String> failures, String what, Api.Response response) {
        if (response.status() >= 300) {
            failures.add(what + " -> " + response.status() + " " + response.body());
        }
    }
}
