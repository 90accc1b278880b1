package dev.tollgate.ledger;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.tollgate.audit.DecisionHistory;
import dev.tollgate.db.Deadline;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code GET /v1/audit/verify}: the hash chain recomputed from the stored columns, and the Merkle
 * tree rebuilt from the same canonical texts and compared, where it reaches a signed checkpoint's
 * size, with that checkpoint's signed root (docs/audit.md, "Verifying the chain").
 * <p>
 * A full run starts at sequence 1. An incremental run (the default) starts at the anchor of the last
 * valid run (table {@code audit_verification}): the record at the size of a signed checkpoint that
 * run reached. It proves first that this record is the one the checkpoint signed — its leaf,
 * recomputed from the stored columns, joined to the stored subtrees of the records before it, gives
 * the signed root — and so that the chain hash it continues is the signed one; then it re-hashes
 * everything after it. Any rewrite below the anchor that keeps the chain consistent (the insider's,
 * every later hash recomputed) changes that record's {@code previousHash} and fails there; a change
 * that breaks the chain at the altered row below the anchor is found by a full run only.
 */
@Component
public class AuditVerification {

    private final DecisionHistory history;
    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    AuditVerification(DecisionHistory history, Ledger ledger, JdbcTemplate jdbc, Clock clock) {
        this.history = history;
        this.ledger = ledger;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Where the last valid run ended: a signed checkpoint's size and root, and the chain hash of that record. */
    record Anchor(long size, byte[] root, String hash) {
    }

    /** The outcome of one run. */
    record Result(boolean valid, long decisions, String head, Long brokenSequence, String reason, boolean incremental,
            long from, long to, long records, Checkpoint checkpoint, Anchor reached) {

        Map<String, Object> answer() {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("valid", valid);
            answer.put("decisions", decisions);
            if (valid) {
                answer.put("head", head);
            } else {
                answer.put("brokenSequence", brokenSequence);
                answer.put("reason", reason);
            }
            answer.put("incremental", incremental);
            Map<String, Object> verified = new LinkedHashMap<>();
            verified.put("from", from);
            verified.put("to", to);
            verified.put("records", records);
            answer.put("verified", verified);
            if (checkpoint != null) {
                answer.put("checkpoint", Map.of("size", checkpoint.size(), "rootHash", Ledger.hex(checkpoint.root())));
            }
            return answer;
        }
    }

    /**
     * One run as the console shows it: when and by whom, full or incremental, the records re-hashed
     * ({@code from}..{@code to}), and what it found. {@code head}, {@code decisions} and the checkpoint
     * are known only for a run just made ({@link #run}); {@link #lastRun} reads the stored row.
     */
    public record Run(Instant at, String by, boolean full, boolean valid, long from, long to, Long brokenSequence,
            String reason, Long decisions, String head, Long checkpointSize, String checkpointRoot) {
    }

    /** Verifies the log as {@code GET /v1/audit/verify} does (recorded the same way), for the console. */
    public Run run(boolean full, String requester) {
        Result r = verify(full, requester);
        return new Run(clock.instant(), requester, full, r.valid(), r.from(), r.to(), r.brokenSequence(), r.reason(),
                r.decisions(), r.head(), r.checkpoint() == null ? null : r.checkpoint().size(),
                r.checkpoint() == null ? null : Ledger.hex(r.checkpoint().root()));
    }

    /** The newest run recorded by any replica (API or console), if there was one. */
    public Optional<Run> lastRun() {
        return jdbc.query("SELECT verified_at, requester, full_check, valid, from_sequence, to_sequence, broken_sequence, reason"
                + " FROM audit_verification ORDER BY id DESC LIMIT 1",
                (rs, i) -> new Run(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                        rs.getLong(5), rs.getLong(6), (Long) rs.getObject(7), rs.getString(8), null, null, null, null))
                .stream().findFirst();
    }

    /** The anchor of the newest run, if that run was valid and reached a checkpoint. */
    Optional<Anchor> lastAnchor() {
        List<Anchor> rows = jdbc.query("SELECT valid, anchor_size, anchor_root, anchor_hash FROM audit_verification ORDER BY id DESC LIMIT 1",
                (rs, i) -> rs.getBoolean(1) && rs.getObject(2) != null ? new Anchor(rs.getLong(2), rs.getBytes(3), rs.getString(4)) : null);
        return rows.stream().filter(a -> a != null).findFirst();
    }

    Result verify(boolean full, String requester) {
        return verify(full, requester, NO_PROGRESS);
    }

    /** Records re-hashed between two calls of {@link Progress#reached}, whatever the progress asks for. */
    static final long PROGRESS_GRANULARITY = 1_000;

    /**
     * Told how far the run has come: every {@link #PROGRESS_GRANULARITY} records re-hashed (or every
     * {@link #every} records, if fewer), so that it can report, and stop the run by throwing.
     */
    interface Progress {
        /** The interval (in records re-hashed) the caller asked for. */
        long every();

        /** {@code records} re-hashed so far; the last one held is at {@code sequence}. */
        void reached(long records, long sequence);
    }

    static final Progress NO_PROGRESS = new Progress() {
        @Override
        public long every() {
            return Long.MAX_VALUE;
        }

        @Override
        public void reached(long records, long sequence) {
        }
    };

    Result verify(boolean full, String requester, Progress progress) {
        Optional<Anchor> anchor = full ? Optional.empty() : lastAnchor();
        Result result = anchor.map(a -> fromAnchor(a, progress)).orElseGet(() -> fromStart(progress));
        record(result, full, requester);
        return result;
    }

    private Result fromStart(Progress progress) {
        Optional<Checkpoint> newest = ledger.latestCheckpoint();
        return walk(false, 0, "0".repeat(64), new Merkle.Frontier(), null, newest.orElse(null), progress);
    }

    private Result fromAnchor(Anchor anchor, Progress progress) {
        long size = anchor.size();
        Optional<Checkpoint> signed = ledger.checkpointAt(size);
        if (signed.isEmpty() || !Arrays.equals(signed.get().root(), anchor.root())) {
            return failed(size, size, "the signed checkpoint of size " + size + " where the last verification ended is "
                    + (signed.isEmpty() ? "no longer stored, or no longer verifies" : "not the one it verified"));
        }
        List<String> previous = jdbc.query("SELECT previous_hash FROM decision WHERE sequence = ?", (rs, i) -> rs.getString(1), size);
        if (previous.isEmpty()) {
            return failed(size, size, "the record at sequence " + size + " (the last verification's anchor) is missing");
        }
        Merkle.Frontier before;
        try {
            before = ledger.load(size - 1);
        } catch (IllegalStateException e) {
            return failed(size, size, e.getMessage());
        }
        Checkpoint newest = ledger.latestCheckpoint().filter(c -> c.size() > size).orElse(null);
        return walk(true, size - 1, previous.get(0), before, signed.get(), newest, progress);
    }

    private static Result failed(long from, long broken, String reason) {
        return new Result(false, broken, null, broken, reason, true, from, broken, 0, null, null);
    }

    /**
     * Re-hashes the records after {@code after} (the first continuing {@code previousHash}), appending
     * each leaf to {@code tree}; at the size of {@code anchor} and of {@code newest} the root must be
     * theirs.
     */
    private Result walk(boolean incremental, long after, String previousHash, Merkle.Frontier tree, Checkpoint anchor,
            Checkpoint newest, Progress progress) {
        long startSize = tree.size();
        long every = Math.max(1, Math.min(PROGRESS_GRANULARITY, progress.every()));
        final class Rebuild implements DecisionHistory.Leaves {
            final Merkle.Frontier frontier = tree.copy();
            Checkpoint reached;
            String reachedHash;
            Checkpoint mismatch;
            long records;

            @Override
            public boolean leaf(long sequence, byte[] leafHash, String hash) {
                frontier.append(leafHash);
                if (++records % every == 0) {
                    progress.reached(records, sequence);
                }
                for (Checkpoint c : new Checkpoint[] {anchor, newest}) {
                    if (c != null && c.size() == frontier.size()) {
                        if (!Arrays.equals(frontier.root(), c.root())) {
                            mismatch = c;
                            return false;
                        }
                        reached = c;
                        reachedHash = hash;
                    }
                }
                return true;
            }
        }
        Rebuild[] last = {null};
        DecisionHistory.Verification chain = history.verify(after, previousHash, () -> last[0] = new Rebuild());
        Rebuild rebuild = last[0];
        long from = after + 1;
        long read = after + chain.decisions();
        if (!chain.valid()) {
            return new Result(false, read, null, chain.brokenSequence(), "the record at sequence " + chain.brokenSequence()
                    + " does not hold: its hash, its sequence or its link to the record before", incremental, from, read,
                    chain.decisions(), null, null);
        }
        if (rebuild.mismatch != null) {
            long size = rebuild.mismatch.size();
            return new Result(false, read, null, size, "the records up to sequence " + size
                    + " are not those of the signed checkpoint of that size: its root does not match the tree rebuilt from them",
                    incremental, from, read, chain.decisions(), rebuild.mismatch, null);
        }
        for (Checkpoint c : new Checkpoint[] {anchor, newest}) {
            if (c != null && c.size() > read) {
                return new Result(false, read, null, read + 1, "the signed checkpoint of size " + c.size()
                        + " covers records that are no longer stored (the log ends at " + read + ")", incremental, from, read,
                        chain.decisions(), c, null);
            }
        }
        return new Result(true, read, chain.head(), null, null, incremental, from, read, chain.decisions(), rebuild.reached,
                rebuild.reached == null ? null : new Anchor(rebuild.reached.size(), rebuild.reached.root(), rebuild.reachedHash));
    }

    private void record(Result r, boolean full, String requester) {
        // a long walk outlives the request's database budget (its connection was borrowed at the start):
        // the run is recorded under a deadline of its own
        try {
            Deadline.in(RECORD_BUDGET).run(() -> {
                insert(r, full, requester);
                return null;
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.time.Duration RECORD_BUDGET = java.time.Duration.ofSeconds(5);

    private void insert(Result r, boolean full, String requester) {
        Anchor reached = r.reached();
        jdbc.update("INSERT INTO audit_verification (verified_at, requester, full_check, from_sequence, to_sequence, valid,"
                + " broken_sequence, reason, anchor_size, anchor_root, anchor_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                Timestamp.from(clock.instant()), requester, full, r.from(), r.to(), r.valid(), r.brokenSequence(), r.reason(),
                reached == null ? null : reached.size(), reached == null ? null : reached.root(),
                reached == null ? null : reached.hash());
    }
}
