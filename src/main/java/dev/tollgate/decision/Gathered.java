package dev.tollgate.decision;

import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceSubmission;

/**
 * One evidence item of a decision: where it came from ({@code request}, {@code stored},
 * {@code registry}), what it was, how it verified, and its entry in the answer (made once).
 */
record Gathered(int index, String source, EvidenceResult result, EvidenceSubmission submission, byte[] payload,
        EvidenceEntry entry) {

    Gathered(int index, String source, EvidenceResult result, EvidenceSubmission submission, byte[] payload) {
        this(index, source, result, submission, payload, EvidenceEntry.of(index, source, result));
    }
}
