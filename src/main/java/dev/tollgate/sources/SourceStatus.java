package dev.tollgate.sources;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One source as {@code GET /v1/policy-sources} shows it: where it is, when it was last read, the
 * result of the last attempt to apply what changed in it, the policy versions it activated and
 * the trust material it holds, and the last error (kept until an attempt succeeds).
 *
 * @param kind          {@code directory} or {@code bundle}
 * @param lastCheckedAt when it was last read (unchanged content is not applied again)
 * @param lastResult    {@code applied}, {@code unverified} (a bundle's signature refused), {@code invalid} (a policy or
 *                      trust file refused), {@code unreadable} or {@code failed} (tried again at the next interval);
 *                      null before the first attempt
 * @param digest        for an OCI bundle applied: the manifest digest it was read at (a tag resolved to it)
 * @param signer        for a bundle applied: who signed it ({@code key:<file>} or {@code <issuer> <subject>})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SourceStatus(String name, String kind, String location, Instant lastCheckedAt, String lastResult,
        Instant lastResultAt, Instant lastAppliedAt, String sha256, String digest, String signer, List<PolicyRef> policies,
        List<String> trust, Problem lastError) {

    /** A policy version the source activated. */
    record PolicyRef(String name, int version) {
    }

    /** Why the last attempt did not apply: a sentence, and per file what was wrong (a policy's diagnostics). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Problem(String message, List<Map<String, Object>> errors) {
    }

    static SourceStatus initial(String name, String kind, String location) {
        return new SourceStatus(name, kind, location, null, null, null, null, null, null, null, List.of(), List.of(), null);
    }

    SourceStatus checked(Instant at) {
        return new SourceStatus(name, kind, location, at, lastResult, lastResultAt, lastAppliedAt, sha256, digest, signer, policies, trust,
                lastError);
    }

    SourceStatus applied(Instant at, String sha256, String digest, String signer, List<PolicyRef> policies, List<String> trust) {
        return new SourceStatus(name, kind, location, at, "applied", at, at, sha256, digest, signer, List.copyOf(policies),
                List.copyOf(trust), null);
    }

    SourceStatus refused(Instant at, String result, Problem problem) {
        return new SourceStatus(name, kind, location, at, result, at, lastAppliedAt, sha256, digest, signer, policies, trust, problem);
    }
}
