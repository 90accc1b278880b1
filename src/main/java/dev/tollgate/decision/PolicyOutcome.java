package dev.tollgate.decision;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.policy.PolicySelection;

/** One considered policy in an answer: which version, in which mode, its outcome and each rule's. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyOutcome(String name, int version, String sha256, String mode, String outcome, String reason,
        List<RuleOutcome> rules, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> levels) {

    public PolicyOutcome {
        rules = List.copyOf(rules);
        levels = levels == null ? List.of() : List.copyOf(levels);
    }

    /** A policy that declares no SLSA levels. */
    public PolicyOutcome(String name, int version, String sha256, String mode, String outcome, String reason, List<RuleOutcome> rules) {
        this(name, version, sha256, mode, outcome, reason, rules, List.of());
    }

    static PolicyOutcome of(PolicySelection.Considered c) {
        return new PolicyOutcome(c.policy().name(), c.policy().version(), c.policy().sha256(), c.mode().id(), c.outcome().id(),
                c.reason(), c.result().rules().stream().map(RuleOutcome::of).toList(), c.policy().program().levels());
    }
}
