package dev.tollgate.evidence.sigstore;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * A Sigstore bundle read with Jackson and checked for shape: a supported media type, exactly one
 * kind of content, verification material, and base64 fields that decode. Nothing here is
 * verified yet; {@link SigstoreVerifier} does that.
 */
public final class ParsedBundle {

    static final Set<String> MEDIA_TYPES = Set.of(
            "application/vnd.dev.sigstore.bundle+json;version=0.1",
            "application/vnd.dev.sigstore.bundle+json;version=0.2",
            "application/vnd.dev.sigstore.bundle+json;version=0.3",
            "application/vnd.dev.sigstore.bundle.v0.3+json");

    /** A DSSE signature. */
    record DsseSignature(byte[] sig, String keyid) {
    }

    /** The inclusion proof of a log entry. */
    public record InclusionProof(long logIndex, byte[] rootHash, long treeSize, List<byte[]> hashes, String checkpoint) {
    }

    /** One transparency-log entry as the bundle carries it. */
    public record TlogEntry(long logIndex, byte[] logId, String kind, String version, long integratedTime, byte[] signedEntryTimestamp,
            InclusionProof inclusionProof, byte[] canonicalizedBody) {
        String kindVersion() {
            return kind + ":" + version;
        }
    }

    final String mediaType;
    final String json;
    final List<X509Certificate> certificates;
    final boolean publicKey;
    final String keyHint;
    final byte[] messageDigest;
    final String messageDigestAlgorithm;
    final byte[] messageSignature;
    final byte[] dssePayload;
    final String dssePayloadType;
    final List<DsseSignature> dsseSignatures;
    final List<TlogEntry> tlogEntries;
    final List<byte[]> timestamps;
    /** Certificates that the JDK reads but that are not strict DER (trailing bytes, BER): never verified. */
    final List<String> certificateProblems;
    /** A bare DSSE envelope ({@code {"dsse": ...}}), not a bundle: no verification material, no log entries. */
    final boolean bareEnvelope;
    /** Whether a bare envelope's signature carries a certificate ({@code cert}, as slsa-github-generator writes them). */
    final boolean envelopeCertificate;

    private ParsedBundle(Builder b) {
        this.mediaType = b.mediaType;
        this.json = b.json;
        this.certificates = List.copyOf(b.certificates);
        this.publicKey = b.publicKey;
        this.keyHint = b.keyHint;
        this.messageDigest = b.messageDigest;
        this.messageDigestAlgorithm = b.messageDigestAlgorithm;
        this.messageSignature = b.messageSignature;
        this.dssePayload = b.dssePayload;
        this.dssePayloadType = b.dssePayloadType;
        this.dsseSignatures = List.copyOf(b.dsseSignatures);
        this.tlogEntries = List.copyOf(b.tlogEntries);
        this.timestamps = List.copyOf(b.timestamps);
        this.certificateProblems = List.copyOf(b.certificateProblems);
        this.bareEnvelope = b.bareEnvelope;
        this.envelopeCertificate = b.envelopeCertificate;
    }

    /** A bare DSSE envelope, verified only with registered keys. */
    public boolean isBareEnvelope() {
        return bareEnvelope;
    }

    /** A bare envelope whose signatures carry certificates: it has no log proof, so it can never verify offline. */
    public boolean envelopeCertificate() {
        return envelopeCertificate;
    }

    /** The key ids a bare envelope's signatures name (empty ones left out). */
    public List<String> keyIds() {
        return dsseSignatures.stream().map(DsseSignature::keyid).filter(k -> k != null && !k.isEmpty()).toList();
    }

