package dev.tollgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.eval.Program;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/policies/{name}/versions/{a}/diff/{b}}: what changes from version {@code a} to
 * {@code b} — a unified diff of the sources, and the rules added, removed and kept, and the mode.
 */
@RestController
class PolicyDiffController {

    private static final PolicyCompiler COMPILER = new PolicyCompiler(PolicyCompiler.Limits.DEFAULT.withoutTimeouts());

    private final PolicyCatalog catalog;

    PolicyDiffController(PolicyCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/v1/policies/{name}/versions/{from}/diff/{to}")
    Map<String, Object> diff(@PathVariable String name, @PathVariable String from, @PathVariable String to) {
        PolicyVersionInfo a = catalog.version(name, PolicyController.versionNumber(from));
        PolicyVersionInfo b = catalog.version(name, PolicyController.versionNumber(to));
        List<String> before = a.source().lines().toList();
        List<String> after = b.source().lines().toList();
        List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(name + " v" + a.version(), name + " v" + b.version(), before,
                DiffUtils.diff(before, after), 3);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", name);
        answer.put("from", summary(a));
        answer.put("to", summary(b));
        answer.put("identical", a.sha256().equals(b.sha256()));
        List<String> rulesA = rules(a.source());
        List<String> rulesB = rules(b.source());
        Map<String, Object> rules = new LinkedHashMap<>();
        rules.put("added", rulesB.stream().filter(r -> !rulesA.contains(r)).toList());
        rules.put("removed", rulesA.stream().filter(r -> !rulesB.contains(r)).toList());
        rules.put("kept", rulesA.stream().filter(rulesB::contains).toList());
        answer.put("rules", rules);
        answer.put("diff", unified.isEmpty() ? "" : String.join("\n", unified) + "\n");
        return answer;
    }

    private static Map<String, Object> summary(PolicyVersionInfo v) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("version", v.version());
        s.put("sha256", v.sha256());
        s.put("mode", v.mode());
        s.put("active", v.active());
        s.put("createdAt", v.createdAt());
        return s;
    }

    /** A stored version compiled before; its rule names in order. */
    private static List<String> rules(String source) {
        CompileResult result = COMPILER.compile(source);
        Program program = result.program();
        return program == null ? new ArrayList<>() : program.ruleNames();
    }
}
