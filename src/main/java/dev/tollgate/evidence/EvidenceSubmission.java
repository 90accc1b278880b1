package dev.tollgate.evidence;

import dev.tollgate.evidence.sigstore.ParsedBundle;

/**
 * An evidence item that parsed: the bundle, the cosign simple-signing payload if one came with
 * it, and the SHA-256 of the bundle's JSON (its identity in caches and records).
 */
public record EvidenceSubmission(ParsedBundle bundle, String bundleJson, byte[] payload, String bundleSha256) {

    public EvidenceSubmission {
        payload = payload == null ? null : payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload == null ? null : payload.clone();
    }
}
