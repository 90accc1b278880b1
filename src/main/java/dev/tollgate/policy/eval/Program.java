package dev.tollgate.policy.eval;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compiled policy: immutable and thread-safe, built once per policy version and evaluated for
 * every decision. Every rule is evaluated (no short-circuit between rules) and each yields pass
 * or fail with its reason. Any fault inside a rule fails that rule: never an allow by accident.
 */
public final class Program {

    private static final Logger log = LoggerFactory.getLogger(Program.class);

    /** A compiled rule; {@code effective} (or null): before it, a failure only warns. */
    public record Rule(String name, boolean denyIf, Node condition, String message, java.time.Instant effective) {

        public Rule(String name, boolean denyIf, Node condition, String message) {
            this(name, denyIf, condition, message, null);
        }
    }

    private final String name;
    private final String description;
    private final Mode mode;
    private final Node applies;
    private final Node[] lets;
    private final Rule[] rules;
    private final int slotCount;
    private final Budget.Limits limits;
    private final List<String> levels;

    public Program(String name, String description, Mode mode, Node applies, List<Node> lets, List<Rule> rules,
            int slotCount, Budget.Limits limits) {
        this(name, description, mode, applies, lets, rules, slotCount, limits, List.of());
    }

    public Program(String name, String description, Mode mode, Node applies, List<Node> lets, List<Rule> rules,
            int slotCount, Budget.Limits limits, List<String> levels) {
        this.levels = List.copyOf(levels);
        this.limits = limits;
        this.name = name;
        this.description = description;
        this.mode = mode;
        this.applies = applies;
        this.lets = lets.toArray(Node[]::new);
        this.rules = rules.toArray(Rule[]::new);
        this.slotCount = slotCount;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public Mode mode() {
        return mode;
    }

    /** The SLSA levels the policy declares ({@code levels "SLSA_BUILD_LEVEL_3"}), for the VSA of an allow. */
    public List<String> levels() {
        return levels;
    }

    public List<String> ruleNames() {
        return java.util.Arrays.stream(rules).map(Rule::name).toList();
    }

    /** The value of the let at {@code index} (in source order) for this input: for tests and tracing. */
    public Object letValue(int index, Input input) {
        return new Env(input, slotCount, lets, limits).let(index);
    }

    /** The limits each evaluation of this program runs under. */
    public Budget.Limits limits() {
        return limits;
    }

    public PolicyResult evaluate(Input input) {
        return evaluateCounting(input).result();
    }

    /** A result and the steps its evaluation took (for measuring policies against the budget). */
    public record Counted(PolicyResult result, long steps) {
    }

    /**
     * Evaluates every rule. When the evaluation runs out of its budget or time, the rule being
     * evaluated and every later one fail with that reason (a policy that could not be evaluated in
     * full denies); if it happens in {@code applies when}, the policy counts as applicable (fail
     * closed: an unnamed policy that is left out cannot deny) and every rule fails.
     */
    public Counted evaluateCounting(Input input) {
        Env env = new Env(input, slotCount, lets, limits);
        String exhausted = null;
        boolean applicable = true;
        if (applies != null) {
            try {
                env.charge(applies.weight());
                applicable = Boolean.TRUE.equals(applies.eval(env));
                env.takeSatisfied(); // what satisfied the condition is not the first rule's evidence
            } catch (Budget.Exceeded e) {
                exhausted = e.getMessage() + " in the applies-when condition; the policy fails closed";
            } catch (RuntimeException | StackOverflowError e) {
                log.warn("applies-when evaluation of {} failed", name, e);
                exhausted = "the applies-when condition failed to evaluate (internal error); the policy fails closed";
            }
        }
        List<RuleResult> results = new ArrayList<>(rules.length);
        boolean denied = false;
        for (Rule rule : rules) {
            RuleResult result;
            if (exhausted != null) {
                result = RuleResult.fail(rule, exhausted, List.of());
            } else {
                try {
                    result = evaluate(env, rule);
                } catch (Budget.Exceeded e) {
                    env.takeSatisfied();
                    result = RuleResult.fail(rule, e.getMessage() + "; the rule fails closed", List.of());
                    exhausted = "not evaluated: " + e.getMessage() + " (in rule '" + rule.name() + "')";
                }
            }
            if (!result.passed() && rule.effective() != null && input.now().isBefore(rule.effective())) {
                result = result.notYetEffective(rule.effective());
            }
            denied |= result.enforcedFailure();
            results.add(result);
        }
        return new Counted(new PolicyResult(name, applicable, denied ? Outcome.DENY : Outcome.ALLOW, mode,
                List.copyOf(results)), env.steps());
    }

    private RuleResult evaluate(Env env, Rule rule) {
        try {
            env.charge(rule.condition().weight());
            Object value = rule.condition().eval(env);
            List<Integer> evidence = env.takeSatisfied();
            Boolean truth = Nodes.truth(value);
            if (truth == null) {
                return RuleResult.fail(rule, Nodes.asUndefined(value, rule.condition()).reason(), evidence);
            }
            if (truth != rule.denyIf()) {
                return RuleResult.pass(rule, evidence);
            }
            env.charge(rule.condition().weight());
            String reason = rule.denyIf() ? rule.condition().whyTrue(env) : rule.condition().whyFalse(env);
            env.takeSatisfied();
            return RuleResult.fail(rule, reason, evidence);
        } catch (Budget.Exceeded e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            log.warn("rule {}/{} failed to evaluate", name, rule.name(), e);
            env.takeSatisfied();
            return RuleResult.fail(rule, "evaluation failed (internal error); the rule fails closed", List.of());
        }
    }
}
