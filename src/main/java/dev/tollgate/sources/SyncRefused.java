package dev.tollgate.sources;

import java.util.List;
import java.util.Map;

/** An attempt that applies nothing: its result ({@code unverified}, {@code invalid}, {@code unreadable}) and why. */
final class SyncRefused extends Exception {

    private final String result;
    private final transient List<Map<String, Object>> errors;

    SyncRefused(String result, String message) {
        this(result, message, List.of());
    }

    SyncRefused(String result, String message, List<Map<String, Object>> errors) {
        super(message, null, false, false);
        this.result = result;
        this.errors = List.copyOf(errors);
    }

    String result() {
        return result;
    }

    List<Map<String, Object>> errors() {
        return errors;
    }

    SourceStatus.Problem problem() {
        return new SourceStatus.Problem(getMessage(), errors);
    }
}
