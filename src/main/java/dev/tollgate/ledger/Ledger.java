package dev.tollgate.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.tollgate.audit.DecisionsCommitted;
import dev.tollgate.audit.RecordText;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The decision ledger: an RFC 9162 Merkle tree over the committed decision records, in sequence
 * order, and its signed checkpoints. A background thread reads the records committed since the
 * last run, checks each one's chain hash, adds its leaf and the subtrees it completes to
 * {@code ledger_node}, and — at least every {@code tollgate.audit.checkpoint-interval} while the
 * tree grows — signs a checkpoint. Decisions never wait for any of this: a decision is answered
 * when its record is committed, and the ledger follows.
 * <p>
 * The records this server wrote need not be read back: the writer hands over each one's chain
 * fields and leaf hash as it commits ({@link DecisionsCommitted}), and only the stored chain fields
 * are compared with them; the tree then holds the leaf of what was written, whatever happens to the
 * stored text later (a change is caught by {@code /v1/audit/verify} and by every proof). Records
 * another server wrote, or written before a restart, are read whole and their chain hash checked.
 * <p>
 * The tree is extended from the frontier this server holds in memory; while the stored state does
 * not match it (the tree rewritten under it), a record's chain hash does not hold, or (after a
 * start) the stored tree does not have the root of the newest signed checkpoint, the ledger is
 * halted: it extends and signs nothing, logs why, and checks again on every round.
 * <p>
 * Several servers on one database take turns: each round runs under a transaction-scoped advisory
 * lock (one server extends and signs at a time, the others skip the round), and a server whose
 * frontier is not the stored size (another server extended the tree) reloads it from the stored
 * nodes and checks it against the stored root first.
 */
@Component
public class Ledger {

    private static final Logger log = LoggerFactory.getLogger(Ledger.class);
    private static final long LEDGER_LOCK = 7316504277L;
    private static final long POLL_MILLIS = 100;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ObjectMapper json;
    private final SigningKeys keys;
    private final CheckpointProperties properties;
    private final Clock clock;
    private final Object monitor = new Object();
    private volatile Thread appender;
    private volatile boolean running = true;
    private volatile String halted;
    /** The tree as this server built it (guarded by this). */
    private Merkle.Frontier frontier;
    /** What this server's writer committed and the tree does not hold yet, by sequence (bounded). */
    private final Map<Long, DecisionsCommitted.Decision> written = new ConcurrentHashMap<>();
    private static final int MAX_WRITTEN = 200_000;

