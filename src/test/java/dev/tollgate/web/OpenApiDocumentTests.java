package dev.tollgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * openapi/tollgate.yaml is well-formed: YAML without duplicate keys or keys that a stray comma in a
 * flow mapping made up, and an OpenAPI 3.1 document that swagger-parser reads and validates
 * (references resolved) without a single message.
 */
class OpenApiDocumentTests {

    private static final Path DOCUMENT = Path.of("openapi/tollgate.yaml");

    @Test
    void swaggerParserReadsAndValidatesTheDocumentWithoutAnyMessage() {
        SwaggerParseResult result = parse(DOCUMENT.toAbsolutePath().toUri().toString());
        assertThat(result.getMessages()).as("swagger-parser messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getSpecVersion()).hasToString("V31");
        assertThat(result.getOpenAPI().getPaths()).isNotEmpty();
    }

    @Test
    void noKeyIsWithoutAValue() throws IOException {
        // `{description: a, b}` makes `b` a key with no value; in this document that is always a typo.
        List<String> empty = new ArrayList<>();
        collectKeysWithoutValue(strictYaml().load(Files.readString(DOCUMENT, StandardCharsets.UTF_8)), "", empty);
        assertThat(empty).as("keys without a value (an unquoted comma in a flow mapping?)").isEmpty();
    }

    @Test
    void theChecksFindTheFaultsTheyAreFor() throws IOException {
        String broken = Files.readString(DOCUMENT, StandardCharsets.UTF_8).replaceFirst(
                "description: '(the secret; shown once), (stored only as its SHA-256)'", "description: $1, $2");
        assertThat(broken).isNotEqualTo(Files.readString(DOCUMENT, StandardCharsets.UTF_8));
        List<String> empty = new ArrayList<>();
        collectKeysWithoutValue(strictYaml().load(broken), "", empty);
        assertThat(empty).containsExactly("/components/schemas/IssuedToken/properties/token/stored only as its SHA-256");

        Path faulty = Files.createTempFile("tollgate-openapi", ".yaml");
        try {
            Files.writeString(faulty, Files.readString(DOCUMENT, StandardCharsets.UTF_8)
                    .replaceFirst("\\$ref: '#/components/schemas/IssuedToken'", "\\$ref: '#/components/schemas/NoSuchSchema'"));
            assertThat(parse(faulty.toUri().toString()).getMessages()).anyMatch(m -> m.contains("NoSuchSchema"));
        } finally {
            Files.delete(faulty);
        }
    }

    private static SwaggerParseResult parse(String location) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        return new OpenAPIV3Parser().readLocation(location, null, options);
    }

    private static Yaml strictYaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(options);
    }

    private static void collectKeysWithoutValue(Object node, String path, List<String> found) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String child = path + "/" + entry.getKey();
                if (entry.getValue() == null) {
                    found.add(child);
                }
                collectKeysWithoutValue(entry.getValue(), child, found);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectKeysWithoutValue(list.get(i), path + "[" + i + "]", found);
            }
        }
    }
}
