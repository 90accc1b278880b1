package dev.tollgate.policy.dsl;

/**
 * A run of tokens of the policy source, rendered on demand as the expression's text with
 * whitespace and comments between tokens collapsed to one space (for reasons and messages).
 */
public final class SourceRange {

    private final SourceText source;
    private final int firstToken;
    private final int lastToken;

    SourceRange(SourceText source, int firstToken, int lastToken) {
        this.source = source;
        this.firstToken = firstToken;
        this.lastToken = lastToken;
    }

    public String text() {
        return source.render(firstToken, lastToken);
    }

    @Override
    public String toString() {
        return text();
    }

    /** The tokens of one source: where each starts and stops in the text. */
    static final class SourceText {
        private static final int MAX_RENDERED = 200;
        private final String text;
        private final int[] starts;
        private final int[] stops;

        SourceText(String text, int[] starts, int[] stops) {
            this.text = text;
            this.starts = starts;
            this.stops = stops;
        }

        String render(int first, int last) {
            StringBuilder out = new StringBuilder();
            for (int i = first; i <= last && i < starts.length; i++) {
                if (i > first && stops[i - 1] + 1 != starts[i]) {
                    out.append(' ');
                }
                out.append(text, starts[i], Math.min(stops[i] + 1, starts[i] + MAX_RENDERED + 1 - out.length()));
                if (out.length() > MAX_RENDERED) {
                    out.setLength(Character.isHighSurrogate(out.charAt(MAX_RENDERED - 1)) ? MAX_RENDERED - 1 : MAX_RENDERED);
                    return out.append('…').toString();
                }
            }
            return out.toString();
        }
    }
}
