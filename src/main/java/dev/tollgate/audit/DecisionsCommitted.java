package dev.tollgate.audit;

import java.util.List;
import java.util.UUID;

/**
 * Decisions whose records were just committed, in sequence order: published by the log's writer
 * after each commit (and only then), for followers that must never delay it (the decision
 * stream). A listener only hands them on; what it throws is logged and ignored.
 *
 * @param decisions each record's place in the chain, the hex SHA-256 leaf hash of its canonical text
 *        (what the writer hashed: the decision ledger's leaf) and its stored response (JSON, with its
 *        {@code sequence})
 */
public record DecisionsCommitted(List<Decision> decisions) {

    public DecisionsCommitted {
        decisions = List.copyOf(decisions);
    }

    /** One committed record. */
    public record Decision(long sequence, String previousHash, String hash, String leafHash, UUID decisionId, String source,
            boolean dryRun, String response) {
    }
}
