package dev.tollgate.sbom;

import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The components the SBOM index holds for one artifact (docs/sbom-index.md), document by document:
 * for the console's artifact page. What the index read from the artifact's verified SBOM
 * attestations, nothing else.
 */
@Repository
public class ArtifactComponents {

    /** One component, with the SBOM document (format, predicate type, statement hash, first seen) it came from. */
    public record Component(String purl, String ecosystem, String name, String version, List<String> licenses, String format,
            String predicateType, String statementSha256, Instant firstSeen) {
    }

    /** The first {@code limit} components and whether there are more. */
    public record Listing(List<Component> components, boolean more) {
    }

    private final JdbcTemplate jdbc;

    ArtifactComponents(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Listing of(String digest, int limit) {
        List<Component> found = jdbc.query("SELECT c.purl, c.ecosystem, c.name, c.version, c.licenses, d.format, d.predicate_type,"
                + " d.statement_sha256, d.first_seen FROM sbom_document d JOIN sbom_component c ON c.document_id = d.id"
                + " WHERE d.artifact_digest = ? ORDER BY d.id, c.purl, c.name LIMIT ?", (rs, i) -> new Component(rs.getString(1),
                        rs.getString(2), rs.getString(3), rs.getString(4), strings(rs.getArray(5)), rs.getString(6),
                        rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant()), digest, limit + 1);
        return found.size() > limit ? new Listing(found.subList(0, limit), true) : new Listing(found, false);
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
    }
}
