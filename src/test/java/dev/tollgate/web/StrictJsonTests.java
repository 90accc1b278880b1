package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The strict mapper's checks and limits, and the margins of the default limits over the largest real
 * inputs in the test fixtures (Sigstore bundles and trusted roots, in-toto statements and their
 * base64 payloads, SLSA provenance, AdmissionReviews).
 */
class StrictJsonTests {

    static final JsonProperties DEFAULTS = new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("tollgate.json", JsonProperties.class);

    static final ObjectMapper JSON = new StrictJsonConfiguration().jsonMapperBuilder(DEFAULTS, List.of()).build();

    /** Jackson's defaults, only to tell fixtures that are not JSON at all from ones the strict mapper refuses. */
    static final ObjectMapper LENIENT = tools.jackson.databind.json.JsonMapper.builder().build();

    record Measure(String file, long tokens, int depth, int longestString, int longestName, int longestNumber) {
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(DEFAULTS).isEqualTo(new JsonProperties(200_000, 128, 4 * 1024 * 1024, 8192, 64));
    }

    @Test
    void everyRealFixtureParsesWellInsideTheDefaultLimits() throws IOException {
        List<Measure> measures = new ArrayList<>();
        for (Path root : List.of(Path.of("src/test/resources"), Path.of("policy-grammar"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    byte[] bytes = Files.readAllBytes(file);
                    String text = new String(bytes, StandardCharsets.UTF_8).strip();
                    if (file.toString().endsWith(".jsonl")) {
                        for (String line : text.split("\n")) {
                            if (!line.isBlank()) {
                                measure(file + " (line)", line.getBytes(StandardCharsets.UTF_8), measures);
                            }
                        }
                    } else if (text.startsWith("{") || text.startsWith("[")) {
                        measure(file.toString(), bytes, measures);
                    }
                }
            }
        }
        assertThat(measures).hasSizeGreaterThan(250);
        Measure most = new Measure("all", measures.stream().mapToLong(Measure::tokens).max().orElseThrow(),
                measures.stream().mapToInt(Measure::depth).max().orElseThrow(),
                measures.stream().mapToInt(Measure::longestString).max().orElseThrow(),
                measures.stream().mapToInt(Measure::longestName).max().orElseThrow(),
                measures.stream().mapToInt(Measure::longestNumber).max().orElseThrow());
        // the margins docs/security.md states: the largest real input stays far inside every limit
        assertThat(most.tokens() * 50).as("tokens of the largest fixture, x50").isLessThan(DEFAULTS.maxTokens());
        assertThat(most.depth() * 8).as("deepest fixture, x8").isLessThanOrEqualTo(DEFAULTS.maxDepth());
        assertThat(most.longestString() * 200L).as("longest string, x200").isLessThan(DEFAULTS.maxStringLength());
        assertThat(most.longestName() * 100).as("longest name, x100").isLessThan(DEFAULTS.maxNameLength());
        assertThat(most.longestNumber() * 4).as("longest number, x4").isLessThan(DEFAULTS.maxNumberLength());
    }

