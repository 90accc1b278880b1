package dev.tollgate.sbom;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.versions.EcosystemVersion;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.ObjectMapper;

/** The incident query over the SBOM index: which artifacts contain a component, and where they were let in. */
@Repository
class ComponentIndex {

    /** What to look for: a purl's package (and version, if given), a name, a license, a vers range; at least one of the first three. */
    record Query(String purlBase, String purlVersion, String name, String licenseKey, String range) {
    }

    record Match(String purl, String ecosystem, String name, String version, List<String> licenses, Map<String, String> hashes,
            String format, String predicateType, String statementSha256, Instant firstSeen) {
    }

    /** Decisions on the artifact in one context (environment, namespace, cluster; null where the context did not name it). */
    record Where(String environment, String namespace, String cluster, long decisions, long allowed, Instant lastAllowed,
            Instant lastDecision, String lastOutcome, LastAllowed last) {
    }

    /** The last allowed decision in a context: its id, the artifact's name and tag as written, and its whole context. */
    record LastAllowed(String decisionId, String name, String tag, Map<String, String> context) {
    }

    record Artifact(String digest, List<String> names, List<Match> components, List<Where> decisions, Instant lastAllowed) {
    }

    record Page(List<Artifact> items, String nextCursor) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    ComponentIndex(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Up to {@code limit} artifacts after {@code after} (a digest), in digest order: candidates by
     * the index (purl package, name or license), then their matching components, filtered by the
     * range here (versions are ordered by their ecosystem's rules, which SQL does not know).
     */
    Page find(Query q, String after, int limit) {
        Map<String, List<Match>> found = new LinkedHashMap<>();
        String cursor = after == null ? "" : after;
        int batch = Math.min(1000, Math.max(limit, 50));
        while (found.size() < limit) {
            Filter f = filter(q);
            List<Object> args = new ArrayList<>(f.args());
            args.add(cursor);
            // by license alone, candidates page along sbom_license; otherwise along the purl or name index
            boolean byLicense = q.purlBase() == null && q.name() == null;
            List<String> candidates = byLicense
                    ? jdbc.queryForList("SELECT artifact_digest FROM sbom_license WHERE license_key = ? AND artifact_digest > ?"
                            + " ORDER BY 1 LIMIT " + batch, String.class, q.licenseKey(), cursor)
                    : jdbc.queryForList("SELECT DISTINCT c.artifact_digest FROM sbom_component c WHERE " + f.sql()
                            + " AND c.artifact_digest > ? ORDER BY 1 LIMIT " + batch, String.class, args.toArray());
            if (candidates.isEmpty()) {
                break;
            }
            Map<String, List<Match>> rows = new LinkedHashMap<>();
            jdbc.query(con -> {
                var ps = con.prepareStatement("SELECT c.artifact_digest, c.purl, c.ecosystem, c.name, c.version, c.licenses,"
                        + " c.hashes::text, d.format, d.predicate_type, d.statement_sha256, d.first_seen"
                        + " FROM sbom_component c JOIN sbom_document d ON d.id = c.document_id WHERE " + f.sql()
                        + (byLicense ? " AND d.artifact_digest = ANY (?)" : " AND c.artifact_digest = ANY (?)")
                        + " ORDER BY c.artifact_digest, d.id, c.purl, c.name");
                int i = 1;
                for (Object a : f.args()) {
                    ps.setString(i++, (String) a);
                }
                ps.setArray(i, con.createArrayOf("text", candidates.toArray()));
                return ps;
            }, rs -> {
                Match m = row(rs);
                if (q.range() == null || Boolean.TRUE.equals(EcosystemVersion.inRange(m.version(), q.range()))) {
                    rows.computeIfAbsent(rs.getString(1), d -> new ArrayList<>()).add(m);
                }
            });
            for (String digest : candidates) {
                cursor = digest;
                List<Match> matches = rows.get(digest);
                if (matches != null) {
                    found.put(digest, matches);
                    if (found.size() == limit) {
                        break;
                    }
                }
            }
            if (candidates.size() < batch && found.size() < limit) {
                cursor = null;
                break;
            }
        }
        String next = found.size() == limit ? cursor : null;
        List<String> digests = new ArrayList<>(found.keySet());
        Map<String, List<Where>> where = decisions(digests);
        Map<String, List<String>> names = names(digests);
        List<Artifact> items = new ArrayList<>();
        for (var e : found.entrySet()) {
            List<Where> w = where.getOrDefault(e.getKey(), List.of());
            Instant last = w.stream().map(Where::lastAllowed).filter(t -> t != null).max(Instant::compareTo).orElse(null);
            items.add(new Artifact(e.getKey(), names.getOrDefault(e.getKey(), List.of()), e.getValue(), w, last));
        }
        return new Page(items, next);
    }

    private record Filter(String sql, List<Object> args) {
    }

    private static Filter filter(Query q) {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (q.purlBase() != null) {
            where.add("c.purl_base = ?");
            args.add(q.purlBase());
        }
        if (q.purlVersion() != null) {
            where.add("c.version = ?");
            args.add(q.purlVersion());
        }
        if (q.name() != null) {
            where.add("lower(c.name) = lower(?)");
            args.add(q.name());
        }
        if (q.licenseKey() != null) {
            where.add("? = ANY (c.license_keys)");
            args.add(q.licenseKey());
        }
        if (where.isEmpty()) {
            throw new IllegalArgumentException("a query needs a purl, a name or a license");
        }
        return new Filter(String.join(" AND ", where), args);
    }

    private Match row(ResultSet rs) throws SQLException {
        Array licenses = rs.getArray(6);
        List<String> l = licenses == null ? List.of() : List.of((String[]) licenses.getArray());
        @SuppressWarnings("unchecked")
        Map<String, String> hashes = json.readValue(rs.getString(7), Map.class);
        Match m = new Match(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), l, hashes, rs.getString(8),
                rs.getString(9), rs.getString(10), rs.getTimestamp(11).toInstant());
        return m;
    }

    private Map<String, List<Where>> decisions(List<String> digests) {
        Map<String, List<Where>> out = new LinkedHashMap<>();
        if (digests.isEmpty()) {
            return out;
        }
        jdbc.query(con -> {
            var ps = con.prepareStatement("SELECT artifact_digest, request->'context'->>'environment', request->'context'->>'namespace',"
                    + " request->'context'->>'cluster', count(*), count(*) FILTER (WHERE allowed AND NOT dry_run),"
                    + " max(decided_at) FILTER (WHERE allowed AND NOT dry_run), max(decided_at),"
                    + " (array_agg(outcome ORDER BY sequence DESC))[1],"
                    + " (array_agg(decision_id::text ORDER BY sequence DESC) FILTER (WHERE allowed AND NOT dry_run))[1],"
                    + " (array_agg(artifact_name ORDER BY sequence DESC) FILTER (WHERE allowed AND NOT dry_run))[1],"
                    + " (array_agg(artifact_tag ORDER BY sequence DESC) FILTER (WHERE allowed AND NOT dry_run))[1],"
                    + " ((array_agg(request->'context' ORDER BY sequence DESC) FILTER (WHERE allowed AND NOT dry_run))[1])::text"
                    + " FROM decision WHERE artifact_digest = ANY (?) GROUP BY 1, 2, 3, 4 ORDER BY 1, 8 DESC");
            ps.setArray(1, con.createArrayOf("text", digests.toArray()));
            return ps;
        }, rs -> {
            out.computeIfAbsent(rs.getString(1), d -> new ArrayList<>()).add(new Where(rs.getString(2), rs.getString(3),
                    rs.getString(4), rs.getLong(5), rs.getLong(6), instant(rs, 7), instant(rs, 8), rs.getString(9),
                    rs.getString(10) == null ? null : new LastAllowed(rs.getString(10), rs.getString(11), rs.getString(12),
                            context(rs.getString(13)))));
        });
        return out;
    }

    private Map<String, List<String>> names(List<String> digests) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (digests.isEmpty()) {
            return out;
        }
        jdbc.query(con -> {
            var ps = con.prepareStatement("SELECT DISTINCT artifact_digest, artifact_name FROM decision"
                    + " WHERE artifact_digest = ANY (?) AND artifact_name IS NOT NULL ORDER BY 1, 2");
            ps.setArray(1, con.createArrayOf("text", digests.toArray()));
            return ps;
        }, rs -> {
            out.computeIfAbsent(rs.getString(1), d -> new ArrayList<>()).add(rs.getString(2));
        });
        return out;
    }

    /** A recorded context: its string members (a context holds only strings). */
    private Map<String, String> context(String text) {
        Map<String, String> context = new java.util.TreeMap<>();
        if (text != null) {
            json.readTree(text).properties().forEach(e -> {
                if (e.getValue().isString()) {
                    context.put(e.getKey(), e.getValue().stringValue());
                }
            });
        }
        return context;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