    Ledger(JdbcTemplate jdbc, TransactionTemplate transactions, ObjectMapper json, SigningKeys keys,
            CheckpointProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactions.getTransactionManager());
        this.json = json;
        this.keys = keys;
        this.properties = properties;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        Thread thread = new Thread(this::run, "ledger-appender");
        thread.setDaemon(true);
        appender = thread;
        thread.start();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        Thread current = appender;
        if (current != null) {
            current.interrupt();
            current.join(5_000);
        }
    }

    /** Runs in the audit writer after each commit: only remembers (beyond the bound, records are read back). */
    @EventListener
    void committed(DecisionsCommitted committed) {
        if (written.size() < MAX_WRITTEN) {
            for (DecisionsCommitted.Decision d : committed.decisions()) {
                written.put(d.sequence(), d);
            }
        }
    }

    /** Why the ledger stopped extending the tree, or null while it runs. */
    public String halted() {
        return halted;
    }

    private void run() {
        long failures = 0;
        while (running) {
            try {
                boolean more = cycle();
                failures = 0;
                if (!more) {
                    TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failures++;
                if (failures == 1 || failures % 100 == 0) {
                    log.warn("the ledger could not be extended (attempt {}): {}", failures, e.toString());
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(Math.min(5_000, POLL_MILLIS * failures));
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** One round: append what was committed, then checkpoint if due. True if a full batch was appended (more may wait). */
    synchronized boolean cycle() {
        int appended = append();
        if (signed) {
            signed = false;
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
        return appended >= properties.appendBatch();
    }

    /** A checkpoint was signed in the last round (guarded by this). */
    private boolean signed;

    private record Row(long sequence, String text, String previousHash, String hash) {
    }

    private record State(long size, byte[] root, String chainHead) {
    }

    private int append() {
        frontierAfterCommit = null;
        Integer done = transactions.execute(status -> {
            if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class, LEDGER_LOCK))) {
                return 0; // another server is extending the tree
            }
            State state = jdbc.queryForObject("SELECT size, root, chain_head FROM ledger_state FOR UPDATE",
                    (rs, i) -> new State(rs.getLong(1), rs.getBytes(2), rs.getString(3)));
            if (frontier == null || frontier.size() != state.size()) {
                Merkle.Frontier loaded = load(state.size()); // first run, or another server extended it
                if (!Arrays.equals(loaded.root(), state.root())) {
                    halt("the stored tree of size " + state.size() + " does not have the stored root");
                    return 0;
                }
                String inconsistent = matchesLatestCheckpoint(state.size());
                if (inconsistent != null) {
                    halt(inconsistent);
                    return 0;
                }
                frontier = loaded;
            } else if (!Arrays.equals(frontier.root(), state.root())) {
                halt("the stored root of the tree of size " + state.size() + " is not the one this server made");
                return 0;
            }
            List<Leaf> leaves = ownLeaves(state.size());
            if (leaves == null) {
                leaves = new ArrayList<>();
                for (Row row : jdbc.query("SELECT * FROM decision WHERE sequence > ? ORDER BY sequence LIMIT ?",
                        (rs, i) -> row(rs), state.size(), properties.appendBatch())) {
                    if (!RecordText.chainHash(row.previousHash(), row.text()).equals(row.hash())) {
                        halt("the record at sequence " + row.sequence() + " does not continue the chain");
                        return 0;
                    }
                    leaves.add(new Leaf(row.sequence(), row.previousHash(), row.hash(), Merkle.leafHash(row.text())));
                }
            }
            if (leaves.isEmpty()) {
                resume();
                signIfDue(frontier);
                return 0;
            }
            Merkle.Frontier next = frontier.copy();
            String head = state.chainHead();
            List<Merkle.Stored> nodes = new ArrayList<>(leaves.size() * 2);
            for (Leaf leaf : leaves) {
                if (leaf.sequence() != next.size() + 1 || !leaf.previousHash().equals(head)) {
                    halt("the record at sequence " + leaf.sequence() + " does not continue the chain");
                    return 0;
                }
                nodes.addAll(next.append(leaf.hash()));
                head = leaf.chainHash();
            }
            if (nodes.isEmpty()) {
                return 0;
            }
            jdbc.batchUpdate("INSERT INTO ledger_node (level, idx, hash) VALUES (?, ?, ?)", nodes, 500, (ps, n) -> {
                ps.setShort(1, (short) n.node().level());
                ps.setLong(2, n.node().index());
                ps.setBytes(3, n.hash());
            });
            jdbc.update("UPDATE ledger_state SET size = ?, root = ?, chain_head = ?", next.size(), next.root(), head);
            long added = next.size() - frontier.size();
            written.keySet().removeIf(sequence -> sequence <= next.size());
            frontierAfterCommit = next;
            resume();
            signIfDue(next);
            return (int) added;
        });
        if (frontierAfterCommit != null) {
            frontier = frontierAfterCommit;
            frontierAfterCommit = null;
        }
        return done == null ? 0 : done;
    }

    private record Leaf(long sequence, String previousHash, String chainHash, byte[] hash) {
    }

    /**
     * The next records' leaves from what this server's writer handed over, if it wrote them all and
     * their stored chain fields are the ones it wrote; null when they must be read whole.
     */
    private List<Leaf> ownLeaves(long size) {
        if (!written.containsKey(size + 1)) {
            return null;
        }
        List<Leaf> leaves = new ArrayList<>();
        boolean[] whole = { false };
        jdbc.query("SELECT sequence, previous_hash, hash FROM decision WHERE sequence > ? ORDER BY sequence LIMIT ?", rs -> {
            DecisionsCommitted.Decision d = written.get(rs.getLong(1));
            if (d == null || !d.previousHash().equals(rs.getString(2)) || !d.hash().equals(rs.getString(3))) {
                whole[0] = true;
            } else if (!whole[0]) {
                leaves.add(new Leaf(d.sequence(), d.previousHash(), d.hash(), HexFormat.of().parseHex(d.leafHash())));
            }
        }, size, properties.appendBatch());
        return whole[0] ? null : leaves;
    }

    /** The frontier that becomes this server's once its transaction committed (guarded by this). */
    private Merkle.Frontier frontierAfterCommit;

    private Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getLong("sequence"), RecordText.canonical(RecordText.hashedColumns(rs, json)),
                rs.getString("previous_hash"), rs.getString("hash"));
    }

    private void halt(String why) {
        if (!why.equals(halted)) {
            log.error("the decision ledger halted: {}; nothing is signed while this holds", why);
        }
        halted = why;
    }

    private void resume() {
        if (halted != null) {
            log.warn("the decision ledger resumed (it had halted: {})", halted);
            halted = null;
        }
    }

    /** Null if the stored tree has the root of the newest verified checkpoint it covers, else why not. */
    private String matchesLatestCheckpoint(long size) {
        Optional<Checkpoint> latest = latestCheckpoint();
        if (latest.isEmpty()) {
            return null;
        }
        Checkpoint c = latest.get();
        if (c.size() > size) {
            return "the stored tree (size " + size + ") is smaller than the signed checkpoint of size " + c.size();
        }
        byte[] root = hashes(List.of(new Merkle.Range(0, c.size()))).get(0);
        return Arrays.equals(root, c.root()) ? null
                : "the stored tree does not have the root of the signed checkpoint of size " + c.size();
    }

    Merkle.Frontier load(long size) {
        List<Merkle.Node> tiles = Merkle.tiles(0, size);
        Map<Merkle.Node, byte[]> found = nodes(new LinkedHashSet<>(tiles));
        List<byte[]> hashes = new ArrayList<>(tiles.size());
        for (Merkle.Node tile : tiles) {
            byte[] hash = found.get(tile);
            if (hash == null) {
                throw new IllegalStateException("the stored tree lacks the node " + tile);
            }
            hashes.add(hash);
        }
        return new Merkle.Frontier(size, hashes);
    }

    /** Stored node hashes by position; missing ones are absent from the map. */
    Map<Merkle.Node, byte[]> nodes(Set<Merkle.Node> wanted) {
        Map<Merkle.Node, byte[]> found = new HashMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        StringBuilder sql = new StringBuilder("SELECT level, idx, hash FROM ledger_node WHERE (level, idx) IN (");
        boolean first = true;
        for (Merkle.Node n : wanted) {
            sql.append(first ? "" : ",").append('(').append(n.level()).append(',').append(n.index()).append(')');
            first = false;
        }
        jdbc.query(sql.append(')').toString(), rs -> {
            found.put(new Merkle.Node(rs.getInt(1), rs.getLong(2)), rs.getBytes(3));
        });
        return found;
    }

    // ---- checkpoints ------------------------------------------------------------------------------

    /**
     * Signs a checkpoint of the tree if it grew since the newest stored one and that one is older
     * than the interval. Called holding the ledger lock, in the transaction that extended the tree,
     * and judged by the stored checkpoints, not by what this server made: with several servers on one
     * database there is still one checkpoint per interval, and their sizes grow in the order they
     * were made (a published copy never goes back).
     */
    private void signIfDue(Merkle.Frontier tree) {
        if (halted != null || tree == null || tree.size() == 0) {
            return;
        }
        long[] lastSize = {0};
        Instant[] lastAt = {Instant.EPOCH};
        jdbc.query("SELECT size, made_at FROM ledger_checkpoint ORDER BY size DESC LIMIT 1", rs -> {
            lastSize[0] = rs.getLong(1);
            lastAt[0] = rs.getTimestamp(2).toInstant();
        });
        Instant now = clock.instant();
        if (tree.size() <= lastSize[0] || now.isBefore(lastAt[0].plus(properties.checkpointInterval()))) {
            return;
        }
        SigningKeys.CheckpointKey key = keys.activeCheckpointKey();
        Checkpoint checkpoint = Checkpoint.sign(properties.origin(), tree.size(), tree.root(), key);
        jdbc.update("INSERT INTO ledger_checkpoint (size, root, note, key_id, made_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT DO NOTHING", checkpoint.size(), checkpoint.root(), checkpoint.note(), key.keyIdHex(),
                Timestamp.from(now));
        signed = true;
    }

    /** A signed checkpoint as a status page shows it: the ledger's name, tree size, root (hex) and the signed note. */
    public record SignedCheckpoint(String origin, long size, String root, String note) {
    }

    /** The newest checkpoint whose signature verifies (what {@code GET /v1/audit/checkpoints/latest} answers). */
    public Optional<SignedCheckpoint> latestSigned() {
        return latestCheckpoint().map(c -> new SignedCheckpoint(c.origin(), c.size(), hex(c.root()), c.note()));
    }

    /** The newest stored checkpoint whose signature verifies with a configured key (a forged row is passed over). */
    Optional<Checkpoint> latestCheckpoint() {
        return verified(jdbc.query("SELECT note FROM ledger_checkpoint ORDER BY size DESC LIMIT 16", (rs, i) -> rs.getString(1)));
    }

    /** The stored checkpoint at exactly this size, if its signature verifies. */
    Optional<Checkpoint> checkpointAt(long size) {
        return verified(jdbc.query("SELECT note FROM ledger_checkpoint WHERE size = ?", (rs, i) -> rs.getString(1), size));
    }

    /** The smallest verified checkpoint covering at least {@code size} leaves, else the latest if it covers them. */
    Optional<Checkpoint> latestCovering(long size) {
        return latestCheckpoint().filter(c -> c.size() >= size);
    }

    private Optional<Checkpoint> verified(List<String> notes) {
        for (String note : notes) {
            try {
                return Optional.of(Checkpoint.verify(note, keys.checkpointKeys()));
            } catch (Checkpoint.Invalid e) {
                log.warn("a stored checkpoint does not verify and is passed over: {}", e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Waits (at most {@code timeoutNanos}) until a verified checkpoint covers {@code size} leaves. */
    Optional<Checkpoint> awaitCovering(long size, long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        while (true) {
            Optional<Checkpoint> found = latestCovering(size);
            long left = end - System.nanoTime();
            if (found.isPresent() || left <= 0) {
                return found;
            }
            synchronized (monitor) {
                monitor.wait(Math.max(1, Math.min(POLL_MILLIS, left / 1_000_000)));
            }
        }
    }

    // ---- proofs -----------------------------------------------------------------------------------

    /** The hashes of the ranges, read from the stored complete subtrees. */
    List<byte[]> hashes(List<Merkle.Range> ranges) {
        Map<Merkle.Range, List<Merkle.Node>> tiles = new HashMap<>();
        Set<Merkle.Node> wanted = new LinkedHashSet<>();
        for (Merkle.Range range : ranges) {
            List<Merkle.Node> t = Merkle.tiles(range.start(), range.end());
            tiles.put(range, t);
            wanted.addAll(t);
        }
        Map<Merkle.Node, byte[]> found = nodes(wanted);
        List<byte[]> out = new ArrayList<>(ranges.size());
        for (Merkle.Range range : ranges) {
            List<byte[]> parts = new ArrayList<>();
            for (Merkle.Node node : tiles.get(range)) {
                byte[] hash = found.get(node);
                if (hash == null) {
                    throw new IllegalStateException("the stored tree lacks the node " + node);
                }
                parts.add(hash);
            }
            out.add(Merkle.fold(parts));
        }
        return out;
    }

    /** The size of the tree stored now. */
    long size() {
        return jdbc.queryForObject("SELECT size FROM ledger_state", Long.class);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** A decision's place in the log: its sequence and who asked. */
    record Entry(long sequence, String requester) {
    }

    Optional<Entry> entry(java.util.UUID decisionId) {
        return jdbc.query("SELECT sequence, requester FROM decision WHERE decision_id = ?",
                (rs, i) -> new Entry(rs.getLong(1), rs.getString(2)), decisionId).stream().findFirst();
    }

    CheckpointProperties properties() {
        return properties;
    }

    /**
     * The inclusion proof of a decision's record in a checkpoint covering it: the answer of
     * {@code GET /v1/decisions/{id}/proof}.
     */
    Map<String, Object> inclusion(String decisionId, Entry entry, Checkpoint c) {
        long index = entry.sequence() - 1;
        List<Merkle.Range> ranges = new ArrayList<>(Merkle.inclusion(index, c.size()));
        ranges.add(0, new Merkle.Range(index, index + 1));
        List<byte[]> hashes = hashes(ranges);
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("decisionId", decisionId);
        answer.put("sequence", entry.sequence());
        answer.put("leafIndex", index);
        answer.put("leafHash", hex(hashes.get(0)));
        answer.put("treeSize", c.size());
        answer.put("rootHash", hex(c.root()));
        answer.put("auditPath", hashes.subList(1, hashes.size()).stream().map(Ledger::hex).toList());
        answer.put("origin", c.origin());
        answer.put("checkpoint", c.note());
        return answer;
    }

    /** Where a decision stands in the log, for a reader already allowed to read the decision (the console). */
    public record ProofStatus(long sequence, boolean covered, Map<String, Object> proof) {
    }

    /**
     * A recorded decision's proof status: its inclusion proof in the newest checkpoint when one covers
     * it (the same as {@code GET /v1/decisions/{id}/proof}), else {@code covered=false}; empty for an
     * unknown decision. The caller decides who may see it.
     */
    public Optional<ProofStatus> proofStatus(java.util.UUID decisionId) {
        return entry(decisionId).map(entry -> latestCovering(entry.sequence())
                .map(c -> new ProofStatus(entry.sequence(), true, inclusion(decisionId.toString(), entry, c)))
                .orElseGet(() -> new ProofStatus(entry.sequence(), false, Map.of())));
    }
}
