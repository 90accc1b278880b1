package dev.tollgate.policy.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.compile.PolicyCompiler;
import org.junit.jupiter.api.Test;

/**
 * A fault while evaluating {@code applies when} never makes a policy "not applicable" (which
 * would skip its rules while other policies allow): the policy applies and every rule fails with
 * the fault as reason, so that an unnamed enforce-mode policy denies the decision. One test per
 * kind of evaluation fault: the step budget, the time limit, an internal error and a stack
 * overflow — in the condition itself and in a {@code let} it uses.
 */
class AppliesWhenFaultTests {

    private static final String THOUSAND = IntStream.range(0, 1000).mapToObj(Integer::toString)
            .collect(Collectors.joining(", ", "[", "]"));
    private static final Input INPUT = new Input(Map.of("digest", "sha256:" + "a".repeat(64)), Map.of("environment", "prod"),
            List.of(), List.of(), Instant.parse("2026-11-25T10:00:00Z"));
    /** A policy that applies and allows: were the faulty one left out, the decision would be allowed. */
    private static final ActivePolicy ALLOWING = new ActivePolicy("allowing", 1, "x",
            compile("policy \"allowing\" { rule r { require true } }", Budget.Limits.DEFAULT.withoutTimeout()));

    private static Program compile(String source, Budget.Limits limits) {
        return new PolicyCompiler(new PolicyCompiler.Limits(PolicyCompiler.DEFAULT_MAX_SOURCE_BYTES, null, limits)).compile(source).program();
    }

    /** A condition whose evaluation throws what a defect in an evaluation node would. */
    private record Throwing(Throwable fault) implements Node {
        @Override
        public Object eval(Env env) {
            if (fault instanceof RuntimeException e) {
                throw e;
            }
            throw (Error) fault;
        }

        @Override
        public String text() {
            return "faulty";
        }
    }

    private static Program withFaultyAppliesWhen(Throwable fault) {
        return new Program("faulty", null, Mode.ENFORCE, new Throwing(fault), List.of(),
                List.of(new Program.Rule("r", false, new Nodes.Const(() -> "true", Boolean.TRUE), null)), Input.ROOTS.size(),
                Budget.Limits.DEFAULT);
    }

    private static void failsClosed(Program program, String reason) {
        PolicyResult result = program.evaluate(INPUT);
        assertThat(result.applicable()).isTrue();
        assertThat(result.outcome()).isEqualTo(Outcome.DENY);
        assertThat(result.rules()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.reason()).isEqualTo(reason);
        });
        ActivePolicy faulty = new ActivePolicy(program.name(), 1, "y", program);
        Map<String, ActivePolicy> byName = Map.of(faulty.name(), faulty, ALLOWING.name(), ALLOWING);
        for (List<String> named : java.util.Arrays.asList(null, List.of("allowing", program.name()))) {
            PolicySelection.Verdict verdict = PolicySelection.decide(named, n -> Optional.ofNullable(byName.get(n)),
                    List.of(ALLOWING, faulty), INPUT, true);
            assertThat(verdict.allowed()).as("named " + named).isFalse();
            assertThat(verdict.outcome()).isEqualTo("deny");
            assertThat(verdict.policies()).extracting(c -> c.policy().name()).contains(program.name());
        }
    }

    @Test
    void runningOutOfStepsInTheConditionFailsClosed() {
        failsClosed(compile("policy \"steps\" {\n applies when any a in " + THOUSAND + ": any b in " + THOUSAND
                + ": a + b < 0\n rule r { require true }\n rule s { require true }\n}", new Budget.Limits(100_000, null)),
                "evaluation budget exceeded: more than 100000 steps in the applies-when condition; the policy fails closed");
    }

    @Test
    void runningOutOfStepsInALetTheConditionUsesFailsClosed() {
        failsClosed(compile("policy \"let-steps\" {\n applies when l\n let l = any a in " + THOUSAND + ": any b in " + THOUSAND
                + ": a + b < 0\n rule r { require l or true }\n}", new Budget.Limits(100_000, null)),
                "evaluation budget exceeded: more than 100000 steps in the applies-when condition; the policy fails closed");
    }

    @Test
    void runningOutOfTimeInTheConditionFailsClosed() {
        failsClosed(compile("policy \"time\" {\n applies when any a in " + THOUSAND + ": any b in " + THOUSAND + ": any c in "
                + THOUSAND + ": a + b + c < 0\n rule r { require true }\n}", new Budget.Limits(Long.MAX_VALUE, Duration.ofMillis(50))),
                "evaluation time limit exceeded: more than 50 ms in the applies-when condition; the policy fails closed");
    }

    @Test
    void anInternalErrorInTheConditionFailsClosed() {
        failsClosed(withFaultyAppliesWhen(new IllegalStateException("a defect")),
                "the applies-when condition failed to evaluate (internal error); the policy fails closed");
    }

    @Test
    void aStackOverflowInTheConditionFailsClosed() {
        failsClosed(withFaultyAppliesWhen(new StackOverflowError()),
                "the applies-when condition failed to evaluate (internal error); the policy fails closed");
    }

    @Test
    void evidenceThatSatisfiedTheConditionIsNotTheFirstRulesEvidence() {
        Program program = compile("policy \"attributed\" {\n applies when any s in signatures: s.kind == \"key\"\n"
                + " rule r { require true }\n rule s { require any s in signatures: s.kind == \"key\" }\n}",
                Budget.Limits.DEFAULT.withoutTimeout());
        Input input = new Input(INPUT.artifact(), INPUT.context(), List.of(new EvidenceItem(Map.of("kind", "key"), 3)), List.of(),
                INPUT.now());
        PolicyResult result = program.evaluate(input);
        assertThat(result.applicable()).isTrue();
        assertThat(result.rules()).extracting(RuleResult::name, RuleResult::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("r", List.of()), org.assertj.core.groups.Tuple.tuple("s", List.of(3)));
    }
}
