package dev.tollgate.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import dev.tollgate.digest.Digest;

/**
 * RFC 9162 §2.1 Merkle tree hashing over the decision records, in sequence order (leaf index =
 * sequence − 1): {@code leaf = SHA-256(0x00 ‖ record text)}, {@code node = SHA-256(0x01 ‖ left ‖ right)},
 * the empty tree's root is {@code SHA-256()}.
 * <p>
 * Every complete subtree is kept as a node {@code (level, index)}: it covers the leaves
 * {@code [index·2^level, (index+1)·2^level)}. The hash of any range the RFC's proofs need (a
 * range that starts on a multiple of a power of two at least its length) is the fold of the
 * complete subtrees that tile it, so proofs for any tree size are read from stored nodes.
 */
final class Merkle {

    private Merkle() {
    }

    /** A stored complete subtree. */
    record Node(int level, long index) {
        long start() {
            return index << level;
        }
    }

    static byte[] leafHash(String recordText) {
        return leafHash(recordText.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] leafHash(byte[] recordBytes) {
        MessageDigest sha = Digest.Algorithm.SHA256.digester();
        sha.update((byte) 0x00);
        sha.update(recordBytes);
        return sha.digest();
    }

    static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = Digest.Algorithm.SHA256.digester();
        sha.update((byte) 0x01);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    static byte[] emptyRoot() {
        return Digest.Algorithm.SHA256.digester().digest();
    }

    /** The largest power of two smaller than {@code n} (n ≥ 2). */
    static long split(long n) {
        return Long.highestOneBit(n - 1);
    }

    /** The complete subtrees that tile {@code [start, end)}, left to right (start aligned to a power of two ≥ the length). */
    static List<Node> tiles(long start, long end) {
        List<Node> tiles = new ArrayList<>();
        long at = start;
        while (at < end) {
            long size = Long.highestOneBit(end - at);
            if (at != 0) {
                size = Math.min(size, Long.lowestOneBit(at));
            }
            int level = Long.numberOfTrailingZeros(size);
            tiles.add(new Node(level, at >> level));
            at += size;
        }
        return tiles;
    }

    /** MTH of a range from the hashes of its tiles (in {@link #tiles} order): folded from the right. */
    static byte[] fold(List<byte[]> tileHashes) {
        byte[] hash = tileHashes.get(tileHashes.size() - 1);
        for (int i = tileHashes.size() - 2; i >= 0; i--) {
            hash = nodeHash(tileHashes.get(i), hash);
        }
        return hash;
    }

    /** A range {@code [start, end)} whose hash a proof needs. */
    record Range(long start, long end) {
    }

    /** RFC 9162 §2.1.3.1 PATH(m, D[0:n]): the ranges of the inclusion proof of leaf {@code m}, from the leaf up. */
    static List<Range> inclusion(long m, long n) {
        if (m < 0 || m >= n) {
            throw new IllegalArgumentException("leaf " + m + " is not in a tree of size " + n);
        }
        List<Range> path = new ArrayList<>();
        path(m, 0, n, path);
        return path;
    }

    private static void path(long m, long lo, long hi, List<Range> out) {
        long n = hi - lo;
        if (n == 1) {
            return;
        }
        long k = split(n);
        if (m < k) {
            path(m, lo, lo + k, out);
            out.add(new Range(lo + k, hi));
        } else {
            path(m - k, lo + k, hi, out);
            out.add(new Range(lo, lo + k));
        }
    }

    /** RFC 9162 §2.1.4.1 PROOF(m, D[0:n]): the ranges of the consistency proof from size m to size n (0 < m ≤ n). */
    static List<Range> consistency(long m, long n) {
        if (m <= 0 || m > n) {
            throw new IllegalArgumentException("no consistency proof from " + m + " to " + n);
        }
        List<Range> proof = new ArrayList<>();
        if (m < n) {
            subproof(m, 0, n, true, proof);
        }
        return proof;
    }

    private static void subproof(long m, long lo, long hi, boolean complete, List<Range> out) {
        long n = hi - lo;
        if (m == n) {
            if (!complete) {
                out.add(new Range(lo, hi));
            }
            return;
        }
        long k = split(n);
        if (m <= k) {
            subproof(m, lo, lo + k, complete, out);
            out.add(new Range(lo + k, hi));
        } else {
            subproof(m - k, lo + k, hi, false, out);
            out.add(new Range(lo, lo + k));
        }
    }

    /**
     * The right edge of a tree being built: the complete subtrees of its binary decomposition,
     * largest first (RFC 9162's "compact range" of {@code [0, size)}). Appending a leaf completes
     * the subtrees it closes; they are handed to the caller to store.
     */
    static final class Frontier {
        private final List<byte[]> hashes = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();
        private long size;

        Frontier() {
        }

        /** The frontier of a tree of {@code size} from the hashes of {@link #tiles tiles(0, size)}. */
        Frontier(long size, List<byte[]> tileHashes) {
            List<Node> tiles = tiles(0, size);
            if (tiles.size() != tileHashes.size()) {
                throw new IllegalArgumentException("a tree of size " + size + " has " + tiles.size() + " tiles");
            }
            nodes.addAll(tiles);
            hashes.addAll(tileHashes);
            this.size = size;
        }

        long size() {
            return size;
        }

        Frontier copy() {
            Frontier copy = new Frontier();
            copy.hashes.addAll(hashes);
            copy.nodes.addAll(nodes);
            copy.size = size;
            return copy;
        }

        /** Appends a leaf; returns the nodes completed by it (the leaf first), to be stored. */
        List<Stored> append(byte[] leaf) {
            List<Stored> completed = new ArrayList<>(2);
            Node node = new Node(0, size);
            byte[] hash = leaf;
            completed.add(new Stored(node, hash));
            while (!nodes.isEmpty() && nodes.get(nodes.size() - 1).level() == node.level()) {
                int last = nodes.size() - 1;
                hash = nodeHash(hashes.remove(last), hash);
                node = new Node(node.level() + 1, nodes.remove(last).index() >> 1);
                completed.add(new Stored(node, hash));
            }
            nodes.add(node);
            hashes.add(hash);
            size++;
            return completed;
        }

        byte[] root() {
            return hashes.isEmpty() ? emptyRoot() : fold(hashes);
        }
    }

    record Stored(Node node, byte[] hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Stored s && s.node.equals(node) && Arrays.equals(s.hash, hash);
        }

        @Override
        public int hashCode() {
            return node.hashCode() * 31 + Arrays.hashCode(hash);
        }

        @Override
        public String toString() {
            return node + "=" + java.util.HexFormat.of().formatHex(hash);
        }
    }
}
