package dev.tollgate.policy.eval;

import java.time.Duration;

/**
 * What one evaluation of a policy may cost: a number of steps and a time. A step is one node of
 * the compiled policy evaluated, or its equivalent in work on data (64 characters compared, one
 * element of a list searched, 64 instruction-characters of a pattern match; see
 * docs/policy-language.md). Steps are counted in the evaluation's {@link Env}; the clock is read
 * only every {@value #CLOCK_INTERVAL} steps. Running out fails the rule being evaluated and every
 * later rule of the policy: a policy that cannot be evaluated in full denies.
 */
public final class Budget {

    /** Steps between two readings of the clock. */
    static final long CLOCK_INTERVAL = 1L << 14;

    private Budget() {
    }

    /**
     * @param maxSteps most steps one evaluation of one policy may take
     * @param timeout  longest time one evaluation of one policy may take, or null for no limit
     */
    public record Limits(long maxSteps, Duration timeout) {
        /** The server's defaults ({@code tollgate.policy.max-steps}, {@code tollgate.policy.eval-timeout}). */
        public static final Limits DEFAULT = new Limits(10_000_000, Duration.ofMillis(250));

        public Limits {
            if (maxSteps < 1) {
                throw new IllegalArgumentException("maxSteps must be positive");
            }
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("timeout must be positive");
            }
        }

        /** The same step budget and no time limit (evaluation then does not depend on the machine's speed). */
        public Limits withoutTimeout() {
            return new Limits(maxSteps, null);
        }
    }

    /** An evaluation ran out of steps or time; {@link #getMessage()} is the reason a rule fails with. */
    static final class Exceeded extends RuntimeException {
        Exceeded(String reason) {
            super(reason, null, false, false);
        }
    }
}
