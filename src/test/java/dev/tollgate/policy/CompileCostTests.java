package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.dsl.Diagnostic.Codes;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sources whose compilation used to take time in proportion to the square of their size (issue #9):
 * long patterns, patterns used many times, many diagnostics, long numbers. Each gets its result;
 * the timeouts only guard against a hang (bench/policy-compile.sh measures the times).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompileCostTests {

    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private static String rule(String condition) {
        return "policy \"p\" {\n  rule r {\n    require " + condition + "\n  }\n}\n";
    }

    private static CompileResult compile(String source) {
        return PolicyTestSupport.COMPILER.compile(source);
    }

    private static Input input(Map<String, Object> artifact, Map<String, Object> context) {
        return new Input(artifact, context, List.of(), List.of(), PolicyTestSupport.CLOCK.instant());
    }

    private static boolean passes(Program program, String name) {
        PolicyResult result = program.evaluate(input(Map.of("digest", DIGEST, "name", name), Map.of("x", name)));
        return result.rules().get(0).passed();
    }

    @Test
    void aQuarterMegabyteGlobIsRefusedAtTheLiteralAndAFourKilobyteOneWorks() {
        CompileResult big = compile(rule("artifact.name glob \"" + "ghcr.io/*/".repeat(25_000) + "\""));
        assertThat(big.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.INVALID_GLOB);
            assertThat(d.message()).isEqualTo("invalid glob: longer than 4096 characters");
            assertThat(d.line()).isEqualTo(3);
            assertThat(d.column()).isEqualTo(32);
        });

        String glob = "ghcr.io/" + "a.b(c)[d]{e}+^$|\\E\\".repeat(200) + "/**";
        assertThat(glob.length()).isLessThanOrEqualTo(4096);
        Program program = PolicyTestSupport.compile(rule("artifact.name glob \"" + glob.replace("\\", "\\\\") + "\""));
        String literal = "ghcr.io/" + "a.b(c)[d]{e}+^$|\\E\\".repeat(200);
        assertThat(passes(program, literal + "/team/app")).isTrue();
        assertThat(passes(program, literal)).isFalse();
        assertThat(passes(program, literal.replace('.', 'x') + "/app")).isFalse();
    }

    @Test
    void globsMeanWhatTheLanguageSaysAcrossChunkBoundaries() {
        String letters = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(3); // longer than a chunk
        Program program = PolicyTestSupport.compile(rule("artifact.name glob \"" + letters + "/*/?x***y\""));
        assertThat(passes(program, letters + "/team/zxy")).isTrue();
        assertThat(passes(program, letters + "/team/zx/a/b/y")).isTrue();
        assertThat(passes(program, letters + "/te/am/zxy")).isFalse();
        assertThat(passes(program, letters + "/team//xy")).isFalse();
        assertThat(passes(program, letters.substring(1) + "/team/zxy")).isFalse();

        Program unicode = PolicyTestSupport.compile(rule("artifact.name glob \"" + "é😀".repeat(40) + "?\""));
        assertThat(passes(unicode, "é😀".repeat(40) + "😀")).isTrue();
        assertThat(passes(unicode, "é😀".repeat(40))).isFalse();
    }

    @Test
    void aGlobWithMoreThanTwoThousandStarsIsRefused() {
        CompileResult result = compile(rule("artifact.name glob \"" + "*a".repeat(2001) + "\""));
        assertThat(result.diagnostics()).extracting(Diagnostic::message)
                .containsExactly("invalid glob: more than 2000 '*' wildcards");
        assertThat(compile(rule("artifact.name glob \"" + "*a".repeat(2000) + "\"")).diagnostics()).isEmpty();
    }

    @Test
    void longRegularExpressionsAreRefusedAndOnesUpToTheLimitWork() {
        CompileResult big = compile(rule("context.x matches \"" + "a".repeat(100_000) + "\""));
        assertThat(big.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.INVALID_REGEX);
            assertThat(d.message()).isEqualTo("invalid regular expression: longer than 4096 characters");
        });
        String regex = "[a-z]+\\\\.(x|y)".repeat(4096 / 13);
        Program program = PolicyTestSupport.compile(rule("context.x matches \"" + regex + "\""));
        assertThat(passes(program, "ab.x".repeat(4096 / 13))).isTrue();
        assertThat(passes(program, "ab.x".repeat(4096 / 13) + "!")).isFalse();
    }

    @Test
    void repetitionsThatWouldExhaustTheHeapAreAnUploadError() {
        // RE2J 1.8 compiles this to 10^9 instructions: OutOfMemoryError
        CompileResult result = compile(rule("context.x matches \"((a{1000}){1000}){1000}\""));
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.INVALID_REGEX);
            assertThat(d.message()).isEqualTo("invalid regular expression: expression too large (more than 10000 instructions)");
            assertThat(d.column()).isEqualTo(31);
        });
        assertThat(compile(rule("context.x matches \"(?:a{1000}){9}\"")).diagnostics()).isEmpty();
        assertThat(compile(rule("context.x matches \"\\\\x{1000}\\\\p{Greek}{3}[\\\\x{10}-\\\\x{1000}]{2}\"")).diagnostics())
                .isEmpty();
    }

    @Test
    void longChainsOfOptionalPartsAreRefusedBeforeTheyCanOverflowTheMatchersStack() {
        // RE2J follows empty transitions recursively: 10,000 of them overflow a 1 MiB thread stack
        CompileResult result = compile(rule("context.x matches \"(?:(?:a?){1000}){3}\""));
        assertThat(result.diagnostics()).extracting(Diagnostic::message).containsExactly("invalid regular expression: "
                + "expression too complex (more than 2000 repetitions, alternatives, groups and anchors)");
        Program program = PolicyTestSupport.compile(rule("context.x matches \"(?:a?){1000}b\""));
        assertThat(passes(program, "a".repeat(500) + "b")).isTrue();
    }

    @Test
    void aPatternUsedThousandsOfTimesIsCompiledOnce() {
        StringBuilder source = new StringBuilder("policy \"p\" {\n  let re = \"" + "[a-z]\\\\.".repeat(500) + "\"\n"
                + "  rule r { require false");
        while (source.length() < 250_000) {
            source.append(" or context.x matches re");
        }
        Program program = PolicyTestSupport.compile(source.append(" }\n}\n").toString());
        assertThat(passes(program, "a.".repeat(500))).isTrue();
    }

    @Test
    void numberLiteralsLongerThanAThousandCharactersAreRefused() {
        CompileResult result = compile(rule("1" + " + 1".repeat(10) + " == " + "1".repeat(1001)));
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.NUMBER_TOO_LONG);
            assertThat(d.message()).isEqualTo("number literal longer than 1000 characters");
        });
        Program program = PolicyTestSupport.compile(rule("1" + "0".repeat(999) + " > 9" + "9".repeat(998)));
        assertThat(passes(program, "x")).isTrue();
    }

    @Test
    void manyUnknownNamesAmongManyLetsGetDiagnosticsAndEarlyOnesGetSuggestions() {
        StringBuilder source = new StringBuilder("policy \"p\" {\n");
        for (int i = 0; i < 8_000; i++) {
            source.append("  let aa").append(i).append(" = 1\n");
        }
        source.append("  rule r { require ab0");
        for (int i = 1; i < 8_000; i++) {
            source.append(" and ab").append(i);
        }
        CompileResult result = new PolicyCompiler(PolicyCompiler.Limits.DEFAULT.withoutTimeouts().withMaxSourceBytes(1 << 20)).compile(source.append(" }\n}\n").toString());
        assertThat(result.diagnostics()).hasSize(8_000).allMatch(d -> d.code().equals(Codes.UNKNOWN_IDENTIFIER));
        assertThat(result.diagnostics().get(0).message()).isEqualTo("unknown identifier 'ab0' (did you mean 'aa0'?)");
    }

    @Test
    void syntaxErrorsQuoteAtMostFortyCharactersOfTheInput() {
        String huge = "x".repeat(100_000);
        CompileResult result = compile("policy \"p\" {\n  rule r { require " + huge + " " + huge + " }\n}\n");
        assertThat(result.diagnostics()).isNotEmpty()
                .allSatisfy(d -> assertThat(d.message().length()).isLessThan(300));

        StringBuilder broken = new StringBuilder("policy \"p\" {\n");
        for (int i = 0; broken.length() < 250_000; i++) {
            broken.append("  rule r").append(i).append(" { require ) }\n");
        }
        CompileResult many = compile(broken.append("}\n").toString());
        assertThat(many.diagnostics()).hasSizeGreaterThan(5_000)
                .allMatch(d -> d.code().equals(Codes.SYNTAX_ERROR));
    }

    @Test
    void aReasonQuotesAtMostTwoHundredCharactersOfALongLiteral() {
        Program program = PolicyTestSupport.compile(rule("size(\"" + "a".repeat(200_000) + "\") == 1"));
        PolicyResult result = program.evaluate(input(Map.of("digest", DIGEST), Map.of()));
        assertThat(result.rules().get(0).reason()).hasSizeLessThan(600).contains("…").contains("is 200000");
    }

    @Test
    void aCompilationPastItsDeadlineIsADiagnosticAndItsThreadStopsSoonAfter() throws InterruptedException {
        PolicyCompiler hurried = new PolicyCompiler(new PolicyCompiler.Limits(PolicyCompiler.DEFAULT_MAX_SOURCE_BYTES,
                java.time.Duration.ofMillis(1), dev.tollgate.policy.eval.Budget.Limits.DEFAULT));
        StringBuilder source = new StringBuilder("policy \"p\" {\n");
        for (int i = 0; source.length() < 250_000; i++) {
            source.append("  rule r").append(i).append(" { require context.env == \"prod\" }\n");
        }
        CompileResult result = hurried.compile(source.append("}\n").toString());
        assertThat(result.ok()).isFalse();
        assertThat(result.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(Codes.COMPILE_TIMEOUT);
            assertThat(d.line()).isEqualTo(1);
            assertThat(d.message()).startsWith("compiling the policy took longer than 1 ms");
        });
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (compilerThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(compilerThreads()).isZero();
    }

    private static long compilerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("policy-compiler")).count();
    }
}
