package dev.tollgate.decision;

import java.time.Instant;
import java.util.List;

/**
 * A recorded artifact decided again under the policies active now, on the evidence kept for its
 * digest ({@link Decisions#underActivePolicies}); nothing of it is recorded.
 *
 * @param allowed   whether the active policies would allow it now
 * @param outcome   allow, deny or warn, as a decision's
 * @param refusals  why not, one sentence each (as {@link DecisionAnswer#refusals()})
 * @param warnings  the warnings such a decision would carry
 * @param policies  the active policies that applied, at their versions now
 * @param evidence  the kept evidence items read again
 * @param verified  how many of them verify against the trust held now
 * @param at        when it was evaluated
 */
public record Reevaluation(boolean allowed, String outcome, List<String> refusals, List<String> warnings, List<Policy> policies,
        int evidence, int verified, Instant at) {

    public Reevaluation {
        refusals = List.copyOf(refusals);
        warnings = List.copyOf(warnings);
        policies = List.copyOf(policies);
    }

    /** An active policy as it came out. */
    public record Policy(String name, int version, String mode, String outcome) {
    }
}
