package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

import dev.tollgate.audit.RecordText;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The offline verifier's fast route (bytes, {@code CanonicalJson}) and its tree route agree: a record
 * outside the fast subset verifies through the tree, CRLF line ends are lines, and a changed byte
 * or a missing line is refused with the definition's reason.
 */
class AuditVerifyFastRouteTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private record Run(int status, String output, long slowLines) {
    }

    private List<String> export(int records, Path checkpoint, Path keys) throws Exception {
        return export(records, checkpoint, keys, "ci-deployer");
    }

    /** An export whose first record's requester is {@code firstRequester} (another one: another chain from there on). */
    private List<String> export(int records, Path checkpoint, Path keys, String firstRequester) throws Exception {
        Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        String origin = "test.invalid/decisions";
        SigningKeys.CheckpointKey key = SigningKeys.checkpointKey(origin, privateKey.generatePublicKey().getEncoded(), privateKey, true);
        Merkle.Frontier tree = new Merkle.Frontier();
        String previous = "0".repeat(64);
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 1; i <= records; i++) {
            ObjectNode hashed = AuditVerifyBenchmark.record(i, previous);
            if (i == 2) { // a fraction: outside the fast subset
                ((ObjectNode) hashed.get("request")).put("weight", 1.5);
            }
            if (i == 1) {
                hashed.put("requester", firstRequester);
            }
            String text = RecordText.canonical(hashed);
            String hash = RecordText.chainHash(previous, text);
            tree.append(Merkle.leafHash(text));
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("hash", hash);
            line.put("leafIndex", i - 1);
            line.set("hashedRecord", hashed);
            lines.add(json.writeValueAsString(line));
            previous = hash;
        }
        Files.writeString(checkpoint, Checkpoint.sign(origin, tree.size(), tree.root(), key).note());
        Files.writeString(keys, json.writeValueAsString(Map.of("keys", List.of(Map.of("id", key.keyIdHex(), "purpose", "checkpoint",
                "algorithm", "Ed25519", "active", true, "name", origin, "publicKey", key.publicKeyPem())))));
        return lines;
    }

    private Run verify(Path export, Path checkpoint, Path keys) {
        return verify(export, checkpoint, keys, 0);
    }

    /** With chunks of {@code chunkBytes} read at a time (0: the default). */
    private Run verify(Path export, Path checkpoint, Path keys, int chunkBytes) {
        StringWriter sink = new StringWriter();
        AuditVerifyCommand command = new AuditVerifyCommand();
        if (chunkBytes > 0) {
            command.chunkBytes = chunkBytes;
        }
        int status = new CommandLine(command).setOut(new PrintWriter(sink)).setErr(new PrintWriter(sink))
                .execute("--export", export.toString(), "--checkpoint", checkpoint.toString(), "--keys", keys.toString());
        return new Run(status, sink.toString(), command.slowLines);
    }

    @Test
    void fastAndTreeRoutesVerifyTogetherAndRefuseTheSameChanges() throws Exception {
        Path checkpoint = dir.resolve("cp.txt");
        Path keys = dir.resolve("keys.json");
        List<String> lines = export(5, checkpoint, keys);
        Path export = dir.resolve("decisions.ndjson");

        Files.writeString(export, String.join("\r\n", lines) + "\r\n", StandardCharsets.UTF_8);
        Run run = verify(export, checkpoint, keys);
        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("verified: 5 records");
        assertThat(run.slowLines()).isEqualTo(1);

        List<String> changed = new java.util.ArrayList<>(lines);
        changed.set(3, changed.get(3).replace("ci-deployer", "ci-deployes"));
        Files.writeString(export, String.join("\n", changed), StandardCharsets.UTF_8);
        run = verify(export, checkpoint, keys);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.output()).contains("NOT VERIFIED: the record at sequence 4 does not continue the hash chain");

        changed = new java.util.ArrayList<>(lines);
        changed.remove(2);
        Files.writeString(export, String.join("\n", changed), StandardCharsets.UTF_8);
        run = verify(export, checkpoint, keys);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.output()).contains("line 3 is sequence 4, expected 3");
    }

    /** The lines of {@link #export} with {@code hashedRecord} written in canonical form, as exports write it now. */
    private List<String> canonicalForm(List<String> lines) {
        List<String> out = new java.util.ArrayList<>();
        for (String line : lines) {
            ObjectNode entry = (ObjectNode) json.readTree(line);
            String text = RecordText.canonical(entry.get("hashedRecord"));
            entry.putRawValue("hashedRecord", new tools.jackson.databind.util.RawValue(text));
            out.add(json.writeValueAsString(entry));
        }
        return out;
    }

    @Test
    void aChangedLineIsNamedWhereverItFallsInTheChunksTheWorkersCheck() throws Exception {
        Path checkpoint = dir.resolve("cp.txt");
        Path keys = dir.resolve("keys.json");
        List<String> lines = canonicalForm(export(12, checkpoint, keys));
        assertThat(lines.get(5)).contains("\"hashedRecord\":{\"allowed\":");
        Path export = dir.resolve("decisions.ndjson");
        // chunks of about three lines (each about 2 KB), so lines 1…12 are first, inside and last in their chunks;
        // and chunks smaller than a line, which grow to hold it
        int chunk = 3 * lines.get(0).length();
        for (int size : new int[] {chunk, 1_000}) {
            Files.writeString(export, String.join("\r\n", lines) + "\r\n", StandardCharsets.UTF_8);
            Run run = verify(export, checkpoint, keys, size);
            assertThat(run.status()).as(run.output()).isZero();
            assertThat(run.output()).contains("verified: 12 records");
            assertThat(run.slowLines()).isEqualTo(1); // the record with a fraction
            for (int victim = 0; victim < lines.size(); victim++) {
                List<String> changed = new java.util.ArrayList<>(lines);
                changed.set(victim, changed.get(victim).replace("ci-deployer", "ci-deployes"));
                Files.writeString(export, String.join("\n", changed) + "\n", StandardCharsets.UTF_8);
                run = verify(export, checkpoint, keys, size);
                assertThat(run.status()).as("line " + (victim + 1) + ", chunks of " + size).isEqualTo(1);
                assertThat(run.output()).contains("NOT VERIFIED: the record at sequence " + (victim + 1)
                        + " does not continue the hash chain");
            }
            // a missing line and a blank one: the line numbers counted across chunks
            List<String> gaps = new java.util.ArrayList<>(lines);
            gaps.remove(7);
            gaps.add(4, "");
            Files.writeString(export, String.join("\r\n", gaps), StandardCharsets.UTF_8);
            run = verify(export, checkpoint, keys, size);
            assertThat(run.status()).isEqualTo(1);
            assertThat(run.output()).contains("line 9 is sequence 9, expected 8");
        }
    }

    @Test
    void linesCheckedApartInBatchesAreStillLinkedInOrder() throws Exception {
        Path checkpoint = dir.resolve("cp.txt");
        Path keys = dir.resolve("keys.json");
        List<String> lines = export(1_500, checkpoint, keys);
        // another chain: every line of it holds on its own, but from line 2 on it continues other hashes
        List<String> other = export(1_500, dir.resolve("other-cp.txt"), dir.resolve("other-keys.json"), "someone-else");
        assertThat(other.get(700)).isNotEqualTo(lines.get(700));
        Path export = dir.resolve("decisions.ndjson");

        Files.writeString(export, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Run run = verify(export, checkpoint, keys);
        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("verified: 1500 records");
        assertThat(run.slowLines()).isEqualTo(1);

        // a line of the other chain in its place (same sequence and leaf index, its own hash right) in a later batch
        List<String> spliced = new java.util.ArrayList<>(lines);
        spliced.set(700, other.get(700));
        Files.writeString(export, String.join("\n", spliced), StandardCharsets.UTF_8);
        run = verify(export, checkpoint, keys);
        assertThat(run.status()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("NOT VERIFIED: the record at sequence 701 does not continue the hash chain");

        // two lines swapped across a batch's edge
        List<String> swapped = new java.util.ArrayList<>(lines);
        java.util.Collections.swap(swapped, 255, 256);
        Files.writeString(export, String.join("\n", swapped), StandardCharsets.UTF_8);
        run = verify(export, checkpoint, keys);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.output()).contains("line 256 is sequence 257, expected 256");

        // blank lines between batches are skipped, and the last line is checked
        List<String> blanks = new java.util.ArrayList<>(lines);
        blanks.add(512, "");
        blanks.add(100, "");
        Files.writeString(export, String.join("\n", blanks), StandardCharsets.UTF_8);
        run = verify(export, checkpoint, keys);
        assertThat(run.status()).as(run.output()).isZero();
        List<String> lastChanged = new java.util.ArrayList<>(lines);
        lastChanged.set(1_499, lastChanged.get(1_499).replace("ci-deployer", "ci-deployes"));
        Files.writeString(export, String.join("\n", lastChanged), StandardCharsets.UTF_8);
        run = verify(export, checkpoint, keys);
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.output()).contains("the record at sequence 1500 does not continue the hash chain");
    }
}
