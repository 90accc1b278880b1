package dev.tollgate.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hash chain: {@code hash = sha256(previousHash || canonical JSON of the record)}, where the
 * record is every stored column of the decision except {@code hash}, and canonical JSON sorts
 * object keys and has no insignificant white space. The same function serves writing and
 * verification, which reads the columns back from the database.
 */
final class DecisionChain {

    static final String GENESIS = "0".repeat(64);

    private DecisionChain() {
    }

    /** The columns of one stored decision, as hashed. */
    record Columns(long sequence, String decisionId, String decidedAt, String requester, String source, boolean dryRun,
            String artifactDigest, String artifactName, String artifactTag, boolean allowed, String outcome,
            List<String> policyNames, JsonNode impact, JsonNode request, JsonNode response, String previousHash) {
    }

    static String hash(Columns c, ObjectMapper json) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.put("sequence", c.sequence());
        record.put("decisionId", c.decisionId());
        record.put("decidedAt", c.decidedAt());
        record.put("requester", c.requester());
        record.put("source", c.source());
        record.put("dryRun", c.dryRun());
        record.put("artifactDigest", c.artifactDigest());
        record.put("artifactName", c.artifactName());
        record.put("artifactTag", c.artifactTag());
        record.put("allowed", c.allowed());
        record.put("outcome", c.outcome());
        var names = record.putArray("policyNames");
        c.policyNames().forEach(names::add);
        record.set("impact", c.impact());
        record.set("request", c.request());
        record.set("response", c.response());
        record.put("previousHash", c.previousHash());
        StringBuilder canonical = new StringBuilder(4096);
        canonical(record, canonical, json);
        return sha256(c.previousHash() + canonical);
    }

    static void canonical(JsonNode node, StringBuilder out, ObjectMapper json) {
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
                out.append(json.writeValueAsString(entry.getKey())).append(':');
                canonical(entry.getValue(), out, json);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            List<String> parts = new ArrayList<>();
            for (JsonNode element : node) {
                StringBuilder part = new StringBuilder();
                canonical(element, part, json);
                parts.add(part.toString());
            }
            out.append(String.join(",", parts)).append(']');
        } else if (node.isNumber()) {
            out.append(node.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            out.append(json.writeValueAsString(node));
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
