package dev.tollgate.sbom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The incident query against a generated index (bench/sbom-index.sh): N SBOMs of M components
 * each (npm packages from a pool of 20,000, log4j-core in every 50th SBOM at versions 2.0.0 to
 * 2.20.2; GPL-3.0 in every tenth package, AGPL-3.0 in one; one decision per artifact), written straight into PostgreSQL with generate_series
 * after the Flyway migrations, then timed through {@link ComponentIndex} as the endpoint calls it.
 * Prints the PostgreSQL settings, load times and p50/p99 per query. Not a test.
 */
public final class SbomIndexBenchmark {

    public static void main(String[] args) throws Exception {
        int sboms = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int components = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        // SBOM_BENCH_DIR keeps the database between runs (a second run with the same sizes only queries)
        String keep = System.getenv("SBOM_BENCH_DIR");
        Path dir = keep != null ? Files.createDirectories(Path.of(keep)) : Files.createTempDirectory("tollgate-bench-pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(keep == null)
                .setServerConfig("shared_buffers", "512MB").setServerConfig("work_mem", "16MB")
                .setServerConfig("maintenance_work_mem", "1GB").setServerConfig("max_wal_size", "4GB")
                .setServerConfig("wal_level", "minimal").setServerConfig("max_wal_senders", "0").start()) {
            DataSource ds = pg.getPostgresDatabase();
            Flyway.configure().dataSource(ds).locations("filesystem:db/migration").load().migrate();
            JdbcTemplate jdbc = new JdbcTemplate(ds);
            System.out.printf("PostgreSQL %s (zonky embedded), shared_buffers=%s work_mem=%s, fsync=%s, wal_level=%s; %d SBOMs x %d components%n",
                    jdbc.queryForObject("SHOW server_version", String.class), jdbc.queryForObject("SHOW shared_buffers", String.class),
                    jdbc.queryForObject("SHOW work_mem", String.class), jdbc.queryForObject("SHOW fsync", String.class),
                    jdbc.queryForObject("SHOW wal_level", String.class), sboms, components);
            long present = jdbc.queryForObject("SELECT count(*) FROM sbom_document", Long.class);
            if (present != sboms) {
                load(ds, jdbc, sboms, components);
            }
            // one kept connection, as the server's pool gives one (a new connection per query costs more than the query)
            try (var con = ds.getConnection()) {
                queries(new JdbcTemplate(new SingleConnectionDataSource(con, true)), runs);
            }
        }
    }

