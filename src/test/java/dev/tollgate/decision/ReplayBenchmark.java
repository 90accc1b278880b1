package dev.tollgate.decision;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.tollgate.audit.DecisionInputs;
import dev.tollgate.bench.PolicyEvaluationBenchmark;
import dev.tollgate.policy.PolicyInputs;
import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replay throughput (bench/replay.sh): N recorded decisions with their kept policy inputs,
 * written into an embedded PostgreSQL (durable: fsync and synchronous_commit on) after the
 * Flyway migrations, then replayed by {@link Replays#run} exactly as the endpoint runs it (the
 * database cursor, each input read back from JSON, the candidate evaluated, §6 combined, each
 * line serialised) — next to the floor, the raw evaluation of the same compiled program over the
 * same inputs held in memory. Two inputs: a typical admission input (one keyless signature, SLSA
 * provenance) and the policy-eval benchmark's heavy one (3 signatures, 4 attestations with a
 * 200-finding report and a 150-package SBOM). Half the decisions were built on a self-hosted
 * runner, which the candidate denies. Prints decisions/s; not a test.
 */
public final class ReplayBenchmark {

    private static final String GITHUB_HOSTED = "https://github.com/actions/runner/github-hosted";
    private static final String CANDIDATE = """
            policy "bench" {
              rule signed-by-github-actions {
                require any s in signatures: s.issuer == "https://token.actions.githubusercontent.com"
              }
              rule github-hosted {
                require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
                  and a.predicate.runDetails.builder.id == "%s"
              }
            }
            """.formatted(GITHUB_HOSTED);

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> kinds = args.length > 2 ? List.of(args[2].split(",")) : List.of("typical", "heavy", "trust");
        JsonMapper json = JsonMapper.builder().build();
        Path dir = Files.createTempDirectory("tollgate-bench-pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on").setServerConfig("shared_buffers", "256MB").start()) {
            DataSource ds = pg.getPostgresDatabase();
            Flyway.configure().dataSource(ds).locations("filesystem:db/migration").load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            System.out.printf("PostgreSQL %s (zonky embedded), fsync=%s synchronous_commit=%s shared_buffers=%s; Java %s, %d cores;"
                    + " %,d decisions, best of %d runs%n", jdbc.queryForObject("SHOW server_version", String.class),
                    jdbc.queryForObject("SHOW fsync", String.class), jdbc.queryForObject("SHOW synchronous_commit", String.class),
                    jdbc.queryForObject("SHOW shared_buffers", String.class), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), n, runs);
            CompileResult compiled = new PolicyCompiler().compile(CANDIDATE);
            if (!compiled.ok()) {
                throw new IllegalStateException(compiled.diagnostics().toString());
            }
            Program candidate = compiled.program();
            DecisionInputs inputs = new DecisionInputs(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)), json);
            Replays replays = new Replays(inputs, null, new ReplayProperties(Duration.ofDays(30), Duration.ofDays(90), 1_000_000,
                    10_000_000, Duration.ofHours(1)), new DecisionProperties(true, 4), Clock.systemUTC(), json);
            long sequence = 0;
            for (String kind : kinds) {
                if (kind.equals("trust")) {
                    trust(ds, jdbc, json, inputs, sequence, n, runs);
                    sequence += n;
                    continue;
                }
                String policy = "bench-" + kind;
                Map<String, Object> raw = kind.equals("typical") ? typicalInput() : PolicyEvaluationBenchmark.realisticInput();
                Input input = PolicyInputs.playground(json.valueToTree(raw), Clock.systemUTC());
                String kept = json.writeValueAsString(RecordedInputs.json(input));
                long t0 = System.nanoTime();
                load(jdbc, policy, kept, kind.equals("typical") ? 0 : 3, sequence, n);
                sequence += n;
                jdbc.execute("VACUUM ANALYZE decision");
                jdbc.execute("VACUUM ANALYZE decision_input");
                System.out.printf("%n%s input: %,d characters of JSON per decision; loaded in %.1f s%n", kind, kept.length(),
                        (System.nanoTime() - t0) / 1e9);

                // the floor: the compiled program over the same inputs, in memory
                // (a sample of 2,000 of them held, evaluated in turn n times: n heavy inputs would not fit in memory)
                List<Input> held = new ArrayList<>(n);
                inputs.forPolicy(policy, Instant.EPOCH, Instant.now().plusSeconds(60), Math.min(n, 2000),
                        r -> held.add(RecordedInputs.read(json.readTree(r.input()), null)));
                double floor = 0;
                for (int run = 0; run < runs + 1; run++) { // the first run warms up
                    long s = System.nanoTime();
                    int denied = 0;
                    for (int k = 0; k < n; k++) {
                        denied += candidate.evaluate(held.get(k % held.size())).outcome() == dev.tollgate.policy.eval.Outcome.DENY ? 1 : 0;
                    }
                    double rate = n / ((System.nanoTime() - s) / 1e9);
                    if (run > 0) {
                        floor = Math.max(floor, rate);
                    }
                    if (Math.abs(denied - n / 2) > 1) {
                        throw new IllegalStateException("expected half denied, got " + denied);
                    }
                }
                held.clear();

                // the cursor alone: rows read and their JSON parsed, nothing evaluated
                double readOnly = 0;
                for (int run = 0; run < runs; run++) {
                    long s = System.nanoTime();
                    long[] count = {0};
                    inputs.forPolicy(policy, Instant.EPOCH, Instant.now().plusSeconds(60), n, r -> ++count[0] > 0);
                    readOnly = Math.max(readOnly, count[0] / ((System.nanoTime() - s) / 1e9));
                }

                // the inputs' rows alone, as text (a String decoded per row) and as the bytes sent, at two fetch sizes
                Map<String, Double> inputsOnly = new LinkedHashMap<>();
                for (String variant : List.of("text, fetch 1000", "bytes, fetch 1000", "bytes, fetch 100")) {
                    boolean text = variant.startsWith("text");
                    int fetch = variant.endsWith("100") ? 100 : 1000;
                    double best = 0;
                    for (int run = 0; run < runs; run++) {
                        long s = System.nanoTime();
                        long[] count = {0};
                        new TransactionTemplate(new DataSourceTransactionManager(ds)).executeWithoutResult(t -> jdbc.query(c -> {
                            var st = c.prepareStatement("SELECT d.sequence, d.allowed, i.input FROM decision d JOIN decision_input i"
                                    + " ON i.sequence = d.sequence WHERE d.policy_names @> ARRAY[?]::text[] ORDER BY d.sequence");
                            st.setFetchSize(fetch);
                            st.setString(1, policy);
                            return st;
                        }, rs -> {
                            if ((text ? rs.getString(3) : rs.getBytes(3)) != null) {
                                count[0]++;
                            }
                        }));
                        best = Math.max(best, count[0] / ((System.nanoTime() - s) / 1e9));
                    }
                    inputsOnly.put(variant, best);
                }
                double readBack = 0;
                for (int run = 0; run < runs; run++) {
                    long s = System.nanoTime();
                    long[] count = {0};
                    inputs.forPolicy(policy, Instant.EPOCH, Instant.now().plusSeconds(60), n,
                            r -> RecordedInputs.read(json.readTree(r.input()), null) != null && ++count[0] > 0);
                    readBack = Math.max(readBack, count[0] / ((System.nanoTime() - s) / 1e9));
                }

                Replays.Plan plan = new Replays.Plan(policy, rename(candidate, CANDIDATE, policy), "bench", null, Instant.EPOCH,
                        Instant.now().plusSeconds(60), n, null, false);
                double replay = 0;
                JsonNode last = null;
                for (int run = 0; run < runs + 1; run++) {
                    long[] bytes = {0};
                    long s = System.nanoTime();
                    ObjectNode summary = replays.run(plan, line -> bytes[0] += json.writeValueAsBytes(line).length + 1, () -> false);
                    double rate = n / ((System.nanoTime() - s) / 1e9);
                    if (run > 0) {
                        replay = Math.max(replay, rate);
                    }
                    last = summary.get("summary");
                }
                if (last.get("allowToDeny").asInt() != n / 2 || last.get("unchanged").asInt() != n / 2) {
                    throw new IllegalStateException("unexpected replay counts: " + last);
                }
                System.out.printf("  floor (raw evaluation, inputs in memory): %,12.0f decisions/s%n", floor);
                System.out.printf("  cursor only (the replay's query):        %,12.0f decisions/s%n", readOnly);
                inputsOnly.forEach((variant, rate) -> System.out.printf("  the inputs' rows alone (%-17s):%,12.0f decisions/s%n",
                        variant, rate));
                System.out.printf("  cursor + inputs read back (no eval):     %,12.0f decisions/s%n", readBack);
                System.out.printf("  replay (Replays.run, lines serialised):  %,12.0f decisions/s  (allowToDeny %d, unchanged %d)%n",
                        replay, last.get("allowToDeny").asInt(), last.get("unchanged").asInt());
            }
        }
    }

    private static final String TRUST_CANDIDATE = """
            policy "bench-trust" {
              rule provenance {
                require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
                  and a.predicate.runDetails.builder.id == "%s"
              }
              rule team-a {
                require context.team == "a"
              }
            }
            """.formatted(GITHUB_HOSTED);
    /** The artifact of the gh-cli fixture: a real Sigstore bundle (DSSE, SLSA v1 provenance) verified by the public-good root. */
    private static final String ATTESTED = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
    private static final Path ATTESTATION = Path.of("src/test/resources/attestations/gh-cli/reusable-workflow-attestation.sigstore.json");

    /**
     * Trust-change replay ({@code "trust": {}} and {@code "trust": {"without": ["public-good"]}}): N
     * decisions on the artifact of a real kept bundle, each recorded with that bundle in its
     * evidence list and a kept input whose context names team a or b (half each); the replay
     * verifies the kept bundle again against the trust given (once per run: the verification is
     * cached per digest and item, the trust being fixed) and builds each input again from it. Next
     * to it, the same decisions replayed from their kept inputs (no trust change).
     */
    private static void trust(DataSource ds, JdbcTemplate jdbc, JsonMapper json, DecisionInputs inputs, long offset, int n, int runs)
            throws Exception {
        String policy = "bench-trust";
        String bundle = Files.readString(ATTESTATION);
        String bundleSha = dev.tollgate.digest.Digest.sha256(bundle).hex();
        String evidence = "[{\"index\":0,\"source\":\"request\",\"verified\":true,\"bundleSha256\":\"" + bundleSha + "\"}]";
        String response = "{\"allowed\":true,\"outcome\":\"allow\",\"policies\":[{\"name\":\"" + policy + "\",\"version\":1,"
                + "\"mode\":\"enforce\",\"outcome\":\"allow\",\"rules\":[{\"name\":\"provenance\",\"outcome\":\"pass\"},"
                + "{\"name\":\"team-a\",\"outcome\":\"pass\"}]}],\"evidence\":" + evidence + "}";
        long t0 = System.nanoTime();
        jdbc.update("INSERT INTO decision (sequence, decision_id, decided_at, requester, source, dry_run, artifact_digest,"
                + " artifact_name, allowed, outcome, policy_names, impact, request, response, previous_hash, hash)"
                + " SELECT ? + i, gen_random_uuid(), now() - ((? - i) || ' milliseconds')::interval, 'bench', 'api', false,"
                + " ?, 'ghcr.io/acme/app', true, 'allow', ARRAY[?], '[]'::jsonb, jsonb_build_object('policies', jsonb_build_array(?::text)),"
                + " ?::jsonb, repeat('0', 64), repeat('0', 64) FROM generate_series(1, ?) i",
                offset, n, ATTESTED, policy, policy, response, n);
        String kept = "{\"artifact\":{\"digest\":\"" + ATTESTED + "\",\"name\":\"ghcr.io/acme/app\"},\"context\":{\"team\":\"a\"},"
                + "\"signatures\":[],\"attestations\":[],\"now\":\"" + Instant.now() + "\",\"evidenceIndexes\":{\"signatures\":[],"
                + "\"attestations\":[]}}";
        jdbc.update("INSERT INTO decision_input (sequence, input) SELECT ? + i, (CASE WHEN i % 2 = 0 THEN"
                + " jsonb_set(?::jsonb, '{context,team}', '\"b\"') ELSE ?::jsonb END)::json FROM generate_series(1, ?) i",
                offset, kept, kept, n);
        jdbc.update("INSERT INTO artifact_evidence (artifact_digest, signature_sha256, bundle_sha256, bundle, kind, facts, trust,"
                + " first_seen, first_decision) VALUES (?, ?, ?, ?, 'attestation', '{}'::jsonb, '{}'::jsonb, now(), gen_random_uuid())"
                + " ON CONFLICT DO NOTHING", ATTESTED, bundleSha, bundleSha, bundle);
        jdbc.execute("VACUUM ANALYZE decision");
        jdbc.execute("VACUUM ANALYZE decision_input");
        System.out.printf("%ntrust input: one kept bundle (%,d characters) for the decisions' artifact, %,d characters of kept"
                + " input; loaded in %.1f s%n", bundle.length(), kept.length(), (System.nanoTime() - t0) / 1e9);

        TrustStore.Snapshot held;
        try (var in = ReplayBenchmark.class.getResourceAsStream("/trust/public-good.json")) {
            byte[] root = in.readAllBytes();
            held = TrustStore.Snapshot.of(List.of(new TrustMaterial("public-good", TrustKind.ROOT, root,
                    dev.tollgate.digest.Digest.sha256(root).hex(), Instant.EPOCH, Instant.EPOCH, "bench")));
        }
        Replays replays = new Replays(inputs, null, new ReplayProperties(Duration.ofDays(30), Duration.ofDays(90), 1_000_000,
                10_000_000, Duration.ofHours(1)), new DecisionProperties(true, 4), Clock.systemUTC(), json, null,
                new dev.tollgate.audit.StoredEvidence(org.springframework.jdbc.core.simple.JdbcClient.create(ds), json),
                dev.tollgate.evidence.EvidenceVerifier.standalone(json, Clock.systemUTC()), null);
        Program candidate = new PolicyCompiler().compile(TRUST_CANDIDATE).program();
        Instant until = Instant.now().plusSeconds(60);
        Map<String, Replays.TrustChange> modes = new LinkedHashMap<>();
        modes.put("kept inputs (no trust change)", null);
        modes.put("\"trust\": {}", new Replays.TrustChange(held, List.of()));
        modes.put("\"trust\": {\"without\": [\"public-good\"]}", new Replays.TrustChange(TrustStore.Snapshot.of(List.of()),
                List.of("public-good")));
        for (var mode : modes.entrySet()) {
            Replays.Plan plan = new Replays.Plan(policy, candidate, "bench", null, Instant.EPOCH, until, n, null, false, mode.getValue());
            double best = 0;
            JsonNode last = null;
            for (int run = 0; run < runs + 1; run++) { // the first run warms up
                long[] bytes = {0};
                long s = System.nanoTime();
                ObjectNode summary = replays.run(plan, line -> bytes[0] += json.writeValueAsBytes(line).length + 1, () -> false);
                double rate = n / ((System.nanoTime() - s) / 1e9);
                if (run > 0) {
                    best = Math.max(best, rate);
                }
                last = summary.get("summary");
            }
            // kept inputs hold no attestation: the candidate denies every decision; {} verifies the bundle again (team b is
            // denied); without public-good it no longer verifies (every decision denied)
            int expected = mode.getValue() != null && mode.getValue().without().isEmpty() ? n / 2 : n;
            if (last.get("allowToDeny").asInt() != expected || last.get("replayed").asInt() != n) {
                throw new IllegalStateException("unexpected replay counts for " + mode.getKey() + ": " + last);
            }
            System.out.printf("  replay, %-45s %,12.0f decisions/s  (allowToDeny %d, unchanged %d%s)%n", mode.getKey() + ":", best,
                    last.get("allowToDeny").asInt(), last.get("unchanged").asInt(), last.has("trust")
                            ? ", evidence no longer verifying " + last.get("trust").get("evidenceNoLongerVerifying").asLong() : "");
        }
    }

    private static Program rename(Program compiled, String source, String name) {
        CompileResult result = new PolicyCompiler().compile(source.replace("policy \"bench\"", "policy \"" + name + "\""));
        return result.program();
    }

    /** N decisions of {@code policy}, each with the kept input (its digest varied), half built on a self-hosted runner. */
    private static void load(JdbcTemplate jdbc, String policy, String kept, int provenance, long offset, int n) {
        String response = "{\"allowed\":true,\"outcome\":\"allow\",\"policies\":[{\"name\":\"" + policy + "\",\"version\":1,"
                + "\"mode\":\"enforce\",\"outcome\":\"allow\",\"rules\":[{\"name\":\"signed-by-github-actions\",\"outcome\":\"pass\"}]}]}";
        jdbc.update("INSERT INTO decision (sequence, decision_id, decided_at, requester, source, dry_run, artifact_digest,"
                + " artifact_name, allowed, outcome, policy_names, impact, request, response, previous_hash, hash)"
                + " SELECT ? + i, gen_random_uuid(), now() - ((? - i) || ' milliseconds')::interval, 'bench', 'api', false,"
                + " 'sha256:' || encode(sha256(('d' || (? + i))::bytea), 'hex'), 'ghcr.io/acme/app', true, 'allow', ARRAY[?],"
                + " '[]'::jsonb, jsonb_build_object('policies', jsonb_build_array(?::text)), ?::jsonb, repeat('0', 64), repeat('0', 64)"
                + " FROM generate_series(1, ?) i", offset, n, offset, policy, policy, response, n);
        jdbc.update("INSERT INTO decision_input (sequence, input)"
                + " SELECT ? + i, (CASE WHEN i % 2 = 0 THEN jsonb_set(k, '{attestations," + provenance
                + ",predicate,runDetails,builder,id}', '\"https://ci.example/self-hosted\"') ELSE k END)::json"
                + " FROM (SELECT jsonb_set(?::jsonb, '{artifact,digest}', to_jsonb('sha256:' || encode(sha256(('d' || (? + i))::bytea),"
                + " 'hex'))) AS k, i FROM generate_series(1, ?) i) s", offset, kept, offset, n);
    }

    /** One keyless signature and SLSA v1 provenance: what an admission decision on a GitHub-built image sees. */
    static Map<String, Object> typicalInput() {
        String now = Instant.now().toString();
        Map<String, Object> signer = Map.of("kind", "keyless", "issuer", "https://token.actions.githubusercontent.com",
                "trustRoot", "public-good", "subject", "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3",
                "integratedTime", now, "cert", Map.of("sourceRepositoryUri", "https://github.com/acme/app",
                        "sourceRepositoryRef", "refs/tags/v1.2.3", "buildTrigger", "push"));
        List<Object> subjects = List.of(Map.of("name", "ghcr.io/acme/app", "digest", "sha256:" + "a".repeat(64)));
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("artifact", Map.of("digest", "sha256:" + "a".repeat(64), "name", "ghcr.io/acme/app", "tag", "v1.2.3"));
        input.put("context", Map.of("namespace", "payments", "cluster", "prod-eu"));
        input.put("signatures", List.of(signer));
        input.put("attestations", List.of(Map.of("predicateType", "https://slsa.dev/provenance/v1", "signer", signer,
                "subjects", subjects, "predicate", Map.of("buildDefinition", Map.of("buildType",
                        "https://actions.github.io/buildtypes/workflow/v1", "externalParameters", Map.of("workflow", Map.of(
                                "ref", "refs/heads/main", "repository", "https://github.com/acme/app",
                                "path", ".github/workflows/release.yml"))),
                        "runDetails", Map.of("builder", Map.of("id", GITHUB_HOSTED))))));
        input.put("now", now);
        return input;
    }
}
