package dev.tollgate.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A policy's source as the console shows it: numbered lines split into tokens with a class each
 * (keyword, string, comment), rendered as text, never as markup; and a line diff of two versions.
 */
final class PolicySource {

    private static final Set<String> KEYWORDS = Set.of("all", "and", "any", "applies", "audit", "contains", "count", "deny",
            "description", "enforce", "false", "glob", "if", "in", "let", "matches", "message", "mode", "not", "null", "or",
            "policy", "require", "rule", "true", "warn", "when");
    /** Beyond this many line pairs, two versions are shown side by side without a computed diff. */
    private static final long MAX_DIFF_CELLS = 4_000_000;

    record Token(String kind, String text) {
    }

    record Line(int number, List<Token> tokens) {
    }

    private PolicySource() {
    }

    static List<Line> lines(String source) {
        List<Line> lines = new ArrayList<>();
        String[] split = source.split("\r?\n", -1);
        int count = split.length;
        if (count > 0 && split[count - 1].isEmpty()) {
            count--;
        }
        for (int i = 0; i < count; i++) {
            lines.add(new Line(i + 1, tokens(split[i])));
        }
        return lines;
    }

    static List<Token> tokens(String line) {
        List<Token> tokens = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '#') {
                flush(tokens, plain);
                tokens.add(new Token("comment", line.substring(i)));
                return tokens;
            }
            if (c == '"') {
                int end = i + 1;
                while (end < line.length() && line.charAt(end) != '"') {
                    end += line.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(line.length(), end + 1);
                flush(tokens, plain);
                tokens.add(new Token("string", line.substring(i, end)));
                i = end;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < line.length() && (Character.isLetterOrDigit(line.charAt(end)) || line.charAt(end) == '_')) {
                    end++;
                }
                String word = line.substring(i, end);
                boolean field = i > 0 && line.charAt(i - 1) == '.';
                if (KEYWORDS.contains(word) && !field) {
                    flush(tokens, plain);
                    tokens.add(new Token("keyword", word));
                } else {
                    plain.append(word);
                }
                i = end;
                continue;
            }
            plain.append(c);
            i++;
        }
        flush(tokens, plain);
        return tokens;
    }

    private static void flush(List<Token> tokens, StringBuilder plain) {
        if (!plain.isEmpty()) {
            tokens.add(new Token("plain", plain.toString()));
            plain.setLength(0);
        }
    }

    /** One row of a side-by-side diff: a line on the left, on the right, or both ("same"). */
    record DiffRow(String kind, Integer leftNumber, String left, Integer rightNumber, String right) {
    }

    /** A longest-common-subsequence line diff, as rows for two columns. */
    static List<DiffRow> diff(String from, String to) {
        List<String> a = plainLines(from);
        List<String> b = plainLines(to);
        List<DiffRow> rows = new ArrayList<>();
        if ((long) a.size() * b.size() > MAX_DIFF_CELLS) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                rows.add(new DiffRow("changed", i < a.size() ? i + 1 : null, i < a.size() ? a.get(i) : null,
                        i < b.size() ? i + 1 : null, i < b.size() ? b.get(i) : null));
            }
            return rows;
        }
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                rows.add(new DiffRow("same", i + 1, a.get(i), j + 1, b.get(j)));
                i++;
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                rows.add(new DiffRow("added", null, null, j + 1, b.get(j)));
                j++;
            } else {
                rows.add(new DiffRow("removed", i + 1, a.get(i), null, null));
                i++;
            }
        }
        return rows;
    }

    private static List<String> plainLines(String source) {
        return lines(source).stream().map(l -> String.join("", l.tokens().stream().map(Token::text).toList())).toList();
    }
}
