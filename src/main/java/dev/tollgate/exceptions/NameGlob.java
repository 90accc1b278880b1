package dev.tollgate.exceptions;

/**
 * An exception's name scope: a glob matched against the whole artifact name (anchored at both
 * ends, case-sensitive). {@code *} matches any run of characters without {@code /}, {@code **}
 * any run including {@code /}, {@code ?} one character other than {@code /}; every other
 * character matches itself. Matching is a table over the glob and the name, linear in their
 * product (both are bounded), never a backtracking regular expression.
 */
record NameGlob(String glob) {

    /** Longest glob accepted. */
    static final int MAX_LENGTH = 512;

    private static final char STAR = '*';
    private static final char ANY = '?';
    /** A token of the compiled glob that stands for {@code **}. */
    private static final int DOUBLE_STAR = -2;
    private static final int SINGLE_STAR = -1;
    private static final int ONE = -3;

    /** Why {@code glob} is not a name glob, or null when it is one. */
    static String problem(String glob) {
        if (glob == null || glob.isEmpty()) {
            return "scope.name is a glob over artifact names, such as registry.example/team/*";
        }
        if (glob.length() > MAX_LENGTH) {
            return "scope.name is at most " + MAX_LENGTH + " characters";
        }
        if (glob.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "scope.name has no spaces or control characters";
        }
        if (glob.chars().allMatch(c -> c == STAR || c == ANY || c == '/')) {
            return "scope.name must name something: a glob of wildcards alone would except every artifact";
        }
        if (glob.contains("***")) {
            return "scope.name: use * (within one path segment) or ** (across segments), not ***";
        }
        return null;
    }

    private int[] tokens() {
        int[] tokens = new int[glob.length()];
        int n = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == STAR && i + 1 < glob.length() && glob.charAt(i + 1) == STAR) {
                tokens[n++] = DOUBLE_STAR;
                i++;
            } else if (c == STAR) {
                tokens[n++] = SINGLE_STAR;
            } else if (c == ANY) {
                tokens[n++] = ONE;
            } else {
                tokens[n++] = c;
            }
        }
        return java.util.Arrays.copyOf(tokens, n);
    }

    /** Whether the whole of {@code name} matches; a null name (a decision by digest alone) matches no glob. */
    boolean matches(String name) {
        if (name == null) {
            return false;
        }
        int[] t = tokens();
        // can[j]: the first i characters of the name are matched by the first j tokens
        boolean[] can = new boolean[t.length + 1];
        can[0] = true;
        for (int j = 1; j <= t.length; j++) {
            can[j] = can[j - 1] && (t[j - 1] == SINGLE_STAR || t[j - 1] == DOUBLE_STAR);
        }
        for (int i = 1; i <= name.length(); i++) {
            char c = name.charAt(i - 1);
            boolean[] next = new boolean[t.length + 1];
            for (int j = 1; j <= t.length; j++) {
                int token = t[j - 1];
                if (token == DOUBLE_STAR) {
                    next[j] = next[j - 1] || can[j];
                } else if (token == SINGLE_STAR) {
                    next[j] = next[j - 1] || (can[j] && c != '/');
                } else if (token == ONE) {
                    next[j] = can[j - 1] && c != '/';
                } else {
                    next[j] = can[j - 1] && c == token;
                }
            }
            can = next;
        }
        return can[t.length];
    }
}
