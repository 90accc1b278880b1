package dev.tollgate.decision;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.audit.DecisionRecord;
import dev.tollgate.evidence.VerifiedEvidence;
import dev.tollgate.policy.PolicyInputs;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.eval.EvidenceItem;
import dev.tollgate.policy.eval.Roots;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.digest.Digest;

/**
 * Builds, from what a decision gathered and how its policies came out, the values it is made of:
 * the policy input, the answer, and the record for the audit log (the request as recorded, the
 * impact facts and the evidence to keep, both projections of the answer's evidence entries).
 * Pure functions of their arguments, with no database or clock.
 */
final class AnswerAssembly {

    private AnswerAssembly() {
    }

    /** The request as the audit record keeps it: what was asked, and the digests and results of its evidence. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RecordedRequest(Map<String, String> context, List<String> policies, Boolean storedEvidence,
            List<RecordedEvidence> evidence) {
    }

    /** One evidence item of a recorded request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RecordedEvidence(int index, String source, String bundleSha256, String payloadSha256, boolean verified, String code) {
    }

    static DecisionAnswer answer(UUID id, Instant now, ArtifactRef artifact, PolicySelection.Verdict verdict,
            List<Gathered> items, boolean dryRun) {
        return answer(id, now, artifact, verdict, Map.of(), items, dryRun);
    }

    /** @param applied the governed exceptions that waived failures of the verdict, by id */
    static DecisionAnswer answer(UUID id, Instant now, ArtifactRef artifact, PolicySelection.Verdict verdict,
            Map<String, dev.tollgate.exceptions.PolicyException> applied, List<Gathered> items, boolean dryRun) {
        return new DecisionAnswer(id, verdict.allowed(), verdict.outcome(), verdict.reason(), now, DecisionAnswer.Artifact.of(artifact),
                verdict.policies().stream().map(c -> PolicyOutcome.of(c, applied)).toList(), items.stream().map(Gathered::entry).toList(),
                verdict.warnings(), dryRun, null);
    }

    /** The answer for an image of an exempt namespace: allowed, no policy, the reason as outcome's reason and warning. */
    static DecisionAnswer exempt(UUID id, Instant now, Decisions.Exemption image, String reason, boolean dryRun) {
        return new DecisionAnswer(id, true, "exempt", reason, now,
                new DecisionAnswer.Artifact(image.digest(), image.name(), image.tag()), List.of(), List.of(), List.of(reason),
                dryRun, null);
    }

    /** A refusal without evaluation (the decision could not be prepared in time): deny, the reason, no policy, no evidence. */
    static DecisionAnswer unprepared(UUID id, Instant now, ArtifactRef artifact, String reason, boolean dryRun) {
        return new DecisionAnswer(id, false, "deny", reason, now, DecisionAnswer.Artifact.of(artifact), List.of(), List.of(),
                List.of(), dryRun, null);
    }

    static DecisionRecord record(DecisionAnswer answer, DecisionRequest request, List<Gathered> items, Decisions.Origin origin) {
        return record(answer, request, items, origin, null);
    }

    /** @param input the policy input the decision was evaluated on (kept for replay), or null if it evaluated nothing */
    static DecisionRecord record(DecisionAnswer answer, DecisionRequest request, List<Gathered> items, Decisions.Origin origin,
            Input input) {
        DecisionAnswer.Artifact artifact = answer.artifact();
        return new DecisionRecord(answer.decisionId(), answer.decidedAt(), origin.requester(), origin.source(), origin.dryRun(),
                artifact.digest(), artifact.name(), artifact.tag(), answer.allowed(), answer.outcome(),
                answer.policies().stream().map(PolicyOutcome::name).distinct().toList(), impact(items),
                requested(request, items), answer, origin.dryRun() ? List.of() : newEvidence(items),
                input == null ? null : RecordedInputs.json(input));
    }

    static DecisionRecord exemptRecord(DecisionAnswer answer, Map<String, String> context, Decisions.Origin origin) {
        DecisionAnswer.Artifact artifact = answer.artifact();
        return new DecisionRecord(answer.decisionId(), answer.decidedAt(), origin.requester(), origin.source(), origin.dryRun(),
                artifact.digest(), artifact.name(), artifact.tag(), true, answer.outcome(), List.of(), List.of(),
                new RecordedRequest(new TreeMap<>(context), null, null, List.of()), answer, List.of());
    }

    /** The record of a refused decision admitted by break-glass: allowed, its outcome and answer those of {@code answer}. */
    static DecisionRecord brokenGlass(DecisionRecord refused, DecisionAnswer answer) {
        return new DecisionRecord(refused.decisionId(), refused.decidedAt(), refused.requester(), refused.source(), refused.dryRun(),
                refused.artifactDigest(), refused.artifactName(), refused.artifactTag(), true, answer.outcome(), refused.policyNames(),
                refused.impact(), refused.request(), answer, refused.newEvidence());
    }

    /** For the impact queries: one per verified item, whether or not a rule used it. */
    static List<EvidenceEntry.Impact> impact(List<Gathered> items) {
        return items.stream().filter(i -> i.result().verified() != null).map(i -> i.entry().impact()).toList();
    }

    static RecordedRequest requested(DecisionRequest request, List<Gathered> items) {
        List<RecordedEvidence> evidence = new ArrayList<>(items.size());
        for (Gathered item : items) {
            evidence.add(new RecordedEvidence(item.index(), item.source(), item.result().bundleSha256(),
                    item.payload() == null ? null : Digest.sha256(item.payload()).hex(), item.result().ok(),
                    item.result().ok() ? null : item.result().failure().code()));
        }
        return new RecordedRequest(new TreeMap<>(request.context()), request.policies(), request.storedEvidence(), evidence);
    }

    /** Evidence verified for the first time (not from the store), to keep for later decisions on the digest. */
    static List<DecisionRecord.NewEvidence> newEvidence(List<Gathered> items) {
        List<DecisionRecord.NewEvidence> fresh = new ArrayList<>();
        for (Gathered item : items) {
            VerifiedEvidence v = item.result().verified();
            if (v == null || "stored".equals(item.source())) {
                continue;
            }
            EvidenceEntry.Kept facts = item.entry().kept(v);
            fresh.add(new DecisionRecord.NewEvidence(v.signatureSha256(), item.result().bundleSha256(),
                    item.submission().bundleJson(), item.payload(), v.kind(), facts, facts.trust()));
        }
        return fresh;
    }

    // ---- the policy input ------------------------------------------------------------------------

    static Input input(ArtifactRef artifact, Map<String, String> context, List<Gathered> items, Instant now) {
        Map<String, Object> a = Roots.view(Roots.ARTIFACT, artifact, AnswerAssembly::predicate);
        List<Object> signatures = new ArrayList<>();
        List<Object> attestations = new ArrayList<>();
        for (Gathered item : items) {
            VerifiedEvidence v = item.result().verified();
            if (v == null) {
                continue;
            }
            if (v.isAttestation()) {
                attestations.add(new EvidenceItem(Roots.view(Roots.ATTESTATION, v, AnswerAssembly::predicate), item.index()));
            } else {
                signatures.add(new EvidenceItem(Roots.view(Roots.SIGNATURE, v.signer(), AnswerAssembly::predicate), item.index()));
            }
        }
        return new Input(a, new LinkedHashMap<>(context), signatures, attestations, now);
    }

    /** A fact of type any (an attestation's predicate) as a language value. */
    private static Object predicate(Object json) {
        return PolicyInputs.value((tools.jackson.databind.JsonNode) json);
    }
}