    /**
     * A bare DSSE envelope ({@code payloadType}, {@code payload}, {@code signatures} of
     * {@code {keyid, sig[, cert]}}), as slsa-github-generator's {@code .intoto.jsonl} lines,
     * cosign's {@code .att} layers and KMS-signed VSAs carry them.
     */
    public static ParsedBundle envelope(JsonNode node, String json) throws Failure {
        if (node == null || !node.isObject()) {
            throw malformed("dsse must be a JSON object (a DSSE envelope)");
        }
        for (String field : node.propertyNames()) {
            if (!Set.of("payloadType", "payload", "signatures").contains(field)) {
                throw malformed("the DSSE envelope has no field '" + field + "'");
            }
        }
        Builder b = new Builder();
        b.json = json;
        b.mediaType = "dsse";
        b.publicKey = true;
        b.bareEnvelope = true;
        readDsse(node, b);
        for (JsonNode s : node.get("signatures")) {
            if (!s.isObject()) {
                throw malformed("a DSSE signature must be an object");
            }
            for (String field : s.propertyNames()) {
                if (!Set.of("keyid", "sig", "cert").contains(field)) {
                    throw malformed("a DSSE signature has no field '" + field + "'");
                }
            }
            JsonNode cert = s.get("cert");
            if (cert != null && !cert.isNull()) {
                if (!cert.isString()) {
                    throw malformed("a DSSE signature's cert must be a PEM string");
                }
                b.envelopeCertificate = true;
            }
        }
        return new ParsedBundle(b);
    }

    public boolean isDsse() {
        return dssePayload != null;
    }

    public boolean hasCertificate() {
        return !certificates.isEmpty();
    }

    public String mediaType() {
        return mediaType;
    }

    /** The signed statement of a DSSE bundle (not yet verified), or null. */
    public byte[] dssePayload() {
        return dssePayload == null ? null : dssePayload.clone();
    }

    public String dssePayloadType() {
        return dssePayloadType;
    }

    /** The signature bytes: what identifies this piece of evidence. */
    public byte[] signatureBytes() {
        return isDsse() ? dsseSignatures.get(0).sig().clone() : messageSignature.clone();
    }

    /** The transparency-log entries, for callers that report which trust material was consulted. */
    public List<TlogEntry> tlogEntries() {
        return tlogEntries;
    }

    X509Certificate leaf() {
        return certificates.get(0);
    }

    /**
     * @param node the bundle object
     * @param json its JSON text, handed to sigstore-java as it is
     */
    public static ParsedBundle parse(JsonNode node, String json) throws Failure {
        if (node == null || !node.isObject()) {
            throw malformed("the bundle must be a JSON object");
        }
        Builder b = new Builder();
        b.json = json;
        b.mediaType = text(node, "mediaType", "media_type");
        if (b.mediaType == null) {
            throw malformed("the bundle has no mediaType");
        }
        if (!MEDIA_TYPES.contains(b.mediaType)) {
            throw new Failure(Failure.Codes.UNSUPPORTED, "unsupported bundle media type " + b.mediaType);
        }
        JsonNode material = field(node, "verificationMaterial", "verification_material");
        if (material == null || !material.isObject()) {
            throw malformed("the bundle has no verificationMaterial");
        }
        readMaterial(material, b);
        readEntries(material, b);
        readTimestamps(material, b);

        JsonNode message = field(node, "messageSignature", "message_signature");
        JsonNode dsse = field(node, "dsseEnvelope", "dsse_envelope");
        if ((message == null) == (dsse == null)) {
            throw malformed("the bundle must hold exactly one of messageSignature and dsseEnvelope");
        }
        if (message != null) {
            readMessageSignature(message, b);
        } else {
            readDsse(dsse, b);
        }
        return new ParsedBundle(b);
    }

    private static void readMaterial(JsonNode material, Builder b) throws Failure {
        JsonNode certificate = field(material, "certificate");
        JsonNode chain = field(material, "x509CertificateChain", "x509_certificate_chain");
        JsonNode key = field(material, "publicKey", "public_key");
        int kinds = (certificate != null ? 1 : 0) + (chain != null ? 1 : 0) + (key != null ? 1 : 0);
        if (kinds != 1) {
            throw malformed("verificationMaterial must hold exactly one of certificate, x509CertificateChain and publicKey");
        }
        if (certificate != null) {
            b.certificates.add(certificate(bytes(certificate, "certificate.rawBytes", "rawBytes", "raw_bytes"), "the certificate", b));
        } else if (chain != null) {
            JsonNode certificates = field(chain, "certificates");
            if (certificates == null || !certificates.isArray() || certificates.isEmpty()) {
                throw malformed("x509CertificateChain has no certificates");
            }
            if (certificates.size() > 10) {
                throw malformed("x509CertificateChain has more than 10 certificates");
            }
            for (JsonNode c : certificates) {
                b.certificates.add(certificate(bytes(c, "x509CertificateChain.certificates[].rawBytes", "rawBytes", "raw_bytes"),
                        "x509CertificateChain.certificates[" + b.certificates.size() + "]", b));
            }
        } else {
            if (!key.isObject()) {
                throw malformed("publicKey must be an object");
            }
            b.publicKey = true;
            b.keyHint = text(key, "hint");
        }
    }

