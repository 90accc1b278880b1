package dev.tollgate.evidence;

import java.util.List;

/**
 * One evidence item's verification: the facts, or the failure. {@code observed} may hold the
 * facts of a bundle that verified cryptographically but does not apply to this artifact (another
 * subject or payload digest): shown in traces and records, never to a policy. {@code trace}
 * says, per trust root or key tried, how it went, and which timestamps were ignored and why.
 */
public record EvidenceResult(String bundleSha256, VerifiedEvidence verified, EvidenceFailure failure,
        VerifiedEvidence observed, List<Trace> trace) {

    /**
     * One step of the verification under one root or key: {@code outcome} is {@code verified},
     * {@code failed} (with the code and reason) or {@code ignored} (an RFC 3161 timestamp that
     * did not count under that root, with the reason).
     */
    public record Trace(String material, String outcome, String code, String reason) {
    }

    public EvidenceResult {
        trace = trace == null ? List.of() : List.copyOf(trace);
    }

    public EvidenceResult(String bundleSha256, VerifiedEvidence verified, EvidenceFailure failure, VerifiedEvidence observed) {
        this(bundleSha256, verified, failure, observed, List.of());
    }

    public boolean ok() {
        return verified != null;
    }

    static EvidenceResult of(String bundleSha256, VerifiedEvidence verified) {
        return new EvidenceResult(bundleSha256, verified, null, null);
    }

    static EvidenceResult failed(String bundleSha256, String code, String detail) {
        return new EvidenceResult(bundleSha256, null, new EvidenceFailure(code, detail), null);
    }

    static EvidenceResult failed(String bundleSha256, String code, String detail, VerifiedEvidence observed) {
        return new EvidenceResult(bundleSha256, null, new EvidenceFailure(code, detail), observed);
    }

    EvidenceResult withTrace(List<Trace> steps) {
        return new EvidenceResult(bundleSha256, verified, failure, observed, steps);
    }
}
