package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/audit/verify} (issue 12, item 9): by default from where the last valid run ended
 * (the record at a signed checkpoint's size, proven against the signed root) to the head;
 * {@code ?full=true} from sequence 1. A record changed above that point is found by either; a
 * rewrite below it that keeps the chain consistent is found by the incremental run
 * ({@code LedgerInsiderIntegrationTests}); a change below it that breaks the chain at the changed
 * row only by a full run — which the next incremental run then repeats until the log holds again.
 */
class IncrementalVerifyIntegrationTests extends IntegrationTest {

    String decider;
    String auditor;

    @BeforeEach
    void policy() {
        decider = tokenWith("decider");
        auditor = tokenWith("auditor");
        String policy = "policy \"verify-incremental\" { rule r { require context.verdict == \"yes\" } }";
        assertThat(api.sendText("PUT", "/v1/policies/verify-incremental", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
    }

    JsonNode decide() {
        String digest = "sha256:" + (Long.toHexString(System.nanoTime()) + "0".repeat(64)).substring(0, 64);
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"example.com/verify\"}, \"context\": {\"verdict\":"
                + " \"yes\"}, \"policies\": [\"verify-incremental\"], \"storedEvidence\": false}";
        Api.Response r = api.postJson("/v1/decisions", decider, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** Decides {@code n} times and waits until a checkpoint covers the last; returns its sequence. */
    long decideAndCheckpoint(int n) {
        JsonNode last = null;
        for (int i = 0; i < n; i++) {
            last = decide();
        }
        Api.Response p = api.get("/v1/decisions/" + last.get("decisionId").asString() + "/proof?wait=true", auditor);
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        return last.get("sequence").asLong();
    }

    Long runs() throws Exception {
        try (Connection c = DriverManager.getConnection(TestDatabase.get().directJdbcUrl());
                Statement st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM audit_verification")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    JsonNode verify(String query) {
        Api.Response r = api.get("/v1/audit/verify" + query, auditor);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static void edit(String sql) throws Exception {
        TestDatabase.get().editDecisionsAsInsider(sql);
    }

    @Test
    void onlyFullTrueOrFalseIsAccepted() {
        for (String bad : new String[] {"?full=yes", "?full=TRUE", "?full=", "?full=true&full=true", "?from=12", "?full=true&x=1"}) {
            Api.Response r = api.get("/v1/audit/verify" + bad, auditor);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.isProblem()).as(bad).isTrue();
        }
        assertThat(verify("?full=false").get("valid").asBoolean()).isTrue();
    }

    @Test
    void aRunStartsWhereTheLastValidOneEndedAndFullStartsAtOne() {
        decideAndCheckpoint(3);
        JsonNode full = verify("?full=true");
        assertThat(full.get("valid").asBoolean()).as(full.toString()).isTrue();
        assertThat(full.get("incremental").asBoolean()).isFalse();
        assertThat(full.get("verified").get("from").asLong()).isEqualTo(1);
        assertThat(full.get("verified").get("to").asLong()).isEqualTo(full.get("decisions").asLong());
        assertThat(full.get("verified").get("records").asLong()).isEqualTo(full.get("decisions").asLong());
        long anchor = full.get("checkpoint").get("size").asLong();
        assertThat(anchor).isPositive().isLessThanOrEqualTo(full.get("decisions").asLong());

        long last = decideAndCheckpoint(3);
        JsonNode next = verify("");
        assertThat(next.get("valid").asBoolean()).as(next.toString()).isTrue();
        assertThat(next.get("incremental").asBoolean()).isTrue();
        assertThat(next.get("verified").get("from").asLong()).isEqualTo(anchor);
        assertThat(next.get("verified").get("to").asLong()).isEqualTo(next.get("decisions").asLong()).isGreaterThanOrEqualTo(last);
        assertThat(next.get("verified").get("records").asLong()).isEqualTo(next.get("decisions").asLong() - anchor + 1);
        assertThat(next.get("checkpoint").get("size").asLong()).isGreaterThanOrEqualTo(last);
        // the same head as a full run, and the checkpoint it reached is the signed one
        JsonNode again = verify("?full=true");
        assertThat(again.get("head").asString()).isEqualTo(next.get("head").asString());
        Api.Response signed = api.get("/v1/audit/checkpoints/latest?size=" + next.get("checkpoint").get("size").asLong(), auditor);
        assertThat(signed.status()).isEqualTo(200);
        assertThat(java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(signed.body().split("\n")[2])))
                .isEqualTo(next.get("checkpoint").get("rootHash").asString());
    }

    @Test
    void aRecordChangedAboveTheVerifiedPointIsFoundByTheIncrementalRun() throws Exception {
        decideAndCheckpoint(2);
        assertThat(verify("?full=true").get("valid").asBoolean()).isTrue();
        long victim = decide().get("sequence").asLong();
        decideAndCheckpoint(1);
        edit("UPDATE decision SET artifact_name = 'forged' WHERE sequence = " + victim);
        try {
            JsonNode broken = verify("");
            assertThat(broken.get("valid").asBoolean()).as(broken.toString()).isFalse();
            assertThat(broken.get("incremental").asBoolean()).isTrue();
            assertThat(broken.get("brokenSequence").asLong()).isEqualTo(victim);
            assertThat(broken.get("verified").get("from").asLong()).isLessThan(victim);
        } finally {
            edit("UPDATE decision SET artifact_name = 'example.com/verify' WHERE sequence = " + victim);
        }
        // after a failed run the next one starts at 1 again, and then from its end
        JsonNode repaired = verify("");
        assertThat(repaired.get("valid").asBoolean()).as(repaired.toString()).isTrue();
        assertThat(repaired.get("incremental").asBoolean()).isFalse();
        assertThat(verify("").get("incremental").asBoolean()).isTrue();
    }

    @Test
    void aRowChangedBelowTheVerifiedPointWithoutRecomputingTheChainIsFoundByAFullRun() throws Exception {
        long victim = decide().get("sequence").asLong();
        decideAndCheckpoint(2);
        JsonNode before = verify("?full=true");
        assertThat(before.get("valid").asBoolean()).isTrue();
        assertThat(before.get("checkpoint").get("size").asLong()).isGreaterThan(victim);
        edit("UPDATE decision SET artifact_name = 'forged' WHERE sequence = " + victim);
        try {
            // the incremental run proves the anchor's chain hash is the signed one; it does not read the row below it
            JsonNode incremental = verify("");
            assertThat(incremental.get("incremental").asBoolean()).isTrue();
            assertThat(incremental.get("verified").get("from").asLong()).isGreaterThan(victim);
            assertThat(incremental.get("valid").asBoolean()).as(incremental.toString()).isTrue();
            JsonNode full = verify("?full=true");
            assertThat(full.get("valid").asBoolean()).as(full.toString()).isFalse();
            assertThat(full.get("incremental").asBoolean()).isFalse();
            assertThat(full.get("brokenSequence").asLong()).isEqualTo(victim);
            // and until the log holds again, every run is a full one
            JsonNode after = verify("");
            assertThat(after.get("incremental").asBoolean()).isFalse();
            assertThat(after.get("valid").asBoolean()).isFalse();
        } finally {
            edit("UPDATE decision SET artifact_name = 'example.com/verify' WHERE sequence = " + victim);
        }
        assertThat(verify("").get("valid").asBoolean()).isTrue();
    }

    @Test
    void aFullRunStreamsItsProgressAndEndsWithTheAnswer() throws Exception {
        decideAndCheckpoint(7);
        Api.Response r = api.get("/v1/audit/verify?full=true&progressEvery=3", auditor, "application/x-ndjson");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/x-ndjson");
        List<JsonNode> lines = r.body().lines().map(l -> r.mapper().readTree(l)).toList();
        JsonNode answer = lines.get(lines.size() - 1);
        assertThat(answer.get("valid").asBoolean()).as(r.body()).isTrue();
        assertThat(answer.get("incremental").asBoolean()).isFalse();
        long records = answer.get("verified").get("records").asLong();
        List<JsonNode> progress = lines.subList(0, lines.size() - 1);
        assertThat(progress).hasSize((int) (records / 3));
        for (int i = 0; i < progress.size(); i++) {
            assertThat(progress.get(i).get("progress").get("records").asLong()).isEqualTo(3L * (i + 1));
            assertThat(progress.get(i).get("progress").get("sequence").asLong()).isEqualTo(3L * (i + 1)); // from sequence 1
        }
        // the same run as the JSON answer gives (which takes no progressEvery)
        JsonNode plain = verify("?full=true");
        assertThat(plain.get("verified").get("from").asLong()).isEqualTo(answer.get("verified").get("from").asLong());
        for (String bad : List.of("?full=true&progressEvery=0", "?full=true&progressEvery=x", "?full=maybe", "?other=1")) {
            Api.Response refused = api.get("/v1/audit/verify" + bad, auditor, "application/x-ndjson");
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.isProblem()).as(bad).isTrue();
        }
        Api.Response json = api.get("/v1/audit/verify?full=true&progressEvery=3", auditor);
        assertThat(json.status()).isEqualTo(400);
        // an Accept header the endpoint cannot satisfy is refused before any work (no run is recorded)
        Long runs = runs();
        for (String accept : List.of("text/csv", "application/x-ndjson;q=0", "not a media type;;", "application/json;q=0")) {
            Api.Response refused = api.get("/v1/audit/verify?full=true", auditor, accept);
            // a header that does not parse is refused at the edge (MalformedRequestFilter), as on every endpoint
            assertThat(refused.status()).as(accept).isEqualTo(accept.endsWith(";;") ? 400 : 406);
            assertThat(refused.isProblem()).as(accept).isTrue();
        }
        assertThat(runs()).isEqualTo(runs);
        assertThat(api.get("/v1/audit/verify", auditor, "text/html,application/xhtml+xml,*/*;q=0.8").json().has("valid")).isTrue();
        assertThat(api.get("/v1/audit/verify?full=true", tokenWith("decider"), "application/x-ndjson").status()).isEqualTo(403);
        assertThat(api.get("/v1/audit/verify?full=true", null, "application/x-ndjson").status()).isEqualTo(401);
    }
}
