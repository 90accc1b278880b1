package dev.tollgate.ledger;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import dev.tollgate.audit.RecordText;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The scale data set (bench/scale-generate.sh, issue 17): appends N realistic, log-valid decision
 * records to a Tollgate database — varied digests, names, policies, outcomes, requesters, signers,
 * keys, builders and source repositories over the last 90 days — numbered, chained and hashed by the
 * audit path's own canonical text ({@link RecordText}, the code {@code GET /v1/audit/verify} and the
 * ledger check with), and added to the ledger's Merkle tree ({@link Merkle.Frontier}, the ledger's own
 * code), so that a server started on the database afterwards verifies the chain, extends the tree and
 * signs the next checkpoint as if the records had been decided live.
 * <p>
 * One thread makes the records (canonical text, chain hash, leaf, the subtrees completed), another
 * writes them with {@code COPY} in transactions of {@code --batch} records, each taking the chain's and
 * the ledger's advisory locks and updating {@code ledger_state} with the records, as the writer and the
 * ledger do. It continues an existing log (its tree must be up to date). No checkpoint is signed: the
 * signing key belongs to the server. Not a test; prints records/s and the table sizes.
 * <pre>
 *   ScaleGenerator jdbc:postgresql://127.0.0.1:5432/tollgate user password 1000000 [batch]
 * </pre>
 */
public final class ScaleGenerator {

    private static final long CHAIN_LOCK = 7316504276L;
    private static final long LEDGER_LOCK = 7316504277L;
    private static final Duration SPAN = Duration.ofDays(90);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[] OUTCOMES = {"allow", "deny", "warn", "exempt"};
    private static final String ISSUER = "https://token.actions.githubusercontent.com";

    private ScaleGenerator() {
    }

