package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import dev.tollgate.audit.RecordText;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * The insider of issue #12, item 8: someone with full access to PostgreSQL (the triggers off)
 * rewrites a denial into an allow and recomputes every chain hash after it and every tree node
 * and the tree state stored there. The chain check alone is fooled; a checkpoint published
 * before the rewrite is not: the consistency proof to it fails, the inclusion proof fails,
 * offline verification fails, and a checkpoint the insider signs with a key of their own is
 * neither served nor verifies. Everything is put back afterwards.
 */
class LedgerInsiderIntegrationTests extends IntegrationTest {

    @Autowired
    Ledger ledger;

    @Autowired
    dev.tollgate.audit.DecisionHistory history;

    @TempDir
    Path files;

    JsonNode decide(String token, String verdict) {
        String digest = "sha256:" + (Long.toHexString(System.nanoTime()) + "0".repeat(64)).substring(0, 64);
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"example.com/insider\"}, \"context\": {\"verdict\": \""
                + verdict + "\"}, \"policies\": [\"insider\"]}";
        Api.Response r = api.postJson("/v1/decisions", token, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    JsonNode proof(String decisionId, String token) {
        Api.Response p = api.get("/v1/decisions/" + decisionId + "/proof?wait=true", token);
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        return p.json();
    }

    int verifyOffline(String keys, String... checkpoints) throws Exception {
        Path export = files.resolve("decisions-" + System.nanoTime() + ".ndjson");
        Api.Response e = api.get("/v1/decisions/export?format=ndjson", tokenWith("auditor"));
        assertThat(e.status()).isEqualTo(200);
        Files.writeString(export, e.body());
        Path keysFile = files.resolve("keys.json");
        Files.writeString(keysFile, keys);
        List<String> args = new ArrayList<>(List.of("--export", export.toString(), "--keys", keysFile.toString()));
        for (String c : checkpoints) {
            Path file = files.resolve("cp-" + System.nanoTime() + ".txt");
            Files.writeString(file, c);
            args.add("--checkpoint");
            args.add(file.toString());
        }
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new AuditVerifyCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(out));
        int status = command.execute(args.toArray(String[]::new));
        lastOutput = out.toString();
        return status;
    }

    String lastOutput;

    @Test
    void aRewriteWithEveryHashRecomputedIsCaughtByAnEarlierPublishedCheckpoint() throws Exception {
        String decider = tokenWith("decider");
        String auditor = tokenWith("auditor");
        String policy = "policy \"insider\" { rule r { require context.verdict == \"yes\" } }";
        assertThat(api.sendText("PUT", "/v1/policies/insider", tokenWith("policy-admin"), policy).status()).isIn(200, 201);

        JsonNode victim = decide(decider, "no");
        assertThat(victim.get("allowed").asBoolean()).isFalse();
        decide(decider, "yes");
        String publishedA = proof(decide(decider, "yes").get("decisionId").asString(), auditor).get("checkpoint").asString();
        decide(decider, "no");
        String publishedB = proof(decide(decider, "yes").get("decisionId").asString(), auditor).get("checkpoint").asString();
        String keys = api.get("/v1/audit/keys", null).body();
        String publicKey = null;
        for (JsonNode k : json.readTree(keys).get("keys")) {
            if (k.get("purpose").asString().equals("checkpoint")) {
                publicKey = k.get("publicKey").asString();
            }
        }
        IndependentTlog.Note a = IndependentTlog.open(publishedA, ORIGIN, publicKey);
        IndependentTlog.Note b = IndependentTlog.open(publishedB, ORIGIN, publicKey);
        assertThat(b.size()).isGreaterThan(a.size());
        long victimSequence = victim.get("sequence").asLong();
        assertThat(victimSequence).isLessThanOrEqualTo(a.size());

        assertThat(verifyOffline(keys, publishedA, publishedB)).as(lastOutput).isEqualTo(0);
        // a verification before the rewrite: the next incremental run starts at the newest checkpoint it reached
        JsonNode verifiedBefore = api.get("/v1/audit/verify?full=true", auditor).json();
        assertThat(verifiedBefore.get("valid").asBoolean()).as(verifiedBefore.toString()).isTrue();
        long anchor = verifiedBefore.get("checkpoint").get("size").asLong();
        assertThat(anchor).isGreaterThanOrEqualTo(b.size());

        Snapshot before;
        try (Connection db = DriverManager.getConnection(TestDatabase.get().directJdbcUrl())) {
            before = snapshot(db);
            rewrite(db, victimSequence);
        }
        try {
            // the linear chain alone is fooled
            assertThat(history.verify().valid()).isTrue();
            // the verification endpoint is not: the incremental run's anchor is no longer the record the checkpoint signed,
            // and the full run's tree does not have the signed root
            JsonNode incremental = api.get("/v1/audit/verify", auditor).json();
            assertThat(incremental.get("valid").asBoolean()).as(incremental.toString()).isFalse();
            assertThat(incremental.get("incremental").asBoolean()).isTrue();
            assertThat(incremental.get("brokenSequence").asLong()).isEqualTo(anchor);
            assertThat(incremental.get("reason").asString()).contains("signed checkpoint");
            JsonNode full = api.get("/v1/audit/verify?full=true", auditor).json();
            assertThat(full.get("valid").asBoolean()).as(full.toString()).isFalse();
            assertThat(full.get("incremental").asBoolean()).isFalse();
            assertThat(full.get("reason").asString()).contains("signed checkpoint");
            assertThat(api.get("/v1/decisions/" + victim.get("decisionId").asString(), auditor).json().get("allowed").asBoolean())
                    .isTrue();

            // the earlier checkpoint is not: no consistency with the later one, no inclusion
            JsonNode consistency = api.get("/v1/audit/consistency?from=" + a.size() + "&to=" + b.size(), auditor).json();
            assertThat(IndependentTlog.verifyConsistency(a.size(), b.size(), a.root(), b.root(),
                    IndependentTlog.hexes(consistency.get("proof")))).isFalse();
            JsonNode inclusion = api.get("/v1/decisions/" + victim.get("decisionId").asString() + "/proof", auditor).json();
            assertThat(IndependentTlog.verifyInclusion(inclusion.get("leafIndex").asLong(), b.size(),
                    HexFormat.of().parseHex(inclusion.get("leafHash").asString()), IndependentTlog.hexes(inclusion.get("auditPath")),
                    b.root())).isFalse();

            // offline verification of the rewritten export against either published checkpoint fails
            assertThat(verifyOffline(keys, publishedA)).as(lastOutput).isEqualTo(1);
            assertThat(lastOutput).contains("NOT VERIFIED");
            assertThat(verifyOffline(keys, publishedB)).isEqualTo(1);

            // the server notices its tree was rewritten under it and signs nothing
            Instant end = Instant.now().plus(Duration.ofSeconds(10));
            while (ledger.halted() == null && Instant.now().isBefore(end)) {
                Thread.sleep(50);
            }
            assertThat(ledger.halted()).isNotNull();

            // a checkpoint the insider signs with a key of their own is not served and does not verify
            String forged = forgedCheckpoint(b.size() + 1_000_000);
            try (Connection db = DriverManager.getConnection(TestDatabase.get().directJdbcUrl());
                    PreparedStatement insert = db.prepareStatement(
                            "INSERT INTO ledger_checkpoint (size, root, note, key_id, made_at) VALUES (?, ?, ?, 'forged', now())")) {
                insert.setLong(1, b.size() + 1_000_000);
                insert.setBytes(2, new byte[32]);
                insert.setString(3, forged);
                insert.executeUpdate();
            }
            assertThat(api.get("/v1/audit/checkpoints/latest", auditor).body()).isNotEqualTo(forged);
            assertThat(IndependentTlog.open(forged, ORIGIN, publicKey)).isNull();
        } finally {
            try (Connection db = DriverManager.getConnection(TestDatabase.get().directJdbcUrl())) {
                restore(db, before);
            }
        }
        // put back, the ledger goes on
        JsonNode after = proof(decide(decider, "yes").get("decisionId").asString(), auditor);
        IndependentTlog.Note c = IndependentTlog.open(after.get("checkpoint").asString(), ORIGIN, publicKey);
        assertThat(c.size()).isGreaterThan(b.size());
        JsonNode consistency = api.get("/v1/audit/consistency?from=" + a.size() + "&to=" + c.size(), auditor).json();
        assertThat(IndependentTlog.verifyConsistency(a.size(), c.size(), a.root(), c.root(), IndependentTlog.hexes(consistency.get("proof"))))
                .isTrue();
        assertThat(ledger.halted()).isNull();
    }

    private static String forgedCheckpoint(long size) throws Exception {
        var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        byte[] keyId = Arrays.copyOf(IndependentTlog.sha256(ORIGIN.getBytes(StandardCharsets.UTF_8), new byte[] {0x0A, 0x01}, raw), 4);
        String body = ORIGIN + "\n" + size + "\n" + Base64.getEncoder().encodeToString(new byte[32]) + "\n";
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(body.getBytes(StandardCharsets.UTF_8));
        byte[] sig = signer.sign();
        byte[] line = new byte[68];
        System.arraycopy(keyId, 0, line, 0, 4);
        System.arraycopy(sig, 0, line, 4, 64);
        return body + "\n\u2014 " + ORIGIN + " " + Base64.getEncoder().encodeToString(line) + "\n";
    }

    record Snapshot(List<Object[]> decisions, List<Object[]> nodes, Object[] state) {
    }

    private Snapshot snapshot(Connection db) throws Exception {
        List<Object[]> decisions = new ArrayList<>();
        List<Object[]> nodes = new ArrayList<>();
        try (Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sequence, allowed, outcome, response::text, previous_hash, hash FROM decision")) {
                while (rs.next()) {
                    decisions.add(new Object[] {rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6)});
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT level, idx, hash FROM ledger_node")) {
                while (rs.next()) {
                    nodes.add(new Object[] {rs.getShort(1), rs.getLong(2), rs.getBytes(3)});
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT size, root, chain_head FROM ledger_state")) {
                rs.next();
                return new Snapshot(decisions, nodes, new Object[] {rs.getLong(1), rs.getBytes(2), rs.getString(3)});
            }
        }
    }

    /** What the insider does: triggers off, the record changed, every hash after it and every tree node recomputed. */
    private void rewrite(Connection db, long victim) throws Exception {
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("SET LOCAL session_replication_role = replica");
            s.execute("LOCK TABLE ledger_state IN EXCLUSIVE MODE");
            s.execute("UPDATE decision SET allowed = true, outcome = 'allow', response = jsonb_set(jsonb_set(response, '{allowed}',"
                    + " 'true'), '{outcome}', '\"allow\"') WHERE sequence = " + victim);
            String previous = null;
            long max;
            try (ResultSet rs = s.executeQuery("SELECT max(sequence) FROM decision")) {
                rs.next();
                max = rs.getLong(1);
            }
            for (long seq = victim; seq <= max; seq++) {
                if (previous != null) {
                    s.execute("UPDATE decision SET previous_hash = '" + previous + "' WHERE sequence = " + seq);
                }
                try (ResultSet rs = s.executeQuery("SELECT * FROM decision WHERE sequence = " + seq)) {
                    rs.next();
                    String text = RecordText.canonical(RecordText.hashedColumns(rs, json));
                    previous = RecordText.chainHash(rs.getString("previous_hash"), text);
                }
                s.execute("UPDATE decision SET hash = '" + previous + "' WHERE sequence = " + seq);
            }
            long size;
            try (ResultSet rs = s.executeQuery("SELECT size FROM ledger_state")) {
                rs.next();
                size = rs.getLong(1);
            }
            Merkle.Frontier tree = new Merkle.Frontier();
            String head = null;
            try (PreparedStatement update = db.prepareStatement("UPDATE ledger_node SET hash = ? WHERE level = ? AND idx = ?");
                    ResultSet rs = db.createStatement().executeQuery("SELECT * FROM decision WHERE sequence <= " + size + " ORDER BY sequence")) {
                while (rs.next()) {
                    head = rs.getString("hash");
                    for (Merkle.Stored n : tree.append(Merkle.leafHash(RecordText.canonical(RecordText.hashedColumns(rs, json))))) {
                        update.setBytes(1, n.hash());
                        update.setShort(2, (short) n.node().level());
                        update.setLong(3, n.node().index());
                        update.addBatch();
                    }
                }
                update.executeBatch();
            }
            try (PreparedStatement state = db.prepareStatement("UPDATE ledger_state SET root = ?, chain_head = ?")) {
                state.setBytes(1, tree.root());
                state.setString(2, head);
                state.executeUpdate();
            }
        }
        db.commit();
    }

