package dev.tollgate.exceptions;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A governed exception (docs/exceptions.md): the failures of a policy's rules (all of them when
 * {@code scope.rules} is absent) turned into warnings for one artifact digest or for the artifact
 * names a glob matches, from its approval by a second token until {@code expiresAt} or its
 * revocation. {@code status} is as of the moment it was read.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyException(UUID id, String status, Scope scope, String reason, String ticket, Instant expiresAt,
        String requestedBy, Instant requestedAt, String approvedBy, Instant approvedAt, String revokedBy, Instant revokedAt,
        String revokeReason) {

    /** What an exception covers: a digest or a name glob (exactly one), a policy, and optionally some of its rules. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scope(String digest, String name, String policy, List<String> rules) {
        public Scope {
            rules = rules == null ? null : List.copyOf(rules);
        }
    }

    /** Not yet approved (it applies to nothing). */
    public static final String PENDING = "pending";
    /** Approved, neither expired nor revoked: it applies. */
    public static final String ACTIVE = "active";
    public static final String EXPIRED = "expired";
    public static final String REVOKED = "revoked";
    static final List<String> STATUSES = List.of(PENDING, ACTIVE, EXPIRED, REVOKED);

    static String status(Instant approvedAt, Instant revokedAt, Instant expiresAt, Instant now) {
        if (revokedAt != null) {
            return REVOKED;
        }
        if (!now.isBefore(expiresAt)) {
            return EXPIRED;
        }
        return approvedAt != null ? ACTIVE : PENDING;
    }

    /**
     * Whether it applies to a decision made at {@code at}: approved by then, not revoked, and
     * {@code at} before {@code expiresAt} (an exception expiring at 12:00:00.000 applies to a
     * decision at 11:59:59.999, not to one at 12:00:00.000).
     */
    public boolean appliesAt(Instant at) {
        return revokedAt == null && approvedAt != null && !approvedAt.isAfter(at) && at.isBefore(expiresAt);
    }

    /**
     * Of {@code exceptions}, those that apply to a decision on the artifact made at {@code at}
     * ({@link #appliesAt}, {@link #coversArtifact}), in their order: what the live decision, the
     * evaluation without recording, the command line's {@code eval} and replay all waive by.
     */
    public static java.util.List<PolicyException> applicable(java.util.Collection<PolicyException> exceptions, String digest,
            String name, Instant at) {
        return exceptions.stream().filter(e -> e.appliesAt(at) && e.coversArtifact(digest, name)).toList();
    }

    /** Whether it covers the artifact: its digest, or its name by the glob. */
    public boolean coversArtifact(String digest, String name) {
        return scope.digest() != null ? scope.digest().equals(digest) : new NameGlob(scope.name()).matches(name);
    }

    /** Whether it covers this rule of this policy. */
    public boolean coversRule(String policy, String rule) {
        return scope.policy().equals(policy) && (scope.rules() == null || scope.rules().contains(rule));
    }

    /** The exception's history: what was done to it, by whom and when, oldest first. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(long sequence, Instant at, String actor, String action, java.util.Map<String, Object> details) {
    }
}
