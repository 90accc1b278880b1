package dev.tollgate.decision;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.exceptions.PolicyException;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.eval.RuleResult;

/**
 * One considered policy in an answer: which version, in which mode, its outcome and each rule's.
 * {@code exceptions} (left out when empty) names the governed exceptions that waived failures of
 * its rules in this decision, with who requested and approved each and the rules it waived here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyOutcome(String name, int version, String sha256, String mode, String outcome, String reason,
        List<RuleOutcome> rules, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> levels,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<AppliedException> exceptions) {

    public PolicyOutcome {
        rules = List.copyOf(rules);
        levels = levels == null ? List.of() : List.copyOf(levels);
        exceptions = exceptions == null ? List.of() : List.copyOf(exceptions);
    }

    /** A policy that declares no SLSA levels. */
    public PolicyOutcome(String name, int version, String sha256, String mode, String outcome, String reason, List<RuleOutcome> rules) {
        this(name, version, sha256, mode, outcome, reason, rules, List.of(), List.of());
    }

    public PolicyOutcome(String name, int version, String sha256, String mode, String outcome, String reason, List<RuleOutcome> rules,
            List<String> levels) {
        this(name, version, sha256, mode, outcome, reason, rules, levels, List.of());
    }

    /**
     * A governed exception that applied (docs/exceptions.md): {@code rules} are the rules of this
     * policy whose failures it waived in this decision.
     */
    public record AppliedException(String id, String requestedBy, String approvedBy, String reason, String ticket,
            Instant expiresAt, List<String> rules) {
        public AppliedException {
            rules = List.copyOf(rules);
        }
    }

    static PolicyOutcome of(PolicySelection.Considered c) {
        return of(c, Map.of());
    }

    /** @param applied the exceptions that applied to the decision, by id */
    static PolicyOutcome of(PolicySelection.Considered c, Map<String, PolicyException> applied) {
        Map<String, List<String>> waived = new LinkedHashMap<>();
        for (RuleResult rule : c.result().rules()) {
            if (rule.waiver() != null) {
                waived.computeIfAbsent(rule.waiver(), k -> new ArrayList<>()).add(rule.name());
            }
        }
        List<AppliedException> exceptions = new ArrayList<>(waived.size());
        waived.forEach((id, rules) -> {
            PolicyException e = applied.get(id);
            exceptions.add(new AppliedException(id, e == null ? null : e.requestedBy(), e == null ? null : e.approvedBy(),
                    e == null ? null : e.reason(), e == null ? null : e.ticket(), e == null ? null : e.expiresAt(), rules));
        });
        return new PolicyOutcome(c.policy().name(), c.policy().version(), c.policy().sha256(), c.mode().id(), c.outcome().id(),
                c.reason(), c.result().rules().stream().map(RuleOutcome::of).toList(), c.policy().program().levels(), exceptions);
    }
}
