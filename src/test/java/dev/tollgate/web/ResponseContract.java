package dev.tollgate.web;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.tollgate.support.Api;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The response schemas of openapi/tollgate.yaml as a JSON Schema validator (OpenAPI 3.1's dialect,
 * JSON Schema 2020-12) reads them: a real answer is checked against the schema that the document
 * declares for its operation, its status and its media type. References ({@code $ref} into
 * components/schemas) are resolved by the validator inside the one document; a response given as a
 * reference into components/responses is followed here, since it is not a schema.
 */
final class ResponseContract {

    /** Where the validator finds the document (never fetched: the registry is given the text). */
    private static final String DOCUMENT_URI = "https://tollgate.test/openapi.json";

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    /** Every operation and status an answer was checked for: "get /v1/decisions 200". */
    final Set<String> checked = ConcurrentHashMap.newKeySet();
    /** Per operation, status and media type ("get /v1/decisions/export 200 application/x-ndjson"): the JSON values or CSV headers validated. */
    final Map<String, Long> checkedLines = new ConcurrentHashMap<>();

    ResponseContract(Path openapi) {
        this.document = new YAMLMapper().readTree(openapi.toFile());
        String asJson = JsonMapper.builder().build().writeValueAsString(document);
        this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(DOCUMENT_URI, asJson)));
    }

    JsonNode document() {
        return document;
    }

    /**
     * What is wrong with this answer of {@code method pattern} by the document: an undocumented status or
     * media type, or each schema violation of its body (empty when it conforms).
     */
    List<String> violations(String method, String pattern, Api.Response response) {
        return violations(method, pattern, response.status(), response.contentType(), response.body());
    }

    List<String> violations(String method, String pattern, int status, String contentType, String body) {
        String operation = method.toLowerCase(Locale.ROOT) + " " + pattern + " " + status;
        String responsePointer = "/paths/" + escape(pattern) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + status;
        JsonNode declared = document.at(responsePointer);
        if (declared.isMissingNode()) {
            declared = document.at("/x-edge-responses/" + status);
            responsePointer = "/x-edge-responses/" + status;
        }
        if (declared.isMissingNode()) {
            return List.of(operation + ": status not documented");
        }
        if (declared.has("$ref")) {
            responsePointer = declared.get("$ref").asString().substring(1);
            declared = document.at(responsePointer);
        }
        checked.add(operation);
        JsonNode content = declared.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return body == null || body.isEmpty() ? List.of() : List.of(operation + ": a body where the document declares none");
        }
        String mediaType = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            return List.of(operation + ": media type '" + mediaType + "' not among " + content.propertyNames());
        }
        JsonNode media = content.get(mediaType);
        String mediaPointer = responsePointer + "/content/" + escape(mediaType);
        if (media.has("x-item-schema")) {
            // a stream of JSON values, one a line (NDJSON): each line against the item schema
            Schema schema = schema(mediaPointer + "/x-item-schema");
            List<String> found = new ArrayList<>();
            String[] lines = body == null ? new String[0] : body.split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isEmpty()) {
                    continue;
                }
                for (Error error : schema.validate(JsonMapper.builder().build().readTree(lines[i]))) {
                    found.add(operation + ": line " + (i + 1) + " " + error.getInstanceLocation() + " " + error.getMessage());
                }
            }
            checkedLines.merge(operation + " " + mediaType, (long) lines.length, Long::sum);
            return found;
        }
        if (media.has("x-csv-columns")) {
            // CSV: the header row names the declared columns, in order
            List<String> columns = new ArrayList<>();
            media.get("x-csv-columns").forEach(c -> columns.add(c.asString()));
            String header = body == null ? "" : body.split("\r?\n", 2)[0];
            checkedLines.merge(operation + " " + mediaType, 1L, Long::sum);
            return header.equals(String.join(",", columns)) ? List.of()
                    : List.of(operation + ": CSV header '" + header + "', declared " + columns);
        }
        if (!mediaType.endsWith("json")) {
            return List.of(); // text/plain, application/yaml: a string
        }
        Schema schema = schema(mediaPointer + "/schema");
        List<String> found = new ArrayList<>();
        for (Error error : schema.validate(JsonMapper.builder().build().readTree(body))) {
            found.add(operation + ": " + error.getInstanceLocation() + " " + error.getMessage());
        }
        checkedLines.merge(operation + " " + mediaType, 1L, Long::sum);
        return found;
    }

    private Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(DOCUMENT_URI + "#" + p)));
    }

    /** The JSON pointer token of a name (RFC 6901). */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
