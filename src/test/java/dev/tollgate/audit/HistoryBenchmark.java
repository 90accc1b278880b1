package dev.tollgate.audit;

import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * History pages over a large log (bench/scale-generate.sh, issue 17): runs {@link DecisionHistory#list}
 * — the code {@code GET /v1/decisions} runs, its SQL included — for each filter with values sampled
 * from the stored records, and prints p50/p99/max per filter and the plan of one page of each
 * ({@code EXPLAIN (ANALYZE, BUFFERS)} of the very statement the history ran). Not a test.
 * <pre>
 *   HistoryBenchmark jdbc:postgresql://127.0.0.1:5432/tollgate user password [pages per filter]
 * </pre>
 */
public final class HistoryBenchmark {

    private HistoryBenchmark() {
    }

    /** A JdbcTemplate that remembers the last query it ran, to explain it. */
    private static final class Recording extends JdbcTemplate {
        String sql;
        Object[] args;

        Recording(javax.sql.DataSource ds) {
            super(ds);
        }

        @Override
        public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
            this.sql = sql;
            this.args = args;
            return super.query(sql, mapper, args);
        }
    }

    public static void main(String[] args) throws Exception {
        // one connection for the whole run, as a pool gives the server (a new connection per page
        // would add its set-up to every figure)
        org.springframework.jdbc.datasource.SingleConnectionDataSource ds =
                new org.springframework.jdbc.datasource.SingleConnectionDataSource(args[0], args[1], args[2], true);
        int pages = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        Recording jdbc = new Recording(ds);
        DecisionHistory history = new DecisionHistory(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                JsonMapper.builder().build(), null, "bench.invalid/decisions", 1);
        JdbcTemplate plain = new JdbcTemplate(ds);
        long total = plain.queryForObject("SELECT count(*) FROM decision", Long.class);
        Instant first = plain.queryForObject("SELECT min(decided_at) FROM decision", java.sql.Timestamp.class).toInstant();
        Instant last = plain.queryForObject("SELECT max(decided_at) FROM decision", java.sql.Timestamp.class).toInstant();
        System.out.printf("decisions: %,d from %s to %s%n", total, first, last);
        Map<String, List<String>> samples = new LinkedHashMap<>();
        samples.put("digest", sample(plain, "artifact_digest"));
        samples.put("name", sample(plain, "artifact_name"));
        samples.put("policy", sample(plain, "policy_names[1]"));
        samples.put("signerSubject", sample(plain, "impact -> 0 ->> 'subject'"));
        samples.put("key", sample(plain, "impact -> 0 ->> 'key'"));
        samples.put("builderId", sample(plain, "impact -> 1 ->> 'builderId'"));
        samples.put("sourceRepository", sample(plain, "impact -> 1 ->> 'sourceRepository'"));
        Random random = new Random(7);
        Map<String, Function<String, DecisionHistory.Filter>> filters = new LinkedHashMap<>();
        filters.put("digest", v -> new DecisionHistory.Filter(v, null, null, null, null, null, null, null, null, null, null));
        filters.put("name", v -> new DecisionHistory.Filter(null, v, null, null, null, null, null, null, null, null, null));
        filters.put("policy", v -> new DecisionHistory.Filter(null, null, v, null, null, null, null, null, null, null, null));
        filters.put("outcome+window", v -> {
            long span = Duration.between(first, last).toMillis();
            Instant since = first.plusMillis((long) (random.nextDouble() * Math.max(1, span - 86_400_000L)));
            return new DecisionHistory.Filter(null, null, null, "deny", since, since.plus(Duration.ofDays(1)), null, null, null, null, null);
        });
        filters.put("signerSubject", v -> new DecisionHistory.Filter(null, null, null, null, null, null, v, null, null, null, null));
        filters.put("key", v -> new DecisionHistory.Filter(null, null, null, null, null, null, null, null, v, null, null));
        filters.put("builderId", v -> new DecisionHistory.Filter(null, null, null, null, null, null, null, null, null, v, null));
        filters.put("sourceRepository", v -> new DecisionHistory.Filter(null, null, null, null, null, null, null, null, null, null, v));
        StringBuilder plans = new StringBuilder();
        System.out.println("| filter | pages | p50 | p99 | max |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, Function<String, DecisionHistory.Filter>> e : filters.entrySet()) {
            List<String> values = samples.getOrDefault(e.getKey(), List.of("-"));
            for (int w = 0; w < 20; w++) { // warm the cache a little, as a running server would be
                history.list(e.getValue().apply(values.get(random.nextInt(values.size()))), null, 50);
            }
            long[] nanos = new long[pages];
            for (int i = 0; i < pages; i++) {
                DecisionHistory.Filter f = e.getValue().apply(values.get(random.nextInt(values.size())));
                long t = System.nanoTime();
                history.list(f, null, 50);
                nanos[i] = System.nanoTime() - t;
            }
            Arrays.sort(nanos);
            System.out.printf("| %s | %d | %.1f ms | %.1f ms | %.1f ms |%n", e.getKey(), pages, nanos[pages / 2] / 1e6,
                    nanos[(int) Math.min(pages - 1, Math.ceil(pages * 0.99) - 1)] / 1e6, nanos[pages - 1] / 1e6);
            history.list(e.getValue().apply(values.get(random.nextInt(values.size()))), null, 50);
            List<String> plan = new TransactionTemplate(new DataSourceTransactionManager(ds)).execute(status -> {
                plain.execute("SET LOCAL max_parallel_workers_per_gather = 0"); // as the history runs it
                return plain.query("EXPLAIN (ANALYZE, BUFFERS) " + jdbc.sql, (ResultSet rs, int n) -> rs.getString(1), jdbc.args);
            });
            plans.append("\n").append(e.getKey()).append(":\n");
            plan.forEach(line -> plans.append("    ").append(line).append('\n'));
        }
        System.out.println(plans);
    }

    private static List<String> sample(JdbcTemplate jdbc, String expression) {
        List<String> values = new ArrayList<>(jdbc.queryForList("SELECT " + expression + " FROM decision TABLESAMPLE SYSTEM (1)"
                + " WHERE " + expression + " IS NOT NULL LIMIT 500", String.class));
        return values.isEmpty() ? List.of("none") : values;
    }
}
