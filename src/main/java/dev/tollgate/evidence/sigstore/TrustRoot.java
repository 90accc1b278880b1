package dev.tollgate.evidence.sigstore;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import dev.sigstore.KeylessVerifier;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A parsed, validated Sigstore trusted root with the sigstore-java verifiers built from it once.
 * Validation closes a 2.0.0 gap: sigstore-java treats a log key without {@code validFor.start} as
 * valid since the epoch; here such a root is refused when it is loaded.
 */
public final class TrustRoot {

    private final String name;
    private final String sha256;
    final SigstoreTrustedRoot root;
    final KeylessVerifier keyless;
    final FulcioVerifier fulcio;
    final RekorVerifier rekor;

    private TrustRoot(String name, String sha256, SigstoreTrustedRoot root) throws Failure {
        this.name = name;
        this.sha256 = sha256;
        this.root = root;
        try {
            this.keyless = KeylessVerifier.builder().trustedRootProvider(() -> root).build();
            this.fulcio = FulcioVerifier.newFulcioVerifier(root);
            this.rekor = RekorVerifier.newRekorVerifier(root);
        } catch (Exception e) {
            throw new Failure(Failure.Codes.NO_TRUST_MATERIAL, "the trusted root cannot be used: " + e.getMessage(), e);
        }
    }

    /** Whether a log of this root is addressed with an explicit port (see {@link #checkpointForLibrary}). */
    boolean logWithPort() {
        return root.getTLogs().stream().anyMatch(t -> t.getBaseUrl() != null && t.getBaseUrl().getPort() >= 0);
    }

    /**
     * sigstore-java 2.0.0 matches a checkpoint signature to a log by the host of the log's URL
     * alone, but a log's origin (the signature's name) includes its port ({@code localhost:8000}),
     * and a private deployment may sign under a name of its own (sigstore-go's scaffolding:
     * {@code rekor-00001-deployment-...}). The Go clients pick the signature by the log key's
     * hint instead. This renames each signature whose key hint is that of one of this root's logs
     * to that log's host, so that the library finds it (and verifies it with that key); the signed
     * note text, which the signatures cover, is unchanged.
     */
    String checkpointForLibrary(String checkpoint) {
        int blank = checkpoint.indexOf("\n\n");
        if (blank < 0) {
            return checkpoint;
        }
        StringBuilder signatures = new StringBuilder();
        for (String line : checkpoint.substring(blank + 2).split("\n", -1)) {
            signatures.append(renamed(line)).append('\n');
        }
        signatures.setLength(signatures.length() - 1);
        return checkpoint.substring(0, blank + 2) + signatures;
    }

    private String renamed(String line) {
        if (!line.startsWith("\u2014 ")) {
            return line;
        }
        int space = line.lastIndexOf(' ');
        if (space <= 2) {
            return line;
        }
        byte[] signature;
        try {
            signature = java.util.Base64.getDecoder().decode(line.substring(space + 1));
        } catch (IllegalArgumentException e) {
            return line;
        }
        if (signature.length < 5) {
            return line;
        }
        for (var tlog : root.getTLogs()) {
            java.net.URI url = tlog.getBaseUrl();
            byte[] keyId = tlog.getLogId().getKeyId();
            if (url != null && url.getHost() != null && keyId.length >= 4
                    && java.util.Arrays.equals(keyId, 0, 4, signature, 0, 4)) {
                return "\u2014 " + url.getHost() + line.substring(space);
            }
        }
        return line;
    }

    /** Whether one of this root's transparency logs has this log id. */
    boolean holdsLog(byte[] logId) {
        return root.getTLogs().stream().anyMatch(t -> java.util.Arrays.equals(t.getLogId().getKeyId(), logId));
    }

    public String name() {
        return name;
    }

    public String sha256() {
        return sha256;
    }

    /** Parses and validates a trusted_root.json; the message of the failure says what is wrong. */
    public static TrustRoot load(String name, String sha256, byte[] json, ObjectMapper mapper) throws Failure {
        lint(json, mapper);
        SigstoreTrustedRoot root;
        try {
            root = SigstoreTrustedRoot.from(new ByteArrayInputStream(json));
        } catch (Exception e) {
            throw new Failure(Failure.Codes.NO_TRUST_MATERIAL, "not a Sigstore trusted root: " + e.getMessage(), e);
        }
        return new TrustRoot(name, sha256, root);
    }

