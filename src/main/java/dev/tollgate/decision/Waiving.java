package dev.tollgate.decision;

import java.util.List;
import java.util.Map;

import dev.tollgate.exceptions.PolicyException;
import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.eval.PolicyResult;

/**
 * Governed exceptions applied to a verdict (docs/exceptions.md) — one place for the live decision,
 * {@code POST /v1/decisions:evaluate}, the command line's {@code eval} and replay: each failure
 * that the first covering exception (oldest request first) waives turns into a warning, by
 * {@link PolicySelection#waive}. Which exceptions are candidates (in force at the decision time, for
 * the artifact) is the exceptions module's {@link PolicyException#applicable}.
 */
final class Waiving {

    private Waiving() {
    }

    /**
     * The verdict with the failures the candidates waive turned into warnings; {@code applied}
     * receives each exception that waived any, by id.
     */
    static PolicySelection.Verdict waive(PolicySelection.Verdict verdict, List<PolicyException> candidates,
            Map<String, PolicyException> applied) {
        if (candidates.isEmpty() || !PolicySelection.hasWaivableFailures(verdict)) {
            return verdict;
        }
        return PolicySelection.waive(verdict, (policy, rule) -> {
            for (PolicyException e : candidates) {
                if (e.coversRule(policy.name(), rule)) {
                    applied.putIfAbsent(e.id().toString(), e);
                    return e.id().toString();
                }
            }
            return null;
        });
    }

    /** One policy's applicable result with the failures the candidates waive turned into warnings (replay's candidate). */
    static PolicyResult waive(ActivePolicy policy, PolicyResult result, List<PolicyException> candidates,
            Map<String, PolicyException> applied) {
        if (!result.applicable() || candidates.isEmpty()) {
            return result;
        }
        PolicySelection.Verdict alone = new PolicySelection.Verdict(true, "allow", null,
                List.of(new PolicySelection.Considered(policy, result, result.outcome(), null)), List.of());
        PolicySelection.Verdict waived = waive(alone, candidates, applied);
        return waived == alone ? result : waived.policies().get(0).result();
    }
}
