package dev.tollgate.decision;

import java.util.Optional;

import dev.tollgate.audit.DecisionHistory;
import dev.tollgate.ledger.Attestations;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * A recorded decision's signed verification summary, made again from the stored record: its stored
 * response with the record's receipt, signed now by the active attestation key, so that its statement
 * is the answer's byte for byte (docs/audit.md). For {@code GET /v1/decisions/{id}/vsa} and the
 * console's decision page.
 */
@Component
public class RecordedSummaries {

    private final VerificationSummaries summaries;
    private final ObjectMapper json;

    RecordedSummaries(VerificationSummaries summaries, ObjectMapper json) {
        this.summaries = summaries;
        this.json = json;
    }

    /** The record's VSA, or none (exempt, no artifact digest, or not signed under {@code tollgate.vsa.mode}). */
    public Optional<Attestations.Bundle> of(DecisionHistory.Recorded recorded) {
        return Optional.ofNullable(summaries.sign(answer(recorded)).vsa());
    }

    /** Whether the record has a VSA, without signing one. */
    public boolean exists(DecisionHistory.Recorded recorded) {
        return summaries.gets(answer(recorded));
    }

    private DecisionAnswer answer(DecisionHistory.Recorded recorded) {
        DecisionAnswer stored = json.treeToValue(recorded.response(), DecisionAnswer.class);
        return stored.recorded(recorded.sequence(),
                new DecisionAnswer.Receipt(recorded.sequence(), recorded.sequence() - 1, recorded.leafHash(), recorded.origin()));
    }
}
