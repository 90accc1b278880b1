package dev.tollgate.policy.eval;

import java.util.Locale;

/** A policy's outcome from its rules. */
public enum Outcome {
    ALLOW, DENY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
