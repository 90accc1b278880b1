package dev.tollgate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyWarnings;
import dev.tollgate.policy.dsl.Diagnostic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code tollgate lint FILE...}: every upload error and warning of each policy file, as
 * {@code file:line:col: error|warning code message}, or as JSON or SARIF 2.1.0. Exit 1 when any
 * file has an error; warnings never fail.
 */
@Command(name = "lint", mixinStandardHelpOptions = true, description = "Check policy files: upload errors and warnings.")
class LintCommand implements java.util.concurrent.Callable<Integer> {

    enum Format { text, json, sarif }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "policy source files")
    List<Path> files;

    @Option(names = "--format", defaultValue = "text", description = "text (default), json or sarif (SARIF 2.1.0)")
    Format format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One finding in one file. */
    record Finding(Path file, String level, Diagnostic diagnostic) {
    }

    @Override
    public Integer call() {
        List<Finding> findings = new ArrayList<>();
        for (Path file : files) {
            findings.addAll(lint(file));
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case text -> findings.forEach(f -> out.println(f.file() + ":" + f.diagnostic().line() + ":" + f.diagnostic().column()
                    + ": " + f.level() + " " + f.diagnostic().code() + " " + f.diagnostic().message()));
            case json -> out.println(Workbench.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(findings)));
            case sarif -> out.println(Workbench.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sarif(findings)));
        }
        out.flush();
        return findings.stream().anyMatch(f -> f.level().equals("error")) ? TollgateCommand.ExitCodes.FAILED
                : TollgateCommand.ExitCodes.OK;
    }

    static List<Finding> lint(Path file) {
        String source = Workbench.read(file);
        CompileResult result = Workbench.COMPILER.compile(source);
        List<Finding> findings = new ArrayList<>();
        result.diagnostics().forEach(d -> findings.add(new Finding(file, "error", d)));
        if (result.ok()) {
            PolicyWarnings.of(source).forEach(d -> findings.add(new Finding(file, "warning", d)));
        }
        findings.sort((a, b) -> a.diagnostic().compareTo(b.diagnostic()));
        return findings;
    }

    private static ObjectNode json(List<Finding> findings) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode list = root.putArray("diagnostics");
        for (Finding f : findings) {
            list.addObject().put("file", f.file().toString()).put("line", f.diagnostic().line())
                    .put("column", f.diagnostic().column()).put("severity", f.level()).put("code", f.diagnostic().code())
                    .put("message", f.diagnostic().message());
        }
        root.put("errors", findings.stream().filter(f -> f.level().equals("error")).count());
        root.put("warnings", findings.stream().filter(f -> f.level().equals("warning")).count());
        return root;
    }

    /** SARIF 2.1.0 (OASIS): one run, the codes as rules, one result per finding. */
    private static ObjectNode sarif(List<Finding> findings) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "tollgate");
        driver.put("informationUri", "https://tollgate.dev/docs/policy-language");
        ArrayNode rules = driver.putArray("rules");
        TreeSet<String> codes = new TreeSet<>();
        findings.forEach(f -> codes.add(f.diagnostic().code()));
        List<String> ruleIds = new ArrayList<>(codes);
        ruleIds.forEach(code -> rules.addObject().put("id", code));
        ArrayNode results = run.putArray("results");
        for (Finding f : findings) {
            ObjectNode r = results.addObject();
            r.put("ruleId", f.diagnostic().code());
            r.put("ruleIndex", ruleIds.indexOf(f.diagnostic().code()));
            r.put("level", f.level());
            r.putObject("message").put("text", f.diagnostic().message());
            ObjectNode location = r.putArray("locations").addObject().putObject("physicalLocation");
            location.putObject("artifactLocation").put("uri", uri(f.file()));
            location.putObject("region").put("startLine", f.diagnostic().line()).put("startColumn", f.diagnostic().column());
        }
        return root;
    }

    /** A relative path stays relative (SARIF viewers resolve it against the repository); separators are '/'. */
    private static String uri(Path file) {
        return file.toString().replace(java.io.File.separatorChar, '/');
    }
}