    private static void readEntries(JsonNode material, Builder b) throws Failure {
        JsonNode entries = field(material, "tlogEntries", "tlog_entries");
        if (entries == null) {
            return;
        }
        if (!entries.isArray() || entries.size() > 16) {
            throw malformed("tlogEntries must be a list of at most 16 entries");
        }
        for (JsonNode e : entries) {
            if (!e.isObject()) {
                throw malformed("a tlog entry must be an object");
            }
            long logIndex = number(e, "logIndex", "log_index");
            JsonNode logId = field(e, "logId", "log_id");
            JsonNode kindVersion = field(e, "kindVersion", "kind_version");
            if (logId == null || kindVersion == null) {
                throw malformed("a tlog entry needs logId and kindVersion");
            }
            String kind = text(kindVersion, "kind");
            String version = text(kindVersion, "version");
            if (kind == null || version == null) {
                throw malformed("a tlog entry's kindVersion needs kind and version");
            }
            long integratedTime = optionalNumber(e, "integratedTime", "integrated_time");
            JsonNode promise = field(e, "inclusionPromise", "inclusion_promise");
            byte[] set = promise == null ? null : bytes(promise, "inclusionPromise.signedEntryTimestamp",
                    "signedEntryTimestamp", "signed_entry_timestamp");
            JsonNode proof = field(e, "inclusionProof", "inclusion_proof");
            InclusionProof inclusionProof = null;
            if (proof != null) {
                JsonNode hashes = field(proof, "hashes");
                List<byte[]> hashList = new ArrayList<>();
                if (hashes != null) {
                    if (!hashes.isArray() || hashes.size() > 64) {
                        throw malformed("inclusionProof.hashes must be a list of at most 64 hashes");
                    }
                    for (JsonNode h : hashes) {
                        hashList.add(decode(h, "inclusionProof.hashes[]"));
                    }
                }
                JsonNode checkpoint = field(proof, "checkpoint");
                String envelope = checkpoint == null ? null : text(checkpoint, "envelope");
                inclusionProof = new InclusionProof(number(proof, "logIndex", "log_index"),
                        bytes(proof, "inclusionProof.rootHash", "rootHash", "root_hash"),
                        number(proof, "treeSize", "tree_size"), hashList, envelope);
            }
            b.tlogEntries.add(new TlogEntry(logIndex, bytes(logId, "logId.keyId", "keyId", "key_id"), kind, version,
                    integratedTime, set, inclusionProof, bytes(e, "canonicalizedBody", "canonicalizedBody", "canonicalized_body")));
        }
    }

    private static void readTimestamps(JsonNode material, Builder b) throws Failure {
        JsonNode data = field(material, "timestampVerificationData", "timestamp_verification_data");
        if (data == null) {
            return;
        }
        JsonNode list = field(data, "rfc3161Timestamps", "rfc3161_timestamps");
        if (list == null) {
            return;
        }
        if (!list.isArray() || list.size() > 16) {
            throw malformed("rfc3161Timestamps must be a list of at most 16 timestamps");
        }
        for (JsonNode t : list) {
            b.timestamps.add(bytes(t, "rfc3161Timestamps[].signedTimestamp", "signedTimestamp", "signed_timestamp"));
        }
    }

    private static void readMessageSignature(JsonNode message, Builder b) throws Failure {
        b.messageSignature = bytes(message, "messageSignature.signature", "signature");
        JsonNode digest = field(message, "messageDigest", "message_digest");
        if (digest != null) {
            b.messageDigestAlgorithm = text(digest, "algorithm");
            b.messageDigest = bytes(digest, "messageDigest.digest", "digest");
        }
    }

