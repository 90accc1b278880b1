package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A bad row never takes its group commit with it: what PostgreSQL cannot store (U+0000) is
 * refused where it enters, at every entry point, and a record the database still refuses fails
 * alone while the decisions committed with it succeed.
 */
class BadRowIntegrationTests extends IntegrationTest {

    private static final String DIGEST = "sha256:" + "c".repeat(64);
    private static final String NUL = "\\u0000";

    @Autowired
    JdbcTemplate jdbc;

    String decider;

    @BeforeEach
    void policy() {
        decider = tokenWith("decider");
        String policy = "policy \"bad-row\" { rule r { require size(signatures) >= 0 } }";
        assertThat(api.sendText("PUT", "/v1/policies/bad-row", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
    }

    private static String decision(String artifact, String context) {
        return "{\"artifact\": " + artifact + ", \"context\": " + context + ", \"policies\": [\"bad-row\"]}";
    }

    private static String good(int i) {
        return decision("{\"digest\": \"" + DIGEST + "\", \"name\": \"example.com/good\"}", "{\"n\": \"" + i + "\"}");
    }

    private long decisions() {
        return jdbc.queryForObject("SELECT count(*) FROM decision", Long.class);
    }

    @Test
    void textPostgresqlCannotHoldIsA400AtTheApiAndRecordsNothing() {
        String[] bad = {
            decision("{\"digest\": \"" + DIGEST + "\", \"name\": \"a" + NUL + "b\"}", "{}"),
            decision("{\"digest\": \"" + DIGEST + "\", \"tag\": \"v1" + NUL + "\"}", "{}"),
            decision("{\"ref\": \"example.com/a" + NUL + "@" + DIGEST + "\"}", "{}"),
            decision("{\"ref\": \"example.com/a:v" + NUL + "@" + DIGEST + "\"}", "{}"),
            decision("{\"digest\": \"" + DIGEST + "\"}", "{\"env\": \"prod" + NUL + "\"}"),
            decision("{\"digest\": \"" + DIGEST + "\"}", "{\"e" + NUL + "nv\": \"prod\"}"),
            decision("{\"digest\": \"" + DIGEST + "\", \"name\": \"lone \\ud800 surrogate\"}", "{}"),
            decision("{\"digest\": \"" + DIGEST + "\", \"name\": \"" + "n".repeat(1025) + "\"}", "{}"),
            "{\"artifact\": {\"digest\": \"" + DIGEST + "\"}, \"policies\": [\"bad" + NUL + "\"]}",
        };
        long before = decisions();
        for (String request : bad) {
            Api.Response response = api.postJson("/v1/decisions", decider, request);
            assertThat(response.status()).as(request).isEqualTo(400);
            assertThat(response.isProblem()).as(request).isTrue();
        }
        assertThat(decisions()).isEqualTo(before);
    }

    @Test
    void admissionRefusesAReviewWithNulInAnImageOrItsContext() throws Exception {
        String pod = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "nul-1", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "payments",
                   "operation": "CREATE", "userInfo": {"username": "%s"},
                   "object": {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "%s"}]}}}}
                """;
        String[][] cases = {
            {"alice", "registry.example/app" + NUL + "@" + DIGEST},
            {"alice", "registry.example/app:v1" + NUL + "x@" + DIGEST},
            {"al" + NUL + "ice", "registry.example/app@" + DIGEST},
        };
        long before = decisions();
        for (String[] c : cases) {
            Api.Response response = api.postJson("/v1/admission", decider, pod.formatted(c[0], c[1]));
            assertThat(response.status()).as(c[1]).isEqualTo(200);
            assertThat(response.isProblem()).isFalse();
            JsonNode answer = response.json().get("response");
            assertThat(answer.get("uid").asString()).isEqualTo("nul-1");
            assertThat(answer.get("allowed").asBoolean()).as(c[1]).isFalse();
            assertThat(answer.get("status").get("message").asString()).contains("U+0000");
        }
        assertThat(decisions()).isEqualTo(before);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void badDecisionsAmongAHundredConcurrentGoodOnesCostOnlyThemselves() throws Exception {
        List<Callable<Api.Response>> requests = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String body = good(i);
            requests.add(() -> api.postJson("/v1/decisions", decider, body));
            if (i % 10 == 0) {
                String nul = decision("{\"digest\": \"" + DIGEST + "\", \"name\": \"x" + NUL + i + "\"}", "{}");
                requests.add(() -> api.postJson("/v1/decisions", decider, nul));
                String admission = """
                        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                         "request": {"uid": "u%d", "kind": {"group": "", "kind": "Pod"}, "namespace": "n", "operation": "CREATE",
                           "object": {"spec": {"containers": [{"name": "a", "image": "x%s@%s"}]}}}}""".formatted(i, NUL, DIGEST);
                requests.add(() -> api.postJson("/v1/admission", decider, admission));
            }
        }
        List<Api.Response> answers = runConcurrently(requests);
        List<String> recordedIds = new ArrayList<>();
        for (Api.Response r : answers) {
            if (r.body().contains("AdmissionReview")) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.json().get("response").get("allowed").asBoolean()).isFalse();
            } else if (r.status() == 200) {
                recordedIds.add(r.json().get("decisionId").asString());
            } else {
                assertThat(r.status()).as(r.body()).isEqualTo(400);
                assertThat(r.body()).contains("U+0000");
            }
        }
        assertThat(recordedIds).as("every good decision answered 200").hasSize(100);
        assertRecorded(recordedIds);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRecordTheDatabaseRefusesFailsAloneAndTheOthersOfItsCommitAreRecorded() throws Exception {
        // 1024 random CJK characters: a valid name, but 3 KB of incompressible UTF-8, more than a
        // b-tree index entry may hold (the artifact name is indexed): PostgreSQL refuses the row
        Random random = new Random(9);
        List<Callable<Api.Response>> requests = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String body = good(i);
            requests.add(() -> api.postJson("/v1/decisions", decider, body));
            if (i % 20 == 0) {
                StringBuilder name = new StringBuilder();
                for (int c = 0; c < 1024; c++) {
                    name.appendCodePoint(0x4E00 + random.nextInt(0x5000));
                }
                String huge = decision("{\"digest\": \"" + DIGEST + "\", \"name\": \"" + name + "\"}", "{}");
                requests.add(() -> api.postJson("/v1/decisions", decider, huge));
            }
        }
        List<Api.Response> answers = runConcurrently(requests);
        List<String> recordedIds = new ArrayList<>();
        int refused = 0;
        for (Api.Response r : answers) {
            if (r.status() == 200) {
                recordedIds.add(r.json().get("decisionId").asString());
            } else {
                assertThat(r.status()).as(r.body()).isEqualTo(400);
                assertThat(r.body()).contains("the database refused the record");
                refused++;
            }
        }
        assertThat(recordedIds).as("every good decision answered 200").hasSize(100);
        assertThat(refused).isEqualTo(5);
        assertRecorded(recordedIds);
    }

    private List<Api.Response> runConcurrently(List<Callable<Api.Response>> requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Api.Response> answers = new ArrayList<>();
            for (Future<Api.Response> f : pool.invokeAll(requests)) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertRecorded(List<String> ids) {
        Integer recorded = jdbc.queryForObject("SELECT count(*) FROM decision WHERE decision_id = ANY (?::uuid[])", Integer.class,
                (Object) ids.toArray(String[]::new));
        assertThat(recorded).isEqualTo(ids.size());
        JsonNode verified = api.get("/v1/audit/verify", tokenWith("auditor")).json();
        assertThat(verified.get("valid").asBoolean()).as(verified.toString()).isTrue();
        // the record is what was decided, character for character (no replacement)
        ObjectNode one = (ObjectNode) api.get("/v1/decisions/" + ids.get(0), tokenWith("auditor")).json();
        assertThat(one.get("artifact").get("name").asString()).isEqualTo("example.com/good");
    }
}
