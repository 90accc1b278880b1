package dev.tollgate.evidence;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.evidence.intoto.Statement;
import dev.tollgate.evidence.openpgp.OpenPgpKey;
import dev.tollgate.evidence.openpgp.OpenPgpRefused;
import dev.tollgate.evidence.openpgp.OpenPgpSignedFile;
import dev.tollgate.evidence.sigstore.CertificateIdentity;
import dev.tollgate.evidence.sigstore.Failure;
import dev.tollgate.evidence.sigstore.ParsedBundle;
import dev.tollgate.evidence.sigstore.SigstoreTrust;
import dev.tollgate.evidence.sigstore.SigstoreVerifier;
import dev.tollgate.evidence.sigstore.TrustKey;
import dev.tollgate.evidence.sigstore.TrustRoot;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import dev.tollgate.digest.Digest;

/**
 * Turns evidence items into verified facts or failures, against the trust material held. Never
 * throws for what an item contains: a bundle that does not parse is {@link MalformedEvidence}
 * (the caller's 400), anything else is an {@link EvidenceResult}. Results are cached by bundle,
 * artifact digest and the fingerprint of all trust material, so a change of any root or key
 * makes every bundle verify again; concurrent requests for the same bundle verify it once.
 */
@Service
public class EvidenceVerifier {

    private static final Logger log = LoggerFactory.getLogger(EvidenceVerifier.class);

    private final ObjectMapper json;
    private final SigstoreTrust trust;
    private final SigstoreVerifier sigstore;
    private final EvidenceProperties properties;
    private final Clock clock;
    private final Cache<String, Computed> cache;
    private final java.util.concurrent.atomic.LongAdder verifications = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder lookups = new java.util.concurrent.atomic.LongAdder();

    /** A result, and whether it holds only at the time it was computed (a key's window judged at the decision time). */
    private record Computed(EvidenceResult result, boolean timeDependent) {
    }

    EvidenceVerifier(ObjectMapper json, SigstoreTrust trust, EvidenceProperties properties, Clock clock) {
        this.json = json;
        this.trust = trust;
        this.sigstore = new SigstoreVerifier(json);
        this.properties = properties;
        this.clock = clock;
        this.cache = Caffeine.newBuilder().maximumSize(properties.cacheSize()).build();
    }

    /**
     * A verifier outside Spring (the command line), with the server's default settings; {@code clock}
     * gives the decision time at which key windows are judged.
     */
    public static EvidenceVerifier standalone(ObjectMapper json, Clock clock) {
        return new EvidenceVerifier(json, new SigstoreTrust(json, clock),
                new EvidenceProperties(0, org.springframework.util.unit.DataSize.ofMegabytes(1), 64, 1), clock);
    }

    /** The check the trust store applies to roots and keys before it holds them, outside Spring (the command line). */
    public static dev.tollgate.trust.TrustMaterialCheck trustCheck(ObjectMapper json, Clock clock) {
        return new SigstoreTrust(json, clock);
    }

