package dev.tollgate.evidence.sigstore;

import java.io.StringReader;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
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
import tools.jackson.databind.ObjectMapper;
import dev.tollgate.digest.Digest;

/**
 * Verifies one Sigstore bundle under one trusted root or one registered key, offline. Keyless
 * bundles go through sigstore-java's {@code KeylessVerifier} where it can handle them, followed
 * by the checks 2.0.0 lacks; what it cannot handle (public keys, Rekor v2 DSSE, intoto 0.0.2
 * entries, DSSE payloads that are not ASCII, Fulcio usernames, RFC 3161 timestamps counted as
 * the reference clients count them, roots without CT logs) is verified from sigstore-java's
 * parts: the Fulcio chain and SCT verifier and the Rekor entry verifier, with our own log-entry
 * body checks ({@link RekorBodies}) and RFC 3161 checks ({@link TimestampTokens}).
 *
 * <p>Times are counted as sigstore-go and sigstore-js count them: every transparency-log entry
 * present must verify; an RFC 3161 timestamp that does not verify against the root's TSAs is
 * ignored (and reported); the bundle needs at least {@code minSignedTimes} verified signed times
 * from distinct sources (a log's signed integration time, a TSA's timestamp), and the leaf
 * certificate must be valid at each of them.
 */
public final class SigstoreVerifier {

    /**
     * Who signed: keyless (a certificate identity) or key (a registered key's name), with the
     * verified signed times, the TSAs whose timestamps verified, whether a transparency-log entry
     * verified, and the timestamps that were ignored (why, one line each).
     */
    public record Signer(String kind, CertificateIdentity identity, String keyName, Instant integratedTime,
            List<Instant> signedTimes, List<String> timestampedBy, boolean transparencyLog, List<String> ignored) {
        public Signer {
            signedTimes = List.copyOf(signedTimes);
            timestampedBy = List.copyOf(timestampedBy);
            ignored = List.copyOf(ignored);
        }
    }

    /** How a held root is to be used: whether it insists on a log entry, and how many signed times a bundle needs. */
    public record RootOptions(boolean requireTransparencyLog, int minSignedTimes) {
    }

    /** A registered key's validity window (either end may be open) and the time to judge bundles without a signed time. */
    public record KeyWindow(Instant validFrom, Instant validUntil, Instant now) {
        public boolean contains(Instant t) {
            return (validFrom == null || !t.isBefore(validFrom)) && (validUntil == null || t.isBefore(validUntil));
        }
    }

    private static final Set<String> LIBRARY_ENTRY_KINDS = Set.of("hashedrekord:0.0.1", "hashedrekord:0.0.2", "dsse:0.0.1");

    private final RekorBodies bodies;

    public SigstoreVerifier(ObjectMapper json) {
        this.bodies = new RekorBodies(json);
    }

    /**
     * What no root or key can make right: certificates that are not strict DER, the same RFC 3161
     * token twice, the same log entry (log id and index) twice.
     */
    public static void precheck(ParsedBundle b) throws Failure {
        if (!b.certificateProblems.isEmpty()) {
            throw new Failure(Failure.Codes.MALFORMED, String.join("; ", b.certificateProblems));
        }
        Set<String> entries = new java.util.HashSet<>();
        for (ParsedBundle.TlogEntry entry : b.tlogEntries) {
            if (!entries.add(HexFormat.of().formatHex(entry.logId()) + "/" + entry.logIndex())) {
                throw new Failure(Failure.Codes.DUPLICATE_TLOG_ENTRY,
                        "the bundle holds log entry " + entry.logIndex() + " of the same log twice");
            }
        }
        Set<String> tokens = new java.util.HashSet<>();
        for (int i = 0; i < b.timestamps.size(); i++) {
            byte[] raw = b.timestamps.get(i);
            byte[] token;
            try {
                token = TimestampTokens.read(raw).encoded();
            } catch (Failure f) {
                token = raw;
            }
            if (!tokens.add(Digest.sha256(token).hex())) {
                throw new Failure(Failure.Codes.DUPLICATE_TIMESTAMP, "RFC 3161 timestamp " + i + " repeats an earlier one");
            }
        }
    }

    /** Whether a certificate authority of this root issued the bundle's certificate, or one of its logs holds an entry of it. */
    public static int relevance(ParsedBundle b, TrustRoot root) {
        if (b.hasCertificate() && FulcioChains.issuedBy(b.certificates, root)) {
            return 2;
        }
        return b.tlogEntries.stream().anyMatch(e -> root.holdsLog(e.logId())) ? 1 : 0;
    }

