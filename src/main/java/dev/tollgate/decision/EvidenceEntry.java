package dev.tollgate.decision;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.Signer;
import dev.tollgate.evidence.VerifiedEvidence;
import dev.tollgate.evidence.intoto.Provenance;

/**
 * One evidence item of a decision, as the answer lists it: where it came from, whether it
 * verified, the facts (of the verified item, or of one that verified cryptographically but does
 * not apply to this artifact), and why it failed. The facts kept for the impact queries
 * ({@link #impact()}) and with the stored evidence ({@link #kept}) are projections of it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvidenceEntry(int index, String source, boolean verified, String bundleSha256, String kind, Identity identity,
        List<String> trustRoots, Instant integratedTime, String predicateType, String builderId, String sourceRepository,
        List<Trust> trust, String code, String reason, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Step> trace) {

    public EvidenceEntry {
        trustRoots = trustRoots == null ? null : List.copyOf(trustRoots);
        trust = trust == null ? null : List.copyOf(trust);
        trace = trace == null ? List.of() : List.copyOf(trace);
    }

    /** A root or key that verified the item, and the SHA-256 of its content at the time. */
    public record Trust(String name, String kind, String sha256) {
    }

    /** One step of the verification under one root or key (see {@link EvidenceResult.Trace}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String material, String outcome, String code, String reason) {
    }

    static EvidenceEntry of(int index, String source, EvidenceResult result) {
        VerifiedEvidence facts = result.ok() ? result.verified() : result.observed();
        List<Step> trace = result.trace().stream().map(t -> new Step(t.material(), t.outcome(), t.code(), t.reason())).toList();
        String code = result.ok() ? null : result.failure().code();
        String reason = result.ok() ? null : result.failure().detail();
        if (facts == null) {
            return new EvidenceEntry(index, source, result.ok(), result.bundleSha256(), null, null, null, null, null, null, null,
                    null, code, reason, trace);
        }
        Signer s = facts.signer();
        return new EvidenceEntry(index, source, result.ok(), result.bundleSha256(), facts.kind(), Identity.of(s), s.trustRoots(),
                s.integratedTime(), facts.predicateType(), Provenance.builderId(facts.predicateType(), facts.predicate()),
                s.cert() == null ? null : s.cert().get("sourceRepositoryUri"),
                facts.trust().stream().map(t -> new Trust(t.name(), t.kind(), t.sha256())).toList(), code, reason, trace);
    }

    /** What the impact queries search (api.md, "Impact filters"): one per verified item, whether or not a rule used it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Impact(String subject, String issuer, String key, String builderId, String sourceRepository) {
    }

    Impact impact() {
        return new Impact(identity.subject(), identity.issuer(), identity.key(), builderId, sourceRepository);
    }

    /** The facts kept with a verified item for later decisions on its digest (and {@code GET /v1/artifacts/{digest}/evidence}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Kept(String kind, Identity identity, List<String> trustRoots, Instant integratedTime, String predicateType,
            String builderId, String sourceRepository, List<Trust> trust, List<Subject> subjects) {
    }

    /** An in-toto subject of a kept attestation ({@code digest} is null when it has no SHA-256). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Subject(String name, String digest) {
    }

    Kept kept(VerifiedEvidence verified) {
        List<Subject> subjects = verified.isAttestation()
                ? verified.subjects().stream().map(s -> new Subject(s.name(), s.sha256())).toList() : null;
        return new Kept(kind, identity, trustRoots, integratedTime, predicateType, builderId, sourceRepository, trust, subjects);
    }
}
