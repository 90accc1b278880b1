package dev.tollgate.policy.eval;

/**
 * The non-value {@code undefined}, carrying why: the first part of an expression that was
 * undefined and the cause. Never stored in input data; only produced by evaluation.
 */
public final class Undefined {

    private final String reason;

    Undefined(String reason) {
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "undefined (" + reason + ")";
    }
}
