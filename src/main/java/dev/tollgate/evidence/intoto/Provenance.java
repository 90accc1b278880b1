package dev.tollgate.evidence.intoto;

import tools.jackson.databind.JsonNode;

/** What SLSA provenance says about its builder: {@code runDetails.builder.id} (v1), {@code builder.id} (v0.2). */
public final class Provenance {

    public static final String SLSA_V1 = "https://slsa.dev/provenance/v1";
    public static final String SLSA_V02 = "https://slsa.dev/provenance/v0.2";

    private Provenance() {
    }

    /** The builder id of SLSA provenance, or null for other predicates or when absent. */
    public static String builderId(String predicateType, JsonNode predicate) {
        if (predicate == null) {
            return null;
        }
        JsonNode id = SLSA_V1.equals(predicateType) ? predicate.path("runDetails").path("builder").path("id")
                : SLSA_V02.equals(predicateType) ? predicate.path("builder").path("id") : null;
        return id != null && id.isString() ? id.stringValue() : null;
    }
}
