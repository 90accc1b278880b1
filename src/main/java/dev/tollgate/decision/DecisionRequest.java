package dev.tollgate.decision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.web.ApiException;
import tools.jackson.databind.JsonNode;

/**
 * A decision request, checked field by field (api.md): anything of the wrong shape is a 400 and
 * nothing is decided or recorded. No coercion: a number is not a string.
 */
public record DecisionRequest(ArtifactRef artifact, Map<String, String> context, JsonNode evidence, List<String> policies,
        boolean storedEvidence) {

    static final int MAX_CONTEXT = 64;
    static final int MAX_VALUE = 1024;
    private static final Set<String> FIELDS = Set.of("artifact", "context", "evidence", "policies", "storedEvidence");

    public DecisionRequest {
        context = Map.copyOf(context);
        policies = policies == null ? null : List.copyOf(policies);
    }

    public static DecisionRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw bad("the request body must be a JSON object");
        }
        for (String field : body.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw bad("unknown field '" + field + "'");
            }
        }
        ArtifactRef artifact = artifact(body.get("artifact"));
        Map<String, String> context = context(body.get("context"));
        JsonNode evidence = body.get("evidence");
        if (evidence != null && !evidence.isArray()) {
            throw bad("evidence must be a list");
        }
        List<String> policies = policies(body.get("policies"));
        JsonNode stored = body.get("storedEvidence");
        if (stored != null && !stored.isBoolean()) {
            throw bad("storedEvidence must be true or false");
        }
        return new DecisionRequest(artifact, context, evidence, policies, stored == null || stored.booleanValue());
    }

    static ArtifactRef artifact(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw bad("artifact must be an object with a digest (or a ref)");
        }
        for (String field : node.propertyNames()) {
            if (!Set.of("digest", "name", "tag", "ref").contains(field)) {
                throw bad("artifact has no field '" + field + "'");
            }
        }
        if (node.has("ref")) {
            if (node.has("digest") || node.has("name") || node.has("tag")) {
                throw bad("artifact.ref goes alone: not with digest, name or tag");
            }
            try {
                return ArtifactRef.parse(string(node.get("ref"), "artifact.ref"));
            } catch (ArtifactRef.Invalid e) {
                throw bad(e.getMessage());
            }
        }
        String digest = string(node.get("digest"), "artifact.digest");
        if (digest == null || !ArtifactRef.DIGEST.matches(digest)) {
            throw bad("artifact.digest must be sha256: followed by 64 lowercase hex digits");
        }
        return new ArtifactRef(digest, string(node.get("name"), "artifact.name"), string(node.get("tag"), "artifact.tag"));
    }

    private static Map<String, String> context(JsonNode node) {
        if (node == null) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw bad("context must be an object of strings");
        }
        if (node.size() > MAX_CONTEXT) {
            throw bad("context has more than " + MAX_CONTEXT + " entries");
        }
        Map<String, String> context = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            String key = entry.getKey();
            if (key.isEmpty() || key.length() > 256 || key.indexOf('\u0000') >= 0) {
                throw bad("context keys are 1 to 256 characters");
            }
            String value = string(entry.getValue(), "context." + key);
            if (value == null) {
                throw bad("context." + key + " must be a string");
            }
            context.put(key, value);
        }
        return context;
    }

    private static List<String> policies(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isArray() || node.isEmpty()) {
            throw bad("policies must be a non-empty list of policy names (omit it to use every active policy)");
        }
        if (node.size() > 64) {
            throw bad("at most 64 policies may be named");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode name : node) {
            String value = string(name, "policies[]");
            if (value == null || value.isEmpty()) {
                throw bad("policies[] must be strings");
            }
            names.add(value);
        }
        return names;
    }

    /** A string field, or null when absent; anything else is a 400. */
    private static String string(JsonNode node, String what) {
        if (node == null) {
            return null;
        }
        if (!node.isString()) {
            throw bad(what + " must be a string");
        }
        String value = node.stringValue();
        if (value.length() > MAX_VALUE || value.indexOf('\u0000') >= 0) {
            throw bad(what + " must be at most " + MAX_VALUE + " characters, without NUL");
        }
        return value;
    }

    private static ApiException bad(String detail) {
        return ApiException.badRequest(detail);
    }
}
