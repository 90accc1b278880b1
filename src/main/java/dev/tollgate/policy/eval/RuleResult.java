package dev.tollgate.policy.eval;

import java.util.List;

/**
 * One rule's outcome. {@code message} and {@code reason} are present on failures only;
 * {@code evidence} holds the indices of evidence items that made an {@code any} quantifier true.
 */
public record RuleResult(String name, boolean passed, String message, String reason, List<Integer> evidence) {

    static RuleResult pass(Program.Rule rule, List<Integer> evidence) {
        return new RuleResult(rule.name(), true, null, null, List.copyOf(evidence));
    }

    static RuleResult fail(Program.Rule rule, String reason, List<Integer> evidence) {
        return new RuleResult(rule.name(), false, rule.message(), reason, List.copyOf(evidence));
    }

    public String outcome() {
        return passed ? "pass" : "fail";
    }
}
