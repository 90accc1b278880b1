package dev.tollgate.trust;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The trust_material table. */
@Repository
class TrustMaterials {

    private final JdbcClient jdbc;

    TrustMaterials(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<TrustMaterial> findAll() {
        return jdbc.sql("SELECT * FROM trust_material ORDER BY name").query(TrustMaterials::row).list();
    }

    Optional<TrustMaterial> find(String name) {
        return jdbc.sql("SELECT * FROM trust_material WHERE name = ?").param(name).query(TrustMaterials::row).optional();
    }

    Optional<TrustMaterial> lock(String name) {
        return jdbc.sql("SELECT * FROM trust_material WHERE name = ? FOR UPDATE").param(name)
                .query(TrustMaterials::row).optional();
    }

    void insert(TrustMaterial m) {
        jdbc.sql("INSERT INTO trust_material (name, kind, content, sha256, created_at, updated_at, updated_by,"
                        + " require_transparency_log, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(m.name(), m.kind().id(), m.content(), m.sha256(), ts(m.createdAt()), ts(m.updatedAt()), m.updatedBy(),
                        m.settings().requireTransparencyLog(), ts(m.settings().validFrom()), ts(m.settings().validUntil()))
                .update();
    }

    void update(TrustMaterial m) {
        jdbc.sql("UPDATE trust_material SET content = ?, sha256 = ?, updated_at = ?, updated_by = ?,"
                        + " require_transparency_log = ?, valid_from = ?, valid_until = ? WHERE name = ?")
                .params(m.content(), m.sha256(), ts(m.updatedAt()), m.updatedBy(), m.settings().requireTransparencyLog(),
                        ts(m.settings().validFrom()), ts(m.settings().validUntil()), m.name())
                .update();
    }

    boolean delete(String name) {
        return jdbc.sql("DELETE FROM trust_material WHERE name = ?").param(name).update() > 0;
    }

    /** Takes the transaction-scoped lock that serialises all changes of trust material. */
    void lockAll() {
        jdbc.sql("SELECT pg_advisory_xact_lock(7316504275)").query((rs, i) -> 1).list();
    }

    boolean markOnce(String key) {
        return jdbc.sql("INSERT INTO tollgate_setting (key, value) VALUES (?, 'true') ON CONFLICT DO NOTHING")
                .param(key).update() > 0;
    }

    private static java.sql.Timestamp ts(Instant instant) {
        return instant == null ? null : java.sql.Timestamp.from(instant);
    }

    private static Instant instant(java.sql.Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static TrustMaterial row(ResultSet rs, int i) throws SQLException {
        return new TrustMaterial(rs.getString("name"), TrustKind.of(rs.getString("kind")), rs.getBytes("content"),
                rs.getString("sha256"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
                rs.getString("updated_by"), new TrustSettings(rs.getBoolean("require_transparency_log"),
                        instant(rs.getTimestamp("valid_from")), instant(rs.getTimestamp("valid_until"))));
    }
}
