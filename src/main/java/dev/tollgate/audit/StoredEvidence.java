package dev.tollgate.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The evidence kept per artifact digest (written with the decision that first verified it). */
@Repository
public class StoredEvidence {

    /** One kept item: the bundle as given, and the facts and trust material of its first verification. */
    public record Item(String signatureSha256, String bundleSha256, String bundle, byte[] payload, String kind, JsonNode facts,
            JsonNode trust, Instant firstSeen, UUID firstDecision) {
    }

    private final JdbcClient jdbc;
    private final ObjectMapper json;

    /** Public for the replay benchmark, which builds one without Spring. */
    public StoredEvidence(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The kept items for a digest without their bundles, oldest first: what a decision needs first. */
    public record Key(String signatureSha256, String bundleSha256, byte[] payload) {
    }

    public List<Key> keysForDigest(String digest) {
        return jdbc.sql("SELECT signature_sha256, bundle_sha256, payload FROM artifact_evidence WHERE artifact_digest = ?"
                        + " ORDER BY first_seen, signature_sha256")
                .param(digest)
                .query((rs, i) -> new Key(rs.getString(1), rs.getString(2), rs.getBytes(3)))
                .list();
    }

    /** The bundle JSON of a kept item. */
    public String bundle(String digest, String signatureSha256) {
        return jdbc.sql("SELECT bundle FROM artifact_evidence WHERE artifact_digest = ? AND signature_sha256 = ?")
                .params(digest, signatureSha256).query(String.class).single();
    }

    /** Oldest first. */
    public List<Item> forDigest(String digest) {
        return jdbc.sql("SELECT * FROM artifact_evidence WHERE artifact_digest = ? ORDER BY first_seen, signature_sha256")
                .param(digest)
                .query((rs, i) -> new Item(rs.getString("signature_sha256"), rs.getString("bundle_sha256"), rs.getString("bundle"),
                        rs.getBytes("payload"), rs.getString("kind"), json.readTree(rs.getString("facts")),
                        json.readTree(rs.getString("trust")), rs.getTimestamp("first_seen").toInstant(),
                        rs.getObject("first_decision", UUID.class)))
                .list();
    }
}