    static void lint(byte[] json, ObjectMapper mapper) throws Failure {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (RuntimeException e) {
            throw invalid("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("a trusted root is a JSON object");
        }
        JsonNode mediaType = root.get("mediaType");
        if (mediaType != null && !(mediaType.isString()
                && mediaType.stringValue().startsWith("application/vnd.dev.sigstore.trustedroot"))) {
            throw invalid("unknown mediaType " + mediaType);
        }
        int authorities = 0;
        for (String list : new String[] {"tlogs", "ctlogs"}) {
            JsonNode logs = root.get(list);
            if (logs == null) {
                continue;
            }
            if (!logs.isArray()) {
                throw invalid(list + " must be a list");
            }
            for (int i = 0; i < logs.size(); i++) {
                String where = list + "[" + i + "]";
                JsonNode key = logs.get(i).path("publicKey");
                if (!key.path("rawBytes").isString()) {
                    throw invalid(where + ".publicKey.rawBytes is missing");
                }
                validFor(key.path("validFor"), where + ".publicKey.validFor");
                if (!logs.get(i).path("logId").path("keyId").isString()) {
                    throw invalid(where + ".logId.keyId is missing");
                }
                authorities++;
            }
        }
        for (String list : new String[] {"certificateAuthorities", "timestampAuthorities"}) {
            JsonNode cas = root.get(list);
            if (cas == null) {
                continue;
            }
            if (!cas.isArray()) {
                throw invalid(list + " must be a list");
            }
            for (int i = 0; i < cas.size(); i++) {
                String where = list + "[" + i + "]";
                JsonNode certificates = cas.get(i).path("certChain").path("certificates");
                if (!certificates.isArray() || certificates.isEmpty()) {
                    throw invalid(where + ".certChain has no certificates");
                }
                chain(certificates, where + ".certChain", list.equals("timestampAuthorities"));
                validFor(cas.get(i).path("validFor"), where + ".validFor");
                authorities++;
            }
        }
        if (authorities == 0) {
            throw invalid("it holds no transparency log, CT log, certificate or timestamp authority");
        }
    }

    private static final String TIME_STAMPING = "1.3.6.1.5.5.7.3.8";

    /**
     * A chain that can verify: every certificate strict DER, listed from the issuing (or TSA)
     * certificate up to the root, each issued by the next; CA chains hold only CA certificates;
     * a TSA chain starts with the TSA's own certificate (extended key usage timeStamping).
     */
    private static void chain(JsonNode certificates, String where, boolean tsa) throws Failure {
        List<X509Certificate> chain = new ArrayList<>();
        for (int i = 0; i < certificates.size(); i++) {
            String at = where + ".certificates[" + i + "]";
            JsonNode raw = certificates.get(i).path("rawBytes");
            if (!raw.isString()) {
                throw invalid(at + ".rawBytes is missing");
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(raw.stringValue());
            } catch (IllegalArgumentException e) {
                throw invalid(at + ".rawBytes is not base64");
            }
            try {
                chain.add(StrictDer.certificate(der));
            } catch (CertificateException | RuntimeException e) {
                throw invalid(at + " is not a usable certificate: " + e.getMessage());
            }
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!issued(chain.get(i + 1), chain.get(i))) {
                if (issued(chain.get(i), chain.get(i + 1))) {
                    throw invalid(where + " is listed root-first; list it from the "
                            + (tsa ? "timestamp authority's own certificate" : "issuing CA certificate") + " up to the root");
                }
                throw invalid(where + ".certificates[" + (i + 1) + "] did not issue certificates[" + i + "]: not one chain");
            }
        }
        for (int i = tsa ? 1 : 0; i < chain.size(); i++) {
            if (chain.get(i).getBasicConstraints() < 0) {
                throw invalid(where + ".certificates[" + i + "] is not a CA certificate"
                        + (tsa ? "" : ": a leaf certificate does not belong in a certificate authority's chain"));
            }
        }
        if (tsa) {
            X509Certificate leaf = chain.get(0);
            List<String> usages;
            try {
                usages = leaf.getExtendedKeyUsage();
            } catch (CertificateException e) {
                usages = null;
            }
            if (leaf.getBasicConstraints() >= 0 || usages == null || !usages.contains(TIME_STAMPING)) {
                throw invalid(where + " has no timestamp authority certificate: its first certificate must be the TSA's own"
                        + " (extended key usage timeStamping), followed by its issuers");
            }
        }
    }

    private static boolean issued(X509Certificate issuer, X509Certificate certificate) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static void validFor(JsonNode validFor, String where) throws Failure {
        Instant start = instant(validFor.get("start"), where + ".start");
        if (start == null) {
            throw invalid(where + ".start is missing: a key or authority without a start of validity is never trusted");
        }
        Instant end = instant(validFor.get("end"), where + ".end");
        if (end != null && end.isBefore(start)) {
            throw invalid(where + " ends before it starts");
        }
    }

    private static Instant instant(JsonNode node, String where) throws Failure {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw invalid(where + " must be an RFC 3339 string");
        }
        try {
            return Instant.parse(node.stringValue());
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(node.stringValue()).toInstant();
            } catch (DateTimeParseException again) {
                throw invalid(where + " is not an RFC 3339 time");
            }
        }
    }

    private static Failure invalid(String detail) {
        return new Failure(Failure.Codes.NO_TRUST_MATERIAL, detail);
    }
}
