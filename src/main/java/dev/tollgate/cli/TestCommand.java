package dev.tollgate.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import dev.tollgate.decision.OfflineDecisions;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.trust.TrustStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code tollgate test DIR...}: runs policy test files ({@code *_test.yaml}; docs/policy-authoring.md)
 * offline — real bundles verified against the file's trust material, the policies evaluated, the
 * expectations compared — and prints PASS, FAIL or ERROR per case, like {@code opa test}. Exit 1
 * when any case failed or could not run.
 */
@Command(name = "test", mixinStandardHelpOptions = true, description = "Run policy test files (*_test.yaml) offline.")
class TestCommand implements Callable<Integer> {

    enum Format { text, junit }

    enum Status { PASS, FAIL, ERROR }

    @Parameters(arity = "0..*", paramLabel = "DIR|FILE", description = "test files, or directories searched for *_test.yaml")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--record", paramLabel = "DECISION-ID",
            description = "turn a recorded decision into a test file (GET /v1/decisions/{id}/test-case; token in TOLLGATE_TOKEN),"
                    + " write it with its policies and bundles under --out, and run it")
    String record;

    @Option(names = "--server", paramLabel = "URL", description = "the server that recorded the decision (with --record)")
    java.net.URI server;

    @Option(names = "--out", paramLabel = "DIR", description = "where --record writes the test (default: recorded-<decision-id>)")
    Path out;

    @Option(names = {"-v", "--verbose"}, description = "print every case's decision trace")
    boolean verbose;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or junit (JUnit XML, for CI)")
    Format format;

    @Option(names = "--as-of", paramLabel = "TIME", description = "the decision time of cases without their own now (RFC 3339)")
    String asOf;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final java.util.function.Function<String, String> environment;

    TestCommand() {
        this(System::getenv);
    }

    TestCommand(java.util.function.Function<String, String> environment) {
        this.environment = environment;
    }

    /** A case's result: its status, the mismatches or the error, the trace. */
    record Result(Path file, String name, Status status, List<String> messages, String trace, long millis) {
    }

    @Override
    public Integer call() {
        CommandLine line = spec.commandLine();
        Instant asOfTime = asOf == null ? null : Options.time(line, "--as-of", asOf);
        List<Path> files = new ArrayList<>();
        if (record != null) {
            files.add(RecordedTestCase.fetch(server, record, out == null ? Path.of("recorded-" + record) : out,
                    environment.apply("TOLLGATE_TOKEN"), line.getErr()));
        } else if (paths.isEmpty()) {
            throw new Workbench.Problem("give test files or directories, or --record DECISION-ID --server URL");
        }
        for (Path path : paths) {
            files.addAll(find(path));
        }
        if (files.isEmpty()) {
            throw new Workbench.Problem("no test files (*_test.yaml) under " + paths);
        }
        List<Result> results = new ArrayList<>();
        for (Path file : files) {
            results.addAll(run(file, asOfTime));
        }
        PrintWriter out = line.getOut();
        if (format == Format.junit) {
            out.println(junit(results));
        } else {
            text(out, results);
        }
        out.flush();
        return results.stream().allMatch(r -> r.status() == Status.PASS) ? TollgateCommand.ExitCodes.OK
                : TollgateCommand.ExitCodes.FAILED;
    }

    static List<Path> find(Path path) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new Workbench.Problem(path + " is neither a test file nor a directory");
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith("_test.yaml") || n.endsWith("_test.yml");
            }).sorted().toList();
        } catch (IOException e) {
            throw new Workbench.Problem("cannot search " + path + ": " + e.getMessage());
        }
    }

    /** Every case of one file; a file that cannot be used is one ERROR result. */
    List<Result> run(Path file, Instant asOfTime) {
        long start = System.nanoTime();
        PolicyTestFile tests;
        List<ActivePolicy> policies;
        TrustStore.Snapshot trust;
        try {
            tests = PolicyTestFile.read(file);
            policies = tests.policies().stream().map(Workbench::policy).toList();
            trust = Workbench.trust(tests.trustDir(), tests.publicGood());
        } catch (PolicyTestFile.Invalid | Workbench.Problem e) {
            return List.of(new Result(file, "(file)", Status.ERROR, List.of(e.getMessage()), null, millis(start)));
        }
        List<Result> results = new ArrayList<>();
        for (PolicyTestFile.Case c : tests.cases()) {
            results.add(run(file, c, policies, trust, asOfTime));
        }
        return results;
    }

    private Result run(Path file, PolicyTestFile.Case c, List<ActivePolicy> policies, TrustStore.Snapshot trust, Instant asOfTime) {
        long start = System.nanoTime();
        OfflineDecisions.Offline decision;
        try {
            Instant now = c.now() != null ? c.now() : asOfTime != null ? asOfTime : Instant.now();
            EvidenceVerifier verifier = Workbench.verifier(now);
            List<EvidenceSubmission> submissions = new ArrayList<>();
            for (PolicyTestFile.Evidence e : c.evidence()) {
                submissions.addAll(Workbench.evidence(verifier, e.bundle(), e.payload(), submissions.size()));
            }
            List<String> named = c.named() == null ? null
                    : c.named().isEmpty() ? policies.stream().map(ActivePolicy::name).toList() : c.named();
            List<dev.tollgate.exceptions.PolicyException> exceptions = new ArrayList<>();
            for (Path e : c.exceptions()) {
                exceptions.addAll(Workbench.exceptions(e));
            }
            decision = new OfflineDecisions(verifier, trust).decide(c.artifact(), c.context(), submissions, named, policies,
                    true, now, exceptions);
        } catch (Workbench.Problem | IllegalArgumentException e) {
            return new Result(file, c.name(), Status.ERROR, List.of(e.getMessage()), null, millis(start));
        }
        JsonNode answer = decision.json(Workbench.JSON);
        List<String> mismatches = compare(c.expect(), answer);
        StringWriter trace = new StringWriter();
        PrintWriter traceOut = new PrintWriter(trace);
        Reports.decision(traceOut, answer, true);
        traceOut.flush();
        return new Result(file, c.name(), mismatches.isEmpty() ? Status.PASS : Status.FAIL, mismatches, trace.toString(),
                millis(start));
    }

    /** What differs between the expectation and the answer, one line each. */
    static List<String> compare(PolicyTestFile.Expect expect, JsonNode answer) {
        List<String> m = new ArrayList<>();
        boolean allowed = answer.path("allowed").asBoolean(false);
        if (expect.allowed() != null && expect.allowed() != allowed) {
            m.add("expected " + (expect.allowed() ? "allowed" : "denied") + ", got " + (allowed ? "allowed" : "denied"));
        }
        String outcome = answer.path("outcome").asString();
        if (expect.outcome() != null && !expect.outcome().equals(outcome)) {
            m.add("expected outcome " + expect.outcome() + ", got " + outcome);
        }
        if (expect.reason() != null) {
            String reason = answer.path("reason").asString(null);
            if (reason == null || !reason.contains(expect.reason())) {
                m.add("expected a reason containing \"" + expect.reason() + "\", got " + (reason == null ? "none" : "\"" + reason + "\""));
            }
        }
        JsonNode policies = answer.path("policies");
        if (expect.rules() != null) {
            if (policies.size() != 1) {
                m.add("rules: expects exactly one policy in the decision, got " + policies.size() + " (use policies:)");
            } else {
                compareRules(policies.get(0), expect.rules(), m);
            }
        }
        if (expect.policies() != null) {
            for (Map.Entry<String, PolicyTestFile.PolicyExpect> e : expect.policies().entrySet()) {
                JsonNode policy = null;
                for (JsonNode p : policies) {
                    if (e.getKey().equals(p.path("name").asString())) {
                        policy = p;
                    }
                }
                if (policy == null) {
                    m.add("expected policy " + e.getKey() + " in the decision; it did not take part");
                    continue;
                }
                String got = "not applicable".equals(policy.path("reason").asString(null)) ? "not-applicable"
                        : policy.path("outcome").asString();
                if (e.getValue().outcome() != null && !e.getValue().outcome().equals(got)) {
                    m.add("expected policy " + e.getKey() + " " + e.getValue().outcome() + ", got " + got);
                }
                if (e.getValue().rules() != null) {
                    compareRules(policy, e.getValue().rules(), m);
                }
            }
        }
        if (expect.evidence() != null) {
            JsonNode items = answer.path("evidence");
            if (items.size() != expect.evidence().size()) {
                m.add("expected " + expect.evidence().size() + " evidence items, got " + items.size());
            } else {
                for (int i = 0; i < items.size(); i++) {
                    JsonNode item = items.get(i);
                    String got = item.path("verified").asBoolean(false) ? "verified" : item.path("code").asString("unverified");
                    if (!expect.evidence().get(i).equals(got)) {
                        m.add("expected evidence[" + i + "] " + expect.evidence().get(i) + ", got " + got
                                + (item.has("reason") ? " (" + item.get("reason").asString() + ")" : ""));
                    }
                }
            }
        }
        return m;
    }

    private static void compareRules(JsonNode policy, Map<String, String> expected, List<String> m) {
        String name = policy.path("name").asString();
        for (Map.Entry<String, String> rule : expected.entrySet()) {
            JsonNode found = null;
            for (JsonNode r : policy.path("rules")) {
                if (rule.getKey().equals(r.path("name").asString())) {
                    found = r;
                }
            }
            if (found == null) {
                m.add("policy " + name + " has no rule " + rule.getKey());
                continue;
            }
            String got = found.path("outcome").asString();
            if (!rule.getValue().equals(got)) {
                String why = found.hasNonNull("reason") ? found.get("reason").asString()
                        : found.hasNonNull("message") ? found.get("message").asString() : null;
                m.add("expected rule " + name + "/" + rule.getKey() + " to " + rule.getValue() + ", got " + got
                        + (why != null ? ": " + why : ""));
            }
        }
    }

    private void text(PrintWriter out, List<Result> results) {
        for (Result r : results) {
            out.println(r.file() + ": " + r.name() + ": " + r.status() + " (" + r.millis() + "ms)");
            if (r.status() != Status.PASS) {
                r.messages().forEach(msg -> out.println("  " + msg));
            }
            if (r.trace() != null && (verbose || r.status() == Status.FAIL)) {
                r.trace().lines().forEach(l -> out.println("  | " + l));
            }
        }
        long pass = results.stream().filter(r -> r.status() == Status.PASS).count();
        long fail = results.stream().filter(r -> r.status() == Status.FAIL).count();
        long error = results.stream().filter(r -> r.status() == Status.ERROR).count();
        out.println("-".repeat(80));
        out.println("PASS: " + pass + "/" + results.size() + (fail > 0 ? ", FAIL: " + fail : "") + (error > 0 ? ", ERROR: " + error : ""));
    }

    /** JUnit XML: one testsuite per file, one testcase per case; FAIL a failure, ERROR an error. */
    static String junit(List<Result> results) {
        StringWriter xml = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newInstance().createXMLStreamWriter(xml);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeStartElement("testsuites");
            w.writeAttribute("name", "tollgate test");
            w.writeAttribute("tests", String.valueOf(results.size()));
            w.writeAttribute("failures", String.valueOf(results.stream().filter(r -> r.status() == Status.FAIL).count()));
            w.writeAttribute("errors", String.valueOf(results.stream().filter(r -> r.status() == Status.ERROR).count()));
            Map<Path, List<Result>> byFile = new java.util.LinkedHashMap<>();
            results.forEach(r -> byFile.computeIfAbsent(r.file(), k -> new ArrayList<>()).add(r));
            for (var entry : byFile.entrySet()) {
                List<Result> suite = entry.getValue();
                w.writeStartElement("testsuite");
                w.writeAttribute("name", entry.getKey().toString());
                w.writeAttribute("tests", String.valueOf(suite.size()));
                w.writeAttribute("failures", String.valueOf(suite.stream().filter(r -> r.status() == Status.FAIL).count()));
                w.writeAttribute("errors", String.valueOf(suite.stream().filter(r -> r.status() == Status.ERROR).count()));
                w.writeAttribute("time", seconds(suite.stream().mapToLong(Result::millis).sum()));
                for (Result r : suite) {
                    w.writeStartElement("testcase");
                    w.writeAttribute("classname", entry.getKey().toString());
                    w.writeAttribute("name", r.name());
                    w.writeAttribute("time", seconds(r.millis()));
                    if (r.status() != Status.PASS) {
                        w.writeStartElement(r.status() == Status.FAIL ? "failure" : "error");
                        w.writeAttribute("message", String.join("; ", r.messages()));
                        w.writeCharacters(String.join("\n", r.messages()) + (r.trace() == null ? "" : "\n\n" + r.trace()));
                        w.writeEndElement();
                    }
                    w.writeEndElement();
                }
                w.writeEndElement();
            }
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return xml.toString();
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
