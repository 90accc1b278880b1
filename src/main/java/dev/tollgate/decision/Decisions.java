package dev.tollgate.decision;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

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
            if (digest != null && !ArtifactRef.DIGEST.matches(digest)) {
                throw new InvalidDecisionRequest("the digest must be sha256: followed by 64 lowercase hex digits");
            }
            InvalidDecisionRequest.checked(name, "the image name", ArtifactRef.MAX_LENGTH);
            InvalidDecisionRequest.checked(tag, "the image tag", ArtifactRef.MAX_LENGTH);
        }
    }

    /** {@code name:tag} resolved to a digest through an allow-listed registry, when tag resolution is enabled. */
    Optional<ArtifactRef> resolveTag(String name, String tag);

    /** One decision, made and recorded; {@code audit.RecordingFailed} if it cannot be recorded. */
    default DecisionAnswer decide(DecisionRequest request, Origin origin) {
        return decideAll(List.of(request), origin).get(0);
    }

    /**
     * Several decisions recorded together (one commit for all, as for the images of one
     * admission review); answered only once all are recorded, and none if recording fails.
     */
    List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin);

    /**
     * Records images admitted without policy (outcome {@code exempt}, allowed, no policy, the
     * reason), all in one commit, and answers their ids; like any decision, nothing is answered
     * unless it is recorded. An image given by tag only is recorded without a digest.
     */
    List<UUID> recordExempt(List<Exemption> images, Map<String, String> context, String reason, Origin origin);
}
