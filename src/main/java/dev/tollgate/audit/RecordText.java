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

    /**
     * A stored row's canonical text ({@code SELECT *} from {@code decision}): written from the column
     * bytes by {@code fast}, or, for a row outside its subset, by the definition ({@link #canonical} of
     * {@link #hashedColumns}); the same text either way.
     */
    static String canonicalText(ResultSet rs, ObjectMapper json, Fast fast) throws SQLException {
        String[] policyNames = (String[]) rs.getArray("policy_names").getArray();
        if (fast.text(rs, policyNames, rs.getLong("sequence"), rs.getString("previous_hash"))) {
            return fast.string();
        }
        return canonical(hashedColumns(rs, json));
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

    /**
     * A stored row's canonical text written from the column bytes by {@link CanonicalJson} into a
     * reused buffer, and its chain hash by a reused digest: {@code GET /v1/audit/verify} at scale.
     * The same bytes as {@link DecisionChain#text} of the row's columns; a row outside CanonicalJson's
     * subset (or with a null response) is left to that definition ({@link #text} returns false).
     */
    static final class Fast {
        private static final byte[][] KEYS = keys("{\"allowed\":", ",\"artifactDigest\":", ",\"artifactName\":", ",\"artifactTag\":",
                ",\"decidedAt\":", ",\"decisionId\":", ",\"dryRun\":", ",\"impact\":", ",\"outcome\":", ",\"policyNames\":[",
                "],\"previousHash\":", ",\"request\":", ",\"requester\":", ",\"response\":", ",\"sequence\":", ",\"source\":", "}",
                "true", "false", "null", ",");
        private final CanonicalJson out = new CanonicalJson();
        private final java.security.MessageDigest sha = Digest.Algorithm.SHA256.digester();

        private static byte[][] keys(String... keys) {
            byte[][] bytes = new byte[keys.length][];
            for (int i = 0; i < keys.length; i++) {
                bytes[i] = keys[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            }
            return bytes;
        }

        /** Writes the row's text; false if the row must go the definition's route. */
        boolean text(ResultSet rs, String[] policyNames, long sequence, String previousHash) throws SQLException {
            byte[] impact = rs.getBytes("impact");
            byte[] request = rs.getBytes("request");
            byte[] response = rs.getBytes("response");
            if (impact == null || request == null || response == null) {
                return false;
            }
            out.reset();
            try {
                out.raw(KEYS[0]);
                out.raw(rs.getBoolean("allowed") ? KEYS[17] : KEYS[18]);
                out.raw(KEYS[1]);
                stringOrNull(rs.getBytes("artifact_digest"));
                out.raw(KEYS[2]);
                stringOrNull(rs.getBytes("artifact_name"));
                out.raw(KEYS[3]);
                stringOrNull(rs.getBytes("artifact_tag"));
                out.raw(KEYS[4]);
                out.string(utf8(rs.getTimestamp("decided_at").toInstant().toString()));
                out.raw(KEYS[5]);
                out.string(utf8(rs.getObject("decision_id", UUID.class).toString()));
                out.raw(KEYS[6]);
                out.raw(rs.getBoolean("dry_run") ? KEYS[17] : KEYS[18]);
                out.raw(KEYS[7]);
                out.document(impact);
                out.raw(KEYS[8]);
                out.string(rs.getBytes("outcome"));
                out.raw(KEYS[9]);
                for (int i = 0; i < policyNames.length; i++) {
                    if (i > 0) {
                        out.raw(KEYS[20]);
                    }
                    out.string(utf8(policyNames[i]));
                }
                out.raw(KEYS[10]);
                out.string(utf8(previousHash));
                out.raw(KEYS[11]);
                out.document(request);
                out.raw(KEYS[12]);
                out.string(rs.getBytes("requester"));
                out.raw(KEYS[13]);
                out.document(response);
                out.raw(KEYS[14]);
                out.raw(utf8(Long.toString(sequence)));
                out.raw(KEYS[15]);
                out.string(rs.getBytes("source"));
                out.raw(KEYS[16]);
                return true;
            } catch (CanonicalJson.Unsupported e) {
                return false;
            }
        }

        private void stringOrNull(byte[] value) {
            if (value == null) {
                out.raw(KEYS[19]);
            } else {
                out.string(value);
            }
        }

        private static byte[] utf8(String s) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The text last written. */
        String string() {
            return new String(out.buffer(), 0, out.length(), java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The Merkle leaf hash of the text last written: {@code SHA-256(0x00 ‖ text)}. */
        byte[] leafHash() {
            sha.update((byte) 0x00);
            sha.update(out.buffer(), 0, out.length());
            return sha.digest();
        }

        /** The chain hash (lower-case hex) of the text last written: {@code sha256(previousHash ‖ text)}. */
        String chainHash(String previousHash) {
            sha.update(utf8(previousHash));
            sha.update(out.buffer(), 0, out.length());
            return java.util.HexFormat.of().formatHex(sha.digest());
        }
    }
}
