package dev.tollgate.policy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.policy.eval.EvidenceItem;
import dev.tollgate.policy.eval.Functions;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Nil;
import dev.tollgate.policy.eval.Roots;
import dev.tollgate.policy.eval.Type;
import tools.jackson.databind.JsonNode;
import dev.tollgate.digest.Digest;

/**
 * JSON → the language's values, and the playground's hand-made input → {@link Input}, checked
 * against the shapes of §4 of the language as {@link Roots} declares them (anything else is the
 * caller's 400).
 */
public final class PolicyInputs {

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

    /**
     * The playground's {@code input}, read by the shapes {@link Roots} declares: omitted roots take
     * the value a real decision would have.
     */
    public static Input playground(JsonNode input, Clock clock) {
        if (input == null || !input.isObject()) {
            throw new InvalidInput("input must be a JSON object");
        }
        for (String key : input.propertyNames()) {
            if (!Roots.NAMES.contains(key)) {
                throw new InvalidInput("unknown root '" + key + "'; the roots are " + String.join(", ", Roots.NAMES));
            }
        }
        Map<String, Object> artifact = artifact(input.get("artifact"));
        JsonNode context = input.get("context");
        Map<String, Object> contextValue = context == null ? Map.of() : map(Roots.CONTEXT, context, "context");
        List<Object> signatures = new ArrayList<>();
        JsonNode sigs = list(input.get("signatures"), "signatures");
        for (int i = 0; i < sigs.size(); i++) {
            signatures.add(new EvidenceItem(shape(Roots.SIGNATURE, sigs.get(i), "signatures[" + i + "]"), i));
        }
        List<Object> attestations = new ArrayList<>();
        JsonNode atts = list(input.get("attestations"), "attestations");
        for (int i = 0; i < atts.size(); i++) {
            attestations.add(new EvidenceItem(shape(Roots.ATTESTATION, atts.get(i), "attestations[" + i + "]"),
                    signatures.size() + i));
        }
        Instant now = input.has("now") ? time(input.get("now"), "now") : clock.instant();
        return new Input(artifact, contextValue, signatures, attestations, now);
    }

    private static Map<String, Object> artifact(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidInput("artifact must be an object with a digest");
        }
        JsonNode digest = node.get("digest");
        if (digest == null || !digest.isString() || !Digest.isWritten(digest.stringValue())) {
            throw new InvalidInput("artifact.digest must be " + Digest.FORM);
        }
        return shape(Roots.ARTIFACT, node, "artifact");
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

    /** A JSON value of the declared type; {@code at} names it in messages. */
    private static Object typed(Type type, JsonNode value, String at) {
        switch (type.kind()) {
            case STRING:
                return string(value, at);
            case TIMESTAMP:
                return time(value, at);
            case BOOLEAN:
                if (!value.isBoolean()) {
                    throw new InvalidInput(at + " must be a boolean");
                }
                return value.booleanValue();
            case LIST:
                return list(type.elementType(), value, at);
            case MAP:
                return type.declared() != null && type.element() == null ? Collections.unmodifiableMap(shape(type, value, at))
                        : Collections.unmodifiableMap(map(type, value, at));
            default:
                return value(value);
        }
    }

    private static List<Object> list(Type element, JsonNode value, String at) {
        if (!value.isArray()) {
            throw new InvalidInput(at + (element.kind() == Type.Kind.STRING ? " must be a list of strings" : " must be a list"));
        }
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode e = value.get(i);
            String where = at + "[" + i + "]";
            if (element.declared() != null && !e.isObject()) {
                throw new InvalidInput(where + " must be an object");
            }
            list.add(typed(element, e, where));
        }
        return List.copyOf(list);
    }

    /** An object whose every entry is of the map's element type (the context, a cert). */
    private static Map<String, Object> map(Type type, JsonNode node, String at) {
        if (!node.isObject()) {
            throw new InvalidInput(at + " must be an object of strings");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            map.put(entry.getKey(), typed(type.element(), entry.getValue(), at + "." + entry.getKey()));
        }
        return map;
    }

    /** An object of exactly the shape's fields (any of them may be left out). */
    private static Map<String, Object> shape(Type shape, JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidInput(where + " must be an object");
        }
        Map<String, Type> fields = shape.fields();
        Map<String, Object> facts = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            Type type = fields.get(entry.getKey());
            if (type == null) {
                throw new InvalidInput(where + " has no field '" + entry.getKey() + "'");
            }
            facts.put(entry.getKey(), typed(type, entry.getValue(), where + "." + entry.getKey()));
        }
        if (shape == Roots.SIGNATURE && !facts.containsKey("trustRoots") && facts.get("trustRoot") instanceof String root) {
            facts.put("trustRoots", List.of(root));
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
