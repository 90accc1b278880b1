package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.eval.Input;
import org.junit.jupiter.api.Test;

/**
 * Seeded, repeatable mutations of real policies: every one yields a program or diagnostics, never
 * an exception; every program that compiles evaluates without one.
 */
class CompilerRobustnessTests {

    private static final long SEED = 20261125L;
    private static final int MUTANTS = 10_000;
    private static final String[] FRAGMENTS = {"(", ")", "[", "]", "{", "}", "\"", "\\", "\\\\", "#", "\n", "\r", "\t", ":", ",",
        ".", "-", "=", "==", "!=", "??", "&&", "||", "!", "'", "any ", "all ", " in ", "not ", " and ", " or ", "count(",
        "matches ", "glob ", "\"(a+)+$\"", "\"[\"", "7d", "7w", "1.5h", "99999999999999999999d", "0", "1.0", "null", "true",
        "rule ", "let ", "policy ", "mode ", "warn", "applies when ", "deny if ", "require ", "message ", "size(", "time(",
        "semver(", "exists(", "signatures", "attestations", "artifact.", "context.", "now", "x", "é", "😀", "\u0000",
        "\uFEFF", "\u202E", "a".repeat(300), "(".repeat(70), "not ".repeat(70)};

    static List<String> seeds() throws IOException {
        List<String> seeds = new ArrayList<>();
        for (String folder : new String[] {"valid", "invalid"}) {
            try (Stream<Path> files = Files.list(Path.of("policy-grammar/examples", folder))) {
                for (Path file : files.filter(p -> p.toString().endsWith(".policy")).sorted().toList()) {
                    seeds.add(Files.readString(file));
                }
            }
        }
        return seeds;
    }

    static String mutate(String source, Random random) {
        StringBuilder s = new StringBuilder(source);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = s.length() == 0 ? 0 : random.nextInt(s.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> s.insert(at, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(12)));
                case 2 -> {
                    int end = Math.min(s.length(), at + random.nextInt(40));
                    s.insert(random.nextInt(s.length() + 1), s.substring(at, end));
                }
                case 3 -> {
                    if (at < s.length()) {
                        s.setCharAt(at, (char) (32 + random.nextInt(95)));
                    }
                }
                case 4 -> s.setLength(at);
                default -> s.insert(at, (char) random.nextInt(0x3000));
            }
        }
        return s.toString();
    }

    @Test
    void tenThousandMutatedSourcesYieldProgramsOrDiagnosticsNeverExceptions() throws IOException {
        List<String> seeds = seeds();
        Random random = new Random(SEED);
        Input input = PolicyTestSupport.input(PolicyTestSupport.resource("policy/expression-input.json"));
        int compiled = 0;
        int refused = 0;
        for (int i = 0; i < MUTANTS; i++) {
            String mutant = mutate(seeds.get(random.nextInt(seeds.size())), random);
            CompileResult result;
            try {
                result = PolicyTestSupport.COMPILER.compile(mutant);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("mutant " + i + " threw " + e + "\n---\n" + mutant, e);
            }
            if (result.ok()) {
                assertThat(result.diagnostics()).isEmpty();
                try {
                    result.program().evaluate(input);
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("mutant " + i + " failed to evaluate: " + e + "\n---\n" + mutant, e);
                }
                compiled++;
            } else {
                assertThat(result.diagnostics()).as("mutant %d has neither a program nor diagnostics", i).isNotEmpty();
                result.diagnostics().forEach(d -> {
                    assertThat(d.line()).isPositive();
                    assertThat(d.column()).isPositive();
                    assertThat(d.message()).isNotBlank();
                });
                refused++;
            }
        }
        assertThat(compiled + refused).isEqualTo(MUTANTS);
        assertThat(refused).isPositive();
        assertThat(compiled).isPositive();
    }
}
