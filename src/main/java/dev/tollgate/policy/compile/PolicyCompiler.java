package dev.tollgate.policy.compile;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.dsl.Diagnostic.Codes;
import dev.tollgate.policy.dsl.PolicyParser;
import dev.tollgate.policy.dsl.Span;

/**
 * Policy source → {@link dev.tollgate.policy.eval.Program}: parse, check, compile. Returns every
 * diagnostic instead of throwing, whatever the input. Runs on its own thread with a large stack,
 * so deep (but legal) expressions never meet the request thread's stack limit.
 */
public final class PolicyCompiler {

    public static final int DEFAULT_MAX_SOURCE_BYTES = 256 * 1024;
    private static final long STACK_BYTES = 256L * 1024 * 1024;

    private final int maxSourceBytes;

    public PolicyCompiler() {
        this(DEFAULT_MAX_SOURCE_BYTES);
    }

    public PolicyCompiler(int maxSourceBytes) {
        this.maxSourceBytes = maxSourceBytes;
    }

    public int maxSourceBytes() {
        return maxSourceBytes;
    }

    public CompileResult compile(String source) {
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxSourceBytes) {
            return failed(Diagnostic.at(Span.START, Codes.SOURCE_TOO_LARGE,
                    "policy source is " + bytes + " bytes; the limit is " + maxSourceBytes));
        }
        AtomicReference<CompileResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                result.set(compileHere(source));
            } catch (StackOverflowError e) {
                result.set(failed(Diagnostic.at(Span.START, Codes.NESTING_TOO_DEEP,
                        "nesting deeper than " + PolicyParser.MAX_NESTING)));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "policy-compiler", STACK_BYTES);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling a policy", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("policy compiler failed", failure.get());
        }
        return result.get();
    }

    private static CompileResult compileHere(String source) {
        PolicyParser.ParseResult parsed = PolicyParser.parse(source);
        if (parsed.policy() == null) {
            return new CompileResult(null, null, null, parsed.diagnostics());
        }
        return new Checker(parsed.policy(), parsed.deferred()).compile();
    }

    private static CompileResult failed(Diagnostic diagnostic) {
        return new CompileResult(null, null, null, List.of(diagnostic));
    }
}
