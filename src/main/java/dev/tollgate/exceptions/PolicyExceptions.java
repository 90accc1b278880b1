package dev.tollgate.exceptions;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.google.re2j.Pattern;
import dev.tollgate.adminlog.AdminLog;
import dev.tollgate.digest.Digest;
import dev.tollgate.name.ResourceName;
import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.security.Requester;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import dev.tollgate.web.Rfc3339;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Governed exceptions (docs/exceptions.md): requested by one policy-admin token, approved by
 * another, revoked by either; each change is a row of the exception's history and an event of the
 * admin log, in one transaction. Decisions ask {@link #applicable} for the exceptions that apply
 * to an artifact at the decision's time — read from the database each time a decision has a
 * failure to waive, so that a revocation applies at once on every replica; when they cannot be
 * read, none applies (fail closed).
 */
@Service
public class PolicyExceptions {

    private static final Logger log = LoggerFactory.getLogger(PolicyExceptions.class);
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_]{1,64}(-[A-Za-z0-9_]{1,64}){0,15}");
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    static final int MAX_RULES = 100;
    static final int MAX_REASON = 2000;
    static final int MAX_TICKET = 200;

    /** A request as the API reads it (members the caller did not send are null). */
    public record Request(Scope scope, String reason, String ticket, String expiresAt) {
        public record Scope(String digest, String name, String policy, List<String> rules) {
        }
    }

    /** The filters of {@code GET /v1/exceptions}; null means "any". */
    public record Query(String status, String policy, int limit) {
    }

    private final JdbcClient jdbc;
    private final AdminLog adminLog;
    private final PolicyCatalog policies;
    private final Clock clock;
    private final ObjectMapper json;
    private final ExceptionProperties properties;

    PolicyExceptions(JdbcClient jdbc, AdminLog adminLog, PolicyCatalog policies, Clock clock, ObjectMapper json,
            ExceptionProperties properties) {
        this.jdbc = jdbc;
        this.adminLog = adminLog;
        this.policies = policies;
        this.clock = clock;
        this.json = json;
        this.properties = properties;
    }

    /** How far ahead of its request an exception may expire at most ({@code tollgate.exceptions.max-duration}). */
    public java.time.Duration maxDuration() {
        return properties.maxDuration();
    }

    // ---- changes ---------------------------------------------------------------------------------

    /** Records a request; it applies to nothing until another token approves it. */
    @Transactional
    public PolicyException request(Request request, Requester requester) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        PolicyException.Scope scope = checkedScope(request.scope());
        String reason = text(request.reason(), "reason", MAX_REASON, true);
        String ticket = text(request.ticket(), "ticket", MAX_TICKET, false);
        Instant expiresAt = expiry(request.expiresAt(), now);
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO policy_exception (id, scope_digest, scope_name, policy, rules, reason, ticket, expires_at, requested_by,
                    created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, scope.digest(), scope.name(), scope.policy(), scope.rules() == null ? null : scope.rules().toArray(String[]::new),
                        reason, ticket, Timestamp.from(expiresAt), requester.name(), Timestamp.from(now))
                .update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("scope", json.convertValue(scope, MAP));
        details.put("reason", reason);
        details.put("ticket", ticket);
        details.put("expiresAt", expiresAt.toString());
        event(id, now, requester.name(), "exception.request", details);
        return find(id, now).orElseThrow();
    }

    /** Approves a pending exception: by a token other than the one that requested it. */
    @Transactional
    public PolicyException approve(String idText, Requester requester) {
        UUID id = id(idText);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        PolicyException current = locked(id, now);
        if (current.requestedBy().equals(requester.name())) {
            throw new ApiException(ProblemType.FORBIDDEN, "an exception is approved by a token other than the one that requested it"
                    + " (two people): '" + requester.name() + "' requested this one");
        }
        switch (current.status()) {
            case PolicyException.PENDING -> {
            }
            case PolicyException.ACTIVE -> throw new ApiException(ProblemType.CONFLICT, "exception " + id + " is already approved");
            default -> throw new ApiException(ProblemType.CONFLICT, "exception " + id + " is " + current.status()
                    + ": it can no longer be approved; request a new one");
        }
        jdbc.sql("UPDATE policy_exception SET approved_by = ?, approved_at = ? WHERE id = ?")
                .params(requester.name(), Timestamp.from(now), id).update();
        event(id, now, requester.name(), "exception.approve", Map.of("requestedBy", current.requestedBy(),
                "expiresAt", current.expiresAt().toString()));
        return find(id, now).orElseThrow();
    }

    /** Revokes an exception (pending, active or expired): it never applies again. */
    @Transactional
    public PolicyException revoke(String idText, String reason, Requester requester) {
        UUID id = id(idText);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String why = reason == null ? null : text(reason, "reason", MAX_REASON, true);
        PolicyException current = locked(id, now);
        if (current.revokedAt() != null) {
            throw new ApiException(ProblemType.CONFLICT, "exception " + id + " is already revoked");
        }
        jdbc.sql("UPDATE policy_exception SET revoked_by = ?, revoked_at = ?, revoke_reason = ? WHERE id = ?")
                .params(requester.name(), Timestamp.from(now), why, id).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("previousStatus", current.status());
        if (why != null) {
            details.put("reason", why);
        }
        event(id, now, requester.name(), "exception.revoke", details);
        return find(id, now).orElseThrow();
    }

    private void event(UUID id, Instant now, String actor, String action, Map<String, Object> details) {
        jdbc.sql("INSERT INTO policy_exception_event (exception_id, recorded_at, actor, action, details) VALUES (?, ?, ?, ?, ?::jsonb)")
                .params(id, Timestamp.from(now), actor, action, json.writeValueAsString(details)).update();
        adminLog.record(actor, action, id.toString(), details);
    }

    // ---- reads -----------------------------------------------------------------------------------

    /**
     * The exceptions that apply at {@code at} to the artifact (its digest, or its name by a glob),
     * oldest request first. Empty when they cannot be read: no exception applies then.
     */
    public List<PolicyException> applicable(String digest, String name, Instant at) {
        try {
            List<PolicyException> candidates = jdbc.sql("""
                    SELECT * FROM policy_exception
                    WHERE approved_at IS NOT NULL AND approved_at <= ? AND revoked_at IS NULL AND expires_at > ?
                      AND (scope_digest = ? OR scope_name IS NOT NULL)
                    ORDER BY created_at, id""")
                    .params(Timestamp.from(at), Timestamp.from(at), digest == null ? "" : digest)
                    .query((rs, n) -> exception(rs, at)).list();
            return PolicyException.applicable(candidates, digest, name, at);
        } catch (DataAccessException e) {
            log.warn("exceptions could not be read; none applies to this decision (fail closed): {}", e.getMessage());
            return List.of();
        }
    }

    /**
     * Every approved, unrevoked exception of {@code policy} whose expiry is after {@code since},
     * oldest request first: what a replay over {@code [since, …)} may apply, each decision then
     * taking those {@link PolicyException#applicable} at its time. Empty when they cannot be read.
     */
    public List<PolicyException> approvedFor(String policy, Instant since) {
        Instant now = clock.instant();
        try {
            return jdbc.sql("""
                    SELECT * FROM policy_exception
                    WHERE policy = ? AND approved_at IS NOT NULL AND revoked_at IS NULL AND expires_at > ?
                    ORDER BY created_at, id""")
                    .params(policy, Timestamp.from(since)).query((rs, n) -> exception(rs, now)).list();
        } catch (DataAccessException e) {
            log.warn("exceptions could not be read; none applies to this replay (fail closed): {}", e.getMessage());
            return List.of();
        }
    }

    @Transactional(readOnly = true)
    public Optional<PolicyException> find(String idText) {
        UUID id = id(idText);
        return find(id, clock.instant());
    }

    private Optional<PolicyException> find(UUID id, Instant now) {
        return jdbc.sql("SELECT * FROM policy_exception WHERE id = ?").param(id).query((rs, n) -> exception(rs, now)).optional();
    }

    private PolicyException locked(UUID id, Instant now) {
        return jdbc.sql("SELECT * FROM policy_exception WHERE id = ? FOR UPDATE").param(id).query((rs, n) -> exception(rs, now))
                .optional().orElseThrow(() -> ApiException.notFound("no exception " + id));
    }

    @Transactional(readOnly = true)
    public List<PolicyException.Event> history(String idText) {
        return jdbc.sql("SELECT * FROM policy_exception_event WHERE exception_id = ? ORDER BY sequence").param(id(idText))
                .query((rs, n) -> new PolicyException.Event(rs.getLong("sequence"), rs.getTimestamp("recorded_at").toInstant(),
                        rs.getString("actor"), rs.getString("action"), json.readValue(rs.getString("details"), MAP)))
                .list();
    }

    /** Exceptions newest request first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<PolicyException> list(Query q) {
        Instant now = clock.instant();
        StringBuilder sql = new StringBuilder("SELECT * FROM policy_exception WHERE true");
        List<Object> params = new ArrayList<>();
        if (q.status() != null) {
            switch (q.status()) {
                case PolicyException.REVOKED -> sql.append(" AND revoked_at IS NOT NULL");
                case PolicyException.EXPIRED -> {
                    sql.append(" AND revoked_at IS NULL AND expires_at <= ?");
                    params.add(Timestamp.from(now));
                }
                case PolicyException.ACTIVE -> {
                    sql.append(" AND revoked_at IS NULL AND expires_at > ? AND approved_at IS NOT NULL");
                    params.add(Timestamp.from(now));
                }
                case PolicyException.PENDING -> {
                    sql.append(" AND revoked_at IS NULL AND expires_at > ? AND approved_at IS NULL");
                    params.add(Timestamp.from(now));
                }
                default -> throw ApiException.badRequest("status is one of " + String.join(", ", PolicyException.STATUSES));
            }
        }
        if (q.policy() != null) {
            sql.append(" AND policy = ?");
            params.add(q.policy());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        params.add(q.limit());
        return jdbc.sql(sql.toString()).params(params).query((rs, n) -> exception(rs, now)).list();
    }

    private static PolicyException exception(ResultSet rs, Instant now) throws SQLException {
        Array rules = rs.getArray("rules");
        Instant approvedAt = instant(rs, "approved_at");
        Instant revokedAt = instant(rs, "revoked_at");
        Instant expiresAt = instant(rs, "expires_at");
        return new PolicyException(rs.getObject("id", UUID.class), PolicyException.status(approvedAt, revokedAt, expiresAt, now),
                new PolicyException.Scope(rs.getString("scope_digest"), rs.getString("scope_name"), rs.getString("policy"),
                        rules == null ? null : Arrays.asList((String[]) rules.getArray())),
                rs.getString("reason"), rs.getString("ticket"), expiresAt, rs.getString("requested_by"), instant(rs, "created_at"),
                rs.getString("approved_by"), approvedAt, rs.getString("revoked_by"), revokedAt, rs.getString("revoke_reason"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    // ---- input -----------------------------------------------------------------------------------

    private static UUID id(String text) {
        if (text == null || text.length() != 36) {
            throw ApiException.notFound("no exception " + text);
        }
        try {
            UUID id = UUID.fromString(text);
            if (!id.toString().equals(text)) {
                throw ApiException.notFound("no exception " + text);
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no exception " + text);
        }
    }

    private PolicyException.Scope checkedScope(Request.Scope scope) {
        if (scope == null) {
            throw ApiException.badRequest("scope is required: {\"digest\" or \"name\", \"policy\", optionally \"rules\"}");
        }
        if ((scope.digest() == null) == (scope.name() == null)) {
            throw ApiException.badRequest("scope has exactly one of digest (one artifact) and name (a glob over artifact names)");
        }
        if (scope.digest() != null && !Digest.isWritten(scope.digest())) {
            throw ApiException.badRequest("scope.digest is " + Digest.FORM);
        }
        if (scope.name() != null) {
            String problem = NameGlob.problem(scope.name());
            if (problem != null) {
                throw ApiException.badRequest(problem);
            }
        }
        if (!ResourceName.isValid(scope.policy())) {
            throw ApiException.badRequest("scope.policy is a policy name (" + ResourceName.RULE + ")");
        }
        List<String> rules = null;
        if (scope.rules() != null) {
            if (scope.rules().isEmpty()) {
                throw ApiException.badRequest("scope.rules lists at least one rule; leave it out to except every rule of the policy");
            }
            if (scope.rules().size() > MAX_RULES) {
                throw ApiException.badRequest("scope.rules lists at most " + MAX_RULES + " rules");
            }
            for (String rule : scope.rules()) {
                if (rule == null || !RULE.matches(rule)) {
                    throw ApiException.badRequest("scope.rules holds rule names (such as signed-by-ci)");
                }
            }
            rules = List.copyOf(new LinkedHashSet<>(scope.rules()));
        }
        Optional<ActivePolicy> active = policies.activePolicy(scope.policy());
        if (active.isEmpty()) {
            throw ApiException.unprocessable("no active policy '" + scope.policy() + "': an exception names a policy in force");
        }
        if (rules != null) {
            List<String> known = active.get().program().ruleNames();
            List<String> unknown = rules.stream().filter(r -> !known.contains(r)).toList();
            if (!unknown.isEmpty()) {
                throw ApiException.unprocessable("policy '" + scope.policy() + "' (version " + active.get().version()
                        + ") has no rule " + String.join(", ", unknown) + "; its rules: " + String.join(", ", known));
            }
        }
        return new PolicyException.Scope(scope.digest(), scope.name(), scope.policy(), rules);
    }

    private static String text(String value, String member, int max, boolean lineBreaks) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(member + " is required");
        }
        if (value.length() > max) {
            throw ApiException.badRequest(member + " is at most " + max + " characters");
        }
        if (value.codePoints().anyMatch(c -> Character.isISOControl(c) && !(lineBreaks && (c == '\n' || c == '\r' || c == '\t')))) {
            throw ApiException.badRequest(member + " has no control characters");
        }
        return value;
    }

    private Instant expiry(String text, Instant now) {
        if (text == null) {
            throw ApiException.badRequest("expiresAt is required: every exception ends (at most "
                    + properties.maxDuration() + " ahead, tollgate.exceptions.max-duration)");
        }
        Instant at = Rfc3339.parameter(text, "expiresAt");
        if (!at.truncatedTo(ChronoUnit.MILLIS).equals(at)) {
            throw ApiException.badRequest("expiresAt is given to the millisecond at most");
        }
        if (!at.isAfter(now)) {
            throw ApiException.badRequest("expiresAt must be in the future (it is " + at + ", now is " + now + ")");
        }
        if (at.isAfter(now.plus(properties.maxDuration()))) {
            throw ApiException.badRequest("expiresAt is at most " + properties.maxDuration().toDays() + " days ("
                    + properties.maxDuration() + ", tollgate.exceptions.max-duration) after the request; ask again when it expires");
        }
        return at;
    }
}