    /** One batch as COPY text, with the tree after it. */
    private record Chunk(String decisions, String nodes, long size, byte[] root, String head, int records) {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("check")) {
            check(args[1], args[2], args[3]);
            return;
        }
        String url = args[0];
        String user = args[1];
        String password = args[2];
        long n = Long.parseLong(args[3]);
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 20_000;
        // the schema as the server makes it (its own migrations), if the database is new
        org.flywaydb.core.Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            long[] start = state(c);
            long size = start[0];
            String head = head(c, size);
            Merkle.Frontier tree = load(c, size);
            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(4);
            Chunk end = new Chunk(null, null, 0, null, null, 0);
            Throwable[] failed = {null};
            Thread maker = new Thread(() -> {
                try {
                    make(size, n, batch, head, tree, queue);
                } catch (Throwable t) {
                    failed[0] = t;
                } finally {
                    try {
                        queue.put(end);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, "scale-maker");
            long t0 = System.nanoTime();
            maker.start();
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            c.setAutoCommit(false);
            long written = 0;
            long lastReport = t0;
            long waited = 0;
            while (true) {
                long w = System.nanoTime();
                Chunk chunk = queue.take();
                waited += System.nanoTime() - w;
                if (chunk == end) {
                    break;
                }
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + CHAIN_LOCK + "), pg_advisory_xact_lock(" + LEDGER_LOCK + ")");
                }
                copy.copyIn("COPY decision (sequence, decision_id, decided_at, requester, source, dry_run, artifact_digest,"
                        + " artifact_name, artifact_tag, allowed, outcome, policy_names, impact, request, response, previous_hash, hash)"
                        + " FROM STDIN", new StringReader(chunk.decisions()));
                copy.copyIn("COPY ledger_node (level, idx, hash) FROM STDIN", new StringReader(chunk.nodes()));
                try (PreparedStatement u = c.prepareStatement("UPDATE ledger_state SET size = ?, root = ?, chain_head = ?")) {
                    u.setLong(1, chunk.size());
                    u.setBytes(2, chunk.root());
                    u.setString(3, chunk.head());
                    u.executeUpdate();
                }
                c.commit();
                written += chunk.records();
                long now = System.nanoTime();
                if (now - lastReport > 5_000_000_000L) {
                    System.out.printf("%,d records, %,.0f records/s%n", written, written / ((now - t0) / 1e9));
                    lastReport = now;
                }
            }
            maker.join();
            if (failed[0] != null) {
                throw new IllegalStateException("making records failed", failed[0]);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("generated %,d records in %.1f s: %,.0f records/s (log now %,d records); the writer waited %.1f s"
                    + " for records to be made, wrote for %.1f s%n", written, seconds, written / seconds, size + written, waited / 1e9,
                    seconds - waited / 1e9);
            c.setAutoCommit(true);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('decision'), pg_relation_size('decision'),"
                            + " pg_indexes_size('decision'), pg_total_relation_size('ledger_node'), (SELECT count(*) FROM decision)")) {
                rs.next();
                double millions = rs.getLong(5) / 1e6;
                System.out.printf("decision: %,d MB in all (table %,d MB, indexes %,d MB), ledger_node %,d MB;"
                        + " per million records: %,.0f MB decision + %,.0f MB ledger%n",
                        rs.getLong(1) >> 20, rs.getLong(2) >> 20, rs.getLong(3) >> 20, rs.getLong(4) >> 20,
                        (rs.getLong(1) >> 20) / millions, (rs.getLong(4) >> 20) / millions);
            }
        }
    }

    /**
     * Reads the whole log in order and checks every record as the ledger does before adding it
     * (sequence, previous hash, chain hash from the stored columns) and that its stored leaf is the
     * leaf of its canonical text, then that the stored root is the tree's: the generated records are
     * what the server would have written.
     */
    static void check(String url, String user, String password) throws Exception {
        tools.jackson.databind.ObjectMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.setAutoCommit(false);
            Merkle.Frontier tree = new Merkle.Frontier();
            String previous = "0".repeat(64);
            long t0 = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.setFetchSize(2000);
                try (ResultSet rs = s.executeQuery("SELECT d.*, n.hash AS leaf FROM decision d"
                        + " LEFT JOIN ledger_node n ON n.level = 0 AND n.idx = d.sequence - 1 ORDER BY d.sequence")) {
                    while (rs.next()) {
                        String text = RecordText.canonical(RecordText.hashedColumns(rs, json));
                        long sequence = rs.getLong("sequence");
                        if (sequence != tree.size() + 1 || !rs.getString("previous_hash").equals(previous)
                                || !RecordText.chainHash(previous, text).equals(rs.getString("hash"))) {
                            throw new IllegalStateException("the record at sequence " + sequence + " does not continue the chain");
                        }
                        byte[] leaf = Merkle.leafHash(text);
                        if (!java.util.Arrays.equals(leaf, rs.getBytes("leaf"))) {
                            throw new IllegalStateException("the stored leaf of sequence " + sequence + " is not its text's");
                        }
                        tree.append(leaf);
                        previous = rs.getString("hash");
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT size, root, chain_head FROM ledger_state")) {
                    rs.next();
                    if (rs.getLong(1) != tree.size() || !java.util.Arrays.equals(rs.getBytes(2), tree.root())
                            || !rs.getString(3).equals(previous)) {
                        throw new IllegalStateException("ledger_state is not the tree of the log");
                    }
                }
            }
            System.out.printf("checked %,d records in %.1f s: chain, leaves and root hold%n", tree.size(), (System.nanoTime() - t0) / 1e9);
        }
    }

    private static long[] state(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT size, (SELECT coalesce(max(sequence), 0) FROM decision) FROM ledger_state")) {
            rs.next();
            if (rs.getLong(1) != rs.getLong(2)) {
                throw new IllegalStateException("the ledger's tree (size " + rs.getLong(1) + ") is behind the log (" + rs.getLong(2)
                        + " records): let the server catch up first");
            }
            return new long[] {rs.getLong(1)};
        }
    }

    private static String head(Connection c, long size) throws Exception {
        if (size == 0) {
            return "0".repeat(64);
        }
        try (PreparedStatement q = c.prepareStatement("SELECT hash FROM decision WHERE sequence = ?")) {
            q.setLong(1, size);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static Merkle.Frontier load(Connection c, long size) throws Exception {
        List<byte[]> hashes = new ArrayList<>();
        for (Merkle.Node tile : Merkle.tiles(0, size)) {
            try (PreparedStatement q = c.prepareStatement("SELECT hash FROM ledger_node WHERE level = ? AND idx = ?")) {
                q.setInt(1, tile.level());
                q.setLong(2, tile.index());
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("the stored tree lacks " + tile);
                    }
                    hashes.add(rs.getBytes(1));
                }
            }
        }
        return size == 0 ? new Merkle.Frontier() : new Merkle.Frontier(size, hashes);
    }

    private static void make(long from, long n, int batch, String head, Merkle.Frontier tree, BlockingQueue<Chunk> queue)
            throws InterruptedException {
        SplittableRandom random = new SplittableRandom(from + 17);
        Instant first = Instant.now().minus(SPAN);
        long step = Math.max(1, SPAN.toMillis() / Math.max(1, n));
        String previous = head;
        StringBuilder decisions = new StringBuilder(batch * 2600);
        StringBuilder nodes = new StringBuilder(batch * 2 * 80);
        int inChunk = 0;
        HexFormat hex = HexFormat.of();
        for (long i = 1; i <= n; i++) {
            long sequence = from + i;
            Instant decidedAt = Instant.ofEpochMilli(first.toEpochMilli() + (i - 1) * step + random.nextInt((int) Math.min(step, 1000)));
            Generated g = record(sequence, decidedAt, previous, random);
            String text = RecordText.canonical(g.hashed());
            String hash = RecordText.chainHash(previous, text);
            for (Merkle.Stored s : tree.append(Merkle.leafHash(text))) {
                nodes.append(s.node().level()).append('\t').append(s.node().index()).append("\t\\\\x").append(hex.formatHex(s.hash()))
                        .append('\n');
            }
            ObjectNode h = g.hashed();
            decisions.append(sequence).append('\t').append(h.get("decisionId").asString()).append('\t')
                    .append(h.get("decidedAt").asString()).append('\t').append(h.get("requester").asString()).append('\t')
                    .append(h.get("source").asString()).append('\t').append(h.get("dryRun").asBoolean()).append('\t')
                    .append(h.get("artifactDigest").asString()).append('\t').append(h.get("artifactName").asString()).append('\t');
            if (h.get("artifactTag").isNull()) {
                decisions.append("\\N");
            } else {
                decisions.append(h.get("artifactTag").asString());
            }
            decisions.append('\t').append(h.get("allowed").asBoolean()).append('\t').append(h.get("outcome").asString()).append("\t{");
            ArrayNode names = (ArrayNode) h.get("policyNames");
            for (int k = 0; k < names.size(); k++) {
                decisions.append(k == 0 ? "" : ",").append(names.get(k).asString());
            }
            decisions.append("}\t");
            copyText(RecordText.canonical(h.get("impact")), decisions);
            decisions.append('\t');
            copyText(RecordText.canonical(h.get("request")), decisions);
            decisions.append('\t');
            copyText(RecordText.canonical(h.get("response")), decisions);
            decisions.append('\t').append(previous).append('\t').append(hash).append('\n');
            previous = hash;
            if (++inChunk == batch || i == n) {
                queue.put(new Chunk(decisions.toString(), nodes.toString(), tree.size(), tree.root(), previous, inChunk));
                decisions.setLength(0);
                nodes.setLength(0);
                inChunk = 0;
            }
        }
    }

    /** COPY's text format: a backslash doubled (canonical JSON holds no raw tab, newline or carriage return). */
    private static void copyText(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\\') {
                out.append("\\\\");
            } else {
                out.append(ch);
            }
        }
    }

    private record Generated(ObjectNode hashed) {
    }

    /** One record as the decision service writes it (shape of a real answer; see docs/audit.md, "What is recorded"). */
    private static Generated record(long sequence, Instant decidedAt, String previous, SplittableRandom r) {
        UUID id = new UUID((decidedAt.toEpochMilli() << 16) | 0x7000L | (r.nextLong() & 0xfff), 0x8000000000000000L
                | (r.nextLong() & 0x3fffffffffffffffL));
        int build = skewed(r, 200_000);
        int image = build % 2_000;
        String digest = "sha256:" + sha256("digest-" + build);
        String name = "registry.example.com/team-" + (image % 60) + "/service-" + image;
        String tag = r.nextInt(10) < 7 ? "v" + (build % 40) + "." + (build % 17) + "." + (build % 7) : null;
        int o = r.nextInt(100);
        String outcome = o < 85 ? "allow" : o < 95 ? "deny" : o < 99 ? "warn" : "exempt";
        boolean allowed = !outcome.equals("deny");
        boolean admission = r.nextInt(3) > 0;
        String repo = "https://github.com/acme/service-" + (image % 500);
        String subject = repo + "/.github/workflows/release.yml@refs/tags/v" + (build % 40);
        String builder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_"
                + (r.nextBoolean() ? "container" : "generic") + "_slsa3.yml@refs/tags/v2." + (image % 10) + ".0";
        boolean keyed = r.nextInt(10) == 0;
        String key = "release-key-" + (image % 20);
        List<String> policies = new ArrayList<>();
        if (!outcome.equals("exempt")) {
            policies.add("prod-images");
            if (r.nextInt(2) == 0) {
                policies.add("slsa-level-" + (1 + image % 3));
            }
            if (r.nextInt(4) == 0) {
                policies.add("team-" + (image % 40) + "-rules");
            }
        }

        ObjectNode c = F.objectNode();
        c.put("allowed", allowed);
        c.put("artifactDigest", digest);
        c.put("artifactName", name);
        if (tag == null) {
            c.putNull("artifactTag");
        } else {
            c.put("artifactTag", tag);
        }
        c.put("decidedAt", decidedAt.toString());
        c.put("decisionId", id.toString());
        c.put("dryRun", r.nextInt(50) == 0);
        ArrayNode impact = c.putArray("impact");
        if (!outcome.equals("exempt")) {
            ObjectNode signer = impact.addObject();
            if (keyed) {
                signer.put("key", key);
            } else {
                signer.put("issuer", ISSUER).put("subject", subject);
            }
            impact.addObject().put("builderId", builder).put("issuer", ISSUER).put("sourceRepository", repo).put("subject", subject);
        }
        c.put("outcome", outcome);
        ArrayNode names = c.putArray("policyNames");
        policies.forEach(names::add);
        c.put("previousHash", previous);
        ObjectNode request = c.putObject("request");
        request.putObject("context").put("cluster", "eu-" + (image % 4)).put("namespace", "team-" + (image % 60));
        ArrayNode evidence = request.putArray("evidence");
        for (int e = 0; e < impact.size(); e++) {
            evidence.addObject().put("bundleSha256", sha256("bundle-" + build + "-" + e)).put("payloadSha256", sha256("payload-" + build + "-" + e))
                    .put("verified", true);
        }
        ArrayNode named = request.putArray("policies");
        policies.forEach(named::add);
        c.put("requester", admission ? "admission" : "ci-deployer-" + (image % 30));
        ObjectNode response = c.putObject("response");
        response.put("allowed", allowed);
        response.put("decisionId", id.toString());
        response.put("outcome", outcome);
        response.put("reason", switch (outcome) {
            case "allow" -> "every enforced policy allowed";
            case "deny" -> "prod-images: rule signed-by-release failed: no signature from the release workflow";
            case "warn" -> "slsa-level-2 (warn): rule provenance failed";
            default -> "namespace 'kube-system' is exempt by configuration";
        });
        ArrayNode considered = response.putArray("policies");
        for (String policy : policies) {
            ObjectNode p = considered.addObject().put("mode", policy.startsWith("slsa") ? "warn" : "enforce").put("name", policy)
                    .put("outcome", outcome.equals("deny") && policy.equals("prod-images") ? "deny" : "allow")
                    .put("sha256", sha256(policy)).put("version", 1 + (policy.length() % 5));
            ArrayNode rules = p.putArray("rules");
            for (int k = 0; k < 3; k++) {
                boolean fail = outcome.equals("deny") && k == 0 && policy.equals("prod-images");
                ObjectNode rule = rules.addObject().put("effective", true).put("name", "rule-" + k).put("outcome", fail ? "fail" : "pass");
                rule.putArray("evidence").add(0);
                if (fail) {
                    rule.put("message", "no signature from the release workflow").put("reason", "no signature matched");
                }
            }
        }
        ArrayNode items = response.putArray("evidence");
        for (int e = 0; e < impact.size(); e++) {
            ObjectNode item = items.addObject().put("kind", e == 0 ? "signature" : "attestation").put("verified", true);
            ObjectNode identity = item.putObject("identity");
            if (keyed && e == 0) {
                identity.put("key", key);
            } else {
                identity.put("issuer", ISSUER).put("subject", subject);
            }
            item.putArray("trustRoots").add("public-good");
            if (e == 1) {
                item.put("builderId", builder).put("predicateType", "https://slsa.dev/provenance/v1").put("sourceRepository", repo);
            }
        }
        response.put("sequence", sequence);
        response.putArray("warnings");
        c.put("sequence", sequence);
        c.put("source", admission ? "admission" : "api");
        return new Generated(c);
    }

    /** A value in [0, n), the small ones far more often (a few busy images, a long tail). */
    private static int skewed(SplittableRandom r, int n) {
        double u = r.nextDouble();
        return (int) Math.min(n - 1, Math.floor(n * u * u * u));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