    private static void readDsse(JsonNode dsse, Builder b) throws Failure {
        b.dssePayload = bytes(dsse, "dsseEnvelope.payload", "payload");
        b.dssePayloadType = text(dsse, "payloadType", "payload_type");
        if (b.dssePayloadType == null) {
            throw malformed("dsseEnvelope has no payloadType");
        }
        JsonNode signatures = field(dsse, "signatures");
        if (signatures == null || !signatures.isArray() || signatures.isEmpty()) {
            throw malformed("dsseEnvelope has no signatures");
        }
        if (signatures.size() > 8) {
            throw malformed("dsseEnvelope has more than 8 signatures");
        }
        for (JsonNode s : signatures) {
            if (!s.isObject()) {
                throw malformed("a DSSE signature must be an object");
            }
            b.dsseSignatures.add(new DsseSignature(bytes(s, "dsseEnvelope.signatures[].sig", "sig"), text(s, "keyid")));
        }
    }

    // ---- JSON helpers: proto3 JSON accepts lowerCamel and original snake_case names -------------

    static JsonNode field(JsonNode node, String... names) {
        for (String name : names) {
            JsonNode value = node.get(name);
            if (value != null && !value.isNull()) {
                return value;
            }
        }
        return null;
    }

    private static String text(JsonNode node, String... names) throws Failure {
        JsonNode value = field(node, names);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            throw malformed(names[0] + " must be a string");
        }
        return value.stringValue();
    }

    private static byte[] bytes(JsonNode node, String what, String... names) throws Failure {
        JsonNode value = field(node, names);
        if (value == null) {
            throw malformed(what + " is missing");
        }
        return decode(value, what);
    }

    private static byte[] decode(JsonNode value, String what) throws Failure {
        if (!value.isString()) {
            throw malformed(what + " must be a base64 string");
        }
        String text = value.stringValue();
        try {
            return text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw malformed(what + " is not valid base64");
        }
    }

    private static long number(JsonNode node, String... names) throws Failure {
        JsonNode value = field(node, names);
        if (value == null) {
            throw malformed(names[0] + " is missing");
        }
        long n = parseLong(value, names[0]);
        if (n < 0) {
            throw malformed(names[0] + " is negative");
        }
        return n;
    }

    private static long optionalNumber(JsonNode node, String... names) throws Failure {
        JsonNode value = field(node, names);
        if (value == null) {
            return 0;
        }
        long n = parseLong(value, names[0]);
        if (n < 0) {
            throw malformed(names[0] + " is negative");
        }
        return n;
    }

    private static long parseLong(JsonNode value, String what) throws Failure {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isString()) {
            try {
                return Long.parseLong(value.stringValue());
            } catch (NumberFormatException e) {
                throw malformed(what + " is not a whole number");
            }
        }
        throw malformed(what + " is not a whole number");
    }

    /** A certificate the JDK can read; one that is not exactly one DER object is kept, with its problem, to be refused. */
    private static X509Certificate certificate(byte[] der, String what, Builder b) throws Failure {
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw malformed("a certificate does not parse as X.509");
        }
        String problem = StrictDer.problem(der);
        if (problem != null) {
            b.certificateProblems.add(what + " is not strict DER: " + problem);
        }
        return certificate;
    }

    static Failure malformed(String detail) {
        return new Failure(Failure.Codes.MALFORMED, detail);
    }

    private static final class Builder {
        String mediaType;
        String json;
        final List<X509Certificate> certificates = new ArrayList<>();
        boolean publicKey;
        String keyHint;
        byte[] messageDigest;
        String messageDigestAlgorithm;
        byte[] messageSignature;
        byte[] dssePayload;
        String dssePayloadType;
        final List<DsseSignature> dsseSignatures = new ArrayList<>();
        final List<TlogEntry> tlogEntries = new ArrayList<>();
        final List<byte[]> timestamps = new ArrayList<>();
        final List<String> certificateProblems = new ArrayList<>();
        boolean bareEnvelope;
        boolean envelopeCertificate;
    }
}
