package dev.tollgate.policy.eval;

import java.util.Locale;

/** enforce: a deny refuses; warn: allowed with warnings; audit: only recorded. */
public enum Mode {
    ENFORCE, WARN, AUDIT;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
