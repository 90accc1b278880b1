package dev.tollgate.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import dev.tollgate.digest.Digest;

/**
 * A record's canonical text: the JSON object of every hashed column (sequence and previousHash
 * included, {@code hash} not), in the canonical form of {@link DecisionChain}. The chain hashes
 * {@code previousHash ‖ text}; the decision ledger's Merkle leaf is {@code SHA-256(0x00 ‖ text)}.
 * Read-only helpers for the ledger and the export: the chain's write path is not changed.
 */
public final class RecordText {

    private RecordText() {
    }

    /** The hashed columns of a stored row ({@code SELECT *} from {@code decision}), by their names in the text. */
    public static ObjectNode hashedColumns(ResultSet rs, ObjectMapper json) throws SQLException {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("allowed", rs.getBoolean("allowed"));
        c.put("artifactDigest", rs.getString("artifact_digest"));
        c.put("artifactName", rs.getString("artifact_name"));
        c.put("artifactTag", rs.getString("artifact_tag"));
        c.put("decidedAt", rs.getTimestamp("decided_at").toInstant().toString());
        c.put("decisionId", rs.getObject("decision_id", UUID.class).toString());
        c.put("dryRun", rs.getBoolean("dry_run"));
        c.set("impact", json.readTree(rs.getString("impact")));
        c.put("outcome", rs.getString("outcome"));
        ArrayNode names = c.putArray("policyNames");
        for (String name : (String[]) rs.getArray("policy_names").getArray()) {
            names.add(name);
        }
        c.put("previousHash", rs.getString("previous_hash"));
        c.set("request", json.readTree(rs.getString("request")));
        c.put("requester", rs.getString("requester"));
        c.set("response", json.readTree(rs.getString("response")));
        c.put("sequence", rs.getLong("sequence"));
        c.put("source", rs.getString("source"));
        return c;
    }

    /** The canonical text of any JSON value (sorted keys, no white space; see docs/audit.md). */
    public static String canonical(JsonNode node) {
        return DecisionChain.canonical(node);
    }

    /** The record's Merkle leaf hash (lower-case hex): {@code SHA-256(0x00 ‖ text)}, RFC 9162. */
    public static String leafHash(String text) {
        java.security.MessageDigest sha = Digest.Algorithm.SHA256.digester();
        sha.update((byte) 0x00);
        return java.util.HexFormat.of().formatHex(sha.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The chain hash of a record's text (lower-case hex): {@code sha256(previousHash ‖ text)}. */
    public static String chainHash(String previousHash, String text) {
        return Digest.sha256(previousHash + text).hex();
    }
}
