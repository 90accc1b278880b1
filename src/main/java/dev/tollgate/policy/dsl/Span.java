package dev.tollgate.policy.dsl;

/** A position in the policy source: 1-based line and column (code points). */
public record Span(int line, int column) {
    public static final Span START = new Span(1, 1);
}
