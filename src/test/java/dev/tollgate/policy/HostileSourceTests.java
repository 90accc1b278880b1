package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Map;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import org.junit.jupiter.api.Test;

/**
 * Sources an attacker or a careless generator might upload: they get diagnostics or a working
 * program, never an exception, a stack overflow or a hang. Time bounds here are generous
 * guards against hangs, not performance assertions (see bench/ for those).
 */
class HostileSourceTests {

    private static final Duration GUARD = Duration.ofSeconds(60);
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private static Input input(Map<String, Object> context) {
        return new Input(Map.of("digest", DIGEST), context, java.util.List.of(), java.util.List.of(),
                PolicyTestSupport.CLOCK.instant());
    }

    @Test
    void oneMebibyteOfTextIsRefusedBySize() {
        String source = "policy \"big\" { rule r { require true } }\n" + "#".repeat(1024 * 1024);
        CompileResult result = PolicyTestSupport.COMPILER.compile(source);
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Diagnostic.Codes.SOURCE_TOO_LARGE);
            assertThat(d.line()).isEqualTo(1);
        });
    }

    @Test
    void tenThousandNestedParenthesesAreANestingDiagnosticAtTheFirstTokenPastTheLimit() {
        String source = "policy \"deep\" {\n  rule r {\n    require " + "(".repeat(10_000) + "true" + ")".repeat(10_000) + "\n  }\n}";
        CompileResult result = assertTimeoutPreemptively(GUARD, () -> PolicyTestSupport.COMPILER.compile(source));
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Diagnostic.Codes.NESTING_TOO_DEEP);
            assertThat(d.message()).isEqualTo("nesting deeper than 64");
            assertThat(d.line()).isEqualTo(3);
            assertThat(d.column()).isEqualTo(13 + 64);
        });
    }

    @Test
    void sixtyFourLevelsAreAllowed() {
        String source = "policy \"deep\" { rule r { require " + "(".repeat(62) + "size([1])" + ")".repeat(62) + " == 1 } }";
        CompileResult result = PolicyTestSupport.COMPILER.compile(source);
        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.program().evaluate(input(Map.of())).rules().get(0).passed()).isTrue();
    }

    @Test
    void tenThousandNestedNotsAndQuantifiersAreNestingDiagnostics() {
        String nots = "policy \"n\" { rule r { require " + "not ".repeat(10_000) + "true } }";
        assertThat(assertTimeoutPreemptively(GUARD, () -> PolicyTestSupport.COMPILER.compile(nots)).diagnostics())
                .extracting(Diagnostic::code).containsExactly(Diagnostic.Codes.NESTING_TOO_DEEP);
        StringBuilder any = new StringBuilder("policy \"q\" { rule r { require ");
        for (int i = 0; i < 5_000; i++) {
            any.append("any x").append(i).append(" in [1]: ");
        }
        String quantifiers = any.append("true } }").toString();
        assertThat(assertTimeoutPreemptively(GUARD, () -> PolicyTestSupport.COMPILER.compile(quantifiers)).diagnostics())
                .extracting(Diagnostic::code).containsExactly(Diagnostic.Codes.NESTING_TOO_DEEP);
    }

    @Test
    void aHundredThousandRulesAreTooLargeAtTheDefaultLimitAndCompileWhenAllowed() {
        StringBuilder source = new StringBuilder("policy \"many\" {\n");
        for (int i = 0; i < 100_000; i++) {
            source.append("rule r").append(i).append(" { require true }\n");
        }
        String text = source.append("}\n").toString();
        assertThat(PolicyTestSupport.COMPILER.compile(text).diagnostics())
                .extracting(Diagnostic::code).containsExactly(Diagnostic.Codes.SOURCE_TOO_LARGE);

        PolicyCompiler generous = new PolicyCompiler(PolicyCompiler.Limits.DEFAULT.withoutTimeouts().withMaxSourceBytes(16 * 1024 * 1024));
        CompileResult result = assertTimeoutPreemptively(GUARD, () -> generous.compile(text));
        assertThat(result.diagnostics()).isEmpty();
        PolicyResult evaluated = result.program().evaluate(input(Map.of()));
        assertThat(evaluated.rules()).hasSize(100_000).allMatch(r -> r.passed());
    }

    @Test
    void aHundredThousandDuplicateRulesGiveDiagnosticsNotACrash() {
        StringBuilder source = new StringBuilder("policy \"dups\" {\n");
        for (int i = 0; i < 100_000; i++) {
            source.append("rule r { require x }\n");
        }
        CompileResult result = assertTimeoutPreemptively(GUARD,
                () -> new PolicyCompiler(PolicyCompiler.Limits.DEFAULT.withoutTimeouts().withMaxSourceBytes(16 * 1024 * 1024)).compile(source.append("}\n").toString()));
        assertThat(result.program()).isNull();
        assertThat(result.diagnostics()).hasSizeGreaterThan(100_000);
    }

    @Test
    void longFlatChainsCompileAndEvaluateWithoutDeepRecursion() {
        String ors = "policy \"or\" { rule r { require " + "false or ".repeat(25_000) + "true } }";
        String sums = "policy \"sum\" { rule r { require " + "1 + ".repeat(40_000) + "1 == 40001 } }";
        String path = "policy \"path\" { rule r { require context" + ".x".repeat(40_000) + " == null } }";
        String compare = "policy \"eq\" { rule r { require true" + " == true".repeat(30_000) + " } }";
        for (String source : new String[] {ors, sums, path, compare}) {
            CompileResult result = assertTimeoutPreemptively(GUARD, () -> PolicyTestSupport.COMPILER.compile(source));
            assertThat(result.diagnostics()).as(source.substring(0, 30)).isEmpty();
            Program program = result.program();
            PolicyResult evaluated = assertTimeoutPreemptively(GUARD, () -> program.evaluate(input(Map.of())));
            assertThat(evaluated.rules().get(0).passed()).as(source.substring(0, 30)).isTrue();
        }
    }

    @Test
    void catastrophicBacktrackingPatternsRunInLinearTime() {
        Program program = PolicyTestSupport.compile("""
                policy "redos" {
                  rule nested-plus { require context.s matches "(a+)+$" }
                  rule nested-alternation { require context.s matches "(a|aa)+$" }
                  rule overlapping { require context.s matches "(x+x+)+y" }
                  rule glob-stars { require context.s glob "*a*a*a*a*a*a*a*a*a*a*b" }
                }
                """);
        String hostile = "a".repeat(100_000) + "!";
        PolicyResult result = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> program.evaluate(input(Map.of("s", hostile))));
        assertThat(result.rules()).allSatisfy(r -> assertThat(r.passed()).isFalse());
        assertThat(result.rules()).allSatisfy(r -> assertThat(r.reason()).contains("is false"));
    }
}
