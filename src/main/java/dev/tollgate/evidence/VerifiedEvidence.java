package dev.tollgate.evidence;

import java.util.List;

import dev.tollgate.evidence.intoto.Statement;
import tools.jackson.databind.JsonNode;

/**
 * Facts established by verification. A {@code signature} has a signer; an {@code attestation}
 * also has the in-toto statement's predicate type, predicate and subjects. {@code trust} names
 * the trust material (and its SHA-256) that verified it, for the audit record.
 */
public record VerifiedEvidence(String kind, Signer signer, String predicateType, JsonNode predicate,
        List<Statement.Subject> subjects, List<TrustUse> trust, String signatureSha256) {

    public VerifiedEvidence {
        subjects = subjects == null ? List.of() : List.copyOf(subjects);
        trust = List.copyOf(trust);
    }

    /** A root or key that verified the evidence, and the SHA-256 of its content at that time. */
    public record TrustUse(String name, String kind, String sha256) {
    }

    public boolean isAttestation() {
        return "attestation".equals(kind);
    }
}
