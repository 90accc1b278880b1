package dev.tollgate.adminlog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.db.ChangeNotifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The append-only log of administrative changes (tokens, policies, trust material, configured
 * exemptions). {@link #record} joins the caller's transaction, so a change and its event commit
 * together or not at all; the database refuses UPDATE, DELETE and TRUNCATE on the table. Every
 * event is also logged. Details never hold secrets. Every change is also announced to every
 * replica ({@link ChangeNotifications}, topic: the action, e.g. {@code policy.activate},
 * {@code trust.add}, {@code token.revoke}), in the same transaction: the others drop what the change invalidates at once.
 */
@Component
public class AdminLog {

    private static final Logger log = LoggerFactory.getLogger(AdminLog.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Clock clock;
    private final ChangeNotifications notifications;

    AdminLog(JdbcClient jdbc, ObjectMapper json, Clock clock, ChangeNotifications notifications) {
        this.jdbc = jdbc;
        this.notifications = notifications;
        this.json = json;
        this.clock = clock;
    }

    /** Records a change, in the caller's transaction (one is required). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(String actor, String action, String target, Map<String, ?> details) {
        jdbc.sql("INSERT INTO admin_event (recorded_at, actor, action, target, details) VALUES (?, ?, ?, ?, ?::jsonb)")
                .params(Timestamp.from(clock.instant()), actor, action, target, json.writeValueAsString(details))
                .update();
        notifications.announce(action);
        log.info("admin event: {} {} by {} {}", action, target, actor, details);
    }

    /** Records a change in a transaction of its own (for changes that are not made in the database). */
    @Transactional
    public void recordAlone(String actor, String action, String target, Map<String, ?> details) {
        record(actor, action, target, details);
    }

    /** The filters of {@code GET /v1/audit/admin-events}; null means "any". */
    public record Query(Instant since, Instant until, String actor, String action, String target, Long before, int limit) {
    }

    /** Events newest first, at most {@code limit}, below sequence {@code before} when given. */
    @Transactional(readOnly = true)
    public List<AdminEvent> page(Query q) {
        StringBuilder sql = new StringBuilder("SELECT * FROM admin_event WHERE true");
        List<Object> params = new ArrayList<>();
        if (q.since() != null) {
            sql.append(" AND recorded_at >= ?");
            params.add(Timestamp.from(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND recorded_at < ?");
            params.add(Timestamp.from(q.until()));
        }
        if (q.actor() != null) {
            sql.append(" AND actor = ?");
            params.add(q.actor());
        }
        if (q.action() != null) {
            sql.append(" AND action = ?");
            params.add(q.action());
        }
        if (q.target() != null) {
            sql.append(" AND target = ?");
            params.add(q.target());
        }
        if (q.before() != null) {
            sql.append(" AND sequence < ?");
            params.add(q.before());
        }
        sql.append(" ORDER BY sequence DESC LIMIT ?");
        params.add(q.limit());
        return jdbc.sql(sql.toString()).params(params).query(this::event).list();
    }

    /** What a configured (not API-made) setting was when last recorded, to record changes of it at start-up. */
    @Transactional(readOnly = true)
    public Map<String, Object> lastDetails(String action, String target) {
        return jdbc.sql("SELECT details FROM admin_event WHERE action = ? AND target = ? ORDER BY sequence DESC LIMIT 1")
                .params(action, target).query((rs, n) -> json.readValue(rs.getString(1), MAP)).optional().orElse(null);
    }

    private AdminEvent event(ResultSet rs, int row) throws SQLException {
        Map<String, Object> details = new LinkedHashMap<>(json.readValue(rs.getString("details"), MAP));
        return new AdminEvent(rs.getLong("sequence"), rs.getTimestamp("recorded_at").toInstant(), rs.getString("actor"),
                rs.getString("action"), rs.getString("target"), details);
    }
}