    /**
     * @param digest for a message signature, the SHA-256 the signature covers (the artifact's, or a
     *               cosign payload's); for DSSE, the SHA-256 of one in-toto subject, or null when the
     *               statement has none (the caller matches subjects against the artifact)
     */
    public Signer keyless(ParsedBundle b, byte[] digest, TrustRoot root, RootOptions options) throws Failure {
        if (!b.hasCertificate()) {
            throw new Failure(Failure.Codes.UNTRUSTED_KEY, "the bundle is signed with a key, not a certificate");
        }
        precheck(b);
        X509Certificate leaf = b.leaf();
        CertificateIdentity identity = CertificateIdentity.of(leaf);
        SignedTimes times = new SignedTimes();
        if (library(b, digest, identity, root)) {
            checkDigest(b, digest);
            verifyWithLibrary(b, digest, root, identity);
            for (ParsedBundle.TlogEntry entry : b.tlogEntries) {
                if (entry.integratedTime() > 0 && entry.signedEntryTimestamp() != null) {
                    times.logged(entry);
                }
            }
        } else {
            checkSignature(b, digest, leaf.getPublicKey());
            FulcioChains.verify(b.certificates, root);
            if (b.tlogEntries.isEmpty() && options.requireTransparencyLog()) {
                throw new Failure(Failure.Codes.TLOG_INVALID, "the bundle has no transparency-log entry, and the trusted root requires one");
            }
            verifyEntries(b, digest, root, leaf, null, times);
            verifyTimestamps(b, root.root.getTSAs(), times);
        }
        times.require(options.minSignedTimes());
        for (Instant time : times.times) {
            validAt(leaf, time, "signing time");
        }
        return new Signer("keyless", identity, null, times.integratedTime, times.times, times.tsas, !b.tlogEntries.isEmpty(),
                times.ignored);
    }

