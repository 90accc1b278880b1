package dev.tollgate.evidence.sigstore;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import dev.sigstore.KeylessVerifier;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.timestamp.client.TimestampVerifier;
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
    final TimestampVerifier timestamps;

    private TrustRoot(String name, String sha256, SigstoreTrustedRoot root) throws Failure {
        this.name = name;
        this.sha256 = sha256;
        this.root = root;
        try {
            this.keyless = KeylessVerifier.builder().trustedRootProvider(() -> root).build();
            this.fulcio = FulcioVerifier.newFulcioVerifier(root);
            this.rekor = RekorVerifier.newRekorVerifier(root);
            this.timestamps = TimestampVerifier.newTimestampVerifier(root);
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
     * alone, but a log's origin (the signature's name) includes its port ({@code localhost:8000}).
     * This renames signatures whose name is a log's full authority to that host, so that the
     * library finds them; the signed note text, which the signature covers, is unchanged.
     */
    String checkpointForLibrary(String checkpoint) {
        int blank = checkpoint.indexOf("\n\n");
        if (blank < 0) {
            return checkpoint;
        }
        String signatures = checkpoint.substring(blank);
        for (var tlog : root.getTLogs()) {
            java.net.URI url = tlog.getBaseUrl();
            if (url != null && url.getPort() >= 0 && url.getHost() != null) {
                signatures = signatures.replace("\u2014 " + url.getHost() + ":" + url.getPort() + " ", "\u2014 " + url.getHost() + " ");
            }
        }
        return checkpoint.substring(0, blank) + signatures;
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
                validFor(cas.get(i).path("validFor"), where + ".validFor");
                authorities++;
            }
        }
        if (authorities == 0) {
            throw invalid("it holds no transparency log, CT log, certificate or timestamp authority");
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
