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
        return combine(considered, reason);
    }

    /**
     * Which exception, if any, waives a failing rule of a policy: its id, or null. Asked only for
     * failures that deny ({@link RuleResult#enforcedFailure()}).
     */
    @FunctionalInterface
    public interface Waivers {
        String waiver(ActivePolicy policy, String rule);
    }

    /** Whether a verdict has a failure that an exception could waive (else there is nothing to look up). */
    public static boolean hasWaivableFailures(Verdict verdict) {
        return verdict.policies().stream().anyMatch(c -> c.reason() == null
                && c.result().rules().stream().anyMatch(RuleResult::enforcedFailure));
    }

    /**
     * The verdict with the failures that {@code waivers} names turned into warnings: each such rule
     * warns (its outcome {@code warn}, with the waiver's id), a policy whose remaining rules pass
     * allows, and the combination is made again. A policy that took part only to deny (a named
     * policy that does not apply) and the verdict's own reason (an unknown policy, no applicable
     * policy) are never waived.
     */
    public static Verdict waive(Verdict verdict, Waivers waivers) {
        List<Considered> considered = new ArrayList<>(verdict.policies().size());
        for (Considered c : verdict.policies()) {
            if (c.reason() != null) {
                considered.add(c);
                continue;
            }
            List<RuleResult> rules = new ArrayList<>(c.result().rules().size());
            boolean changed = false;
            boolean denied = false;
            for (RuleResult rule : c.result().rules()) {
                String waiver = rule.enforcedFailure() ? waivers.waiver(c.policy(), rule.name()) : null;
                RuleResult kept = waiver == null ? rule : rule.waivedBy(waiver);
                changed |= waiver != null;
                denied |= kept.enforcedFailure();
                rules.add(kept);
            }
            if (!changed) {
                considered.add(c);
                continue;
            }
            PolicyResult r = c.result();
            Outcome outcome = denied ? Outcome.DENY : Outcome.ALLOW;
            considered.add(new Considered(c.policy(), new PolicyResult(r.policy(), r.applicable(), outcome, r.mode(), List.copyOf(rules)),
                    outcome, null));
        }
        return combine(considered, verdict.reason());
    }

    private static Verdict combine(List<Considered> considered, String reason) {
        boolean allowed = reason == null && considered.stream()
                .noneMatch(c -> c.mode() == Mode.ENFORCE && c.outcome() == Outcome.DENY);
        boolean warned = considered.stream().anyMatch(c -> c.mode() == Mode.WARN && c.outcome() == Outcome.DENY)
                || considered.stream().anyMatch(c -> c.mode() != Mode.AUDIT && pending(c).findAny().isPresent())
                || considered.stream().anyMatch(c -> c.mode() != Mode.AUDIT && waived(c).findAny().isPresent());
        String outcome = !allowed ? "deny" : warned ? "warn" : "allow";
        return new Verdict(allowed, outcome, reason, List.copyOf(considered), warnings(considered));
    }

    /** Failures of rules not yet in effect (they warn, in enforce and warn mode alike). */
    private static java.util.stream.Stream<RuleResult> pending(Considered c) {
        return c.result().rules().stream().filter(r -> !r.passed() && r.effective() != null && r.waiver() == null);
    }

    /** Failures waived by an exception (they warn, in enforce and warn mode alike). */
    private static java.util.stream.Stream<RuleResult> waived(Considered c) {
        return c.result().rules().stream().filter(r -> !r.passed() && r.waiver() != null);
    }

    private static List<String> warnings(List<Considered> considered) {
        List<String> warnings = new ArrayList<>();
        for (Considered c : considered) {
            if (c.mode() != Mode.AUDIT && c.reason() == null) {
                pending(c).forEach(rule -> warnings.add(singleLine(c.policy().name() + "/" + rule.name() + ": "
                        + (rule.message() != null ? rule.message() : rule.reason()) + " (not enforced before "
                        + rule.effective() + ")")));
                waived(c).forEach(rule -> warnings.add(singleLine(c.policy().name() + "/" + rule.name() + ": "
                        + (rule.message() != null ? rule.message() : rule.reason()) + " (excepted by exception "
                        + rule.waiver() + ")")));
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
