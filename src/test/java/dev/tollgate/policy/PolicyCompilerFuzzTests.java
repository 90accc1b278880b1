package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.eval.Budget;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.policy.eval.RuleResult;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the policy compiler with arbitrary sources (seeded with the grammar's examples and the
 * cookbook): compiling returns diagnostics or a program, never throws; a program evaluated on a
 * fixed, realistic input never fails internally and stops at its step budget. Runs in
 * {@code mvn verify} in its own JVM (see pom.xml); findings land in
 * src/test/resources/dev/tollgate/policy/PolicyCompilerFuzzTestsInputs/compileAndEvaluate.
 */
class PolicyCompilerFuzzTests {

    private static final long MAX_STEPS = 200_000;
    private static final PolicyCompiler COMPILER = new PolicyCompiler(new PolicyCompiler.Limits(
            PolicyCompiler.DEFAULT_MAX_SOURCE_BYTES, null, new Budget.Limits(MAX_STEPS, null)));
    private static final Input INPUT = PolicyTestSupport.input(PolicyTestSupport.JSON.valueToTree(
            dev.tollgate.bench.PolicyEvaluationBenchmark.realisticInput()));

    static Stream<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String source : CompilerRobustnessTests.seeds()) {
            seeds.add(source.getBytes(StandardCharsets.UTF_8));
        }
        for (String source : CookbookTests.cookbook()) {
            seeds.add(source.getBytes(StandardCharsets.UTF_8));
        }
        seeds.add(Files.readAllBytes(Path.of("policy-grammar/examples/valid/spec-example.policy")));
        seeds.add(EvaluationBudgetTests.NESTED.getBytes(StandardCharsets.UTF_8));
        return seeds.stream();
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void compileAndEvaluate(byte[] data) {
        String source = new String(data, StandardCharsets.UTF_8);
        CompileResult result = COMPILER.compile(source);
        if (!result.ok()) {
            assertThat(result.diagnostics()).isNotEmpty().allSatisfy(PolicyCompilerFuzzTests::positioned);
            return;
        }
        assertThat(result.diagnostics()).isEmpty();
        Program.Counted counted = result.program().evaluateCounting(INPUT);
        boolean exhausted = false;
        for (RuleResult rule : counted.result().rules()) {
            if (rule.reason() != null) {
                assertThat(rule.reason()).as(source).doesNotContain("internal error");
                exhausted |= rule.reason().contains("evaluation budget exceeded");
            }
        }
        if (!exhausted) {
            assertThat(counted.steps()).as(source).isLessThanOrEqualTo(MAX_STEPS);
        }
    }

    private static void positioned(Diagnostic d) {
        assertThat(d.line()).isPositive();
        assertThat(d.column()).isPositive();
        assertThat(d.code()).startsWith("policy_");
        assertThat(d.message()).isNotBlank();
    }
}
