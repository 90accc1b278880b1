package dev.tollgate.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The instructions of a Dockerfile, by stage: enough to check what the image is made of without building it. */
record Dockerfile(Map<String, String> args, List<Stage> stages) {

    record Instruction(String keyword, String value) {
    }

    record Stage(String from, String name, List<Instruction> instructions) {

        List<String> runs() {
            return instructions.stream().filter(i -> i.keyword().equals("RUN")).map(Instruction::value).toList();
        }

        /** The value of an instruction that occurs exactly once in this stage. */
        String instruction(String keyword) {
            List<String> values = instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::value).toList();
            if (values.size() != 1) {
                throw new AssertionError(keyword + " occurs " + values.size() + " times in stage " + from);
            }
            return values.get(0);
        }

        /** ARG name=default of this stage. */
        Map<String, String> args() {
            return Dockerfile.args(instructions);
        }

        List<String> entrypoint() {
            return JsonMapper.builder().build().readValue(instruction("ENTRYPOINT"), new TypeReference<List<String>>() { });
        }
    }

    static Dockerfile read(Path file) throws IOException {
        List<Instruction> global = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = global;
        StringBuilder logical = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String stripped = line.strip();
            if (logical.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
                continue;
            }
            if (stripped.endsWith("\\")) {
                logical.append(stripped, 0, stripped.length() - 1).append(' ');
                continue;
            }
            logical.append(stripped);
            String text = logical.toString().strip();
            logical.setLength(0);
            int space = text.indexOf(' ');
            Instruction instruction = new Instruction(text.substring(0, space).toUpperCase(java.util.Locale.ROOT),
                    text.substring(space + 1).strip());
            if (instruction.keyword().equals("FROM")) {
                String[] parts = instruction.value().split("\\s+");
                current = new ArrayList<>();
                stages.add(new Stage(parts[0], parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null, current));
            } else {
                current.add(instruction);
            }
        }
        return new Dockerfile(args(global), stages);
    }

    /** The stage of that name; {@code null}: the last stage, which is the image. */
    Stage stage(String name) {
        if (name == null) {
            return stages.get(stages.size() - 1);
        }
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name));
    }

    /** The layers the image stage copies from the build stage's extraction, in order. */
    List<String> copiedLayers() {
        List<String> layers = new ArrayList<>();
        for (Instruction i : stage(null).instructions()) {
            if (i.keyword().equals("COPY")) {
                String[] parts = i.value().split("\\s+");
                if (parts.length != 3 || !parts[0].equals("--from=build") || !parts[1].startsWith("/layers/") || !parts[2].equals("./")) {
                    throw new AssertionError("unexpected COPY " + i.value());
                }
                layers.add(parts[1].substring("/layers/".length()).replaceAll("/$", ""));
            }
        }
        return layers;
    }

    private static Map<String, String> args(List<Instruction> instructions) {
        Map<String, String> args = new LinkedHashMap<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("ARG")) {
                int eq = i.value().indexOf('=');
                args.put(eq < 0 ? i.value() : i.value().substring(0, eq), eq < 0 ? null : i.value().substring(eq + 1));
            }
        }
        return args;
    }
}
