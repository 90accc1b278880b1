package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.dsl.Diagnostic;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * policy-grammar/examples: every valid example compiles; every invalid one yields exactly the
 * diagnostics in its golden {@code .expected} file ({@code -Dgolden.update=true} rewrites them).
 */
class GrammarExamplesTests {

    private static final Path EXAMPLES = Path.of("policy-grammar/examples");

    static List<Path> files(String folder, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES.resolve(folder))) {
            return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    @TestFactory
    Stream<DynamicTest> validExamplesCompile() throws IOException {
        List<Path> files = files("valid", ".policy");
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            CompileResult result = PolicyTestSupport.COMPILER.compile(read(file));
            assertThat(result.diagnostics()).as(file.toString()).isEmpty();
            assertThat(result.program()).isNotNull();
        }));
    }

    @TestFactory
    Stream<DynamicTest> invalidExamplesYieldTheirGoldenDiagnostics() throws IOException {
        List<Path> files = files("invalid", ".policy");
        assertThat(files).hasSizeGreaterThanOrEqualTo(15);
        boolean update = Boolean.getBoolean("golden.update");
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            CompileResult result = PolicyTestSupport.COMPILER.compile(read(file));
            assertThat(result.program()).as(file.toString()).isNull();
            String actual = render(result.diagnostics());
            Path expected = file.resolveSibling(file.getFileName().toString().replace(".policy", ".expected"));
            if (update) {
                Files.writeString(expected, actual);
            }
            assertThat(expected).as("golden file for " + file).exists();
            assertThat(actual).isEqualTo(read(expected));
        }));
    }

    static String render(List<Diagnostic> diagnostics) {
        return diagnostics.stream()
                .map(d -> d.line() + ":" + d.column() + " " + d.code() + " " + d.message())
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
