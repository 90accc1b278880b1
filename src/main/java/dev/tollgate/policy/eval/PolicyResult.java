package dev.tollgate.policy.eval;

import java.util.List;

/** One policy evaluated against one input. {@code outcome} comes from the rules, whatever the mode. */
public record PolicyResult(String policy, boolean applicable, Outcome outcome, Mode mode, List<RuleResult> rules) {
}
