package dev.tollgate.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * helm/tollgate/README.md's table of values is generated from values.yaml's {@code # --} comments and
 * must be current; every value is documented and in values.schema.json, and the schema holds no
 * value the chart does not have. To regenerate the table:
 * {@code mvn -B -q test -Dtest=HelmChartReadmeTests -Dtollgate.helm.write-readme=true}.
 */
class HelmChartReadmeTests {

    private static final Path CHART = Path.of("helm/tollgate");

    @Test
    void theReadmeTableIsTheOneValuesYamlGenerates() throws IOException {
        ValuesDocumentation doc = ValuesDocumentation.read(CHART.resolve("values.yaml"));
        Path readme = CHART.resolve("README.md");
        String current = Files.readString(readme, StandardCharsets.UTF_8);
        String generated = ValuesDocumentation.withTable(current, doc.table());
        if (Boolean.getBoolean("tollgate.helm.write-readme")) {
            Files.writeString(readme, generated, StandardCharsets.UTF_8);
            current = generated;
        }
        assertThat(current).as("helm/tollgate/README.md is stale: run this test with -Dtollgate.helm.write-readme=true")
                .isEqualTo(generated);
    }

    @Test
    void everyValueIsDocumented() throws IOException {
        ValuesDocumentation doc = ValuesDocumentation.read(CHART.resolve("values.yaml"));
        assertThat(doc.undocumented()).as("values without a `# --` comment (on them or on their map)").isEmpty();
        assertThat(doc.rows()).extracting(ValuesDocumentation.Row::key).contains("replicaCount", "image.tag",
                "podDisruptionBudget.minAvailable", "autoscaling.enabled", "resources", "tests.image");
    }

    @Test
    void everyValueIsInTheSchemaAndTheSchemaHasNoOtherValue() throws IOException {
        ValuesDocumentation doc = ValuesDocumentation.read(CHART.resolve("values.yaml"));
        JsonNode schema = JsonMapper.builder().build().readTree(CHART.resolve("values.schema.json").toFile());
        List<String> missing = new ArrayList<>();
        for (String leaf : doc.leaves()) {
            JsonNode node = schema;
            for (String key : leaf.split("\\.")) {
                JsonNode properties = node.path("properties");
                if (properties.has(key)) {
                    node = properties.get(key);
                } else if (node.path("additionalProperties").isObject() || node.path("type").asString("").equals("object")
                        && !node.has("properties")) {
                    node = null; // a free-form map (labels, resources): its keys are Kubernetes'
                    break;
                } else {
                    missing.add(leaf);
                    node = null;
                    break;
                }
            }
        }
        assertThat(missing).as("values that values.schema.json does not describe").isEmpty();

        List<String> phantom = new ArrayList<>();
        collectSchemaPaths(schema, "", doc.values(), phantom);
        assertThat(phantom).as("schema properties that values.yaml does not have").isEmpty();
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    }

    private static void collectSchemaPaths(JsonNode schema, String path, Object values, List<String> phantom) {
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").properties().iterator();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            String child = path.isEmpty() ? property.getKey() : path + "." + property.getKey();
            if (child.equals("global") || child.startsWith("tls.certManager.issuerRef.")) {
                continue; // Helm's global values; the issuer reference is empty by default
            }
            if (!(values instanceof Map<?, ?> map) || !map.containsKey(property.getKey())) {
                phantom.add(child);
                continue;
            }
            collectSchemaPaths(property.getValue(), child, map.get(property.getKey()), phantom);
        }
    }
}
