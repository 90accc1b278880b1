package dev.tollgate.evidence.sigstore;

import java.io.StringReader;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.rekor.client.ImmutableInclusionProof;
import dev.sigstore.rekor.client.ImmutableRekorEntry;
import dev.sigstore.rekor.client.ImmutableVerification;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.strings.StringMatcher;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampResponse;
import tools.jackson.databind.ObjectMapper;

/**
 * Verifies one Sigstore bundle under one trusted root or one registered key, offline. Keyless
 * bundles go through sigstore-java's {@code KeylessVerifier} where it can handle them, followed
 * by the checks 2.0.0 lacks; what it cannot handle (public keys, Rekor v2 DSSE, intoto 0.0.2
 * entries, DSSE payloads that are not ASCII, Fulcio usernames) is verified from sigstore-java's
 * parts: the Fulcio chain and SCT verifier, the Rekor entry verifier, the RFC 3161 verifier and
 * its signature verifiers, with our own log-entry body checks ({@link RekorBodies}).
 */
public final class SigstoreVerifier {

    /** Who signed: keyless (a certificate identity) or key (a registered key's name). */
    public record Signer(String kind, CertificateIdentity identity, String keyName, Instant integratedTime) {
    }

    private static final Set<String> LIBRARY_ENTRY_KINDS = Set.of("hashedrekord:0.0.1", "hashedrekord:0.0.2", "dsse:0.0.1");

    private final RekorBodies bodies;

    public SigstoreVerifier(ObjectMapper json) {
        this.bodies = new RekorBodies(json);
    }

    /**
     * @param digest for a message signature, the SHA-256 the signature covers (the artifact's, or a
     *               cosign payload's); for DSSE, the SHA-256 of one in-toto subject, or null when the
     *               statement has none (the caller matches subjects against the artifact)
     */
    public Signer keyless(ParsedBundle b, byte[] digest, TrustRoot root) throws Failure {
        if (!b.hasCertificate()) {
            throw new Failure(Failure.Codes.UNTRUSTED_KEY, "the bundle is signed with a key, not a certificate");
        }
        X509Certificate leaf = b.leaf();
        CertificateIdentity identity = CertificateIdentity.of(leaf);
        if (library(b, digest, identity, root)) {
            checkDigest(b, digest);
            verifyWithLibrary(b, digest, root, identity);
            Instant integrated = checkCertificateAtLogTimes(b, leaf);
            return new Signer("keyless", identity, null, integrated);
        }
        checkSignature(b, digest, leaf.getPublicKey());
        verifyCertificate(b, root);
        List<Instant> times = new ArrayList<>();
        Instant integrated = verifyEntries(b, digest, root, leaf, null, true, times);
        verifyTimestamps(b, List.of(root), times);
        if (times.isEmpty()) {
            throw new Failure(Failure.Codes.TLOG_INVALID,
                    "no trusted time: the bundle has neither a signed log entry time nor an RFC 3161 timestamp");
        }
        for (Instant time : times) {
            validAt(leaf, time, "signing time");
        }
        return new Signer("keyless", identity, null, integrated);
    }