    /** Reads a request's {@code evidence} list; the first item that is not a readable bundle refuses them all. */
    public List<EvidenceSubmission> read(JsonNode items) {
        if (items == null || items.isNull()) {
            return List.of();
        }
        if (!items.isArray()) {
            throw new MalformedEvidence(0, Failure.Codes.MALFORMED, "evidence must be a list");
        }
        if (items.size() > properties.maxItems()) {
            throw new MalformedEvidence(properties.maxItems(), Failure.Codes.MALFORMED,
                    "at most " + properties.maxItems() + " evidence items per request");
        }
        List<EvidenceSubmission> submissions = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            submissions.add(read(i, items.get(i)));
        }
        return submissions;
    }

    /**
     * One item: {@code {"bundle": {...}}}, {@code {"bundle": {...}, "payload": "<base64>"}}, or a
     * bare DSSE envelope {@code {"dsse": {...}}}.
     */
    public EvidenceSubmission read(int index, JsonNode item) {
        return read(index, item, null, null);
    }

    /**
     * Kept evidence, read again from what was stored: {@code kept} is the bundle's JSON text exactly
     * as it was hashed and stored (or, for the other kinds, the whole item's), and {@code payload} a
     * message-signature bundle's payload bytes. The text is parsed once and used as it is — not
     * serialised again, the payload not passed through base64 — so its hash is the stored one.
     */
    public EvidenceSubmission readKept(int index, String kept, byte[] payload) {
        JsonNode node;
        try {
            node = json.readTree(kept);
        } catch (RuntimeException e) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "the kept evidence is not JSON");
        }
        if (node != null && node.isObject() && !node.has("mediaType") && !node.has("media_type")
                && (node.has("dsse") || node.has("openpgp"))) {
            return read(index, node, kept, null);
        }
        tools.jackson.databind.node.ObjectNode item = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        item.set("bundle", node);
        return read(index, item, kept, payload);
    }

    private EvidenceSubmission read(int index, JsonNode item, String knownText, byte[] knownPayload) {
        if (item != null && item.isObject() && item.has("dsse")) {
            return readEnvelope(index, item, knownText);
        }
        if (item != null && item.isObject() && item.has("openpgp")) {
            return readOpenPgp(index, item, knownText);
        }
        if (item == null || !item.isObject() || !item.has("bundle") || !item.get("bundle").isObject()) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED,
                    "an evidence item is an object with a \"bundle\", \"dsse\" or \"openpgp\" object");
        }
        for (String field : item.propertyNames()) {
            if (!field.equals("bundle") && !field.equals("payload")) {
                throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "unknown field '" + field + "'");
            }
        }
        JsonNode node = item.get("bundle");
        String bundleJson = knownText != null ? knownText : json.writeValueAsString(node);
        if (bundleJson.length() > properties.maxBundleBytes().toBytes()) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "the bundle is larger than " + properties.maxBundleBytes());
        }
        ParsedBundle bundle;
        try {
            bundle = ParsedBundle.parse(node, bundleJson);
        } catch (Failure f) {
            throw new MalformedEvidence(index, f.code(), f.detail());
        }
        byte[] payload = knownPayload;
        if (knownPayload != null && bundle.isDsse()) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "a payload goes only with a message-signature bundle");
        }
        if (item.has("payload")) {
            JsonNode p = item.get("payload");
            if (!p.isString()) {
                throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "payload must be a base64 string");
            }
            if (bundle.isDsse()) {
                throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "a payload goes only with a message-signature bundle");
            }
            try {
                payload = Base64.getDecoder().decode(p.stringValue());
            } catch (IllegalArgumentException e) {
                throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "payload is not valid base64");
            }
        }
        return new EvidenceSubmission(bundle, bundleJson, payload, Digest.sha256(bundleJson).hex());
    }

    /** {@code {"dsse": {...}}}: kept (and stored) as the whole item, so that reading it again gives the same envelope. */
    private EvidenceSubmission readEnvelope(int index, JsonNode item, String knownText) {
        if (item.size() != 1) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "a \"dsse\" item has no other fields");
        }
        String itemJson = knownText != null ? knownText : json.writeValueAsString(item);
        if (itemJson.length() > properties.maxBundleBytes().toBytes()) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "the envelope is larger than " + properties.maxBundleBytes());
        }
        ParsedBundle envelope;
        try {
            envelope = ParsedBundle.envelope(item.get("dsse"), itemJson);
        } catch (Failure f) {
            throw new MalformedEvidence(index, f.code(), f.detail());
        }
        return new EvidenceSubmission(envelope, itemJson, null, Digest.sha256(itemJson).hex());
    }

    /**
     * {@code {"openpgp": {"signedFile": "<text>", "signature": "<armored detached signature>"}}} or
     * {@code {"openpgp": {"clearsigned": "<clearsigned text>"}}}; kept as the whole item.
     */
    private EvidenceSubmission readOpenPgp(int index, JsonNode item, String knownText) {
        JsonNode node = item.get("openpgp");
        if (item.size() != 1 || node == null || !node.isObject()) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "an \"openpgp\" item is an object with nothing beside it");
        }
        for (String field : node.propertyNames()) {
            if (!field.equals("signedFile") && !field.equals("signature") && !field.equals("clearsigned")) {
                throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "openpgp has no field '" + field + "'");
            }
            if (!node.get(field).isString()) {
                throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "openpgp." + field + " must be a string");
            }
        }
        String itemJson = knownText != null ? knownText : json.writeValueAsString(item);
        if (itemJson.length() > properties.maxBundleBytes().toBytes()) {
            throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "the signed file is larger than " + properties.maxBundleBytes());
        }
        OpenPgpSignedFile file;
        try {
            if (node.has("clearsigned")) {
                if (node.size() != 1) {
                    throw new MalformedEvidence(index, Failure.Codes.MALFORMED, "a clearsigned file comes alone, without signedFile or signature");
                }
                file = OpenPgpSignedFile.clearsigned(node.get("clearsigned").stringValue());
            } else {
                if (!node.has("signedFile") || !node.has("signature")) {
                    throw new MalformedEvidence(index, Failure.Codes.MALFORMED,
                            "openpgp needs signedFile and signature (a detached signature), or clearsigned");
                }
                file = OpenPgpSignedFile.detached(node.get("signedFile").stringValue(), node.get("signature").stringValue());
            }
        } catch (OpenPgpRefused e) {
            throw new MalformedEvidence(index, e.code(), e.detail());
        }
        return new EvidenceSubmission(null, itemJson, null, Digest.sha256(itemJson).hex(), file);
    }

    public List<EvidenceResult> verify(List<EvidenceSubmission> submissions, String artifactDigest, TrustStore.Snapshot held) {
        List<EvidenceResult> results = new ArrayList<>(submissions.size());
        for (EvidenceSubmission submission : submissions) {
            results.add(verify(submission, artifactDigest, held));
        }
        return results;
    }

    public EvidenceResult verify(EvidenceSubmission s, String artifactDigest, TrustStore.Snapshot held) {
        String payloadHash = s.payload() == null ? "-" : Digest.sha256(s.payload()).hex();
        String key = s.bundleSha256() + "|" + payloadHash + "|" + artifactDigest + "|" + held.fingerprint();
        if (properties.cacheSize() == 0) {
            return verifyNow(s, artifactDigest, held).result();
        }
        lookups.increment();
        Computed computed = cache.get(key, k -> verifyNow(s, artifactDigest, held));
        if (computed.timeDependent()) {
            // judged at this decision's time: the next decision judges again
            cache.invalidate(key);
        }
        return computed.result();
    }

    /** How many verifications were answered from the cache (looked up, not run again). */
    public long cacheHits() {
        return lookups.sum() - (properties.cacheSize() == 0 ? 0 : verifications.sum());
    }

    /** How many verifications actually ran (cache misses): for tests and metrics. */
    public long verifications() {
        return verifications.sum();
    }

    private Computed verifyNow(EvidenceSubmission s, String artifactDigest, TrustStore.Snapshot held) {
        verifications.increment();
        Attempts attempts = new Attempts();
        EvidenceResult result;
        try {
            result = verifyOrFail(s, artifactDigest, held, attempts);
        } catch (Failure f) {
            result = EvidenceResult.failed(s.bundleSha256(), f.code(), f.detail());
        } catch (RuntimeException | StackOverflowError e) {
            log.warn("evidence verification failed unexpectedly; refusing the evidence", e);
            result = EvidenceResult.failed(s.bundleSha256(), Failure.Codes.MALFORMED, "the evidence could not be processed");
        }
        return new Computed(result.withTrace(attempts.trace), attempts.timeDependent);
    }

    /** What was tried under which root or key, for the trace. */
    private static final class Attempts {
        final List<EvidenceResult.Trace> trace = new ArrayList<>();
        boolean timeDependent;

        void verified(String material, List<String> ignored) {
            trace.add(new EvidenceResult.Trace(material, "verified", null, null));
            ignoredTimestamps(material, ignored);
        }

        void failed(String material, Failure f) {
            trace.add(new EvidenceResult.Trace(material, "failed", f.code(), f.detail()));
        }

        void ignoredTimestamps(String material, List<String> ignored) {
            ignored.forEach(reason -> trace.add(new EvidenceResult.Trace(material, "ignored", Failure.Codes.TIMESTAMP_INVALID, reason)));
        }
    }

    private EvidenceResult verifyOrFail(EvidenceSubmission s, String artifactDigest, TrustStore.Snapshot held, Attempts attempts)
            throws Failure {
        if (s.openpgp() != null) {
            return openpgp(s, artifactDigest, held, attempts);
        }
        ParsedBundle bundle = s.bundle();
        // a message signature covers a SHA-256 (the artifact's, or a cosign payload's)
        byte[] artifact = artifactDigest.startsWith("sha256:")
                ? HexFormat.of().parseHex(artifactDigest.substring("sha256:".length())) : null;
        Statement statement = null;
        String notAStatement = null;
        byte[] signed;
        if (bundle.isDsse()) {
            try {
                statement = Statement.parse(bundle.dssePayloadType(), bundle.dssePayload(), json);
            } catch (Statement.NotAStatement e) {
                notAStatement = e.getMessage();
            }
            // sigstore-java checks that its digest is a subject; the artifact is matched below, after
            // verification, so that a bundle for another artifact still shows who signed it
            signed = statement == null ? null : statement.firstSha256();
        } else {
            if (s.payload() == null && artifact == null) {
                return EvidenceResult.failed(s.bundleSha256(), Failure.Codes.UNSUPPORTED,
                        "a message signature is verified over the artifact's SHA-256; this artifact is named by its SHA-512");
            }
            signed = s.payload() == null ? artifact : Digest.sha256(s.payload()).bytes();
        }

        SigstoreVerifier.precheck(bundle);
        if (bundle.envelopeCertificate()) {
            throw SigstoreVerifier.noLogProof();
        }
        Signer signer = bundle.hasCertificate() ? keyless(bundle, signed, held, attempts) : withKey(bundle, signed, held, attempts);
        List<VerifiedEvidence.TrustUse> uses = new ArrayList<>();
        for (String name : signer.trustRoots()) {
            held.find(name).ifPresent(m -> uses.add(new VerifiedEvidence.TrustUse(m.name(), m.kind().id(), m.sha256())));
        }
        if ("key".equals(signer.kind()) && !bundle.tlogEntries().isEmpty()) {
            // a key bundle's log entry was checked against the held roots
            held.roots().forEach(m -> uses.add(new VerifiedEvidence.TrustUse(m.name(), m.kind().id(), m.sha256())));
        }
        String signatureSha256 = Digest.sha256(bundle.signatureBytes()).hex();
        if (!bundle.isDsse()) {
            VerifiedEvidence verified = new VerifiedEvidence("signature", signer, null, null, null, uses, signatureSha256);
            if (s.payload() != null) {
                String mismatch = simpleSigningMismatch(s.payload(), artifactDigest);
                if (mismatch != null) {
                    return EvidenceResult.failed(s.bundleSha256(), Failure.Codes.DIGEST_MISMATCH, mismatch, verified);
                }
            }
            return EvidenceResult.of(s.bundleSha256(), verified);
        }
        if (statement == null) {
            return EvidenceResult.failed(s.bundleSha256(), Failure.Codes.UNSUPPORTED, notAStatement);
        }
        VerifiedEvidence verified = new VerifiedEvidence("attestation", signer, statement.predicateType(),
                statement.predicate(), statement.subjects(), uses, signatureSha256);
        if (!statement.hasSubject(artifactDigest)) {
            String detail = !statement.hasDigestLike(artifactDigest)
                    ? "the statement's subjects carry no " + artifactDigest.substring(0, artifactDigest.indexOf(':'))
                            + " digest, so none can be the artifact"
                    : "the artifact digest is not a subject of the statement";
            return EvidenceResult.failed(s.bundleSha256(), Failure.Codes.SUBJECT_MISMATCH, detail, verified);
        }
        return EvidenceResult.of(s.bundleSha256(), verified);
    }

    /**
     * A signed checksum file: a registered OpenPGP key's signature (the key or its signing subkey
     * valid and unrevoked at the signature's time, the key's window at the decision time, as an
     * OpenPGP signature's time is the signer's own word), and the artifact's digest listed in it.
     */
    private EvidenceResult openpgp(EvidenceSubmission s, String artifactDigest, TrustStore.Snapshot held, Attempts attempts)
            throws Failure {
        Instant now = clock.instant();
        attempts.timeDependent = true;
        List<OpenPgpKey> keys = new ArrayList<>();
        for (TrustMaterial material : held.keys().stream().sorted(Comparator.comparing(TrustMaterial::name)).toList()) {
            if (!SigstoreTrust.isOpenPgp(material)) {
                continue;
            }
            OpenPgpKey key = trust.openpgp(material);
            if (key == null) {
                attempts.failed(material.name(), Failure.of(Failure.Codes.NO_TRUST_MATERIAL, "the held key can no longer be read"));
                continue;
            }
            SigstoreVerifier.KeyWindow window = new SigstoreVerifier.KeyWindow(
                    material.settings().validFrom(), material.settings().validUntil(), now);
            if (!window.contains(now)) {
                attempts.failed(material.name(), Failure.of(Failure.Codes.UNTRUSTED_KEY, "the key '" + material.name()
                        + "' is not valid at the decision time " + now));
                continue;
            }
            keys.add(key);
        }
        OpenPgpSignedFile.Verified verified;
        try {
            verified = s.openpgp().verify(keys, now);
        } catch (OpenPgpRefused e) {
            Failure f = Failure.of(e.code(), e.detail());
            if (!keys.isEmpty()) {
                attempts.failed("openpgp", f);
            }
            if (e.code().equals(Failure.Codes.NO_TRUST_MATERIAL) && attempts.trace.stream().anyMatch(t -> "failed".equals(t.outcome()))) {
                throw Failure.of(Failure.Codes.UNTRUSTED_KEY, "no registered OpenPGP key is valid now");
            }
            throw f;
        }
        OpenPgpKey key = verified.key();
        attempts.verified(key.name(), List.of());
        Signer signer = new Signer("openpgp", null, null, key.name(), List.of(key.name()), null, null, List.of(), false,
                key.fingerprint(), key.userIds());
        List<VerifiedEvidence.TrustUse> uses = new ArrayList<>();
        held.find(key.name()).ifPresent(m -> uses.add(new VerifiedEvidence.TrustUse(m.name(), m.kind().id(), m.sha256())));
        VerifiedEvidence facts = new VerifiedEvidence("signature", signer, null, null, null, uses,
                Digest.sha256(s.openpgp().signatureBytes()).hex());
        if (s.openpgp().listed(artifactDigest) == null) {
            return EvidenceResult.failed(s.bundleSha256(), Failure.Codes.DIGEST_MISMATCH,
                    "the signed file does not list the artifact's digest", facts);
        }
        return EvidenceResult.of(s.bundleSha256(), facts);
    }

    /** A root's or key's failure, and how much it says about this bundle (see {@link SigstoreVerifier#relevance}). */
    private record Tried(Failure failure, int relevance) {
    }

    /** Under every held root: the roots under which the whole verification succeeds. */
    private Signer keyless(ParsedBundle bundle, byte[] signed, TrustStore.Snapshot held, Attempts attempts) throws Failure {
        List<TrustMaterial> roots = held.roots().stream().sorted(Comparator.comparing(TrustMaterial::name)).toList();
        List<String> verifiedBy = new ArrayList<>();
        SigstoreVerifier.Signer found = null;
        List<Tried> failures = new ArrayList<>();
        for (TrustMaterial material : roots) {
            TrustRoot root = trust.root(material);
            if (root == null) {
                attempts.failed(material.name(), Failure.of(Failure.Codes.NO_TRUST_MATERIAL, "the held root can no longer be read"));
                continue;
            }
            SigstoreVerifier.RootOptions options = new SigstoreVerifier.RootOptions(
                    material.settings().requireTransparencyLog(), properties.minSignedTimes());
            try {
                SigstoreVerifier.Signer signer = sigstore.keyless(bundle, signed, root, options);
                verifiedBy.add(material.name());
                attempts.verified(material.name(), signer.ignored());
                found = found == null ? signer : found;
            } catch (Failure f) {
                attempts.failed(material.name(), f);
                failures.add(new Tried(f, SigstoreVerifier.relevance(bundle, root)));
            }
        }
        if (found == null) {
            throw mostTelling(failures, Failure.Codes.UNTRUSTED_CERTIFICATE, "certificate not issued by a trusted root");
        }
        CertificateIdentity id = found.identity();
        return new Signer("keyless", id.issuer(), id.subject(), null, verifiedBy, found.integratedTime(), id.extensions(),
                found.timestampedBy(), found.transparencyLog());
    }

    /** By every held key: the (first, by name) key whose signature it is. */
    private Signer withKey(ParsedBundle bundle, byte[] signed, TrustStore.Snapshot held, Attempts attempts) throws Failure {
        List<TrustRoot> roots = trust.roots(held.roots());
        List<TrustMaterial> keys = new ArrayList<>(held.keys().stream().sorted(Comparator.comparing(TrustMaterial::name)).toList());
        if (!bundle.keyIds().isEmpty()) {
            // a bare envelope's key ids (the key's name or its SHA256: fingerprint) say which key to try first
            List<String> ids = bundle.keyIds();
            keys.sort(Comparator.comparing(m -> {
                TrustKey k = trust.key(m);
                return ids.contains(m.name()) || k != null && ids.contains(k.fingerprint()) ? 0 : 1;
            }));
        }
        List<Tried> failures = new ArrayList<>();
        Instant now = clock.instant();
        for (TrustMaterial material : keys) {
            if (SigstoreTrust.isOpenPgp(material)) {
                continue; // verifies OpenPGP signatures only
            }
            TrustKey key = trust.key(material);
            if (key == null) {
                attempts.failed(material.name(), Failure.of(Failure.Codes.NO_TRUST_MATERIAL, "the held key can no longer be read"));
                continue;
            }
            SigstoreVerifier.KeyWindow window = new SigstoreVerifier.KeyWindow(
                    material.settings().validFrom(), material.settings().validUntil(), now);
            if (window.validFrom() != null || window.validUntil() != null) {
                // a bundle without a signed time is judged at the decision time: such results are not kept
                attempts.timeDependent = true;
            }
            try {
                SigstoreVerifier.Signer signer = sigstore.withKey(bundle, signed, key, window, roots);
                attempts.verified(material.name(), signer.ignored());
                return new Signer("key", null, null, material.name(), List.of(material.name()), signer.integratedTime(), null,
                        signer.timestampedBy(), signer.transparencyLog());
            } catch (Failure f) {
                attempts.failed(material.name(), f);
                failures.add(new Tried(f, f.code().equals(Failure.Codes.SIGNATURE_INVALID) ? 0 : 1));
            }
        }
        throw mostTelling(failures, Failure.Codes.UNTRUSTED_KEY, "not signed by any registered key");
    }

    /**
     * When no root or key verifies: the failure under the root whose CA issued the certificate
     * (or whose log holds the entry; for keys: a key that made the signature) says the most; among
     * those, or when no root is related, a failure that does not depend on which root was tried
     * (the bundle itself is bad) says more than "untrusted".
     */
    private static Failure mostTelling(List<Tried> tried, String untrusted, String detail) {
        int best = tried.stream().mapToInt(Tried::relevance).max().orElse(0);
        List<Failure> failures = tried.stream().filter(t -> t.relevance() == best).map(Tried::failure).toList();
        if (best > 0 && !failures.isEmpty()) {
            return failures.get(0);
        }
        for (Failure f : failures) {
            if (!f.code().equals(Failure.Codes.UNTRUSTED_CERTIFICATE) && !f.code().equals(Failure.Codes.UNTRUSTED_KEY)
                    && !(untrusted.equals(Failure.Codes.UNTRUSTED_KEY) && f.code().equals(Failure.Codes.SIGNATURE_INVALID))) {
                return f;
            }
        }
        if (failures.isEmpty()) {
            return Failure.of(Failure.Codes.NO_TRUST_MATERIAL, untrusted.equals(Failure.Codes.UNTRUSTED_KEY)
                    ? "no public key is registered" : "no trusted root is held");
        }
        Failure first = failures.get(0);
        return first.code().equals(untrusted) ? first : Failure.of(untrusted, detail);
    }

    /** Why a cosign simple-signing payload does not name the artifact digest, or null when it does. */
    private String simpleSigningMismatch(byte[] payload, String artifactDigest) {
        JsonNode doc;
        try {
            doc = json.readTree(payload);
        } catch (RuntimeException e) {
            return "the signed payload is not JSON";
        }
        JsonNode digest = doc == null ? null : doc.path("critical").path("image").get("docker-manifest-digest");
        if (digest == null || !digest.isString()) {
            return "the signed payload has no critical.image.docker-manifest-digest";
        }
        return artifactDigest.equals(digest.stringValue()) ? null
                : "the signed payload names " + digest.stringValue() + ", not the artifact";
    }
}
