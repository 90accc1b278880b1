package dev.tollgate.policy.compile;

import java.util.List;

import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.dsl.Span;
import dev.tollgate.policy.eval.Program;

/**
 * A compiled program, or the diagnostics that stopped it (sorted by position). {@code name} and
 * {@code nameSpan} are the policy's declared name where it could be read.
 */
public record CompileResult(Program program, String name, Span nameSpan, List<Diagnostic> diagnostics) {

    public CompileResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean ok() {
        return program != null;
    }
}
