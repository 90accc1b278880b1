package dev.tollgate.policy.dsl;

/**
 * (A named interface of its own: the command line reports diagnostics; the rest of {@code policy.dsl},
 * with ANTLR, stays inside the policy module.)
 * <p>
 * One upload error: 1-based line and column (Unicode code points, a tab counts one) of the
 * first character of the offending token, a stable code and a readable message.
 */
@org.springframework.modulith.NamedInterface("diagnostic")
public record Diagnostic(int line, int column, String code, String message) implements Comparable<Diagnostic> {

    public static Diagnostic at(Span span, String code, String message) {
        return new Diagnostic(span.line(), span.column(), code, message);
    }

    public boolean isSyntax() {
        return code.equals(Codes.SYNTAX_ERROR) || code.equals(Codes.NESTING_TOO_DEEP) || code.equals(Codes.SOURCE_TOO_LARGE)
                || code.equals(Codes.INVALID_CHARACTER);
    }

    @Override
    public int compareTo(Diagnostic other) {
        int byLine = Integer.compare(line, other.line);
        return byLine != 0 ? byLine : Integer.compare(column, other.column);
    }

    @Override
    public String toString() {
        return line + ":" + column + " " + message;
    }

    /** The stable diagnostic codes. */
    public static final class Codes {
        public static final String SYNTAX_ERROR = "policy_syntax_error";
        public static final String NESTING_TOO_DEEP = "policy_nesting_too_deep";
        public static final String SOURCE_TOO_LARGE = "policy_source_too_large";
        public static final String COMPILE_TIMEOUT = "policy_compile_timeout";
        public static final String INVALID_CHARACTER = "policy_invalid_character";
        public static final String UNKNOWN_IDENTIFIER = "policy_unknown_identifier";
        public static final String UNKNOWN_FUNCTION = "policy_unknown_function";
        public static final String ARGUMENT_COUNT = "policy_argument_count";
        public static final String UNKNOWN_FIELD = "policy_unknown_field";
        public static final String INVALID_REGEX = "policy_invalid_regex";
        public static final String INVALID_GLOB = "policy_invalid_glob";
        public static final String BAD_DURATION = "policy_bad_duration";
        public static final String NUMBER_TOO_LONG = "policy_number_too_long";
        public static final String UNKNOWN_ESCAPE = "policy_unknown_escape";
        public static final String PATTERN_NOT_CONSTANT = "policy_pattern_not_constant";
        public static final String DUPLICATE_RULE = "policy_duplicate_rule";
        public static final String DUPLICATE_LET = "policy_duplicate_let";
        public static final String INVALID_NAME = "policy_invalid_name";
        public static final String FORBIDDEN_NAME = "policy_forbidden_name";
        public static final String USED_BEFORE_DEFINITION = "policy_used_before_definition";
        public static final String TYPE_ERROR = "policy_type_error";
        public static final String NOT_BOOLEAN = "policy_not_boolean";
        public static final String NAME_MISMATCH = "policy_name_mismatch";
        public static final String BAD_EFFECTIVE_TIME = "policy_bad_effective_time";
        public static final String BAD_LEVEL = "policy_bad_level";

        private Codes() {
        }
    }
}
