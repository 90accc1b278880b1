package dev.tollgate.sbom;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.tollgate.db.DatabaseBudget;
import dev.tollgate.evidence.intoto.Statement;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import dev.tollgate.digest.Digest;

/**
 * Fills the SBOM index from the evidence the audit log keeps ({@code artifact_evidence}), after
 * the decisions that verified it have committed: nothing on the decision path waits for it or
 * knows of it. Every kept attestation is looked at once ({@code sbom_scan}); one that holds an
 * SBOM adds its components for the artifact digest once per in-toto statement (the SHA-256 of
 * the signed payload), however many bundles carry it and however many decisions used it. Each
 * item is one transaction, and every write is keyed, so running twice, or on two instances at
 * once, indexes nothing twice. The kept rows were verified before they were kept; the index
 * only reads what they say.
 */
@Component
public class SbomIndexer {

    private static final Logger log = LoggerFactory.getLogger(SbomIndexer.class);
    private static final int BATCH = 50;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ObjectMapper json;
    private final DatabaseBudget budget;
    private final Clock clock;
    private final ScheduledExecutorService timer;

    SbomIndexer(JdbcTemplate jdbc, TransactionTemplate transactions, ObjectMapper json, DatabaseBudget budget,
            @Value("${tollgate.sbom.index-interval:2s}") Duration interval) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.json = json;
        this.budget = budget;
        this.clock = Clock.systemUTC();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sbom-indexer");
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(100, interval.toMillis());
        timer.scheduleWithFixedDelay(this::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    private void runQuietly() {
        try {
            indexPending();
        } catch (Exception e) {
            log.warn("the SBOM index could not be brought up to date (will try again): {}", e.getMessage());
        }
    }

    private record Pending(String digest, String signatureSha256) {
    }

    /** Looks at every kept attestation not yet looked at; answers how many it looked at. */
    public synchronized int indexPending() {
        int total = 0;
        while (true) {
            List<Pending> pending;
            try {
                pending = budget.fromNow().run(() -> jdbc.query("SELECT e.artifact_digest, e.signature_sha256 FROM artifact_evidence e"
                        + " WHERE e.kind = 'attestation' AND NOT EXISTS (SELECT 1 FROM sbom_scan s"
                        + " WHERE s.artifact_digest = e.artifact_digest AND s.signature_sha256 = e.signature_sha256)"
                        + " ORDER BY e.first_seen LIMIT " + BATCH, (rs, i) -> new Pending(rs.getString(1), rs.getString(2))));
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            for (Pending p : pending) {
                try {
                    budget.fromNow().run(() -> transactions.execute(status -> {
                        index(p);
                        return null;
                    }));
                } catch (Exception e) {
                    if (!(e instanceof org.springframework.dao.NonTransientDataAccessException)
                            || e instanceof org.springframework.dao.DataAccessResourceFailureException) {
                        throw new IllegalStateException(e.getMessage(), e); // the database is away: try again later
                    }
                    // the content could not be stored (a constraint, a value too large): never try it again
                    try {
                        budget.fromNow().run(() -> transactions.execute(status -> {
                            scanned(p, "unreadable", "the SBOM could not be stored", null);
                            return null;
                        }));
                    } catch (Exception again) {
                        throw new IllegalStateException(again.getMessage(), again);
                    }
                }
            }
            total += pending.size();
            if (pending.size() < BATCH) {
                return total;
            }
        }
    }

    private record Kept(String bundle, String predicateType, Timestamp firstSeen, UUID firstDecision) {
    }

    private void index(Pending p) {
        List<Kept> rows = jdbc.query("SELECT bundle, facts->>'predicateType', first_seen, first_decision FROM artifact_evidence"
                + " WHERE artifact_digest = ? AND signature_sha256 = ?",
                (rs, i) -> new Kept(rs.getString(1), rs.getString(2), rs.getTimestamp(3), rs.getObject(4, UUID.class)),
                p.digest(), p.signatureSha256());
        if (rows.isEmpty()) {
            return;
        }
        Kept kept = rows.get(0);
        if (!SbomReader.mayBeSbom(kept.predicateType())) {
            scanned(p, "not-sbom", null, null);
            return;
        }
        byte[] payload;
        Statement statement;
        try {
            // the kept bundle verified when it was kept; only its DSSE envelope is read again here
            JsonNode bundle = json.readTree(kept.bundle());
            JsonNode envelope = bundle.has("dsseEnvelope") ? bundle.get("dsseEnvelope") : bundle.path("dsse_envelope");
            JsonNode encoded = envelope.get("payload");
            if (encoded == null || !encoded.isString()) {
                scanned(p, "not-sbom", "not a DSSE envelope", null);
                return;
            }
            payload = base64(encoded.stringValue());
            statement = Statement.parse(envelope.path("payloadType").asString(""), payload, json);
        } catch (Statement.NotAStatement | RuntimeException e) {
            scanned(p, "unreadable", "the kept bundle could not be read again: " + e.getMessage(), null);
            return;
        }
        SbomReader.Document document;
        try {
            document = SbomReader.read(statement.predicateType(), statement.predicate(), json);
        } catch (SbomReader.Unreadable e) {
            scanned(p, "unreadable", e.getMessage(), null);
            return;
        }
        if (document == null) {
            scanned(p, "not-sbom", null, null);
            return;
        }
        String statementSha = Digest.sha256(payload).hex();
        Timestamp now = Timestamp.from(clock.instant());
        List<Long> created = jdbc.query("INSERT INTO sbom_document (artifact_digest, statement_sha256, signature_sha256,"
                + " predicate_type, format, spec_version, components, first_seen, first_decision, indexed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (artifact_digest, statement_sha256) DO NOTHING RETURNING id",
                (rs, i) -> rs.getLong(1), p.digest(), statementSha, p.signatureSha256(), statement.predicateType(), document.format(),
                document.specVersion(), document.components().size(), kept.firstSeen(), kept.firstDecision(), now);
        if (created.isEmpty()) {
            Long existing = jdbc.queryForObject("SELECT id FROM sbom_document WHERE artifact_digest = ? AND statement_sha256 = ?",
                    Long.class, p.digest(), statementSha);
            scanned(p, "duplicate", null, existing);
            return;
        }
        long id = created.get(0);
        jdbc.batchUpdate("INSERT INTO sbom_component (document_id, artifact_digest, ecosystem, purl, purl_base, name, version,"
                + " licenses, license_keys, hashes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)", document.components(), 500,
                (ps, c) -> {
                    ps.setLong(1, id);
                    ps.setString(2, p.digest());
                    ps.setString(3, c.parsed() == null ? null : c.parsed().type());
                    ps.setString(4, c.purl());
                    ps.setString(5, c.parsed() == null ? null : c.parsed().base());
                    ps.setString(6, c.name());
                    ps.setString(7, c.version());
                    ps.setArray(8, ps.getConnection().createArrayOf("text", c.licenses().toArray()));
                    ps.setArray(9, ps.getConnection().createArrayOf("text", c.licenseKeys().toArray()));
                    ps.setString(10, json.writeValueAsString(c.hashes()));
                });
        // the document's license keys, from the components in hand (not read back from sbom_component)
        Set<String> licenseKeys = new TreeSet<>();
        document.components().forEach(c -> licenseKeys.addAll(c.licenseKeys()));
        jdbc.batchUpdate("INSERT INTO sbom_license (license_key, artifact_digest) VALUES (?, ?) ON CONFLICT DO NOTHING",
                List.copyOf(licenseKeys), 500, (ps, key) -> {
                    ps.setString(1, key);
                    ps.setString(2, p.digest());
                });
        scanned(p, "indexed", null, id);
    }

    private void scanned(Pending p, String outcome, String detail, Long documentId) {
        String storable = detail == null ? null : detail.replace('\u0000', ' ');
        if (storable != null && storable.length() > 500) {
            storable = storable.substring(0, 500);
        }
        jdbc.update("INSERT INTO sbom_scan (artifact_digest, signature_sha256, outcome, detail, document_id, scanned_at)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", p.digest(), p.signatureSha256(), outcome, storable, documentId,
                Timestamp.from(clock.instant()));
        if (!outcome.equals("not-sbom")) {
            log.info("SBOM index: {} {} ({})", p.digest(), outcome, storable == null ? "-" : storable);
        }
    }

    /** Standard or URL-safe base64 (protobuf's JSON mapping accepts both). */
    private static byte[] base64(String text) {
        try {
            return java.util.Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return java.util.Base64.getUrlDecoder().decode(text);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
