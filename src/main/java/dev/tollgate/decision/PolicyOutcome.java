package dev.tollgate.decision;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.policy.PolicySelection;

/** One considered policy in an answer: which version, in which mode, its outcome and each rule's. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyOutcome(String name, int version, String sha256, String mode, String outcome, String reason,
        List<RuleOutcome> rules) {

    public PolicyOutcome {
        rules = List.copyOf(rules);
    }

    static PolicyOutcome of(PolicySelection.Considered c) {
        return new PolicyOutcome(c.policy().name(), c.policy().version(), c.policy().sha256(), c.mode().id(), c.outcome().id(),
                c.reason(), c.result().rules().stream().map(RuleOutcome::of).toList());
    }
}
