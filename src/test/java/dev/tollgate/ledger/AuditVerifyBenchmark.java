package dev.tollgate.ledger;

import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.tollgate.audit.RecordText;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Offline verification throughput (bench/audit-verify.sh): writes an export of N synthetic records
 * shaped like real ones (a response with two policies, rules and two evidence items, about 1.5 KB
 * of canonical text), a checkpoint of it signed with a fresh key and the keys document, then times
 * {@link AuditVerifyCommand} over it and prints records/s. Not a test; asserts nothing.
 * Arguments: records, runs, and {@code unordered} for lines whose {@code hashedRecord} is not already in
 * canonical form (exports before 3 December 2026; the verifier then sorts every object's members).
 */
public final class AuditVerifyBenchmark {

    private AuditVerifyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean canonicalForm = args.length <= 2 || !args[2].equals("unordered");
        JsonMapper json = JsonMapper.builder().build();
        Path dir = Files.createTempDirectory("audit-verify-bench");
        Path export = dir.resolve("decisions.ndjson");
        Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        String origin = "bench.invalid/decisions";
        SigningKeys.CheckpointKey key = SigningKeys.checkpointKey(origin, privateKey.generatePublicKey().getEncoded(), privateKey, true);
        Merkle.Frontier tree = new Merkle.Frontier();
        String previous = "0".repeat(64);
        long bytes = 0;
        try (BufferedWriter out = Files.newBufferedWriter(export, StandardCharsets.UTF_8)) {
            for (int i = 1; i <= records; i++) {
                ObjectNode hashed = record(i, previous);
                String text = RecordText.canonical(hashed);
                String hash = RecordText.chainHash(previous, text);
                tree.append(Merkle.leafHash(text));
                ObjectNode line = JsonNodeFactory.instance.objectNode();
                line.put("decisionId", hashed.get("decisionId").asString());
                line.put("sequence", i);
                line.put("previousHash", previous);
                line.put("hash", hash);
                line.put("leafIndex", i - 1);
                if (canonicalForm) { // as the export writes it: the canonical text itself
                line.putRawValue("hashedRecord", new tools.jackson.databind.util.RawValue(text));
            } else { // members in the order they were put (as exports before 3 December 2026 wrote them)
                line.set("hashedRecord", hashed);
            }
                String s = json.writeValueAsString(line);
                bytes += s.length() + 1;
                out.write(s);
                out.write('\n');
                previous = hash;
            }
        }
        Checkpoint checkpoint = Checkpoint.sign(origin, tree.size(), tree.root(), key);
        Path cp = dir.resolve("checkpoint.txt");
        Files.writeString(cp, checkpoint.note());
        Path keys = dir.resolve("keys.json");
        Files.writeString(keys, json.writeValueAsString(Map.of("keys", List.of(Map.of("id", key.keyIdHex(), "purpose", "checkpoint",
                "algorithm", "Ed25519", "active", true, "name", origin, "publicKey", key.publicKeyPem())))));
        System.out.printf("export: %,d records, %,d MB, hashedRecord %s%n", records, bytes >> 20,
                canonicalForm ? "in canonical form (as exports write it)" : "unordered (as older exports wrote it)");
        for (int run = 1; run <= runs; run++) {
            // the floor, in the same run: reading the export and one SHA-256 over each line's bytes
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long floorCpu = threads.getCurrentThreadCpuTime();
            long floorStart = System.nanoTime();
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            long lines = 0;
            try (AuditVerifyCommand.Lines in = new AuditVerifyCommand.Lines(export)) {
                while (in.next()) {
                    sha.update(in.buffer(), in.start(), in.length());
                    sha.digest();
                    lines++;
                }
            }
            double floorSeconds = (System.nanoTime() - floorStart) / 1e9;
            double floorCpuSeconds = (threads.getCurrentThreadCpuTime() - floorCpu) / 1e9;
            System.out.printf("run %d floor (read + one SHA-256 per line): %.2f s, %,.0f lines/s; CPU %.2f s, %,.0f lines per CPU second%n",
                    run, floorSeconds, lines / floorSeconds, floorCpuSeconds, lines / floorCpuSeconds);
            // the verifier checks lines on one worker per processor: its CPU time is the process's
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu = os.getProcessCpuTime();
            StringWriter sink = new StringWriter();
            long start = System.nanoTime();
            AuditVerifyCommand command = new AuditVerifyCommand();
            int status = new CommandLine(command).setOut(new PrintWriter(sink)).setErr(new PrintWriter(sink))
                    .execute("--export", export.toString(), "--checkpoint", cp.toString(), "--keys", keys.toString());
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
            System.out.printf("run %d verifier (%d processors): exit %d, %.2f s, %,.0f records/s; process CPU %.2f s,"
                    + " %,.0f records per CPU second%n", run, Runtime.getRuntime().availableProcessors(), status, seconds,
                    records / seconds, cpuSeconds, records / cpuSeconds);
            System.out.printf("  lines by the tree route: %,d%n", command.slowLines);
            if (status != 0) {
                System.out.println(sink);
            }
        }
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().delete());
        }
        Files.delete(dir);
    }

    static ObjectNode record(int i, String previous) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String id = new UUID(0x0190000070000000L | i, 0x8000000000000000L | i).toString();
        String digest = "sha256:" + String.format("%064x", i);
        ObjectNode c = f.objectNode();
        c.put("allowed", i % 3 != 0);
        c.put("artifactDigest", digest);
        c.put("artifactName", "ghcr.io/acme/app-" + (i % 50));
        c.putNull("artifactTag");
        c.put("decidedAt", Instant.ofEpochMilli(1_764_000_000_000L + i * 7L).toString());
        c.put("decisionId", id);
        c.put("dryRun", false);
        c.putArray("impact").addObject().put("subject", "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1")
                .put("issuer", "https://token.actions.githubusercontent.com");
        c.put("outcome", i % 3 != 0 ? "allow" : "deny");
        c.putArray("policyNames").add("prod-images").add("slsa");
        c.put("previousHash", previous);
        ObjectNode request = c.putObject("request");
        request.putObject("context").put("environment", "production").put("cluster", "eu-1");
        request.putArray("evidence").addObject().put("bundleSha256", String.format("%064x", i * 31L)).put("verified", true);
        c.put("requester", "ci-deployer");
        ObjectNode response = c.putObject("response");
        response.put("decisionId", id);
        response.put("allowed", i % 3 != 0);
        response.put("reason", i % 3 != 0 ? "every policy allowed" : "prod-images: signed-by-release denied");
        var policies = response.putArray("policies");
        for (String name : List.of("prod-images", "slsa")) {
            ObjectNode p = policies.addObject().put("name", name).put("version", 3).put("mode", "enforce")
                    .put("sha256", String.format("%064x", name.hashCode())).put("outcome", "allow");
            var rules = p.putArray("rules");
            for (int r = 0; r < 3; r++) {
                rules.addObject().put("name", "rule-" + r).put("outcome", "pass").put("message", "the artifact is signed by the release workflow");
            }
        }
        var evidence = response.putArray("evidence");
        for (int e = 0; e < 2; e++) {
            evidence.addObject().put("kind", e == 0 ? "signature" : "attestation").put("verified", true)
                    .put("predicateType", "https://slsa.dev/provenance/v1")
                    .put("builderId", "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator.yml@refs/tags/v2.1.0");
        }
        response.putArray("warnings");
        c.set("sequence", f.numberNode((long) i));
        c.put("source", "api");
        return c;
    }
}
