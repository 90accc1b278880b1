package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The ledger through HTTP against the real PostgreSQL: open public keys, receipts, inclusion
 * proofs, checkpoints and consistency proofs — each checked by {@link IndependentTlog}, which
 * shares no code with the server.
 */
class LedgerIntegrationTests extends IntegrationTest {

    String decider;
    String auditor;

    @BeforeEach
    void setUp() {
        decider = tokenWith("decider");
        auditor = tokenWith("auditor");
        String policy = "policy \"ledger\" { rule r { require context.verdict == \"yes\" } }";
        assertThat(api.sendText("PUT", "/v1/policies/ledger", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
    }

    JsonNode decide(String token, String verdict) {
        String digest = "sha256:" + (Long.toHexString(System.nanoTime()) + "0".repeat(64)).substring(0, 64);
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"example.com/ledger\"}, \"context\": {\"verdict\": \""
                + verdict + "\"}, \"policies\": [\"ledger\"]}";
        Api.Response r = api.postJson("/v1/decisions", token, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    JsonNode checkpointKey() {
        Api.Response keys = api.get("/v1/audit/keys", null);
        assertThat(keys.status()).isEqualTo(200);
        for (JsonNode key : keys.json().get("keys")) {
            if (key.get("purpose").asString().equals("checkpoint") && key.get("active").asBoolean()) {
                return key;
            }
        }
        throw new AssertionError("no active checkpoint key in " + keys.body());
    }

    IndependentTlog.Note open(String note) {
        return IndependentTlog.open(note, ORIGIN, checkpointKey().get("publicKey").asString());
    }

    @Test
    void thePublicKeysAreOpenWithC2spKeyIdsAndTheGeneratedKeysAreReadableByTheOwnerOnly() throws Exception {
        JsonNode key = checkpointKey();
        assertThat(key.get("algorithm").asString()).isEqualTo("Ed25519");
        assertThat(key.get("name").asString()).isEqualTo(ORIGIN);
        byte[] spki = Base64.getDecoder().decode(key.get("publicKey").asString().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        byte[] raw = java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        byte[] id = java.util.Arrays.copyOf(IndependentTlog.sha256(ORIGIN.getBytes(StandardCharsets.UTF_8), new byte[] {0x0A, 0x01}, raw), 4);
        assertThat(key.get("id").asString()).isEqualTo(HexFormat.of().formatHex(id));
        byte[] typed = new byte[33];
        typed[0] = 1;
        System.arraycopy(raw, 0, typed, 1, 32);
        assertThat(key.get("verifierKey").asString())
                .isEqualTo(ORIGIN + "+" + HexFormat.of().formatHex(id) + "+" + Base64.getEncoder().encodeToString(typed));

        Api.Response keys = api.get("/v1/audit/keys", null);
        assertThat(keys.json().get("keys").valueStream().filter(k -> k.get("purpose").asString().equals("attestation")).count()).isEqualTo(1);
        for (String file : List.of(SigningKeys.CHECKPOINT_FILE, SigningKeys.ATTESTATION_FILE)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(SIGNING_DIR.resolve(file)))).isEqualTo("rw-------");
        }
        assertThat(keys.body()).doesNotContain("PRIVATE");
        assertThat(api.get("/v1/audit/keys?x=1", null).status()).isEqualTo(400);
    }

    @Test
    void aRecordsProofVerifiesAgainstTheSignedCheckpointForTheDeciderThatAskedAndAuditors() {
        JsonNode answer = decide(decider, "yes");
        String id = answer.get("decisionId").asString();
        JsonNode receipt = api.get("/v1/decisions/" + id, auditor).json().get("receipt");
        assertThat(receipt.get("sequence").asLong()).isEqualTo(answer.get("sequence").asLong());
        assertThat(receipt.get("origin").asString()).isEqualTo(ORIGIN);

        Api.Response proof = api.get("/v1/decisions/" + id + "/proof?wait=true", decider);
        assertThat(proof.status()).as(proof.body()).isEqualTo(200);
        JsonNode p = proof.json();
        assertThat(p.get("leafHash").asString()).isEqualTo(receipt.get("leafHash").asString());
        assertThat(p.get("leafIndex").asLong()).isEqualTo(receipt.get("sequence").asLong() - 1);
        IndependentTlog.Note note = open(p.get("checkpoint").asString());
        assertThat(note).as("the checkpoint's signature verifies with the published key").isNotNull();
        assertThat(note.origin()).isEqualTo(ORIGIN);
        assertThat(note.size()).isEqualTo(p.get("treeSize").asLong()).isGreaterThan(p.get("leafIndex").asLong());
        assertThat(IndependentTlog.verifyInclusion(p.get("leafIndex").asLong(), note.size(),
                HexFormat.of().parseHex(receipt.get("leafHash").asString()), IndependentTlog.hexes(p.get("auditPath")), note.root()))
                .isTrue();

        assertThat(api.get("/v1/decisions/" + id + "/proof", auditor).status()).isEqualTo(200);
        String otherDecider = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                Api.map("name", "ledger-other-" + System.nanoTime(), "roles", List.of("decider"))).json().get("token").asString();
        assertThat(api.get("/v1/decisions/" + id + "/proof", otherDecider).status()).isEqualTo(404);
        assertThat(api.get("/v1/decisions/" + id.toUpperCase() + "/proof", auditor).status()).isEqualTo(404);
        assertThat(api.get("/v1/decisions/" + id + "/proof?wait=maybe", auditor).status()).isEqualTo(400);
        assertThat(api.get("/v1/decisions/" + id + "/proof?other=1", auditor).status()).isEqualTo(400);
    }

    @Test
    void checkpointsGrowConsistentlyAndArePublishedToTheDirectory() throws Exception {
        decide(decider, "yes");
        JsonNode first = api.get("/v1/decisions/" + decide(decider, "no").get("decisionId").asString() + "/proof?wait=true", auditor)
                .json();
        IndependentTlog.Note older = open(first.get("checkpoint").asString());
        assertThat(older).isNotNull();
        for (int i = 0; i < 3; i++) {
            decide(decider, i % 2 == 0 ? "yes" : "no");
        }
        JsonNode last = api.get("/v1/decisions/" + decide(decider, "yes").get("decisionId").asString() + "/proof?wait=true", auditor)
                .json();
        IndependentTlog.Note newer = open(last.get("checkpoint").asString());
        assertThat(newer.size()).isGreaterThan(older.size());

        Api.Response at = api.get("/v1/audit/checkpoints/latest?size=" + older.size(), auditor);
        assertThat(at.status()).isEqualTo(200);
        assertThat(at.contentType()).startsWith("text/plain");
        assertThat(at.body()).isEqualTo(first.get("checkpoint").asString());

        Api.Response consistency = api.get("/v1/audit/consistency?from=" + older.size() + "&to=" + newer.size(), auditor);
        assertThat(consistency.status()).as(consistency.body()).isEqualTo(200);
        List<byte[]> proof = IndependentTlog.hexes(consistency.json().get("proof"));
        assertThat(IndependentTlog.verifyConsistency(older.size(), newer.size(), older.root(), newer.root(), proof)).isTrue();
        byte[] wrong = older.root().clone();
        wrong[0] ^= 1;
        assertThat(IndependentTlog.verifyConsistency(older.size(), newer.size(), wrong, newer.root(), proof)).isFalse();
        assertThat(api.get("/v1/audit/consistency?from=" + older.size(), auditor).status()).isEqualTo(200);

        assertThat(api.get("/v1/audit/consistency?from=0", auditor).status()).isEqualTo(400);
        assertThat(api.get("/v1/audit/consistency?from=x", auditor).status()).isEqualTo(400);
        assertThat(api.get("/v1/audit/consistency", auditor).status()).isEqualTo(400);
        assertThat(api.get("/v1/audit/consistency?from=1&to=999999999", auditor).status()).isEqualTo(404);
        assertThat(api.get("/v1/audit/checkpoints/latest?size=999999999", auditor).status()).isEqualTo(404);
        assertThat(api.get("/v1/audit/checkpoints/latest?size=-1", auditor).status()).isEqualTo(400);
        assertThat(api.get("/v1/audit/checkpoints/latest", auditor).status()).isEqualTo(200);

        Path published = CHECKPOINT_DIR.resolve("checkpoint");
        Instant end = Instant.now().plus(Duration.ofSeconds(10));
        IndependentTlog.Note file = null;
        while (Instant.now().isBefore(end)) {
            if (Files.exists(published)) {
                file = open(Files.readString(published));
                if (file != null && file.size() >= newer.size()) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        assertThat(file).as("the published checkpoint verifies").isNotNull();
        assertThat(file.size()).isGreaterThanOrEqualTo(newer.size());
    }

    @Test
    void theLeafOfEveryExportedRecordIsItsHashedRecordsCanonicalText() {
        JsonNode answer = decide(decider, "yes");
        Api.Response export = api.get("/v1/decisions/export?format=ndjson", auditor);
        assertThat(export.status()).isEqualTo(200);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : export.body().split("\n")) {
            lines.add(json.readTree(line));
        }
        JsonNode mine = lines.stream().filter(l -> l.get("decisionId").asString().equals(answer.get("decisionId").asString()))
                .findFirst().orElseThrow();
        assertThat(mine.get("leafIndex").asLong()).isEqualTo(answer.get("sequence").asLong() - 1);
        String text = dev.tollgate.audit.RecordText.canonical(mine.get("hashedRecord"));
        assertThat(HexFormat.of().formatHex(IndependentTlog.leaf(text.getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(api.get("/v1/decisions/" + answer.get("decisionId").asString(), auditor).json().get("receipt")
                        .get("leafHash").asString());
        assertThat(IndependentTlog.sha256((mine.get("previousHash").asString() + text).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(HexFormat.of().parseHex(mine.get("hash").asString()));
    }
}