    /** Parses the document with the strict mapper (it must pass) and measures it, and any JSON in its base64 strings. */
    private static void measure(String name, byte[] bytes, List<Measure> measures) {
        try {
            LENIENT.readTree(bytes);
        } catch (JacksonException e) {
            return; // not JSON on purpose (conformance's bundle-malformed-json_fail)
        }
        JsonNode tree = JSON.readTree(bytes); // throws when a real fixture breaks a check or limit
        assertThat(tree).as(name).isNotNull();
        long tokens = 0;
        int depth = 0;
        int deepest = 0;
        int string = 0;
        int property = 0;
        int number = 0;
        List<String> longStrings = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(bytes)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                tokens++;
                switch (token) {
                    case START_OBJECT, START_ARRAY -> deepest = Math.max(deepest, ++depth);
                    case END_OBJECT, END_ARRAY -> depth--;
                    case PROPERTY_NAME -> property = Math.max(property, parser.currentName().length());
                    case VALUE_STRING -> {
                        string = Math.max(string, parser.getString().length());
                        if (parser.getString().length() > 64) {
                            longStrings.add(parser.getString());
                        }
                    }
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number = Math.max(number, parser.getString().length());
                    default -> {
                    }
                }
            }
        }
        measures.add(new Measure(name, tokens, deepest, string, property, number));
        for (String s : longStrings) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (decoded.length > 1 && (decoded[0] == '{' || decoded[0] == '[')) {
                measure(name + " (base64 payload)", decoded, measures);
            }
        }
    }

    @Test
    void tooManyTokensTooDeepAndTooLongAreParseErrors() {
        assertThatThrownBy(() -> JSON.readTree("[" + "0,".repeat(200_000) + "0]")).isInstanceOf(StreamConstraintsException.class);
        assertThat(JSON.readTree("[" + "0,".repeat(150_000) + "0]").size()).isEqualTo(150_001);
        assertThat(JSON.readTree("[".repeat(128) + "]".repeat(128))).isNotNull();
        assertThatThrownBy(() -> JSON.readTree("[".repeat(129) + "]".repeat(129))).isInstanceOf(StreamConstraintsException.class);
        assertThatThrownBy(() -> JSON.readTree("{\"a\":" + "{\"a\":".repeat(200) + "1" + "}".repeat(201)))
                .isInstanceOf(StreamConstraintsException.class);
        assertThatThrownBy(() -> JSON.readTree("{\"" + "n".repeat(8193) + "\":1}")).isInstanceOf(StreamConstraintsException.class);
        assertThatThrownBy(() -> JSON.readTree("[" + "9".repeat(65) + "]")).isInstanceOf(StreamConstraintsException.class);
        assertThatThrownBy(() -> JSON.readTree("[1." + "9".repeat(64) + "]")).isInstanceOf(StreamConstraintsException.class);
        assertThatThrownBy(() -> JSON.readTree("[\"" + "s".repeat(4 * 1024 * 1024 + 1) + "\"]"))
                .isInstanceOf(StreamConstraintsException.class);
        assertThat(JSON.readTree("[\"" + "s".repeat(256 * 1024) + "\"]").get(0).stringValue()).hasSize(256 * 1024);
    }

    @Test
    void loneSurrogatesAreRefusedFromEverySource() {
        String escaped = "{\"a\":\"x\\ud800y\"}";
        byte[] raw = {'[', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ']'};
        assertThatThrownBy(() -> JSON.readTree(escaped)).isInstanceOf(JacksonException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> JSON.readTree(escaped.getBytes(StandardCharsets.UTF_8))).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> JSON.readTree(new ByteArrayInputStream(escaped.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> JSON.readTree(raw)).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> JSON.readValue("{\"name\":\"\\udfff\"}", Named.class)).isInstanceOf(JacksonException.class);
        assertThat(JSON.readTree("[\"\\ud83d\\ude00\"]").get(0).stringValue()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void onlyWellFormedUtf8BytesAreJson() {
        for (byte[] bytes : List.of(new byte[] {'[', '"', (byte) 0xC0, (byte) 0xAF, '"', ']'},
                new byte[] {'[', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', ']'},
                new byte[] {'[', '"', (byte) 0xC3, '"', ']'}, "[1]".getBytes(StandardCharsets.UTF_16BE),
                "[1]".getBytes(StandardCharsets.UTF_16LE), new byte[] {'[', '1', ']', 0})) {
            assertThatThrownBy(() -> JSON.readTree(bytes)).isInstanceOf(JacksonException.class);
            assertThatThrownBy(() -> JSON.readTree(new ByteArrayInputStream(bytes))).isInstanceOf(JacksonException.class);
        }
        byte[] good = "[\"\u00e9\u20ac\uD83D\uDE00\"]".getBytes(StandardCharsets.UTF_8);
        assertThat(JSON.readTree(new ByteArrayInputStream(good)).get(0).stringValue()).isEqualTo("\u00e9\u20ac\uD83D\uDE00");
    }

    @Test
    void theUtf8CheckHoldsWhereverTheReadsSplitASequence() {
        byte[] good = "[\"a\u00e9\u20ac\uD83D\uDE00\u00e9\uD83D\uDE00z\"]".getBytes(StandardCharsets.UTF_8);
        List<byte[]> bad = List.of(new byte[] {'[', '"', (byte) 0xE2, (byte) 0x82, 'x', '"', ']'}, // a sequence cut short
                new byte[] {'[', '"', (byte) 0xF0, (byte) 0x9F, (byte) 0x98, '"', ']'},
                new byte[] {'[', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ']'}, // an encoded surrogate
                new byte[] {'[', '"', (byte) 0x80, '"', ']'});
        for (int chunk = 1; chunk <= 5; chunk++) {
            assertThat(JSON.readTree(trickle(good, chunk)).get(0).stringValue()).as("chunk %d", chunk)
                    .isEqualTo("a\u00e9\u20ac\uD83D\uDE00\u00e9\uD83D\uDE00z");
            for (byte[] b : bad) {
                int size = chunk;
                assertThatThrownBy(() -> JSON.readTree(trickle(b, size))).as("chunk %d", chunk).isInstanceOf(JacksonException.class);
            }
        }
    }

    /** A stream that gives at most {@code chunk} bytes per read. */
    private static java.io.InputStream trickle(byte[] bytes, int chunk) {
        return new java.io.FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    record Named(String name) {
    }

    record Counted(int count, boolean flag, double ratio) {
    }

    @Test
    void noScalarCoercionAndNoUnknownFields() {
        for (String body : List.of("{\"name\":4369}", "{\"name\":1.5}", "{\"name\":true}", "{\"name\":\"a\",\"other\":1}")) {
            assertThatThrownBy(() -> JSON.readValue(body, Named.class)).as(body).isInstanceOf(JacksonException.class);
        }
        for (String body : List.of("{\"count\":\"1\",\"flag\":true,\"ratio\":1}", "{\"count\":1.5,\"flag\":true,\"ratio\":1}",
                "{\"count\":1,\"flag\":\"true\",\"ratio\":1}", "{\"count\":1,\"flag\":1,\"ratio\":1}",
                "{\"count\":1,\"flag\":true,\"ratio\":\"1.0\"}", "{\"count\":\"\",\"flag\":true,\"ratio\":1}")) {
            assertThatThrownBy(() -> JSON.readValue(body, Counted.class)).as(body).isInstanceOf(JacksonException.class);
        }
        assertThat(JSON.readValue("{\"count\":1,\"flag\":true,\"ratio\":1}", Counted.class)).isEqualTo(new Counted(1, true, 1.0));
    }

    @Test
    void duplicatesAndTrailingContentAreErrors() {
        for (String body : List.of("{\"a\":1,\"a\":1}", "{\"a\":{\"b\":1,\"b\":2}}", "{} {}", "[1] x", "{\"a\":1}\u0000")) {
            assertThatThrownBy(() -> JSON.readTree(body)).as(body).isInstanceOf(JacksonException.class);
            assertThatThrownBy(() -> JSON.readValue(body, Map.class)).as(body).isInstanceOf(JacksonException.class);
        }
    }
}
