package dev.tollgate.evidence;

/**
 * One evidence item's verification: the facts, or the failure. {@code observed} may hold the
 * facts of a bundle that verified cryptographically but does not apply to this artifact (another
 * subject or payload digest): shown in traces and records, never to a policy.
 */
public record EvidenceResult(String bundleSha256, VerifiedEvidence verified, EvidenceFailure failure,
        VerifiedEvidence observed) {

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
}
