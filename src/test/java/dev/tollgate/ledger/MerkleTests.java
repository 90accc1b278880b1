package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The production tree (frontier, stored subtrees, proof ranges) checked against the independent RFC 9162 verifier. */
class MerkleTests {

    private static List<byte[]> hashes(Map<Merkle.Node, byte[]> stored, List<Merkle.Range> ranges) {
        List<byte[]> out = new ArrayList<>();
        for (Merkle.Range r : ranges) {
            List<byte[]> parts = new ArrayList<>();
            for (Merkle.Node n : Merkle.tiles(r.start(), r.end())) {
                assertThat(stored).containsKey(n);
                parts.add(stored.get(n));
            }
            out.add(Merkle.fold(parts));
        }
        return out;
    }

    @Test
    void everyRootInclusionAndConsistencyProofUpTo70LeavesVerifiesIndependently() {
        Merkle.Frontier frontier = new Merkle.Frontier();
        Map<Merkle.Node, byte[]> stored = new HashMap<>();
        List<byte[]> leaves = new ArrayList<>();
        List<byte[]> roots = new ArrayList<>();
        roots.add(frontier.root());
        for (int n = 1; n <= 70; n++) {
            byte[] leaf = IndependentTlog.leaf(("record " + n).getBytes(StandardCharsets.UTF_8));
            assertThat(Merkle.leafHash("record " + n)).isEqualTo(leaf);
            leaves.add(leaf);
            for (Merkle.Stored s : frontier.append(leaf)) {
                assertThat(stored.put(s.node(), s.hash())).as("stored once").isNull();
            }
            assertThat(frontier.root()).isEqualTo(IndependentTlog.root(leaves));
            roots.add(frontier.root());
            // a frontier reloaded from the stored tiles is the same tree
            assertThat(new Merkle.Frontier(n, hashes(stored, List.of(new Merkle.Range(0, n))).isEmpty() ? List.of()
                    : Merkle.tiles(0, n).stream().map(stored::get).toList()).root()).isEqualTo(frontier.root());
        }
        assertThat(IndependentTlog.root(List.of())).isEqualTo(Merkle.emptyRoot());
        for (int n = 1; n <= 70; n++) {
            for (int m = 0; m < n; m++) {
                List<byte[]> path = hashes(stored, Merkle.inclusion(m, n));
                assertThat(IndependentTlog.verifyInclusion(m, n, leaves.get(m), path, roots.get(n))).as("leaf %d in %d", m, n).isTrue();
                assertThat(IndependentTlog.verifyInclusion(m, n, leaves.get((m + 1) % n), path, roots.get(n)) && n > 1)
                        .as("another leaf").isFalse();
            }
            for (int m = 1; m <= n; m++) {
                List<byte[]> proof = hashes(stored, Merkle.consistency(m, n));
                assertThat(IndependentTlog.verifyConsistency(m, n, roots.get(m), roots.get(n), proof)).as("%d to %d", m, n).isTrue();
                if (m < n) {
                    assertThat(IndependentTlog.verifyConsistency(m, n, roots.get(m - 1 == 0 ? 1 : m - 1), roots.get(n), proof)
                            && m > 1).as("a wrong old root").isFalse();
                }
            }
        }
    }
}
