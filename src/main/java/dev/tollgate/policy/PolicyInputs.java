package dev.tollgate.policy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.policy.eval.EvidenceItem;
import dev.tollgate.policy.eval.Functions;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Nil;
import tools.jackson.databind.JsonNode;
import dev.tollgate.digest.Digest;

/**
 * JSON → the language's values, and the playground's hand-made input → {@link Input}, checked
 * against the shapes of §4 of the language (anything else is the caller's 400).
 */
public final class PolicyInputs {

    private static final Set<String> SIGNATURE_STRINGS = Set.of("kind", "issuer", "subject", "key", "trustRoot", "fingerprint");
    private static final int MAX_DEPTH = 200;

    /** The input does not have the shapes of §4. */
    public static final class InvalidInput extends RuntimeException {
        InvalidInput(String message) {
            super(message, null, false, false);
        }
    }

    private PolicyInputs() {
    }

    /** A JSON value as a language value: objects become maps, numbers exact decimals, null {@link Nil}. */
    public static Object value(JsonNode node) {
        return value(node, 0);
    }

    private static Object value(JsonNode node, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidInput("JSON nested deeper than " + MAX_DEPTH);
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Nil.NULL;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(value(element, depth + 1));
            }
            return Collections.unmodifiableList(list);
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (var entry : node.properties()) {
                map.put(entry.getKey(), value(entry.getValue(), depth + 1));
            }
            return Collections.unmodifiableMap(map);
        }
        throw new InvalidInput("unsupported JSON value");
    }

    /** The playground's {@code input}: omitted roots take the value a real decision would have. */
    public static Input playground(JsonNode input, Clock clock) {
        if (input == null || !input.isObject()) {
            throw new InvalidInput("input must be a JSON object");
        }
        for (String key : iterable(input.propertyNames())) {
            if (!Input.ROOTS.contains(key)) {
                throw new InvalidInput("unknown root '" + key + "'; the roots are " + String.join(", ", Input.ROOTS));
            }
        }
        Map<String, Object> artifact = artifact(input.get("artifact"));
        Map<String, Object> context = context(input.get("context"));
        List<Object> signatures = new ArrayList<>();
        JsonNode sigs = list(input.get("signatures"), "signatures");
        for (int i = 0; i < sigs.size(); i++) {
            signatures.add(new EvidenceItem(signer(sigs.get(i), "signatures[" + i + "]"), i));
        }
        List<Object> attestations = new ArrayList<>();
        JsonNode atts = list(input.get("attestations"), "attestations");
        for (int i = 0; i < atts.size(); i++) {
            attestations.add(new EvidenceItem(attestation(atts.get(i), "attestations[" + i + "]"), signatures.size() + i));
        }
        Instant now = input.has("now") ? time(input.get("now"), "now") : clock.instant();
        return new Input(artifact, context, signatures, attestations, now);
    }

    private static Iterable<String> iterable(java.util.Collection<String> names) {
        return names;
    }

    private static Map<String, Object> artifact(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidInput("artifact must be an object with a digest");
        }
        JsonNode digest = node.get("digest");
        if (digest == null || !digest.isString() || !Digest.isWritten(digest.stringValue())) {
            throw new InvalidInput("artifact.digest must be " + Digest.FORM);
        }
        Map<String, Object> artifact = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            if (!Set.of("digest", "name", "tag").contains(entry.getKey())) {
                throw new InvalidInput("artifact has no field '" + entry.getKey() + "'");
            }
            artifact.put(entry.getKey(), string(entry.getValue(), "artifact." + entry.getKey()));
        }
        return artifact;
    }

    private static Map<String, Object> context(JsonNode node) {
        if (node == null) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidInput("context must be an object of strings");
        }
        Map<String, Object> context = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            context.put(entry.getKey(), string(entry.getValue(), "context." + entry.getKey()));
        }
        return context;
    }

    private static JsonNode list(JsonNode node, String what) {
        if (node == null) {
            return tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        }
        if (!node.isArray()) {
            throw new InvalidInput(what + " must be a list");
        }
        return node;
    }

    private static Map<String, Object> signer(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidInput(where + " must be an object");
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            String key = entry.getKey();
            String at = where + "." + key;
            JsonNode value = entry.getValue();
            if (SIGNATURE_STRINGS.contains(key)) {
                facts.put(key, string(value, at));
            } else if (key.equals("integratedTime")) {
                facts.put(key, time(value, at));
            } else if (key.equals("transparencyLog")) {
                if (!value.isBoolean()) {
                    throw new InvalidInput(at + " must be a boolean");
                }
                facts.put(key, value.booleanValue());
            } else if (key.equals("trustRoots") || key.equals("timestampedBy") || key.equals("userIds")) {
                if (!value.isArray()) {
                    throw new InvalidInput(at + " must be a list of strings");
                }
                List<Object> roots = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) {
                    roots.add(string(value.get(i), at + "[" + i + "]"));
                }
                facts.put(key, List.copyOf(roots));
            } else if (key.equals("cert")) {
                if (!value.isObject()) {
                    throw new InvalidInput(at + " must be an object of strings");
                }
                Map<String, Object> cert = new LinkedHashMap<>();
                for (var field : value.properties()) {
                    cert.put(field.getKey(), string(field.getValue(), at + "." + field.getKey()));
                }
                facts.put(key, Collections.unmodifiableMap(cert));
            } else {
                throw new InvalidInput(where + " has no field '" + key + "'");
            }
        }
        if (!facts.containsKey("trustRoots") && facts.get("trustRoot") instanceof String root) {
            facts.put("trustRoots", List.of(root));
        }
        return facts;
    }

    private static Map<String, Object> attestation(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidInput(where + " must be an object");
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            String key = entry.getKey();
            String at = where + "." + key;
            switch (key) {
                case "predicateType" -> facts.put(key, string(entry.getValue(), at));
                case "predicate" -> facts.put(key, value(entry.getValue()));
                case "signer" -> facts.put(key, Collections.unmodifiableMap(signer(entry.getValue(), at)));
                case "subjects" -> {
                    JsonNode subjects = entry.getValue();
                    if (!subjects.isArray()) {
                        throw new InvalidInput(at + " must be a list");
                    }
                    List<Object> list = new ArrayList<>();
                    for (int i = 0; i < subjects.size(); i++) {
                        JsonNode subject = subjects.get(i);
                        if (!subject.isObject()) {
                            throw new InvalidInput(at + "[" + i + "] must be an object");
                        }
                        Map<String, Object> s = new LinkedHashMap<>();
                        for (var field : subject.properties()) {
                            if (!Set.of("name", "digest").contains(field.getKey())) {
                                throw new InvalidInput(at + "[" + i + "] has no field '" + field.getKey() + "'");
                            }
                            s.put(field.getKey(), string(field.getValue(), at + "[" + i + "]." + field.getKey()));
                        }
                        list.add(Collections.unmodifiableMap(s));
                    }
                    facts.put(key, List.copyOf(list));
                }
                default -> throw new InvalidInput(where + " has no field '" + key + "'");
            }
        }
        return facts;
    }

    private static String string(JsonNode node, String where) {
        if (node == null || !node.isString()) {
            throw new InvalidInput(where + " must be a string");
        }
        return node.stringValue();
    }

    private static Instant time(JsonNode node, String where) {
        Instant instant = node != null && node.isString() ? Functions.parseTime(node.stringValue()) : null;
        if (instant == null) {
            throw new InvalidInput(where + " must be an RFC 3339 timestamp string");
        }
        return instant;
    }

    static boolean isNumber(Object value) {
        return value instanceof BigDecimal;
    }
}
