package dev.tollgate.evidence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Keyless signing of an arbitrary blob, as {@code cosign sign-blob --bundle} does it against a
 * Sigstore instance, with the instance made in the test ({@link MintedSigstore}): a Fulcio-like CA
 * issues a ten-minute certificate for an OIDC identity, the blob's SHA-256 is signed with its key,
 * and a Rekor-like log records a hashedrekord entry (integrated time inside the certificate's
 * validity, signed entry timestamp and checkpoint). The instance's trusted_root.json is what a
 * server must hold for the bundle to verify. For tests outside this package (the policy sources).
 */
public final class MintedKeylessSigner {

    private final MintedSigstore.Fulcio fulcio;
    private final MintedSigstore.Log log;
    private long index;

    public MintedKeylessSigner(String organization) {
        this.fulcio = new MintedSigstore.Fulcio(organization);
        this.log = new MintedSigstore.Log("rekor." + organization.toLowerCase(java.util.Locale.ROOT) + ".test");
    }

    /** The instance's trusted_root.json: its CA and its log. */
    public byte[] trustedRoot() {
        return MintedSigstore.trustedRoot(List.of(fulcio.json()), List.of(), List.of(log.json()));
    }

    /** A v0.3 Sigstore bundle: a message signature over the blob by a certificate for {@code subject} (a URI SAN) from {@code issuer}. */
    public synchronized byte[] sign(byte[] blob, String issuer, String subject) {
        Instant issued = MintedSigstore.T0;
        MintedSigstore.Leaf leaf = fulcio.uri(subject, issuer, issued);
        byte[] digest = MintedSigstore.sha256(blob);
        byte[] signature = leaf.sign(digest);
        var entry = log.entry("hashedrekord", "0.0.1", MintedSigstore.hashedRekordV1(digest, signature, leaf.certificate()), ++index,
                issued.plus(2, ChronoUnit.MINUTES));
        return EvidenceTestSupport.JSON.writeValueAsBytes(MintedSigstore.bundle(MintedSigstore.encoded(leaf.certificate()), digest,
                signature, List.of(entry), List.of()));
    }

    /**
     * What {@code cosign sign} (keyless, the signature stored under the {@code .sig} tag) puts in the annotations of the
     * layer that holds {@code payload} (its simple-signing payload): the base64 signature over the payload, the
     * certificate and its chain (PEM), and the Rekor bundle (the entry's body, integrated time, index and log id,
     * with its signed entry timestamp), under cosign's own annotation keys.
     */
    public synchronized java.util.Map<String, String> cosignAnnotations(byte[] payload, String issuer, String subject) {
        Instant issued = MintedSigstore.T0;
        MintedSigstore.Leaf leaf = fulcio.uri(subject, issuer, issued);
        byte[] digest = MintedSigstore.sha256(payload);
        byte[] signature = leaf.sign(digest);
        long logIndex = ++index;
        var entry = log.entry("hashedrekord", "0.0.1", MintedSigstore.hashedRekordV1(digest, signature, leaf.certificate()), logIndex,
                issued.plus(2, ChronoUnit.MINUTES));
        var rekor = EvidenceTestSupport.JSON.createObjectNode();
        rekor.put("SignedEntryTimestamp", entry.at("/inclusionPromise/signedEntryTimestamp").asString());
        var body = rekor.putObject("Payload");
        body.put("body", entry.get("canonicalizedBody").asString());
        body.put("integratedTime", Long.parseLong(entry.get("integratedTime").asString()));
        body.put("logIndex", logIndex);
        body.put("logID", java.util.HexFormat.of().formatHex(log.logId));
        return java.util.Map.of(
                "dev.cosignproject.cosign/signature", MintedSigstore.b64(signature),
                "dev.sigstore.cosign/certificate", MintedSigstore.pem(leaf.certificate()),
                "dev.sigstore.cosign/chain", MintedSigstore.pem(fulcio.intermediate) + MintedSigstore.pem(fulcio.root),
                "dev.sigstore.cosign/bundle", EvidenceTestSupport.JSON.writeValueAsString(rekor));
    }
}
