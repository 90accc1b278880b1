package dev.tollgate.evidence.intoto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * An in-toto Statement (v0.1 or v1), read with Jackson from the exact bytes a DSSE envelope signs.
 */
public record Statement(String type, List<Subject> subjects, String predicateType, JsonNode predicate) {

    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";
    static final Set<String> TYPES = Set.of("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1");

    /** A subject: its name and its digests by algorithm. */
    public record Subject(String name, Map<String, String> digest) {
        public Subject {
            digest = Map.copyOf(digest);
        }

        /** The subject's sha256 written like an artifact digest, or null. */
        public String sha256() {
            return written("sha256");
        }

        /** The subject's digest for {@code algorithm} ({@code sha256}, {@code sha512}) written like an artifact digest, or null. */
        public String written(String algorithm) {
            String hex = digest.get(algorithm);
            return hex == null ? null : algorithm + ":" + hex.toLowerCase(java.util.Locale.ROOT);
        }

        /** The digest shown for the subject: its sha256, else its sha512 (npm subjects carry only that), else null. */
        public String shown() {
            String sha256 = sha256();
            return sha256 != null ? sha256 : written("sha512");
        }
    }

    /** Not a statement Tollgate accepts; the message says why. */
    public static final class NotAStatement extends Exception {
        NotAStatement(String message) {
            super(message, null, false, false);
        }
    }

    public Statement {
        subjects = List.copyOf(subjects);
    }

    public static Statement parse(String payloadType, byte[] payload, ObjectMapper json) throws NotAStatement {
        if (!PAYLOAD_TYPE.equals(payloadType)) {
            throw new NotAStatement("DSSE payload type " + payloadType + " is not an in-toto statement");
        }
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (RuntimeException e) {
            throw new NotAStatement("the in-toto statement is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new NotAStatement("the in-toto statement is not a JSON object");
        }
        String type = root.path("_type").asString("");
        if (!TYPES.contains(type)) {
            throw new NotAStatement("unknown statement type '" + type + "'");
        }
        JsonNode subjectList = root.get("subject");
        if (subjectList == null || !subjectList.isArray() || subjectList.isEmpty()) {
            throw new NotAStatement("the statement has no subjects");
        }
        List<Subject> subjects = new ArrayList<>();
        for (JsonNode s : subjectList) {
            if (!s.isObject()) {
                throw new NotAStatement("a subject is not an object");
            }
            Map<String, String> digest = new LinkedHashMap<>();
            for (var entry : s.path("digest").properties()) {
                if (entry.getValue().isString()) {
                    digest.put(entry.getKey(), entry.getValue().stringValue());
                }
            }
            subjects.add(new Subject(s.path("name").asString(""), digest));
        }
        JsonNode predicateType = root.get("predicateType");
        if (predicateType == null || !predicateType.isString() || predicateType.stringValue().isEmpty()) {
            throw new NotAStatement("the statement has no predicateType");
        }
        JsonNode predicate = root.get("predicate");
        return new Statement(type, subjects, predicateType.stringValue(),
                predicate == null ? tools.jackson.databind.node.JsonNodeFactory.instance.objectNode() : predicate);
    }

    /** The first subject's SHA-256 digest bytes, or null when no subject has one. */
    public byte[] firstSha256() {
        for (Subject subject : subjects) {
            String hex = subject.digest().get("sha256");
            if (hex != null && hex.length() == 64) {
                try {
                    return java.util.HexFormat.of().parseHex(hex);
                } catch (IllegalArgumentException e) {
                    // not hex: look further
                }
            }
        }
        return null;
    }

    /** Whether a subject has the artifact's digest, compared on the artifact's algorithm ({@code sha256:…} or {@code sha512:…}). */
    public boolean hasSubject(String artifactDigest) {
        String algorithm = algorithm(artifactDigest);
        return subjects.stream().anyMatch(s -> artifactDigest.equals(s.written(algorithm)));
    }

    /** Whether any subject carries a digest of the artifact's algorithm. */
    public boolean hasDigestLike(String artifactDigest) {
        String algorithm = algorithm(artifactDigest);
        return subjects.stream().anyMatch(s -> s.digest().containsKey(algorithm));
    }

    private static String algorithm(String artifactDigest) {
        int colon = artifactDigest.indexOf(':');
        return colon < 0 ? "" : artifactDigest.substring(0, colon);
    }
}
