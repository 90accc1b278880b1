package dev.tollgate.evidence;

import dev.tollgate.evidence.openpgp.OpenPgpSignedFile;
import dev.tollgate.evidence.sigstore.ParsedBundle;

/**
 * An evidence item that parsed: the bundle (or bare DSSE envelope), the cosign simple-signing
 * payload if one came with it, or an OpenPGP-signed file; the JSON kept of it ({@code bundleJson}:
 * the bundle's, or the whole item for the other kinds) and its SHA-256 (its identity in caches
 * and records).
 */
public record EvidenceSubmission(ParsedBundle bundle, String bundleJson, byte[] payload, String bundleSha256,
        OpenPgpSignedFile openpgp) {

    public EvidenceSubmission {
        payload = payload == null ? null : payload.clone();
    }

    public EvidenceSubmission(ParsedBundle bundle, String bundleJson, byte[] payload, String bundleSha256) {
        this(bundle, bundleJson, payload, bundleSha256, null);
    }

    /** Whether this is a Sigstore bundle with a message signature ({@code cosign sign-blob}), not an envelope or a signed file. */
    public boolean isMessageSignature() {
        return openpgp == null && bundle != null && !bundle.isDsse();
    }

    @Override
    public byte[] payload() {
        return payload == null ? null : payload.clone();
    }
}
