package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.eval.Budget;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Outcome;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.policy.eval.RuleResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Evaluation is bounded by a step budget and a time limit (issue #9): three nested quantifiers
 * over 1,000 items (10⁹ iterations) stop at the budget and fail closed; realistic policies stay
 * far below it. The timeouts only guard against a hang.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EvaluationBudgetTests {

    static final String THOUSAND = IntStream.range(0, 1000).mapToObj(Integer::toString)
            .collect(Collectors.joining(", ", "[", "]"));
    /** Ten thousand million steps' worth of work, then a rule after it. */
    static final String NESTED = "policy \"nested\" {\n"
            + "  let l = " + THOUSAND + "\n"
            + "  rule before { require size(l) == 1000 }\n"
            + "  rule cube { require any a in l: any b in l: any c in l: a + b + c < 0 }\n"
            + "  rule after { require true }\n"
            + "}\n";

    private static Input input(Map<String, Object> context) {
        return new Input(Map.of("digest", "sha256:" + "a".repeat(64)), context, List.of(), List.of(),
                PolicyTestSupport.CLOCK.instant());
    }

    private static Program compile(String source, Budget.Limits limits) {
        CompileResult result = new PolicyCompiler(new PolicyCompiler.Limits(PolicyCompiler.DEFAULT_MAX_SOURCE_BYTES, null,
                limits)).compile(source);
        assertThat(result.diagnostics()).isEmpty();
        return result.program();
    }

    @Test
    void nestedQuantifiersOverAThousandItemsStopAtTheStepBudgetAndTheRestOfThePolicyFails() {
        Program program = compile(NESTED, Budget.Limits.DEFAULT.withoutTimeout());
        Program.Counted counted = program.evaluateCounting(input(Map.of()));
        PolicyResult result = counted.result();
        assertThat(result.outcome()).isEqualTo(Outcome.DENY);
        assertThat(result.rules()).extracting(RuleResult::name, RuleResult::passed, RuleResult::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("before", true, null),
                org.assertj.core.groups.Tuple.tuple("cube", false,
                        "evaluation budget exceeded: more than 10000000 steps; the rule fails closed"),
                org.assertj.core.groups.Tuple.tuple("after", false,
                        "not evaluated: evaluation budget exceeded: more than 10000000 steps (in rule 'cube')"));
        assertThat(counted.steps()).isGreaterThan(10_000_000).isLessThan(10_100_000);
    }

    @Test
    void theTimeLimitStopsAnEvaluationWhoseBudgetIsLarge() {
        Program program = compile(NESTED, new Budget.Limits(Long.MAX_VALUE, Duration.ofMillis(100)));
        PolicyResult result = program.evaluate(input(Map.of()));
        assertThat(result.outcome()).isEqualTo(Outcome.DENY);
        assertThat(result.rules().get(1).reason())
                .isEqualTo("evaluation time limit exceeded: more than 100 ms; the rule fails closed");
        assertThat(result.rules().get(2).reason()).startsWith("not evaluated: evaluation time limit exceeded");
    }

    @Test
    void anAppliesWhenThatRunsOutMakesThePolicyApplicableAndDenying() {
        String source = "policy \"p\" {\n"
                + "  applies when any a in l: any b in l: any c in l: a + b + c < 0\n"
                + "  let l = " + THOUSAND + "\n"
                + "  rule r { require true }\n}\n";
        PolicyResult result = compile(source, new Budget.Limits(1_000_000, null)).evaluate(input(Map.of()));
        assertThat(result.applicable()).isTrue();
        assertThat(result.outcome()).isEqualTo(Outcome.DENY);
        assertThat(result.rules()).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo(
                "evaluation budget exceeded: more than 1000000 steps in the applies-when condition; the policy fails closed"));
    }

    @Test
    void workOnLongDataIsChargedBeforeItIsDone() {
        String big = "ab".repeat(500_000);
        Budget.Limits limits = new Budget.Limits(1_000_000, null);
        // a match of 10^6 characters against this program is ~10^7 instruction-characters
        Program match = compile("policy \"m\" { rule r { require context.s matches \"(a|b)*c(d|e)*f[0-9]+x\" } }", limits);
        assertThat(match.evaluate(input(Map.of("s", big))).rules().get(0).reason())
                .startsWith("evaluation budget exceeded: more than 1000000 steps");
        assertThat(match.evaluate(input(Map.of("s", "abcdf1x"))).rules().get(0).passed()).isTrue();

        Program contains = compile("policy \"c\" { rule r { require context.s contains context.t } }", limits);
        assertThat(contains.evaluate(input(Map.of("s", big, "t", big.substring(0, 1000) + "x"))).rules().get(0).reason())
                .startsWith("evaluation budget exceeded");
        assertThat(contains.evaluate(input(Map.of("s", big, "t", "bab"))).rules().get(0).passed()).isTrue();

        Program compare = compile("policy \"e\" { let l = " + THOUSAND + "\n rule r { require all a in l: all b in l: "
                + "context.s == context.t } }", limits);
        assertThat(compare.evaluate(input(Map.of("s", big, "t", new String(big.toCharArray())))).rules().get(0).reason())
                .startsWith("evaluation budget exceeded");
    }

    @Test
    void theExamplesOfTheSpecificationAndTheCookbookTakeFewSteps() throws IOException {
        Program spec = PolicyTestSupport.compile(Files.readString(Path.of("policy-grammar/examples/valid/spec-example.policy")));
        JsonNode realistic = PolicyTestSupport.JSON.valueToTree(dev.tollgate.bench.PolicyEvaluationBenchmark.realisticInput());
        long specSteps = spec.evaluateCounting(PolicyTestSupport.input(realistic)).steps();
        assertThat(specSteps).isBetween(100L, 10_000L);

        JsonNode cases = PolicyTestSupport.resource("policy/cookbook.yaml");
        for (String source : CookbookTests.cookbook()) {
            Program program = PolicyTestSupport.compile(source);
            JsonNode c = cases.get(program.name());
            List<JsonNode> inputs = new java.util.ArrayList<>(List.of(c.get("pass"), realistic));
            c.get("fail").forEach(f -> inputs.add(f.get("input")));
            for (JsonNode json : inputs) {
                Program.Counted counted = program.evaluateCounting(PolicyTestSupport.input(json));
                assertThat(counted.steps()).as(program.name()).isPositive()
                        .isLessThan(Budget.Limits.DEFAULT.maxSteps() / 1000);
                assertThat(counted.result().rules()).noneMatch(r -> r.reason() != null && r.reason().contains("budget"));
            }
        }
    }
}
