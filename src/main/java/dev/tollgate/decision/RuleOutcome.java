package dev.tollgate.decision;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.policy.eval.RuleResult;

/**
 * One rule's outcome in an answer: {@code pass} or {@code fail}; {@code evidence} (left out when
 * empty) holds the indices of the items that made an {@code any} true; {@code message} and
 * {@code reason} are set on failures. A failure waived by a governed exception has the outcome
 * {@code warn} and names the exception's id in {@code exception} (its message and reason kept).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuleOutcome(String name, String outcome, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> evidence,
        String message, String reason, String effective, String exception) {

    public RuleOutcome {
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }

    public RuleOutcome(String name, String outcome, List<Integer> evidence, String message, String reason) {
        this(name, outcome, evidence, message, reason, null, null);
    }

    public RuleOutcome(String name, String outcome, List<Integer> evidence, String message, String reason, String effective) {
        this(name, outcome, evidence, message, reason, effective, null);
    }

    /** {@code effective}: set on the {@code warn} of a rule that fails before its effective time (then it does not deny). */
    static RuleOutcome of(RuleResult rule) {
        return new RuleOutcome(rule.name(), rule.outcome(), rule.evidence(), rule.message(), rule.reason(),
                rule.effective() == null ? null : rule.effective().toString(), rule.waiver());
    }

    @JsonIgnore
    public boolean passed() {
        return "pass".equals(outcome);
    }
}
