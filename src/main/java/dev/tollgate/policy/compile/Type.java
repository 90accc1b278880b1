package dev.tollgate.policy.compile;

import java.util.List;
import java.util.Map;

/**
 * Static types, as far as they are known at upload: the kinds of value, and the shapes of §4 of
 * the language (artifact, signature, attestation, subject, cert), whose fields are checked.
 */
record Type(Kind kind, Type element, Map<String, Type> fields, String shape) {

    enum Kind { ANY, BOOLEAN, NUMBER, STRING, TIMESTAMP, DURATION, VERSION, LIST, MAP, NULL }

    static final Type ANY = simple(Kind.ANY);
    static final Type BOOLEAN = simple(Kind.BOOLEAN);
    static final Type NUMBER = simple(Kind.NUMBER);
    static final Type STRING = simple(Kind.STRING);
    static final Type TIMESTAMP = simple(Kind.TIMESTAMP);
    static final Type DURATION = simple(Kind.DURATION);
    static final Type VERSION = simple(Kind.VERSION);
    static final Type NULL = simple(Kind.NULL);
    static final Type MAP = simple(Kind.MAP);
    static final Type LIST = listOf(ANY);

    static final List<String> CERT_FIELDS = List.of("buildSignerUri", "buildSignerDigest", "runnerEnvironment",
            "sourceRepositoryUri", "sourceRepositoryDigest", "sourceRepositoryRef", "sourceRepositoryIdentifier",
            "sourceRepositoryOwnerUri", "sourceRepositoryOwnerIdentifier", "buildConfigUri", "buildConfigDigest",
            "buildTrigger", "runInvocationUri", "sourceRepositoryVisibilityAtSigning",
            "githubWorkflowTrigger", "githubWorkflowSha", "githubWorkflowName", "githubWorkflowRepository", "githubWorkflowRef");

    static final Type CERT = shape("cert", certFields());
    static final Type SIGNER = shape("signature", Map.ofEntries(Map.entry("kind", STRING), Map.entry("issuer", STRING),
            Map.entry("subject", STRING), Map.entry("key", STRING), Map.entry("trustRoot", STRING),
            Map.entry("trustRoots", listOf(STRING)), Map.entry("integratedTime", TIMESTAMP), Map.entry("cert", CERT),
            Map.entry("timestampedBy", listOf(STRING)), Map.entry("transparencyLog", BOOLEAN),
            Map.entry("fingerprint", STRING), Map.entry("userIds", listOf(STRING))));
    static final Type SUBJECT = shape("subject", Map.of("name", STRING, "digest", STRING));
    static final Type ATTESTATION = shape("attestation", Map.of("predicateType", STRING, "predicate", ANY,
            "signer", SIGNER, "subjects", listOf(SUBJECT)));
    static final Type ARTIFACT = shape("artifact", Map.of("digest", STRING, "name", STRING, "tag", STRING));
    /** context: a map whose every entry is a string. */
    static final Type CONTEXT = new Type(Kind.MAP, STRING, null, "context");

    static Type simple(Kind kind) {
        return new Type(kind, null, null, null);
    }

    static Type listOf(Type element) {
        return new Type(Kind.LIST, element, null, null);
    }

    static Type shape(String name, Map<String, Type> fields) {
        return new Type(Kind.MAP, null, fields, name);
    }

    private static Map<String, Type> certFields() {
        Map<String, Type> fields = new java.util.HashMap<>();
        CERT_FIELDS.forEach(f -> fields.put(f, STRING));
        return Map.copyOf(fields);
    }

    boolean known() {
        return kind != Kind.ANY;
    }

    boolean is(Kind k) {
        return kind == k;
    }

    /** The type of {@code this.field}: checked for shapes, free for other maps, unknown otherwise. */
    Type field(String name) {
        if (fields != null) {
            return fields.get(name);
        }
        if (kind == Kind.MAP && element != null) {
            return element;
        }
        return ANY;
    }

    Type elementType() {
        return kind == Kind.LIST && element != null ? element : ANY;
    }

    String label() {
        if (shape != null) {
            return ("aeiou".indexOf(shape.charAt(0)) >= 0 ? "an " : "a ") + shape;
        }
        return switch (kind) {
            case ANY -> "a value";
            case NULL -> "null";
            default -> "a " + kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
