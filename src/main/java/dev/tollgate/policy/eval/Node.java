package dev.tollgate.policy.eval;

/**
 * A compiled expression: immutable, evaluated many times, on many threads, each with its own
 * {@link Env}. The explanations are computed only for rules that fail, by evaluating again.
 */
public interface Node {

    Object eval(Env env);

    /**
     * The steps one evaluation of this node takes, not counting the iterations of quantifiers
     * inside it (those charge their body's weight per element) nor work on data.
     */
    default long weight() {
        return 1;
    }

    /** The expression as written (whitespace collapsed). */
    String text();

    /** Why this boolean expression is false in this environment. */
    default String whyFalse(Env env) {
        return text() + " is false";
    }

    /** Why this boolean expression is true in this environment. */
    default String whyTrue(Env env) {
        return text() + " is true";
    }
}
