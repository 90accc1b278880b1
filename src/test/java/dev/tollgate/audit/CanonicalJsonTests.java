package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fast canonical writer against the definition ({@link DecisionChain#canonical} of Jackson's
 * tree): the same bytes for every input it takes, and {@link CanonicalJson.Unsupported} — the
 * tree's route — for the inputs outside its subset, never different bytes.
 */
class CanonicalJsonTests {

    private final JsonMapper json = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private String fast(String text) {
        CanonicalJson c = new CanonicalJson();
        c.document(text.getBytes(StandardCharsets.UTF_8));
        return new String(c.buffer(), 0, c.length(), StandardCharsets.UTF_8);
    }

    private String tree(String text) {
        return DecisionChain.canonical(json.readTree(text));
    }

    @Test
    void writesWhatTheTreeWritesForRecordShapedJson() {
        for (String text : List.of(
                "{\"b\": [1, -2, 0, 123456789012345678], \"a\": {\"z\": null, \"A\": \"x\\ty\\u0001\\\"\\\\\\/\\b\\f\\n\\r\"}}",
                "{\"policies\": [{\"name\": \"p\", \"rules\": []}], \"allowed\": true, \"\": {}, \"aa\": false, \"a\": []}",
                "{\"e-value\": \"caf\u00e9 \u4e2d \ud83d\ude00\", \"esc\": \"\\u00e9\\u4E2D\\u0041\\u0022\\u005c\\u001F\"}",
                "  [ {\"k\" : 1 } , \"s\" , [ ] , { } ]  ",
                "\"just a string\"", "42", "true", "null",
                "{\"z\":{\"y\":{\"x\":{\"b\":1,\"a\":2}}},\"request\":1,\"requester\":2,\"req\":3}")) {
            assertThat(fast(text)).as(text).isEqualTo(tree(text));
        }
    }

    @Test
    void leavesEveryOtherInputToTheTree() {
        for (String text : List.of("{\"a\": 1.5}", "{\"a\": 1e3}", "{\"a\": -0}", "{\"a\": 1234567890123456789}",
                "{\"\u00e9\": 1}", "{\"a\\u0062\": 1}", "{\"a\": \"\\ud83d\\ude00\"}", "{\"a\": \"\\u0000\"}",
                "{\"a\": 1, \"a\": 2}", "{\"b\": 1, \"a\": 2, \"b\": 3}", "{\"a\": 01}", "{\"a\": tru}", "{\"a\": 1,}",
                "{\"a\": 1} x", "{\"a\": \"raw\ttab\"}", "[1 2]", "{\"a\" 1}", "\"unterminated", "{\"a\": \"\\x\"}")) {
            assertThatThrownBy(() -> fast(text)).as(text).isInstanceOf(CanonicalJson.Unsupported.class);
        }
        byte[] invalidUtf8 = {'"', (byte) 0xC3, '"'};
        byte[] surrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        byte[] overlong = {'"', (byte) 0xC0, (byte) 0xAF, '"'};
        for (byte[] bytes : List.of(invalidUtf8, surrogate, overlong)) {
            assertThatThrownBy(() -> new CanonicalJson().document(bytes)).isInstanceOf(CanonicalJson.Unsupported.class);
        }
    }

    @Test
    void randomDocumentsAreTheTreesBytesOrRefused() {
        SplittableRandom random = new SplittableRandom(12);
        CanonicalJson c = new CanonicalJson();
        int fastCount = 0;
        for (int i = 0; i < 5_000; i++) {
            StringBuilder text = new StringBuilder();
            value(random, text, 0);
            String s = text.toString();
            c.reset();
            String expected;
            try {
                expected = tree(s);
            } catch (RuntimeException notJsonOrUnstorable) {
                assertThatThrownBy(() -> fast(s)).as(s).isInstanceOf(CanonicalJson.Unsupported.class);
                continue;
            }
            try {
                c.document(s.getBytes(StandardCharsets.UTF_8));
            } catch (CanonicalJson.Unsupported e) {
                continue;
            }
            fastCount++;
            assertThat(new String(c.buffer(), 0, c.length(), StandardCharsets.UTF_8)).as(s).isEqualTo(expected);
        }
        assertThat(fastCount).isGreaterThan(1_000);
    }

    /** Whether {@link CanonicalJson#canonicalObject} takes {@code text} (all of it) as already canonical. */
    private static boolean inPlace(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            return new CanonicalJson().canonicalObject(bytes, 0, bytes.length) == bytes.length;
        } catch (CanonicalJson.Unsupported e) {
            return false;
        }
    }

    @Test
    void anObjectIsTakenAsCanonicalOnlyIfItIsItsOwnCanonicalText() {
        SplittableRandom random = new SplittableRandom(13);
        int accepted = 0;
        for (int i = 0; i < 5_000; i++) {
            StringBuilder text = new StringBuilder("{\"k\": ");
            value(random, text, 0);
            String s = text.append(", \"a\": [1, \"x\\ty\"]}").toString();
            String canonical;
            try {
                canonical = tree(s);
            } catch (RuntimeException notJsonOrUnstorable) {
                assertThat(inPlace(s)).as(s).isFalse();
                continue;
            }
            boolean fastTakesIt;
            try {
                fast(s);
                fastTakesIt = true;
            } catch (CanonicalJson.Unsupported e) {
                fastTakesIt = false;
            }
            // the canonical text itself is taken whenever the fast route takes the document (and may be when it
            // does not: -0 is refused, its canonical 0 is not); nothing that is not its own canonical text is
            if (fastTakesIt) {
                assertThat(inPlace(canonical)).as(canonical).isTrue();
                accepted++;
            }
            if (inPlace(canonical)) {
                assertThat(tree(canonical)).isEqualTo(canonical);
            }
            for (String variant : List.of(s, canonical.replace("\\n", "\\u000a"), canonical.replace("\\t", "\\u0009"),
                    canonical.replace("\\u001f", "\\u001F"), canonical.replace("é", "\\u00e9"), canonical.replace(",", ", "),
                    canonical.replace("/", "\\/"), canonical.replace(":", " :"), canonical + " ")) {
                if (inPlace(variant)) {
                    assertThat(variant).as(s).isEqualTo(tree(variant));
                }
            }
        }
        assertThat(accepted).isGreaterThan(1_000);
        assertThat(inPlace("{\"a\":1,\"b\":{\"c\":\"\\u0001\\n\\\"\"}}")).isTrue();
        for (String refused : List.of("{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":1}", "{\"a\":\"\\u000a\"}", "{\"a\":\"\\u001F\"}",
                "{\"a\":\"\\b\"}", "{\"a\": 1}", "{\"a\":1.0}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\/\"}", "[1]")) {
            assertThat(inPlace(refused)).as(refused).isFalse();
        }
    }

    @Test
    void rawTextIsEscapedAsTheChainEscapesIt() {
        CanonicalJson c = new CanonicalJson();
        String value = "a\"b\\c\nd\re\tf\u0001g\u00e9\ud83d\ude00/";
        c.string(value.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(c.buffer(), 0, c.length(), StandardCharsets.UTF_8))
                .isEqualTo(DecisionChain.canonical(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(value)));
    }

    private static final String[] KEYS = {"a", "b", "aa", "ab", "B", "request", "requester", "", "z9", "é", "a\\u0062"};
    private static final String[] STRINGS = {"x", "", "\\n", "\\u00e9", "é", "\\\"", "\\/", "\\u0000", "\\ud83d\\ude00", "😀",
        "tab\\t", "\\u001f", "\\u0041"};
    private static final String[] NUMBERS = {"0", "-1", "17", "1.0", "2.50", "1e2", "-0", "99999999999999999999"};

    private static void value(SplittableRandom r, StringBuilder out, int depth) {
        int kind = r.nextInt(depth > 4 ? 4 : 6);
        switch (kind) {
            case 0 -> out.append('"').append(STRINGS[r.nextInt(STRINGS.length)]).append('"');
            case 1 -> out.append(NUMBERS[r.nextInt(NUMBERS.length)]);
            case 2 -> out.append(r.nextBoolean() ? "true" : "null");
            case 3 -> out.append("false");
            case 4 -> {
                out.append('[');
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    out.append(i > 0 ? ", " : "");
                    value(r, out, depth + 1);
                }
                out.append(']');
            }
            default -> {
                out.append("{ ");
                int n = r.nextInt(6);
                for (int i = 0; i < n; i++) {
                    out.append(i > 0 ? ", " : "").append('"').append(KEYS[r.nextInt(KEYS.length)]).append("\": ");
                    value(r, out, depth + 1);
                }
                out.append('}');
            }
        }
    }
}
