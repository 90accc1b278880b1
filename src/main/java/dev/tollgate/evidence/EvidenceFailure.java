package dev.tollgate.evidence;

/**
 * Why a piece of evidence was not accepted: a stable code ({@code evidence_malformed},
 * {@code evidence_unsupported}, {@code evidence_signature_invalid},
 * {@code evidence_untrusted_certificate}, {@code evidence_untrusted_key},
 * {@code evidence_tlog_invalid}, {@code evidence_timestamp_invalid},
 * {@code evidence_subject_mismatch}, {@code evidence_digest_mismatch},
 * {@code evidence_no_trust_material}) and a readable detail.
 */
public record EvidenceFailure(String code, String detail) {
}
