package dev.tollgate.decision;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.policy.eval.RuleResult;

/**
 * One rule's outcome in an answer: {@code pass} or {@code fail}; {@code evidence} (left out when
 * empty) holds the indices of the items that made an {@code any} true; {@code message} and
 * {@code reason} are set on failures.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuleOutcome(String name, String outcome, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> evidence,
        String message, String reason) {

    public RuleOutcome {
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }

    static RuleOutcome of(RuleResult rule) {
        return new RuleOutcome(rule.name(), rule.outcome(), rule.evidence(), rule.message(), rule.reason());
    }

    @JsonIgnore
    public boolean passed() {
        return "pass".equals(outcome);
    }
}
