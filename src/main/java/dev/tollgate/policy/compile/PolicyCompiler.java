package dev.tollgate.policy.compile;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.tollgate.policy.dsl.Deadline;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.dsl.Diagnostic.Codes;
import dev.tollgate.policy.dsl.PolicyParser;
import dev.tollgate.policy.dsl.Span;
import dev.tollgate.policy.eval.Budget;

/**
 * Policy source → {@link dev.tollgate.policy.eval.Program}: parse, check, compile. Returns every
 * diagnostic instead of throwing, whatever the input. Runs on its own thread with a large stack,
 * so deep (but legal) expressions never meet the request thread's stack limit, and within a
 * deadline: a compilation that takes longer is answered with the diagnostic
 * {@code policy_compile_timeout} at once, and stops by itself soon after.
 */
public final class PolicyCompiler {

    public static final int DEFAULT_MAX_SOURCE_BYTES = 256 * 1024;
    private static final long STACK_BYTES = 256L * 1024 * 1024;

    /**
     * @param maxSourceBytes largest source, in UTF-8 bytes
     * @param compileTimeout longest compilation, or null for none
     * @param evaluation     what each evaluation of a compiled program may cost
     */
    public record Limits(int maxSourceBytes, Duration compileTimeout, Budget.Limits evaluation) {
        /** The server's defaults (see docs/configuration.md, {@code tollgate.policy.*}). */
        public static final Limits DEFAULT = new Limits(DEFAULT_MAX_SOURCE_BYTES, Duration.ofSeconds(2),
                Budget.Limits.DEFAULT);

        public Limits {
            if (compileTimeout != null && (compileTimeout.isNegative() || compileTimeout.isZero())) {
                throw new IllegalArgumentException("compileTimeout must be positive");
            }
        }

        /** The same sizes and step budget without clocks: results then never depend on the machine's speed. */
        public Limits withoutTimeouts() {
            return new Limits(maxSourceBytes, null, evaluation.withoutTimeout());
        }

        public Limits withMaxSourceBytes(int bytes) {
            return new Limits(bytes, compileTimeout, evaluation);
        }
    }

    private final Limits limits;

    /** The server's default limits. */
    public PolicyCompiler() {
        this(Limits.DEFAULT);
    }

    /** The server's default limits with another largest source. */
    public PolicyCompiler(int maxSourceBytes) {
        this(Limits.DEFAULT.withMaxSourceBytes(maxSourceBytes));
    }

    public PolicyCompiler(Limits limits) {
        this.limits = limits;
    }

    public int maxSourceBytes() {
        return limits.maxSourceBytes();
    }

    public Limits limits() {
        return limits;
    }

    /** Compiles within the compile timeout. */
    public CompileResult compile(String source) {
        return compile(source, limits.compileTimeout());
    }

    /**
     * Compiles a source that compiled before (a stored version): without a deadline, since a
     * version that is active must not stop working on a busy machine.
     */
    public CompileResult recompile(String source) {
        return compile(source, null);
    }

    private CompileResult compile(String source, Duration timeout) {
        int bytes = source.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxSourceBytes()) {
            return failed(Diagnostic.at(Span.START, Codes.SOURCE_TOO_LARGE,
                    "policy source is " + bytes + " bytes; the limit is " + limits.maxSourceBytes()));
        }
        Deadline deadline = timeout == null ? Deadline.NONE : Deadline.in(timeout.toNanos());
        AtomicReference<CompileResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                result.set(compileHere(source, deadline, limits.evaluation()));
            } catch (Deadline.Expired e) {
                result.set(timedOut(timeout));
            } catch (StackOverflowError e) {
                result.set(failed(Diagnostic.at(Span.START, Codes.NESTING_TOO_DEEP,
                        "nesting deeper than " + PolicyParser.MAX_NESTING)));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "policy-compiler", STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
        try {
            if (timeout == null) {
                thread.join();
            } else {
                thread.join(Math.max(1, timeout.toMillis()));
                if (thread.isAlive()) {
                    deadline.cancel(); // it stops at its next check; the caller has its answer now
                    return timedOut(timeout);
                }
            }
        } catch (InterruptedException e) {
            deadline.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling a policy", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("policy compiler failed", failure.get());
        }
        return result.get();
    }

    private static CompileResult compileHere(String source, Deadline deadline, Budget.Limits evaluation) {
        PolicyParser.ParseResult parsed = PolicyParser.parse(source, deadline);
        if (parsed.policy() == null) {
            return new CompileResult(null, null, null, parsed.diagnostics());
        }
        return new Checker(parsed.policy(), parsed.deferred(), deadline, evaluation).compile();
    }

    /**
     * " (did you mean 'x'?)" for the candidate nearest to {@code name} within a small edit distance,
     * as the compiler suggests identifiers (at most the first 1,000 candidates are compared), else "".
     */
    public static String didYouMean(String name, java.util.Collection<String> candidates) {
        if (name.length() > 64) {
            return "";
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates.stream().sorted().limit(1000).toList()) {
            int distance = Checker.distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = Math.max(1, Math.min(3, name.length() / 3));
        return best != null && bestDistance <= allowed ? " (did you mean '" + best + "'?)" : "";
    }

    private static CompileResult timedOut(Duration timeout) {
        return failed(Diagnostic.at(Span.START, Codes.COMPILE_TIMEOUT, "compiling the policy took longer than "
                + timeout.toMillis() + " ms (tollgate.policy.compile-timeout); it is refused and nothing is stored"));
    }

    private static CompileResult failed(Diagnostic diagnostic) {
        return new CompileResult(null, null, null, List.of(diagnostic));
    }
}