    /**
     * A bundle signed with a registered key; its log entries and timestamps are checked against
     * {@code roots}, and every signed time (or, without one, {@code window.now()}) must lie in
     * the key's window.
     */
    public Signer withKey(ParsedBundle b, byte[] digest, TrustKey key, KeyWindow window, List<TrustRoot> roots) throws Failure {
        if (b.hasCertificate()) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE, "the bundle carries a certificate, not a key signature");
        }
        if (b.envelopeCertificate) {
            throw noLogProof();
        }
        precheck(b);
        checkSignature(b, digest, key.key);
        SignedTimes times = new SignedTimes();
        if (!b.tlogEntries.isEmpty()) {
            Failure last = null;
            for (TrustRoot root : roots) {
                SignedTimes attempt = new SignedTimes();
                try {
                    verifyEntries(b, digest, root, null, key.encoded, attempt);
                    times = attempt;
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
            List<dev.sigstore.trustroot.CertificateAuthority> tsas = new ArrayList<>();
            roots.forEach(r -> tsas.addAll(r.root.getTSAs()));
            verifyTimestamps(b, tsas, times);
        }
        List<Instant> judged = times.times.isEmpty() ? List.of(window.now()) : times.times;
        for (Instant time : judged) {
            if (!window.contains(time)) {
                throw new Failure(Failure.Codes.UNTRUSTED_KEY, "the key '" + key.name() + "' was not valid at "
                        + (times.times.isEmpty() ? "the decision time " : "the signing time ") + time
                        + " (valid from " + (window.validFrom() == null ? "-" : window.validFrom())
                        + " until " + (window.validUntil() == null ? "-" : window.validUntil()) + ")");
            }
        }
        return new Signer("key", null, key.name(), times.integratedTime, times.times, times.tsas, !b.tlogEntries.isEmpty(),
                times.ignored);
    }

    /**
     * Verified signed times. Each is checked against the certificate; each source (a log, a TSA)
     * counts once towards the minimum, as sigstore-go counts TSAs, so that one log or one TSA
     * cannot make up a threshold alone.
     */
    private static final class SignedTimes {
        final List<Instant> times = new ArrayList<>();
        final List<String> tsas = new ArrayList<>();
        final List<String> ignored = new ArrayList<>();
        final Set<String> sources = new java.util.HashSet<>();
        Instant integratedTime;

        void logged(ParsedBundle.TlogEntry entry) {
            Instant time = Instant.ofEpochSecond(entry.integratedTime());
            integratedTime = integratedTime == null ? time : integratedTime;
            times.add(time);
            sources.add("log:" + HexFormat.of().formatHex(entry.logId()));
        }

        void stamped(TimestampTokens.Verified verified, int index) {
            if (!sources.add("tsa:" + verified.tsa())) {
                ignored.add("RFC 3161 timestamp " + index + ": another timestamp from " + verified.tsa() + " already counts");
                return;
            }
            times.add(verified.time());
            tsas.add(verified.tsa());
        }

        void require(int minimum) throws Failure {
            int counted = sources.size();
            if (counted >= minimum) {
                return;
            }
            String why = counted == 0 ? "no trusted time: the bundle has neither a signed log entry time nor a verified RFC 3161 timestamp"
                    : "only " + counted + " verified signed time(s) from distinct logs and timestamp authorities; " + minimum + " are required";
            if (ignored.isEmpty()) {
                throw new Failure(Failure.Codes.TLOG_INVALID, why);
            }
            throw new Failure(Failure.Codes.TIMESTAMP_INVALID, why + " (" + String.join("; ", ignored) + ")");
        }
    }

    // ---- the parts ---------------------------------------------------------------------------------

    private static final String IN_TOTO_PAYLOAD = "application/vnd.in-toto+json";

    private static boolean library(ParsedBundle b, byte[] digest, CertificateIdentity identity, TrustRoot root) {
        if (identity.subjectType() == CertificateIdentity.SanType.OTHER_NAME || identity.issuer() == null
                || b.tlogEntries.isEmpty() || !b.timestamps.isEmpty() || root.logWithPort() || root.root.getCTLogs().isEmpty()) {
            return false;
        }
        if (b.tlogEntries.stream().anyMatch(e -> !LIBRARY_ENTRY_KINDS.contains(e.kindVersion()) || e.inclusionProof() == null
                || e.signedEntryTimestamp() == null || e.inclusionProof().checkpoint() == null
                || e.inclusionProof().checkpoint() != null
                && !root.checkpointForLibrary(e.inclusionProof().checkpoint()).equals(e.inclusionProof().checkpoint()))) {
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

    /** Why a bare DSSE envelope signed with a (Fulcio) certificate is not evidence. */
    public static Failure noLogProof() {
        return new Failure(Failure.Codes.NO_LOG_PROOF, "the DSSE envelope is signed with a certificate but carries no"
                + " transparency-log entry or timestamp, so nothing proves the certificate was valid when it signed;"
                + " bring the Sigstore bundle instead (cosign download attestation --bundle, gh attestation download)");
    }

    /** Signature over the digest (message) or over the pre-authentication encoding (DSSE). */
    private static void checkSignature(ParsedBundle b, byte[] digest, PublicKey key) throws Failure {
        if (b.bareEnvelope) {
            // a bare envelope may carry several signatures (several signers, a key rotation): one by this key suffices
            byte[] pae = Dsse.pae(b.dssePayloadType, b.dssePayload);
            for (ParsedBundle.DsseSignature signature : b.dsseSignatures) {
                if (KeySignatures.verify(key, pae, signature.sig())) {
                    return;
                }
            }
            throw new Failure(Failure.Codes.SIGNATURE_INVALID, "no signature of the DSSE envelope verifies with this key");
        }
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

    /** Body, signed entry timestamp, inclusion proof and checkpoint of every entry; their signed integration times go to {@code times}. */
    private void verifyEntries(ParsedBundle b, byte[] digest, TrustRoot root, X509Certificate leaf, byte[] key,
            SignedTimes times) throws Failure {
        RekorBodies.Expected expected = new RekorBodies.Expected(b.signatureBytes(), b.isDsse() ? null : digest,
                b.dssePayload, b.dssePayloadType, leaf, key);
        for (ParsedBundle.TlogEntry entry : b.tlogEntries) {
            if (entry.inclusionProof() == null || entry.inclusionProof().checkpoint() == null && b.mediaType.endsWith("version=0.1")) {
                // bundle v0.1 (and cosign's legacy tags) may carry only the log's signed promise of inclusion, or a
                // proof without a checkpoint (it came with v0.2): the promise is then the only signed statement
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
                times.logged(entry);
            }
        }
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

    /**
     * RFC 3161 timestamps: each one that verifies against {@code tsas} over the signature adds its
     * time; one that does not (another TSA, another signature, outside the TSA's validity) is
     * ignored and reported, as sigstore-go and sigstore-js ignore it.
     */
    private static void verifyTimestamps(ParsedBundle b, List<dev.sigstore.trustroot.CertificateAuthority> tsas, SignedTimes times) {
        byte[] signature = b.signatureBytes();
        for (int i = 0; i < b.timestamps.size(); i++) {
            try {
                times.stamped(TimestampTokens.verify(TimestampTokens.read(b.timestamps.get(i)), signature, tsas), i);
            } catch (Failure f) {
                times.ignored.add("RFC 3161 timestamp " + i + ": " + f.detail());
            }
        }
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
