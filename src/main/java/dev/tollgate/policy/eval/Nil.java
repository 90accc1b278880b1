package dev.tollgate.policy.eval;

/** The value {@code null} (the literal, or a JSON null in the input). */
public enum Nil {
    NULL;

    @Override
    public String toString() {
        return "null";
    }
}
