package dev.tollgate.evidence;

/** One evidence item's verification: the facts, or the failure. */
public record EvidenceResult(String bundleSha256, VerifiedEvidence verified, EvidenceFailure failure) {

    public boolean ok() {
        return verified != null;
    }

    static EvidenceResult of(String bundleSha256, VerifiedEvidence verified) {
        return new EvidenceResult(bundleSha256, verified, null);
    }

    static EvidenceResult failed(String bundleSha256, String code, String detail) {
        return new EvidenceResult(bundleSha256, null, new EvidenceFailure(code, detail));
    }
}
