package dev.tollgate.policy.eval;

import java.util.List;

/**
 * One rule's outcome. {@code message} and {@code reason} are present on failures only;
 * {@code evidence} holds the indices of evidence items that made an {@code any} quantifier true.
 * {@code effective} is set on a failure of a rule not yet in effect at the decision time: it
 * warns ({@code outcome} {@code warn}) and does not deny. {@code waiver} is set on a failure
 * waived by a governed exception (its id): it too warns and does not deny.
 */
public record RuleResult(String name, boolean passed, String message, String reason, List<Integer> evidence,
        java.time.Instant effective, String waiver) {

    public RuleResult(String name, boolean passed, String message, String reason, List<Integer> evidence) {
        this(name, passed, message, reason, evidence, null, null);
    }

    public RuleResult(String name, boolean passed, String message, String reason, List<Integer> evidence,
            java.time.Instant effective) {
        this(name, passed, message, reason, evidence, effective, null);
    }

    /** A failure that denies (not one of a rule before its effective time, nor one waived by an exception). */
    public boolean enforcedFailure() {
        return !passed && effective == null && waiver == null;
    }

    RuleResult notYetEffective(java.time.Instant from) {
        return new RuleResult(name, passed, message, reason, evidence, from, waiver);
    }

    /** This failure waived by the exception {@code id}: it warns instead of denying. */
    public RuleResult waivedBy(String id) {
        return new RuleResult(name, passed, message, reason, evidence, effective, id);
    }

    static RuleResult pass(Program.Rule rule, List<Integer> evidence) {
        return new RuleResult(rule.name(), true, null, null, List.copyOf(evidence));
    }

    /** Longest reason kept (an or of thousands of parts explains each); longer ones are cut. */
    static final int MAX_REASON = 2000;

    static RuleResult fail(Program.Rule rule, String reason, List<Integer> evidence) {
        String kept = reason.length() <= MAX_REASON ? reason
                : reason.substring(0, Character.isHighSurrogate(reason.charAt(MAX_REASON - 1)) ? MAX_REASON - 1 : MAX_REASON) + "…";
        return new RuleResult(rule.name(), false, rule.message(), kept, List.copyOf(evidence));
    }

    public String outcome() {
        return passed ? "pass" : effective != null || waiver != null ? "warn" : "fail";
    }
}
