package dev.tollgate.helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * The documentation of values.yaml, in helm-docs' convention: a line {@code # -- text} (continued by
 * further {@code #} lines) describes the key below it. Renders README.md's table of values.
 */
record ValuesDocumentation(Map<String, Object> values, Map<String, String> descriptions) {

    static final String START = "<!-- values:start (generated from values.yaml by HelmChartReadmeTests) -->";
    static final String END = "<!-- values:end -->";

    /** One documented value: its dotted path, YAML type, default and description. */
    record Row(String key, String type, String defaultValue, String description) {
    }

    static ValuesDocumentation read(Path valuesFile) throws IOException {
        String text = Files.readString(valuesFile, StandardCharsets.UTF_8);
        Map<String, Object> values = new Yaml().load(text);
        Map<String, String> descriptions = new LinkedHashMap<>();
        Deque<int[]> indents = new ArrayDeque<>();
        Deque<String> keys = new ArrayDeque<>();
        StringBuilder pending = null;
        for (String line : text.split("\n", -1)) {
            String stripped = line.strip();
            int indent = line.length() - line.stripLeading().length();
            if (stripped.startsWith("# --")) {
                pending = new StringBuilder(stripped.substring(4).strip());
                continue;
            }
            if (stripped.startsWith("#")) {
                if (pending != null) {
                    pending.append(' ').append(stripped.substring(1).strip());
                }
                continue;
            }
            if (stripped.isEmpty()) {
                pending = null;
                continue;
            }
            int colon = stripped.indexOf(':');
            boolean isKey = !stripped.startsWith("-") && colon > 0 && stripped.substring(0, colon).matches("[A-Za-z0-9_.\\-]+");
            if (!isKey) {
                continue;
            }
            while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                indents.pop();
                keys.removeLast();
            }
            keys.addLast(stripped.substring(0, colon));
            indents.push(new int[] {indent});
            if (pending != null) {
                descriptions.put(String.join(".", keys), pending.toString().strip());
                pending = null;
            }
        }
        return new ValuesDocumentation(values, descriptions);
    }

    /** Every leaf path (a scalar, a list, or an empty map) of the values. */
    List<String> leaves() {
        List<String> leaves = new ArrayList<>();
        collectLeaves(values, "", leaves);
        return leaves;
    }

    /** Leaves with no description of their own or of an enclosing map. */
    List<String> undocumented() {
        return leaves().stream().filter(leaf -> {
            String path = leaf;
            while (true) {
                if (descriptions.containsKey(path)) {
                    return false;
                }
                int dot = path.lastIndexOf('.');
                if (dot < 0) {
                    return true;
                }
                path = path.substring(0, dot);
            }
        }).toList();
    }

    List<Row> rows() {
        JsonMapper json = JsonMapper.builder().build();
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, String> entry : descriptions.entrySet()) {
            Object value = valueAt(entry.getKey());
            rows.add(new Row(entry.getKey(), typeOf(value), json.writeValueAsString(value), entry.getValue()));
        }
        return rows;
    }

    String table() {
        StringBuilder table = new StringBuilder("| key | type | default | description |\n|---|---|---|---|\n");
        for (Row row : rows()) {
            table.append("| `").append(row.key()).append("` | ").append(row.type()).append(" | `")
                    .append(row.defaultValue().replace("|", "\\|")).append("` | ")
                    .append(row.description().replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }

    /** The README with its generated section replaced by the current table. */
    static String withTable(String readme, String table) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalStateException("README.md has no " + START + " ... " + END + " section");
        }
        return readme.substring(0, start + START.length()) + "\n" + table + readme.substring(end);
    }

    Object valueAt(String dotted) {
        Object node = values;
        for (String key : dotted.split("\\.")) {
            node = ((Map<?, ?>) node).get(key);
        }
        return node;
    }

    private static String typeOf(Object value) {
        if (value instanceof Map<?, ?>) {
            return "object";
        }
        if (value instanceof List<?>) {
            return "list";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Integer || value instanceof Long) {
            return "int";
        }
        if (value instanceof Number) {
            return "float";
        }
        return "string";
    }

    private static void collectLeaves(Object node, String path, List<String> leaves) {
        if (node instanceof Map<?, ?> map && !map.isEmpty()) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                collectLeaves(entry.getValue(), path.isEmpty() ? entry.getKey().toString() : path + "." + entry.getKey(), leaves);
            }
        } else {
            leaves.add(path);
        }
    }
}
