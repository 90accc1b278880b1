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

    /** A compiled rule. */
    public record Rule(String name, boolean denyIf, Node condition, String message) {
    }

    private final String name;
    private final String description;
    private final Mode mode;
    private final Node applies;
    private final Node[] lets;
    private final Rule[] rules;
    private final int slotCount;

    public Program(String name, String description, Mode mode, Node applies, List<Node> lets, List<Rule> rules,
            int slotCount) {
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

    public List<String> ruleNames() {
        return java.util.Arrays.stream(rules).map(Rule::name).toList();
    }

    /** The value of the let at {@code index} (in source order) for this input: for tests and tracing. */
    public Object letValue(int index, Input input) {
        return new Env(input, slotCount, lets).let(index);
    }

    public PolicyResult evaluate(Input input) {
        Env env = new Env(input, slotCount, lets);
        boolean applicable = applies == null || isTrue(env, applies);
        List<RuleResult> results = new ArrayList<>(rules.length);
        boolean denied = false;
        for (Rule rule : rules) {
            RuleResult result = evaluate(env, rule);
            denied |= !result.passed();
            results.add(result);
        }
        return new PolicyResult(name, applicable, denied ? Outcome.DENY : Outcome.ALLOW, mode, List.copyOf(results));
    }

    private static boolean isTrue(Env env, Node node) {
        try {
            return Boolean.TRUE.equals(node.eval(env));
        } catch (RuntimeException | StackOverflowError e) {
            log.warn("applies-when evaluation failed", e);
            return false;
        }
    }

    private RuleResult evaluate(Env env, Rule rule) {
        try {
            Object value = rule.condition().eval(env);
            List<Integer> evidence = env.takeSatisfied();
            Boolean truth = Nodes.truth(value);
            if (truth == null) {
                return RuleResult.fail(rule, Nodes.asUndefined(value, rule.condition()).reason(), evidence);
            }
            if (truth != rule.denyIf()) {
                return RuleResult.pass(rule, evidence);
            }
            String reason = rule.denyIf() ? rule.condition().whyTrue(env) : rule.condition().whyFalse(env);
            env.takeSatisfied();
            return RuleResult.fail(rule, reason, evidence);
        } catch (RuntimeException | StackOverflowError e) {
            log.warn("rule {}/{} failed to evaluate", name, rule.name(), e);
            env.takeSatisfied();
            return RuleResult.fail(rule, "evaluation failed (internal error); the rule fails closed", List.of());
        }
    }
}