    /** A bundle signed with a registered key; its log entries and timestamps are checked against {@code roots}. */
    public Signer withKey(ParsedBundle b, byte[] digest, TrustKey key, List<TrustRoot> roots) throws Failure {
        if (b.hasCertificate()) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE, "the bundle carries a certificate, not a key signature");
        }
        checkSignature(b, digest, key.key);
        Instant integrated = null;
        if (!b.tlogEntries.isEmpty()) {
            Failure last = null;
            for (TrustRoot root : roots) {
                try {
                    integrated = verifyEntries(b, digest, root, null, key.encoded, true, new ArrayList<>());
                    last = null;
                    break;
                } catch (Failure f) {
                    last = f;
                }
            }
            if (last != null || roots.isEmpty()) {
                throw last != null ? last : new Failure(Failure.Codes.TLOG_INVALID, "no trusted root holds the log's key");
            }
        }
        if (!b.timestamps.isEmpty()) {
            verifyTimestamps(b, roots, new ArrayList<>());
        }
        return new Signer("key", null, key.name(), integrated);
    }

    // ---- the parts ---------------------------------------------------------------------------------

    private static final String IN_TOTO_PAYLOAD = "application/vnd.in-toto+json";

    private static boolean library(ParsedBundle b, byte[] digest, CertificateIdentity identity, TrustRoot root) {
        if (identity.subjectType() == CertificateIdentity.SanType.OTHER_NAME || identity.issuer() == null
                || b.tlogEntries.isEmpty() || root.logWithPort()) {
            return false;
        }
        if (b.tlogEntries.stream().anyMatch(e -> !LIBRARY_ENTRY_KINDS.contains(e.kindVersion()) || e.inclusionProof() == null)) {
            return false;
        }
        // 2.0.0 builds the DSSE pre-authentication encoding from the character count: only ASCII is safe
        return !b.isDsse() || digest != null && IN_TOTO_PAYLOAD.equals(b.dssePayloadType) && Dsse.isAscii(b.dssePayload)
                && b.tlogEntries.stream().allMatch(e -> e.kind().equals("dsse"));
    }

    private static void verifyWithLibrary(ParsedBundle b, byte[] digest, TrustRoot root, CertificateIdentity identity)
            throws Failure {
        Bundle bundle;
        try {
            bundle = Bundle.from(new StringReader(b.json));
        } catch (BundleParseException e) {
            throw new Failure(Failure.Codes.MALFORMED, "sigstore-java cannot read the bundle: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new Failure(Failure.Codes.MALFORMED, "sigstore-java cannot read the bundle", e);
        }
        VerificationOptions options = VerificationOptions.builder()
                .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
                        .subjectAlternativeName(StringMatcher.string(Identities.required(identity.subject())))
                        .issuer(StringMatcher.string(Identities.required(identity.issuer())))
                        .build())
                .build();
        try {
            root.keyless.verify(digest, bundle, options);
        } catch (KeylessVerificationException e) {
            throw classify(e);
        } catch (RuntimeException e) {
            throw new Failure(Failure.Codes.SIGNATURE_INVALID, "verification failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** The library's exception as one of our codes (the digest was checked before it ran). */
    private static Failure classify(KeylessVerificationException e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        String text = all.toString().toLowerCase(Locale.ROOT);
        String code;
        if (text.contains("timestamp")) {
            code = Failure.Codes.TIMESTAMP_INVALID;
        } else if (text.contains("fulcio") || text.contains("certificate") || text.contains("sct") || text.contains("chain")) {
            code = Failure.Codes.UNTRUSTED_CERTIFICATE;
        } else if (text.contains("rekor") || text.contains("checkpoint") || text.contains("inclusion") || text.contains("entry")
                || text.contains("tlog") || text.contains("log")) {
            code = Failure.Codes.TLOG_INVALID;
        } else if (text.contains("digest")) {
            code = Failure.Codes.DIGEST_MISMATCH;
        } else {
            code = Failure.Codes.SIGNATURE_INVALID;
        }
        return new Failure(code, e.getMessage(), e);
    }

    /** Signature over the digest (message) or over the pre-authentication encoding (DSSE). */
    private static void checkSignature(ParsedBundle b, byte[] digest, PublicKey key) throws Failure {
        if (b.isDsse()) {
            if (b.dsseSignatures.size() != 1) {
                throw new Failure(Failure.Codes.UNSUPPORTED, "DSSE envelopes with more than one signature are not supported");
            }
            if (!KeySignatures.verify(key, Dsse.pae(b.dssePayloadType, b.dssePayload), b.dsseSignatures.get(0).sig())) {
                throw new Failure(Failure.Codes.SIGNATURE_INVALID, "the DSSE signature does not verify");
            }
            return;
        }
        checkDigest(b, digest);
        if (!KeySignatures.verifyDigest(key, digest, b.messageSignature)) {
            throw new Failure(Failure.Codes.SIGNATURE_INVALID, "the signature does not verify over the digest");
        }
    }

    /** A message signature's recorded digest must be the one being verified. */
    private static void checkDigest(ParsedBundle b, byte[] digest) throws Failure {
        if (b.isDsse() || b.messageDigest == null) {
            return;
        }
        if (!"SHA2_256".equals(b.messageDigestAlgorithm)) {
            throw new Failure(Failure.Codes.UNSUPPORTED, "message digests other than SHA2_256 are not supported");
        }
        if (!Arrays.equals(b.messageDigest, digest)) {
            throw new Failure(Failure.Codes.DIGEST_MISMATCH, "the bundle signs another digest");
        }
    }

    private static void verifyCertificate(ParsedBundle b, TrustRoot root) throws Failure {
        try {
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(b.certificates);
            root.fulcio.verifySigningCertificate(path);
        } catch (CertificateException e) {
            throw new Failure(Failure.Codes.MALFORMED, "the certificate chain does not parse", e);
        } catch (Exception e) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE, "certificate not issued by a trusted root: " + e.getMessage(), e);
        }
    }

    /**
     * Body, signed entry timestamp, inclusion proof and checkpoint of every entry. Adds the
     * signed integration times to {@code times}; returns the first.
     */
    private Instant verifyEntries(ParsedBundle b, byte[] digest, TrustRoot root, X509Certificate leaf, byte[] key,
            boolean required, List<Instant> times) throws Failure {
        if (b.tlogEntries.isEmpty()) {
            if (required) {
                throw new Failure(Failure.Codes.TLOG_INVALID, "the bundle has no transparency-log entry");
            }
            return null;
        }
        Instant first = null;
        RekorBodies.Expected expected = new RekorBodies.Expected(b.signatureBytes(), b.isDsse() ? null : digest,
                b.dssePayload, b.dssePayloadType, leaf, key);
        for (ParsedBundle.TlogEntry entry : b.tlogEntries) {
            if (entry.inclusionProof() == null) {
                // bundle v0.1 (and cosign's legacy tags) may carry only the log's signed promise of inclusion
                if (!b.mediaType.endsWith("version=0.1") || entry.signedEntryTimestamp() == null) {
                    throw new Failure(Failure.Codes.TLOG_INVALID, "a log entry has no inclusion proof");
                }
                bodies.check(entry, expected);
                verifyPromise(entry, root);
            } else {
                bodies.check(entry, expected);
                try {
                    root.rekor.verifyEntry(rekorEntry(entry, root));
                } catch (Exception e) {
                    throw new Failure(Failure.Codes.TLOG_INVALID, "log entry not verified: " + e.getMessage(), e);
                }
            }
            if (entry.integratedTime() > 0 && entry.signedEntryTimestamp() != null) {
                Instant time = Instant.ofEpochSecond(entry.integratedTime());
                times.add(time);
                first = first == null ? time : first;
            }
        }
        return first;
    }

    /** The signed entry timestamp alone: the log's signature over the entry, with a key the root holds for that time. */
    private static void verifyPromise(ParsedBundle.TlogEntry entry, TrustRoot root) throws Failure {
        RekorEntry unproven = ImmutableRekorEntry.builder()
                .integratedTime(entry.integratedTime())
                .logID(HexFormat.of().formatHex(entry.logId()))
                .logIndex(entry.logIndex())
                .body(Base64.getEncoder().encodeToString(entry.canonicalizedBody()))
                .verification(ImmutableVerification.builder()
                        .signedEntryTimestamp(Base64.getEncoder().encodeToString(entry.signedEntryTimestamp())).build())
                .build();
        var log = dev.sigstore.trustroot.TransparencyLog.find(root.root.getTLogs(), entry.logId(),
                Instant.ofEpochSecond(entry.integratedTime()));
        if (log.isEmpty()) {
            throw new Failure(Failure.Codes.TLOG_INVALID, "no log of the trusted root matches the entry at its time");
        }
        PublicKey key;
        try {
            key = log.get().getPublicKey().toJavaPublicKey();
        } catch (Exception e) {
            throw new Failure(Failure.Codes.TLOG_INVALID, "the log's key cannot be read", e);
        }
        if (!KeySignatures.verify(key, unproven.getSignableContent(), entry.signedEntryTimestamp())) {
            throw new Failure(Failure.Codes.TLOG_INVALID, "the signed entry timestamp does not verify");
        }
    }

    private static RekorEntry rekorEntry(ParsedBundle.TlogEntry entry, TrustRoot root) {
        HexFormat hex = HexFormat.of();
        ParsedBundle.InclusionProof proof = entry.inclusionProof();
        var inclusion = ImmutableInclusionProof.builder()
                .logIndex(proof.logIndex())
                .rootHash(hex.formatHex(proof.rootHash()))
                .treeSize(proof.treeSize())
                .checkpoint(proof.checkpoint() == null ? "" : root.checkpointForLibrary(proof.checkpoint()))
                .addAllHashes(proof.hashes().stream().map(hex::formatHex).toList())
                .build();
        var verification = ImmutableVerification.builder().inclusionProof(inclusion);
        if (entry.signedEntryTimestamp() != null && entry.signedEntryTimestamp().length > 0) {
            verification.signedEntryTimestamp(Base64.getEncoder().encodeToString(entry.signedEntryTimestamp()));
        }
        return ImmutableRekorEntry.builder()
                .integratedTime(entry.integratedTime())
                .logID(hex.formatHex(entry.logId()))
                .logIndex(entry.logIndex())
                .body(Base64.getEncoder().encodeToString(entry.canonicalizedBody()))
                .verification(verification.build())
                .build();
    }

    /** Every RFC 3161 timestamp must be signed by a trusted TSA over the signature; adds their times. */
    private static void verifyTimestamps(ParsedBundle b, List<TrustRoot> roots, List<Instant> times) throws Failure {
        for (byte[] token : b.timestamps) {
            TimestampResponse response = ImmutableTimestampResponse.builder().encoded(token).build();
            Failure last = null;
            boolean verified = false;
            for (TrustRoot root : roots) {
                try {
                    root.timestamps.verify(response, b.signatureBytes());
                    times.add(response.getGenTime().toInstant());
                    verified = true;
                    break;
                } catch (Exception e) {
                    last = new Failure(Failure.Codes.TIMESTAMP_INVALID, "RFC 3161 timestamp not verified: " + e.getMessage(), e);
                }
            }
            if (!verified) {
                throw last != null ? last : new Failure(Failure.Codes.TIMESTAMP_INVALID, "no trusted timestamp authority");
            }
        }
    }

    /**
     * Closes a 2.0.0 gap: the leaf certificate must be valid when the log integrated the entry
     * (2.0.0 accepts a certificate that expired before it was logged).
     */
    private static Instant checkCertificateAtLogTimes(ParsedBundle b, X509Certificate leaf) throws Failure {
        Instant first = null;
        for (ParsedBundle.TlogEntry entry : b.tlogEntries) {
            if (entry.integratedTime() > 0) {
                Instant time = Instant.ofEpochSecond(entry.integratedTime());
                validAt(leaf, time, "the log's integrated time");
                first = first == null ? time : first;
            }
        }
        return first;
    }

    private static void validAt(X509Certificate leaf, Instant time, String what) throws Failure {
        try {
            leaf.checkValidity(Date.from(time));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE, "the certificate was not valid at " + what + " " + time);
        }
    }

    /** Identity matchers are never empty: sigstore-java's {@code VerificationOptions.empty()} accepts anyone. */
    static final class Identities {
        private Identities() {
        }

        static String required(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("an identity matcher needs a subject and an issuer");
            }
            return value;
        }
    }
}
