package dev.tollgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Mode;
import dev.tollgate.policy.eval.Outcome;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.RuleResult;

/**
 * Section 6 of the language: which policies a request is decided by, and how their outcomes
 * combine. Fails closed: an unknown named policy, or no applicable enforce-mode policy when none
 * is named, denies.
 */
public final class PolicySelection {

    /**
     * One policy that took part. {@code outcome} is the policy's outcome as the decision sees it
     * ({@code deny} for a named policy that is not applicable, with that {@code reason}).
     */
    public record Considered(ActivePolicy policy, PolicyResult result, Outcome outcome, String reason) {
        public Mode mode() {
            return policy.mode();
        }
    }

    /** The combined verdict: {@code outcome} is allow, deny or warn; {@code reason} set for denials outside the rules. */
    public record Verdict(boolean allowed, String outcome, String reason, List<Considered> policies, List<String> warnings) {
    }

    private PolicySelection() {
    }

    /**
     * @param named            the request's policies, or null for every active policy
     * @param lookup           the active version of a named policy
     * @param active           every active policy (used when none is named)
     * @param denyWhenNoneApplies whether no applicable enforce-mode policy denies (the fail-closed default)
     */
    public static Verdict decide(List<String> named, Function<String, Optional<ActivePolicy>> lookup,
            List<ActivePolicy> active, Input input, boolean denyWhenNoneApplies) {
        return decide(named, lookup, active, input, denyWhenNoneApplies,
                () -> active.stream().map(ActivePolicy::name).toList());
    }

    /** @param known the names of the active policies, asked only for an unknown name's "did you mean" */
    public static Verdict decide(List<String> named, Function<String, Optional<ActivePolicy>> lookup,
            List<ActivePolicy> active, Input input, boolean denyWhenNoneApplies,
            java.util.function.Supplier<java.util.Collection<String>> known) {
        List<Considered> considered = new ArrayList<>();
        String reason = null;
        if (named != null) {
            for (String name : new LinkedHashSet<>(named)) {
                Optional<ActivePolicy> policy = lookup.apply(name);
                if (policy.isEmpty()) {
                    reason = reason == null ? "unknown policy '" + name + "'"
                            + dev.tollgate.policy.compile.PolicyCompiler.didYouMean(name, known.get()) : reason;
                    continue;
                }
                PolicyResult result = policy.get().program().evaluate(input);
                considered.add(result.applicable()
                        ? new Considered(policy.get(), result, result.outcome(), null)
                        : new Considered(policy.get(), result, Outcome.DENY, "not applicable"));
            }
        } else {
            boolean enforcing = false;
            for (ActivePolicy policy : active) {
                PolicyResult result = policy.program().evaluate(input);
                if (result.applicable()) {
                    considered.add(new Considered(policy, result, result.outcome(), null));
                    enforcing |= policy.mode() == Mode.ENFORCE;
                }
            }
            if (!enforcing && denyWhenNoneApplies) {
                reason = "no applicable policy";
            }
        }

        boolean allowed = reason == null && considered.stream()
                .noneMatch(c -> c.mode() == Mode.ENFORCE && c.outcome() == Outcome.DENY);
        boolean warned = considered.stream().anyMatch(c -> c.mode() == Mode.WARN && c.outcome() == Outcome.DENY)
                || considered.stream().anyMatch(c -> c.mode() != Mode.AUDIT && pending(c).findAny().isPresent());
        String outcome = !allowed ? "deny" : warned ? "warn" : "allow";
        return new Verdict(allowed, outcome, reason, List.copyOf(considered), warnings(considered));
    }

    /** Failures of rules not yet in effect (they warn, in enforce and warn mode alike). */
    private static java.util.stream.Stream<RuleResult> pending(Considered c) {
        return c.result().rules().stream().filter(r -> !r.passed() && r.effective() != null);
    }

    private static List<String> warnings(List<Considered> considered) {
        List<String> warnings = new ArrayList<>();
        for (Considered c : considered) {
            if (c.mode() != Mode.AUDIT && c.reason() == null) {
                pending(c).forEach(rule -> warnings.add(singleLine(c.policy().name() + "/" + rule.name() + ": "
                        + (rule.message() != null ? rule.message() : rule.reason()) + " (not enforced before "
                        + rule.effective() + ")")));
            }
            if (c.mode() != Mode.WARN || c.outcome() != Outcome.DENY) {
                continue;
            }
            if (c.reason() != null) {
                warnings.add(singleLine(c.policy().name() + ": " + c.reason()));
                continue;
            }
            for (RuleResult rule : c.result().rules()) {
                if (rule.enforcedFailure()) {
                    String text = rule.message() != null ? rule.message() : rule.reason();
                    warnings.add(singleLine(c.policy().name() + "/" + rule.name() + ": " + text));
                }
            }
        }
        return List.copyOf(warnings);
    }

    /** Line breaks become spaces: warnings and admission messages are single-line fields. */
    public static String singleLine(String text) {
        return text.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }
}
