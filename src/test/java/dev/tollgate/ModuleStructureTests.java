package dev.tollgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The feature packages are Spring Modulith modules with a verified boundary: no dependency cycle
 * between them, and no reach into another module's inner packages (only its base package and its
 * named interfaces, {@code package-info.java} with {@code @NamedInterface}). docs/architecture.md
 * shows the same model: its table "Modules and their dependencies" must list every module with
 * exactly the modules it depends on.
 */
class ModuleStructureTests {

    static final ApplicationModules MODULES = ApplicationModules.of(TollgateApplication.class);
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\| ([^|]*) \\|", Pattern.MULTILINE);

    @Test
    void modulesDependOnEachOtherOnlyThroughTheirInterfacesAndWithoutCycles() {
        MODULES.verify();
    }

    @Test
    void theArchitectureDocumentShowsTheVerifiedModel() throws IOException {
        Map<String, String> model = new TreeMap<>();
        for (ApplicationModule module : MODULES) {
            model.put(module.getName(), module.getDirectDependencies(MODULES).uniqueModules().map(ApplicationModule::getName)
                    .sorted().map(n -> "`" + n + "`").collect(Collectors.joining(", ")));
        }
        String doc = Files.readString(Path.of("docs/architecture.md"));
        int start = doc.indexOf("## Modules and their dependencies");
        assertThat(start).as("docs/architecture.md has a section 'Modules and their dependencies'").isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        Matcher row = ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
        Map<String, String> documented = new TreeMap<>();
        while (row.find()) {
            String deps = row.group(2).strip();
            documented.put(row.group(1), deps.equals("—") ? "" : Arrays.stream(deps.split(",\\s*")).map(String::strip)
                    .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining(", ")));
        }
        assertThat(documented).as("the table in docs/architecture.md (module | depends on)").isEqualTo(model);
    }
}
