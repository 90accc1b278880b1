package dev.tollgate.decision;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import dev.tollgate.digest.Digest;

/**
 * What callers of the decision module (the API, admission) ask of it: decisions made and
 * recorded, exemptions recorded, tags resolved. {@link DecisionService} implements it; tests of a
 * caller may give it a small one of their own.
 */
public interface Decisions {

    /** Where a decision came from, for the record. */
    record Origin(String requester, String source, boolean dryRun) {
    }

    /** An image admitted without a decision because its namespace is exempt by configuration. */
    record Exemption(String digest, String name, String tag) {
        public Exemption {
            if (digest != null && !Digest.isWritten(digest)) {
                throw new InvalidDecisionRequest("the digest must be " + Digest.FORM);
            }
            InvalidDecisionRequest.checked(name, "the image name", ArtifactRef.MAX_LENGTH);
            InvalidDecisionRequest.checked(tag, "the image tag", ArtifactRef.MAX_LENGTH);
        }
    }

    /** {@code name:tag} resolved to a digest through an allow-listed registry, when tag resolution is enabled. */
    default Optional<ArtifactRef> resolveTag(String name, String tag) {
        return resolveTag(name, tag, null);
    }

    /** As {@link #resolveTag(String, String)}, given up at {@code deadline} (null: the registry's own time-out). */
    Optional<ArtifactRef> resolveTag(String name, String tag, Instant deadline);

    /** One decision, made and recorded; {@code audit.RecordingFailed} if it cannot be recorded. */
    default DecisionAnswer decide(DecisionRequest request, Origin origin) {
        return decideAll(List.of(request), origin).get(0);
    }

    /**
     * Several decisions recorded together (one commit for all, as for the images of one
     * admission review); answered only once all are recorded, and none if recording fails.
     */
    default List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin) {
        return decideAll(requests, origin, null);
    }

    /**
     * As {@link #decideAll(List, Origin)}, within one deadline for all (null: none but the
     * registry's own time-out per image): the requests are prepared at the same time, every
     * registry fetch ends by the deadline, and a request not prepared by then is decided
     * {@code deny} with that reason — and recorded with the others.
     */
    List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin, Instant deadline);

    /**
     * As {@link #decideAll(List, Origin, Instant)}, under break-glass (admission only, in a
     * namespace where it is enabled): every request is decided and evaluated as usual, and one its
     * policies refuse is admitted instead and recorded with outcome {@code break-glass}, its
     * policies' outcomes as evaluated, and the reason and user of {@code glass}. Null: no break-glass.
     */
    default List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin, Instant deadline,
            DecisionAnswer.BreakGlass glass) {
        if (glass != null) {
            throw new UnsupportedOperationException("break-glass is not supported here");
        }
        return decideAll(requests, origin, deadline);
    }

    /**
     * Records images admitted without policy (outcome {@code exempt}, allowed, no policy, the
     * reason), all in one commit, and answers their ids; like any decision, nothing is answered
     * unless it is recorded. An image given by tag only is recorded without a digest.
     */
    /**
     * The artifact decided again now, once per context, by the active policies on the evidence
     * kept for its digest (verified again against the trust held now; no registry is asked, and
     * nothing is recorded). What "still allowed" means in the incident query (docs/sbom-index.md).
     */
    default List<Reevaluation> underActivePolicies(ArtifactRef artifact, List<Map<String, String>> contexts) {
        throw new UnsupportedOperationException("re-evaluation is not supported here");
    }

    List<UUID> recordExempt(List<Exemption> images, Map<String, String> context, String reason, Origin origin);
}