    private void restore(Connection db, Snapshot snapshot) throws Exception {
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("SET LOCAL session_replication_role = replica");
            s.execute("DELETE FROM ledger_checkpoint WHERE key_id = 'forged'");
            try (PreparedStatement d = db.prepareStatement("UPDATE decision SET allowed = ?, outcome = ?, response = ?::jsonb,"
                    + " previous_hash = ?, hash = ? WHERE sequence = ?")) {
                for (Object[] row : snapshot.decisions()) {
                    d.setBoolean(1, (Boolean) row[1]);
                    d.setString(2, (String) row[2]);
                    d.setString(3, (String) row[3]);
                    d.setString(4, (String) row[4]);
                    d.setString(5, (String) row[5]);
                    d.setLong(6, (Long) row[0]);
                    d.addBatch();
                }
                d.executeBatch();
            }
            try (PreparedStatement n = db.prepareStatement("UPDATE ledger_node SET hash = ? WHERE level = ? AND idx = ?")) {
                for (Object[] row : snapshot.nodes()) {
                    n.setBytes(1, (byte[]) row[2]);
                    n.setShort(2, (Short) row[0]);
                    n.setLong(3, (Long) row[1]);
                    n.addBatch();
                }
                n.executeBatch();
            }
            try (PreparedStatement st = db.prepareStatement("UPDATE ledger_state SET size = ?, root = ?, chain_head = ?")) {
                st.setLong(1, (Long) snapshot.state()[0]);
                st.setBytes(2, (byte[]) snapshot.state()[1]);
                st.setString(3, (String) snapshot.state()[2]);
                st.executeUpdate();
            }
        }
        db.commit();
    }
}
