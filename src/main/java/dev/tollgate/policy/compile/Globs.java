package dev.tollgate.policy.compile;

import com.google.re2j.Pattern;

/**
 * Globs as anchored RE2 patterns: {@code **} any characters including {@code /}, {@code *} any
 * except {@code /}, {@code ?} one character other than {@code /}; everything else is literal.
 */
final class Globs {

    private Globs() {
    }

    static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            int cp = glob.codePointAt(i);
            int width = Character.charCount(cp);
            if (cp == '*' || cp == '?') {
                flush(literal, regex);
                if (cp == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    regex.append("(?s:.*)");
                    i += 2;
                    continue;
                }
                regex.append(cp == '*' ? "[^/]*" : "[^/]");
            } else {
                literal.appendCodePoint(cp);
            }
            i += width;
        }
        flush(literal, regex);
        return regex.toString();
    }

    private static void flush(StringBuilder literal, StringBuilder regex) {
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
        }
    }
}
