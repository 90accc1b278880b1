package dev.tollgate.decision;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.exceptions.PolicyException;
import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Nil;
import dev.tollgate.trust.TrustStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A decision made exactly as {@link DecisionService} makes it — verify the evidence, build the
 * policy input, select and evaluate the policies, answer — from material given directly (files,
 * a candidate source) and without recording anything: the command line's {@code eval} and
 * {@code test}. The answer has the server's shape, without {@code decisionId} and {@code sequence}.
 */
public final class OfflineDecisions {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final EvidenceVerifier verifier;
    private final TrustStore.Snapshot trust;

    public OfflineDecisions(EvidenceVerifier verifier, TrustStore.Snapshot trust) {
        this.verifier = verifier;
        this.trust = trust;
    }

    /**
     * One offline decision: the answer as the server would give it (its {@code decisionId} is no
     * decision's: {@link #json} leaves it out), the policy input it was made on, the verdict.
     */
    public record Offline(DecisionAnswer decision, Input input, PolicySelection.Verdict verdict, List<EvidenceResult> evidence) {

        /** The answer as JSON, without {@code decisionId}, with {@code refusals}. */
        public ObjectNode json(tools.jackson.databind.ObjectMapper mapper) {
            ObjectNode answer = mapper.valueToTree(decision);
            answer.remove("decisionId");
            ArrayNode refusals = answer.putArray("refusals");
            decision.refusals().forEach(refusals::add);
            return answer;
        }
    }

    /**
     * @param named    the policies named (each must be among {@code policies}), or null for every applicable one
     * @param policies the policies available, as if active
     * @param now      the decision time (the policy's {@code now}, key windows)
     */
    public Offline decide(ArtifactRef artifact, Map<String, String> context, List<EvidenceSubmission> evidence,
            List<String> named, List<ActivePolicy> policies, boolean denyWhenNoPolicyApplies, Instant now) {
        return decide(artifact, context, evidence, named, policies, denyWhenNoPolicyApplies, now, List.of());
    }

    /**
     * As {@link #decide(ArtifactRef, Map, List, List, List, boolean, Instant)}, with governed
     * exceptions: those of {@code exceptions} that apply to the artifact at {@code now}
     * ({@link PolicyException#applicable}) waive the failures they cover, as in a live decision,
     * and the answer's policy outcomes name them.
     */
    public Offline decide(ArtifactRef artifact, Map<String, String> context, List<EvidenceSubmission> evidence,
            List<String> named, List<ActivePolicy> policies, boolean denyWhenNoPolicyApplies, Instant now,
            List<PolicyException> exceptions) {
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        List<Gathered> items = new ArrayList<>();
        List<EvidenceResult> results = new ArrayList<>();
        for (int i = 0; i < evidence.size(); i++) {
            EvidenceSubmission s = evidence.get(i);
            EvidenceResult result = verifier.verify(s, artifact.digest(), trust);
            items.add(new Gathered(i, "request", result, s, s.payload()));
            results.add(result);
        }
        Input input = AnswerAssembly.input(artifact, DecisionRequest.checkedContext(context), items, at);
        PolicySelection.Verdict verdict = PolicySelection.decide(named,
                name -> policies.stream().filter(p -> p.name().equals(name)).findFirst(),
                named == null ? policies : List.of(), input, denyWhenNoPolicyApplies);
        Map<String, PolicyException> applied = new java.util.LinkedHashMap<>();
        verdict = Waiving.waive(verdict, PolicyException.applicable(exceptions, artifact.digest(), artifact.name(), at), applied);
        DecisionAnswer answer = AnswerAssembly.answer(UuidV7.at(at.toEpochMilli()), at, artifact, verdict, applied, items, false);
        return new Offline(answer, input, verdict, List.copyOf(results));
    }

    /** The policy input as JSON, exactly as the rules see it (objects with sorted keys). */
    public static ObjectNode inputJson(Input input) {
        ObjectNode n = NODES.objectNode();
        n.set("artifact", value(input.artifact()));
        n.set("context", value(input.context()));
        n.set("signatures", value(input.signatures()));
        n.set("attestations", value(input.attestations()));
        n.put("now", input.now().toString());
        return n;
    }

    private static JsonNode value(Object v) {
        if (v == null || v == Nil.NULL) {
            return NODES.nullNode();
        }
        if (v instanceof Map<?, ?> map) {
            ObjectNode o = NODES.objectNode();
            java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
            map.forEach((k, x) -> sorted.put(String.valueOf(k), x));
            sorted.forEach((k, x) -> o.set(k, value(x)));
            return o;
        }
        if (v instanceof List<?> list) {
            ArrayNode a = NODES.arrayNode();
            list.forEach(x -> a.add(value(x)));
            return a;
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (v instanceof Number d) {
            return NODES.numberNode(new BigDecimal(d.toString()));
        }
        return NODES.stringNode(v.toString()); // strings, times, durations, versions
    }
}