    /**
     * Fills the index in one transaction that first truncates its tables, so that with
     * wal_level=minimal PostgreSQL writes the new files without WAL (and syncs them at commit);
     * the indexes are built after the rows.
     */
    private static void load(DataSource ds, JdbcTemplate outside, int sboms, int components) throws Exception {
        try (var con = ds.getConnection()) {
            con.setAutoCommit(false);
            JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(con, true));
            jdbc.execute("TRUNCATE sbom_component, sbom_license, sbom_document RESTART IDENTITY");
            List<String> indexes = Files.readAllLines(Path.of("db/migration/V17__sbom_index.sql")).stream()
                    .filter(l -> l.startsWith("CREATE INDEX sbom_component"))
                    .filter(l -> outside.queryForObject("SELECT count(*) FROM pg_indexes WHERE indexname = ?", Long.class,
                            l.split(" ")[2]) == 1)
                    .toList();
            for (String index : indexes) {
                jdbc.execute("DROP INDEX IF EXISTS " + index.split(" ")[2]);
            }
            long t0 = System.nanoTime();
            jdbc.update("INSERT INTO sbom_document (artifact_digest, statement_sha256, signature_sha256, predicate_type, format,"
                    + " spec_version, components, first_seen, first_decision, indexed_at)"
                    + " SELECT 'sha256:' || encode(sha256(('a' || i)::bytea), 'hex'), encode(sha256(('s' || i)::bytea), 'hex'), 's' || i,"
                    + " 'https://cyclonedx.org/bom', 'cyclonedx', '1.5', ?, now(), gen_random_uuid(), now() FROM generate_series(1, ?) i",
                    components, sboms);
            // an SBOM's components lie together, as the indexer writes them (one batch per SBOM): OFFSET 0 keeps the
            // planner from turning the lateral subquery into a join that writes the series' first member of every SBOM first
            jdbc.update("INSERT INTO sbom_component (document_id, artifact_digest, ecosystem, purl, purl_base, name, version, licenses,"
                    + " license_keys, hashes) SELECT d.id, d.artifact_digest, 'npm', 'pkg:npm/pkg-' || k || '@1.' || (k % 7) || '.' || (d.id % 13),"
                    + " 'pkg:npm/pkg-' || k, 'pkg-' || k, '1.' || (k % 7) || '.' || (d.id % 13),"
                    + " CASE WHEN k = 7 THEN ARRAY['AGPL-3.0-only'] WHEN k % 10 = 0 THEN ARRAY['GPL-3.0-only'] ELSE ARRAY['MIT'] END,"
                    + " CASE WHEN k = 7 THEN ARRAY['agpl-3.0-only'] WHEN k % 10 = 0 THEN ARRAY['gpl-3.0-only'] ELSE ARRAY['mit'] END,"
                    + " '{}'::jsonb"
                    + " FROM sbom_document d, LATERAL (SELECT ((d.id * 7919 + j * 104729) % 20000) AS k FROM generate_series(1, ? - 1) j OFFSET 0) s",
                    components);
            jdbc.update("INSERT INTO sbom_component (document_id, artifact_digest, ecosystem, purl, purl_base, name, version, licenses,"
                    + " license_keys, hashes) SELECT d.id, d.artifact_digest, 'maven',"
                    + " 'pkg:maven/org.apache.logging.log4j/log4j-core@2.' || (d.id % 21) || '.' || (d.id % 3),"
                    + " 'pkg:maven/org.apache.logging.log4j/log4j-core', 'log4j-core', '2.' || (d.id % 21) || '.' || (d.id % 3),"
                    + " ARRAY['Apache-2.0'], ARRAY['apache-2.0'], '{}'::jsonb FROM sbom_document d WHERE d.id % 50 = 0");
            jdbc.update("INSERT INTO decision (sequence, decision_id, decided_at, requester, source, dry_run, artifact_digest, artifact_name,"
                    + " allowed, outcome, policy_names, impact, request, response, previous_hash, hash)"
                    + " SELECT d.id, gen_random_uuid(), now() - (d.id || ' seconds')::interval, 'bench', 'admission', false, d.artifact_digest,"
                    + " 'registry.example/app-' || (d.id % 1000), true, 'allow', ARRAY['p'], '[]'::jsonb,"
                    + " jsonb_build_object('context', jsonb_build_object('namespace', 'ns-' || (d.id % 40), 'cluster', 'prod-eu')),"
                    + " '{}'::jsonb, repeat('0', 64), repeat('0', 64) FROM sbom_document d"
                    + " WHERE NOT EXISTS (SELECT 1 FROM decision x WHERE x.sequence = d.id)");
            jdbc.execute("SET work_mem = '1GB'");
            jdbc.update("INSERT INTO sbom_license (license_key, artifact_digest)"
                    + " SELECT DISTINCT k, c.artifact_digest FROM sbom_component c, unnest(c.license_keys) k");
            long t1 = System.nanoTime();
            for (String index : indexes) {
                jdbc.execute(index);
            }
            con.commit();
            outside.execute("VACUUM ANALYZE sbom_component");
            outside.execute("VACUUM ANALYZE sbom_document");
            outside.execute("VACUUM ANALYZE decision");
            long t2 = System.nanoTime();
            System.out.printf("loaded %,d component rows in %.0f s, indexed in %.0f s; sbom_component %s%n",
                    jdbc.queryForObject("SELECT count(*) FROM sbom_component", Long.class), (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    jdbc.queryForObject("SELECT pg_size_pretty(pg_total_relation_size('sbom_component'))", String.class));
        }
    }

    private static void queries(JdbcTemplate jdbc, int runs) {
        ComponentIndex index = new ComponentIndex(jdbc, JsonMapper.builder().build());
        String log4j = "pkg:maven/org.apache.logging.log4j/log4j-core";
        time("purl + range vers:maven/<2.17.1, first page of 50", runs,
                () -> index.find(new ComponentIndex.Query(log4j, null, null, null, "vers:maven/<2.17.1"), null, 50));
        time("purl + range, page of 500", runs,
                () -> index.find(new ComponentIndex.Query(log4j, null, null, null, "vers:maven/>=2.0|<2.17.1"), null, 500));
        time("purl only (all versions), page of 50", runs,
                () -> index.find(new ComponentIndex.Query(log4j, null, null, null, null), null, 50));
        time("name=pkg-4242, page of 50", runs, () -> index.find(new ComponentIndex.Query(null, null, "pkg-4242", null, null), null, 50));
        time("license=gpl-3.0-only, page of 50", runs,
                () -> index.find(new ComponentIndex.Query(null, null, null, "gpl-3.0-only", null), null, 50));
        time("license=agpl-3.0-only (one package of the pool), page of 50", runs,
                () -> index.find(new ComponentIndex.Query(null, null, null, "agpl-3.0-only", null), null, 50));
        ComponentIndex.Page all = index.find(new ComponentIndex.Query(log4j, null, null, null, "vers:maven/<2.17.1"), null, 500);
        System.out.printf("(log4j-core below 2.17.1: %d artifacts on the first page of 500)%n", all.items().size());
    }

    private static void time(String what, int runs, Runnable query) {
        for (int i = 0; i < Math.min(20, runs); i++) {
            query.run(); // warm-up
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            query.run();
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        System.out.printf("%-55s p50 %7.1f ms  p99 %7.1f ms  (n=%d)%n", what, nanos[runs / 2] / 1e6,
                nanos[Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1)] / 1e6, runs);
    }

    private SbomIndexBenchmark() {
    }

}
