package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import dev.tollgate.db.DatabaseRetry;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The server's chain verification over several connections ({@link ChainRanges}: disjoint ranges read
 * apart, joined in order) against the single cursor, on the real database, with ranges of 4 records so
 * that a few decisions span several ranges and both readers: the same answer when the log holds, and
 * when a record is changed in the middle of a range, at a range's first or last record, or re-hashed so
 * that it holds on its own but no longer continues the record before it across a range's edge — the
 * same first bad sequence, the same records counted, the same leaves handed on.
 */
class ChainRangesIntegrationTests extends IntegrationTest {

    private static final int RANGE = 4;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    DatabaseRetry retry;

    DecisionHistory single;
    DecisionHistory parallel;

    /** The sequence before this test's decisions, its hash, and the sequences of the decisions. */
    long after;
    String afterHash;
    final List<Long> sequences = new ArrayList<>();

    @BeforeEach
    void decisions() {
        single = new DecisionHistory(jdbc, transactions, json, retry, ORIGIN, 1);
        parallel = new DecisionHistory(jdbc, transactions, json, retry, ORIGIN, 2);
        String decider = tokenWith("decider");
        String policy = "policy \"chain-ranges\" { rule r { require context.verdict == \"yes\" } }";
        assertThat(api.sendText("PUT", "/v1/policies/chain-ranges", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        sequences.clear();
        for (int i = 0; i < 4 * RANGE + 2; i++) {
            String digest = "sha256:" + (Long.toHexString(System.nanoTime()) + "0".repeat(64)).substring(0, 64);
            Api.Response r = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\":"
                    + " \"example.com/ranges\"}, \"context\": {\"verdict\": \"yes\"}, \"policies\": [\"chain-ranges\"],"
                    + " \"storedEvidence\": false}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            sequences.add(r.json().get("sequence").asLong());
        }
        after = sequences.get(0) - 1;
        afterHash = after == 0 ? DecisionChain.GENESIS
                : jdbc.queryForObject("SELECT hash FROM decision WHERE sequence = ?", String.class, after);
    }

    /** Sequence, leaf (hex) and hash of each record handed on. */
    private record Walk(DecisionHistory.Verification verification, List<String> leaves) {
    }

    private Walk walk(DecisionHistory history, boolean inRanges) {
        List<String> leaves = new ArrayList<>();
        DecisionHistory.Leaves sink = (sequence, leaf, hash) -> {
            leaves.add(sequence + " " + java.util.HexFormat.of().formatHex(leaf) + " " + hash);
            return true;
        };
        DecisionHistory.Verification v = inRanges ? ChainRanges.verify(history, after, afterHash, sink, 2, RANGE)
                : history.verify(after, afterHash, () -> sink);
        return new Walk(v, leaves);
    }

    private Walk bothAgree() {
        Walk one = walk(single, false);
        Walk ranges = walk(parallel, true);
        assertThat(ranges.verification()).isEqualTo(one.verification());
        assertThat(ranges.leaves()).isEqualTo(one.leaves());
        return ranges;
    }

    private static void edit(String sql) throws Exception {
        TestDatabase.get().editDecisionsAsInsider(sql);
    }

    @Test
    void rangesReadApartGiveTheSingleCursorsAnswer() {
        Walk walk = bothAgree();
        assertThat(walk.verification().valid()).isTrue();
        assertThat(walk.verification().decisions()).isGreaterThanOrEqualTo(sequences.size());
        assertThat(walk.leaves()).hasSize((int) walk.verification().decisions());
        // the default: the Spring bean (two connections, ranges of ChainRanges.RANGE) agrees too
        assertThat(parallel.verify(after, afterHash, null)).isEqualTo(single.verify(after, afterHash, null));
    }

    @Test
    void aRecordChangedInARangeOrAtItsEdgeIsNamed() throws Exception {
        // after + 1 … after + 4 is the first range: after + 6 is inside the second, after + 9 starts the third, after + 12 ends it
        for (long victim : new long[] {after + 6, after + 9, after + 12, after + 1}) {
            edit("UPDATE decision SET artifact_name = 'forged' WHERE sequence = " + victim);
            try {
                Walk walk = bothAgree();
                assertThat(walk.verification().valid()).as("victim " + victim).isFalse();
                assertThat(walk.verification().brokenSequence()).isEqualTo(victim);
                assertThat(walk.verification().decisions()).isEqualTo(victim - after);
                assertThat(walk.leaves()).hasSize((int) (victim - after - 1));
            } finally {
                edit("UPDATE decision SET artifact_name = 'example.com/ranges' WHERE sequence = " + victim);
            }
        }
        assertThat(bothAgree().verification().valid()).isTrue();
    }

    @Test
    void aRecordThatHoldsOnItsOwnButDoesNotContinueTheOneBeforeAcrossARangeEdgeIsNamed() throws Exception {
        // the first record of the third range re-hashed after another previousHash: its own hash holds, its link does not
        long victim = after + 2 * RANGE + 1;
        String[] stored = jdbc.queryForObject("SELECT previous_hash, hash FROM decision WHERE sequence = ?",
                (rs, i) -> new String[] {rs.getString(1), rs.getString(2)}, victim);
        String forgedPrevious = "f".repeat(64);
        String forgedHash = jdbc.query("SELECT * FROM decision WHERE sequence = ?", (ResultSet rs) -> {
            rs.next();
            var columns = RecordText.hashedColumns(rs, json);
            columns.put("previousHash", forgedPrevious);
            return RecordText.chainHash(forgedPrevious, RecordText.canonical(columns));
        }, victim);
        edit("UPDATE decision SET previous_hash = '" + forgedPrevious + "', hash = '" + forgedHash + "' WHERE sequence = " + victim);
        try {
            Walk walk = bothAgree();
            assertThat(walk.verification().valid()).isFalse();
            assertThat(walk.verification().brokenSequence()).isEqualTo(victim);
            assertThat(walk.verification().decisions()).isEqualTo(victim - after);
        } finally {
            edit("UPDATE decision SET previous_hash = '" + stored[0] + "', hash = '" + stored[1] + "' WHERE sequence = " + victim);
        }
        assertThat(bothAgree().verification().valid()).isTrue();
    }
}
