package dev.tollgate.name;

import java.util.Optional;

import com.google.re2j.Pattern;

/**
 * The name of a Tollgate resource — a policy, trust material, a token, a policy source — as the API
 * writes it ({@value #RULE}): lower-case letters, digits and inner hyphens, at most 63 characters, so
 * that it is safe in a path segment, a file name, a metric label and a log line alike. The one
 * definition of that rule; messages quote {@link #RULE}.
 */
public record ResourceName(String value) {

    /** The rule, as messages and the OpenAPI document state it. */
    public static final String RULE = "[a-z0-9][a-z0-9-]{0,62}";

    private static final Pattern PATTERN = Pattern.compile(RULE);

    public ResourceName {
        if (!isValid(value)) {
            throw new IllegalArgumentException("a name matches " + RULE);
        }
    }

    /** Whether {@code text} is a name (null is not). */
    public static boolean isValid(String text) {
        return text != null && PATTERN.matches(text);
    }

    /** The name, or empty when {@code text} is not one. */
    public static Optional<ResourceName> parse(String text) {
        return isValid(text) ? Optional.of(new ResourceName(text)) : Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }
}
