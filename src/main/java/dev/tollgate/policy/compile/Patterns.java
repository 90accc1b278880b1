package dev.tollgate.policy.compile;

import java.util.ArrayDeque;
import java.util.Deque;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * The patterns of {@code matches} and {@code glob}, compiled with RE2J within limits that keep
 * compilation linear in the source and matching shallow on the stack.
 *
 * <p>Why the limits: RE2J's parser copies the rest of the pattern at every group, class and escape
 * and copies a literal run at every character it adds to it, so parsing one pattern costs up to
 * the square of its length; a pattern of at most {@link #MAX_LENGTH} characters costs a bounded
 * amount per character of source. RE2J also expands counted repetitions without a bound
 * ({@code ((a{1000}){1000}){1000}} asks for 10⁹ instructions: the heap runs out) and follows the
 * empty transitions of its program recursively while matching (a long chain of optional parts
 * overflows the stack of the thread that evaluates): an estimate of the program, made before RE2J
 * sees the pattern, refuses more than {@link #MAX_INSTRUCTIONS} instructions or
 * {@link #MAX_BRANCHES} branches, as RE2 itself refuses programs over its size limit.
 */
final class Patterns {

    /** Longest pattern, in code points (after the string literal's escapes). */
    static final int MAX_LENGTH = 4096;
    /** Most RE2 instructions a pattern may compile to. */
    static final int MAX_INSTRUCTIONS = 10_000;
    /** Most repetitions, alternatives, groups and anchors (the instructions RE2J follows recursively). */
    static final int MAX_BRANCHES = 2_000;

    /** Globs are given to RE2J in literal chunks of this many characters, which RE2J then never merges. */
    private static final int CHUNK = 32;
    private static final long SATURATED = 1L << 40;

    /** A compiled pattern, or the reason it is refused (the text after "invalid regular expression: "). */
    record Compiled(Pattern pattern, String error) {
        static Compiled refused(String error) {
            return new Compiled(null, error);
        }
    }

    private Patterns() {
    }

    /** An RE2 regular expression, compiled without flags (anchoring is the matcher's). */
    static Compiled regex(String regex) {
        if (regex.codePointCount(0, regex.length()) > MAX_LENGTH) {
            return Compiled.refused("longer than " + MAX_LENGTH + " characters");
        }
        Estimate estimate = Estimate.of(regex);
        if (estimate.instructions > MAX_INSTRUCTIONS) {
            return Compiled.refused("expression too large (more than " + MAX_INSTRUCTIONS + " instructions)");
        }
        if (estimate.branches > MAX_BRANCHES) {
            return Compiled.refused("expression too complex (more than " + MAX_BRANCHES
                    + " repetitions, alternatives, groups and anchors)");
        }
        try {
            return new Compiled(Pattern.compile(regex), null);
        } catch (PatternSyntaxException e) {
            return Compiled.refused(e.getDescription());
        }
    }

    /**
     * A glob: {@code **} any characters, {@code *} any but {@code /}, {@code ?} one but {@code /},
     * everything else itself. Error texts follow "invalid glob: ".
     */
    static Compiled glob(String glob) {
        if (glob.codePointCount(0, glob.length()) > MAX_LENGTH) {
            return Compiled.refused("longer than " + MAX_LENGTH + " characters");
        }
        String regex = globToRegex(glob);
        if (regex == null) {
            return Compiled.refused("more than " + MAX_BRANCHES + " '*' wildcards");
        }
        return new Compiled(Pattern.compile(regex), null);
    }

    /**
     * The RE2 form of a glob, or null when it has too many stars. A run of stars that holds
     * {@code **} is one {@code (?s:.*)} (it matches exactly what the run matches); literal text goes
     * in {@code \Q…\E} chunks separated by {@code .{0}} (which matches the empty string), so that
     * RE2J neither rescans the rest of the pattern per character nor grows one long literal.
     */
    static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder(glob.length() * 2 + 16);
        int stars = 0;
        int i = 0;
        int n = glob.length();
        while (i < n) {
            char c = glob.charAt(i);
            if (c == '*') {
                int run = i;
                while (run < n && glob.charAt(run) == '*') {
                    run++;
                }
                regex.append(run - i >= 2 ? "(?s:.*)" : "[^/]*");
                stars++;
                i = run;
            } else if (c == '?') {
                regex.append("[^/]");
                i++;
            } else {
                int end = i;
                while (end < n && glob.charAt(end) != '*' && glob.charAt(end) != '?') {
                    end++;
                }
                literal(glob, i, end, regex);
                i = end;
            }
        }
        return stars > MAX_BRANCHES ? null : regex.toString();
    }

    private static void literal(String glob, int from, int to, StringBuilder regex) {
        int start = from;
        while (start < to) {
            int end = Math.min(to, start + CHUNK);
            if (end < to && Character.isHighSurrogate(glob.charAt(end - 1))) {
                end++;
            }
            // "\E" would end the quotation: a chunk never holds a backslash followed by E
            int escape = glob.indexOf("\\E", start);
            if (escape >= 0 && escape < end - 1) {
                end = escape + 1;
            }
            if (start > from) {
                regex.append(".{0}");
            }
            regex.append("\\Q").append(glob, start, end).append("\\E");
            start = end;
        }
    }

    /**
     * An upper bound of the RE2 program of a pattern: instructions, and branches (alternations,
     * repetitions, captures, anchors). A counted repetition multiplies what it repeats, as RE2J's
     * simplifier does. Only patterns RE2J accepts matter: for others the estimate may be anything.
     */
    static final class Estimate {
        long instructions;
        long branches;

        private static final class Frame {
            final boolean capture;
            long altSize;
            long altBranches;
            long seqSize;
            long seqBranches;
            long lastSize = -1;
            long lastBranches;

            Frame(boolean capture) {
                this.capture = capture;
            }

            void atom(long size, long branches) {
                seqSize = sat(seqSize + size);
                seqBranches = sat(seqBranches + branches);
                lastSize = size;
                lastBranches = branches;
            }

            void quantify() {
                if (lastSize >= 0) {
                    seqSize = sat(seqSize + 1);
                    seqBranches = sat(seqBranches + 1);
                    lastSize = sat(lastSize + 1);
                    lastBranches = sat(lastBranches + 1);
                }
            }

            void repeat(long min, long max) {
                if (lastSize < 0) {
                    return;
                }
                long times = Math.max(1, Math.max(min, max));
                long extra = max < 0 ? 1 : Math.max(1, max - min);
                long size = sat(sat(lastSize * times) + extra + 1);
                long branches = sat(sat(lastBranches * times) + extra + 1);
                seqSize = sat(seqSize - lastSize + size);
                seqBranches = sat(seqBranches - lastBranches + branches);
                lastSize = size;
                lastBranches = branches;
            }

            void alternate() {
                altSize = sat(altSize + seqSize + 1);
                altBranches = sat(altBranches + seqBranches + 1);
                seqSize = 0;
                seqBranches = 0;
                lastSize = -1;
            }

            long size() {
                return sat(altSize + seqSize + (capture ? 2 : 0));
            }

            long branchCount() {
                return sat(altBranches + seqBranches + (capture ? 2 : 0));
            }
        }

        private static long sat(long value) {
            return Math.min(value, SATURATED);
        }

        static Estimate of(String re) {
            Deque<Frame> frames = new ArrayDeque<>();
            Frame frame = new Frame(false);
            int n = re.length();
            int i = 0;
            while (i < n) {
                char c = re.charAt(i);
                switch (c) {
                    case '\\' -> i = escape(re, i, frame);
                    case '[' -> {
                        i = classEnd(re, i);
                        frame.atom(1, 0);
                    }
                    case '(' -> {
                        if (i + 1 < n && re.charAt(i + 1) == '?') {
                            if (re.startsWith("(?P<", i) || re.startsWith("(?<", i)) {
                                int close = re.indexOf('>', i);
                                i = close < 0 ? n : close + 1;
                                frames.push(frame);
                                frame = new Frame(true);
                            } else {
                                int j = i + 2;
                                while (j < n && "imsU-".indexOf(re.charAt(j)) >= 0) {
                                    j++;
                                }
                                if (j < n && re.charAt(j) == ':') {
                                    frames.push(frame);
                                    frame = new Frame(false);
                                    i = j + 1;
                                } else {
                                    frame.lastSize = -1; // a flag change: nothing to repeat
                                    i = j < n && re.charAt(j) == ')' ? j + 1 : j;
                                }
                            }
                        } else {
                            frames.push(frame);
                            frame = new Frame(true);
                            i++;
                        }
                    }
                    case ')' -> {
                        if (!frames.isEmpty()) {
                            Frame group = frame;
                            frame = frames.pop();
                            frame.atom(group.size(), group.branchCount());
                        }
                        i++;
                    }
                    case '|' -> {
                        frame.alternate();
                        i++;
                    }
                    case '*', '+', '?' -> {
                        frame.quantify();
                        i = i + 1 < n && re.charAt(i + 1) == '?' ? i + 2 : i + 1;
                    }
                    case '{' -> {
                        int end = repeat(re, i, frame);
                        if (end < 0) {
                            frame.atom(1, 0);
                            i++;
                        } else {
                            i = end < n && re.charAt(end) == '?' ? end + 1 : end;
                        }
                    }
                    case '^', '$' -> {
                        frame.atom(1, 1);
                        i++;
                    }
                    default -> {
                        frame.atom(1, 0);
                        i++;
                    }
                }
            }
            while (!frames.isEmpty()) {
                Frame group = frame;
                frame = frames.pop();
                frame.atom(group.size(), group.branchCount());
            }
            Estimate estimate = new Estimate();
            estimate.instructions = sat(frame.size() + 2);
            estimate.branches = frame.branchCount();
            return estimate;
        }

        /** Past the escape at {@code i}, after adding it to the frame. */
        private static int escape(String re, int i, Frame frame) {
            int n = re.length();
            if (i + 1 >= n) {
                return n;
            }
            char c = re.charAt(i + 1);
            switch (c) {
                case 'Q' -> {
                    int end = re.indexOf("\\E", i + 2);
                    int stop = end < 0 ? n : end;
                    for (int k = i + 2; k < stop; k++) {
                        frame.atom(1, 0);
                    }
                    return end < 0 ? n : end + 2;
                }
                case 'b', 'B', 'A', 'z' -> {
                    frame.atom(1, 1);
                    return i + 2;
                }
                default -> {
                    frame.atom(1, 0);
                    return escapeEnd(re, i);
                }
            }
        }

        /** Past the escape (not \Q) that starts at {@code i}: \p{…}, \x{…}, \pL, \x41, \123, \d. */
        private static int escapeEnd(String re, int i) {
            int n = re.length();
            if (i + 1 >= n) {
                return n;
            }
            char c = re.charAt(i + 1);
            if ((c == 'p' || c == 'P' || c == 'x') && i + 2 < n && re.charAt(i + 2) == '{') {
                int close = re.indexOf('}', i + 3);
                return close < 0 ? n : close + 1;
            }
            if (c == 'p' || c == 'P') {
                return Math.min(n, i + 3);
            }
            if (c == 'x') {
                return Math.min(n, i + 4);
            }
            if (c >= '0' && c <= '7') {
                int j = i + 2;
                while (j < n && j < i + 4 && re.charAt(j) >= '0' && re.charAt(j) <= '7') {
                    j++;
                }
                return j;
            }
            return i + 2;
        }

        /** Past the character class that starts at {@code i}. */
        private static int classEnd(String re, int i) {
            int n = re.length();
            int j = i + 1;
            if (j < n && re.charAt(j) == '^') {
                j++;
            }
            if (j < n && re.charAt(j) == ']') {
                j++;
            }
            while (j < n) {
                char c = re.charAt(j);
                if (c == ']') {
                    return j + 1;
                }
                if (c == '\\') {
                    j = escapeEnd(re, j);
                } else if (re.startsWith("[:", j) && re.indexOf(":]", j + 2) >= 0) {
                    j = re.indexOf(":]", j + 2) + 2;
                } else {
                    j++;
                }
            }
            return n;
        }

        /** A counted repetition at {@code i} applied to the frame, and the index past it; or -1 if it is a literal '{'. */
        private static int repeat(String re, int i, Frame frame) {
            int n = re.length();
            int j = i + 1;
            int digits = j;
            while (j < n && re.charAt(j) >= '0' && re.charAt(j) <= '9') {
                j++;
            }
            if (j == digits || j - digits > 7) {
                return -1;
            }
            long min = Long.parseLong(re.substring(digits, j));
            long max = min;
            if (j < n && re.charAt(j) == ',') {
                j++;
                int from = j;
                while (j < n && re.charAt(j) >= '0' && re.charAt(j) <= '9') {
                    j++;
                }
                if (j - from > 7) {
                    return -1;
                }
                max = j == from ? -1 : Long.parseLong(re.substring(from, j));
            }
            if (j >= n || re.charAt(j) != '}') {
                return -1;
            }
            frame.repeat(min, max);
            return j + 1;
        }
    }
}
