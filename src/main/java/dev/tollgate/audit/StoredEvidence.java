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

    StoredEvidence(JdbcClient jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
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
