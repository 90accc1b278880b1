package dev.tollgate.decision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    static final int MAX_KEY = 256;
    static final int MAX_POLICIES = 64;

    /**
     * The limits hold for every request, however it was made (the API, admission): at most
     * {@value #MAX_CONTEXT} context entries, keys of 1 to {@value #MAX_KEY} and values of at most
     * {@value #MAX_VALUE} characters, nothing the audit record cannot store (U+0000).
     */
    public DecisionRequest {
        if (artifact == null) {
            throw new InvalidDecisionRequest("artifact must be an object with a digest (or a ref)");
        }
        context = checkedContext(context);
        policies = policies == null ? null : List.copyOf(policies);
        if (policies != null) {
            if (policies.isEmpty() || policies.size() > MAX_POLICIES) {
                throw new InvalidDecisionRequest("policies must name 1 to " + MAX_POLICIES + " policies");
            }
            for (String name : policies) {
                if (name.isEmpty()) {
                    throw new InvalidDecisionRequest("policies[] must be non-empty strings");
                }
                InvalidDecisionRequest.checked(name, "policies[]", MAX_VALUE);
            }
        }
    }

    /** A context within the limits, copied; anything else is {@link InvalidDecisionRequest}. */
    static Map<String, String> checkedContext(Map<String, String> context) {
        Map<String, String> copy = Map.copyOf(context);
        if (copy.size() > MAX_CONTEXT) {
            throw new InvalidDecisionRequest("context has more than " + MAX_CONTEXT + " entries");
        }
        for (var entry : copy.entrySet()) {
            if (entry.getKey().isEmpty()) {
                throw new InvalidDecisionRequest("context keys are 1 to " + MAX_KEY + " characters");
            }
            InvalidDecisionRequest.checked(entry.getKey(), "a context key", MAX_KEY);
            InvalidDecisionRequest.checked(entry.getValue(), "context." + entry.getKey(), MAX_VALUE);
        }
        return copy;
    }

    /** Reads a request body; anything of the wrong shape is {@link InvalidDecisionRequest}. */
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
        if (node.size() > MAX_POLICIES) {
            throw bad("at most " + MAX_POLICIES + " policies may be named");
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
        return InvalidDecisionRequest.checked(node.stringValue(), what, MAX_VALUE);
    }

    private static InvalidDecisionRequest bad(String detail) {
        return new InvalidDecisionRequest(detail);
    }
}
