package dev.tollgate.audit;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;

/**
 * The hash chain: {@code hash = sha256(previousHash || canonical JSON of the record)}, where the
 * record is every stored column of the decision except {@code hash} (sequence and previousHash
 * included), and canonical JSON sorts object keys by code unit, has no insignificant white
 * space, escapes only {@code "}, {@code \} and control characters, and writes numbers plainly.
 * The members other than sequence and previousHash are serialised before the chain lock is taken
 * (see {@link #members}); the same code serves writing and verification, which reads the columns
 * back from the database.
 */
final class DecisionChain {

    static final String GENESIS = "0".repeat(64);

    private DecisionChain() {
    }

    /** The columns of one stored decision that do not depend on its place in the chain. */
    record Columns(String decisionId, String decidedAt, String requester, String source, boolean dryRun,
            String artifactDigest, String artifactName, String artifactTag, boolean allowed, String outcome,
            List<String> policyNames, JsonNode impact, JsonNode request, JsonNode response) {
    }

    /** Each member's canonical value, by name (sorted): everything but sequence and previousHash. */
    static Map<String, String> members(Columns c) {
        Map<String, String> m = new TreeMap<>();
        m.put("decisionId", string(c.decisionId()));
        m.put("decidedAt", string(c.decidedAt()));
        m.put("requester", string(c.requester()));
        m.put("source", string(c.source()));
        m.put("dryRun", String.valueOf(c.dryRun()));
        m.put("artifactDigest", c.artifactDigest() == null ? "null" : string(c.artifactDigest()));
        m.put("artifactName", c.artifactName() == null ? "null" : string(c.artifactName()));
        m.put("artifactTag", c.artifactTag() == null ? "null" : string(c.artifactTag()));
        m.put("allowed", String.valueOf(c.allowed()));
        m.put("outcome", string(c.outcome()));
        StringBuilder names = new StringBuilder("[");
        for (int i = 0; i < c.policyNames().size(); i++) {
            if (i > 0) {
                names.append(',');
            }
            escape(c.policyNames().get(i), names);
        }
        m.put("policyNames", names.append(']').toString());
        m.put("impact", canonical(c.impact()));
        m.put("request", canonical(c.request()));
        if (c.response() != null) {
            m.put("response", canonical(c.response()));
        }
        return m;
    }

    /**
     * The canonical form of an object that lacks one member, split where that member goes: the
     * writer completes it with the record's sequence under the chain lock without serialising the
     * rest again.
     */
    record Unnumbered(String before, String after) {
        String at(long value) {
            return before + value + after;
        }
    }

    static Unnumbered unnumbered(JsonNode object, String member) {
        StringBuilder before = new StringBuilder(1024).append('{');
        StringBuilder after = new StringBuilder(1024);
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (var entry : object.properties()) {
            sorted.put(entry.getKey(), entry.getValue());
        }
        if (sorted.containsKey(member)) {
            throw new IllegalArgumentException("the object already has " + member);
        }
        for (var entry : sorted.entrySet()) {
            StringBuilder side = entry.getKey().compareTo(member) < 0 ? before : after;
            if (side == after || before.length() > 1) {
                side.append(',');
            }
            escape(entry.getKey(), side);
            side.append(':');
            canonical(entry.getValue(), side);
        }
        if (before.length() > 1) {
            before.append(',');
        }
        escape(member, before);
        before.append(':');
        return new Unnumbered(before.toString(), after.append('}').toString());
    }

    static String hash(Map<String, String> members, long sequence, String previousHash) {
        return RecordText.chainHash(previousHash, text(members, sequence, previousHash));
    }

    /** The record's canonical text (docs/audit.md): the chain hashes {@code previousHash ‖ text}, the ledger's leaf is its SHA-256 after {@code 0x00}. */
    static String text(Map<String, String> members, long sequence, String previousHash) {
        Map<String, String> all = new TreeMap<>(members);
        all.put("sequence", Long.toString(sequence));
        all.put("previousHash", string(previousHash));
        StringBuilder out = new StringBuilder(8192).append('{');
        boolean first = true;
        for (var member : all.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            escape(member.getKey(), out);
            out.append(':').append(member.getValue());
        }
        return out.append('}').toString();
    }

    static String canonical(JsonNode node) {
        StringBuilder out = new StringBuilder(1024);
        canonical(node, out);
        return out.toString();
    }

    private static void canonical(JsonNode node, StringBuilder out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (var entry : node.properties()) {
                sorted.put(entry.getKey(), entry.getValue());
            }
            out.append('{');
            boolean first = true;
            for (var entry : sorted.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                escape(entry.getKey(), out);
                out.append(':');
                canonical(entry.getValue(), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                canonical(node.get(i), out);
            }
            out.append(']');
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue().toString());
        } else if (node.isNumber()) {
            BigDecimal value = node.decimalValue().stripTrailingZeros();
            out.append(value.toPlainString());
        } else if (node.isBoolean()) {
            out.append(node.booleanValue());
        } else {
            escape(node.asString(), out);
        }
    }

    private static String string(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        escape(value, out);
        return out.toString();
    }

    private static void escape(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        if (c == 0) {
                            throw new Unstorable("U+0000");
                        }
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        if (Character.isSurrogate(c)) {
                            i = surrogatePair(value, i);
                            out.append(c).append(value.charAt(i));
                            continue;
                        }
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The index of the low surrogate that completes the high surrogate at {@code i}; anything else is unstorable. */
    private static int surrogatePair(String value, int i) {
        if (Character.isHighSurrogate(value.charAt(i)) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
            return i + 1;
        }
        throw new Unstorable("an unpaired surrogate (not a Unicode character)");
    }

    /**
     * Text PostgreSQL cannot hold: U+0000 in {@code text} or {@code jsonb}, or a lone surrogate
     * (no UTF-8 form). A record that contains it is refused as it is, never altered: the record
     * must be what the policy saw.
     */
    static final class Unstorable extends IllegalArgumentException {
        Unstorable(String what) {
            super("the record holds " + what + ", which the database cannot store", null);
        }
    }

    /** Throws {@link Unstorable} if any string (or object key) in the tree cannot be stored. */
    static void requireStorable(JsonNode node) {
        if (node == null) {
            return;
        }
        if (node.isString()) {
            requireStorable(node.stringValue());
        } else if (node.isObject()) {
            for (var entry : node.properties()) {
                requireStorable(entry.getKey());
                requireStorable(entry.getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                requireStorable(item);
            }
        }
    }

    /** Throws {@link Unstorable} if the text cannot be stored. */
    static void requireStorable(String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw new Unstorable("U+0000");
            }
            if (Character.isSurrogate(c)) {
                i = surrogatePair(text, i);
            }
        }
    }
}
