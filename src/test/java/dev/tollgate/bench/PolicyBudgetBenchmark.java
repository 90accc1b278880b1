package dev.tollgate.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.tollgate.policy.PolicyInputs;
import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.eval.Budget;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worst cases of evaluation under the step budget: policies that spend the whole budget on
 * one kind of work each (quantifier iterations, pattern matches, list searches, string
 * comparisons), timed to the moment the budget stops them; and the steps the spec's example and
 * the cookbook's policies take. Run with bench/policy-budget.sh [max-steps].
 */
public final class PolicyBudgetBenchmark {

    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private PolicyBudgetBenchmark() {
    }

    static Map<String, String> worstCases() {
        String thousand = "[" + String.join(", ", java.util.stream.IntStream.range(0, 1000).mapToObj(Integer::toString)
                .toList()) + "]";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("3 nested quantifiers, 1000 items", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: any c in l: a + b + c < 0 }");
        cases.put("quantifier, large body", "let l = " + thousand + "\n rule r { require any a in l: any b in l: any c in l: "
                + "a + b + c < 0" + " or a + b + c < 0".repeat(200) + " }");
        cases.put("regex on a 64 KiB string", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: context.s matches \"(a|b)*c(d|e)*f[0-9]+x\" }");
        cases.put("glob on a 64 KiB string", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: context.s glob \"**a*b*c*d?e\" }");
        cases.put("in over a 1000-item list", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: 5000 in l }");
        cases.put("== of 64 KiB strings", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: context.s == context.t and false }");
        cases.put("< of 64 KiB strings", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: context.s < context.t and false }");
        cases.put("contains on 64 KiB strings", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: context.s contains context.needle }");
        cases.put("size/lower of 64 KiB", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: size(lower(context.s)) == 0 }");
        cases.put("startsWith 64 KiB", "let l = " + thousand
                + "\n rule r { require any a in l: any b in l: context.s startsWith context.t and false }");
        cases.put("== of lists of 1000", "let l = " + thousand + "\n let m = " + thousand
                + "\n rule r { require any a in l: any b in l: l == m and false }");
        return cases;
    }

    static Program compile(PolicyCompiler compiler, String source) {
        CompileResult result = compiler.compile(source);
        if (!result.ok()) {
            throw new IllegalStateException(result.diagnostics() + "\n" + source);
        }
        return result.program();
    }

    public static void main(String[] args) throws Exception {
        long maxSteps = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : Budget.Limits.DEFAULT.maxSteps();
        PolicyCompiler compiler = new PolicyCompiler(new PolicyCompiler.Limits(PolicyCompiler.DEFAULT_MAX_SOURCE_BYTES,
                null, new Budget.Limits(maxSteps, null)));
        String big = "ab".repeat(32 * 1024);
        Input input = new Input(Map.of("digest", DIGEST), Map.of("s", big, "t", big, "needle", "ab".repeat(20) + "x"),
                List.of(), List.of(), java.time.Instant.now());

        System.out.printf(Locale.ROOT, "worst cases, max-steps %,d, no time limit (ms to exhaustion, best of 5):%n", maxSteps);
        for (Map.Entry<String, String> c : worstCases().entrySet()) {
            Program program = compile(compiler, "policy \"w\" {\n " + c.getValue() + "\n}\n");
            double best = Double.MAX_VALUE;
            String reason = null;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                PolicyResult result = program.evaluate(input);
                best = Math.min(best, (System.nanoTime() - start) / 1e6);
                reason = result.rules().get(0).reason();
            }
            System.out.printf(Locale.ROOT, "  %-36s %8.1f ms   %s%n", c.getKey(), best, reason);
        }

        JsonMapper json = JsonMapper.builder().build();
        Input realistic = PolicyInputs.playground(json.valueToTree(PolicyEvaluationBenchmark.realisticInput()),
                java.time.Clock.systemUTC());
        Program spec = compile(compiler, java.nio.file.Files.readString(
                java.nio.file.Path.of("policy-grammar/examples/valid/spec-example.policy")));
        System.out.printf(Locale.ROOT, "steps: spec example, realistic input (PolicyEvaluationBenchmark): %,d%n",
                spec.evaluateCounting(realistic).steps());
        List<String> cookbook = new ArrayList<>();
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("docs/policy-language.md"));
        com.google.re2j.Matcher m = com.google.re2j.Pattern.compile("(?s)```policy\\n(.*?)```").matcher(doc);
        while (m.find()) {
            cookbook.add(m.group(1));
        }
        for (String source : cookbook) {
            Program program = compile(compiler, source);
            System.out.printf(Locale.ROOT, "steps: cookbook %-16s realistic input: %,d%n", program.name(),
                    program.evaluateCounting(realistic).steps());
        }
    }
}
