package dev.tollgate.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;

/**
 * Compile time of hostile and large policy sources across sizes: every kind of pattern, long
 * literals, many rules, many lets, many diagnostics. Compilation should be linear in the source
 * size: the time per kilobyte should stay flat from row to row. Run with bench/policy-compile.sh.
 * Sources are generated to about the given number of characters; the compiler here accepts up
 * to 4 MiB so that sizes past the 256 KiB upload limit can show the trend.
 */
public final class PolicyCompileBenchmark {

    private static final PolicyCompiler COMPILER = new PolicyCompiler(PolicyCompiler.Limits.DEFAULT.withoutTimeouts().withMaxSourceBytes(4 * 1024 * 1024));

    private PolicyCompileBenchmark() {
    }

    /** The kinds of source, each a function of the approximate size in characters. */
    static Map<String, IntFunction<String>> kinds() {
        Map<String, IntFunction<String>> kinds = new LinkedHashMap<>();
        kinds.put("glob literal", n -> rule("artifact.name glob \"" + fill("ghcr.io/acme/*/x?", n) + "\""));
        kinds.put("glob literal, no wildcard", n -> rule("artifact.name glob \"" + "a".repeat(n) + "\""));
        kinds.put("regex literal", n -> rule("artifact.name matches \"" + "a".repeat(n) + "\""));
        kinds.put("regex classes", n -> rule("artifact.name matches \"" + fill("[a-z]+\\\\.(x|y)", n) + "\""));
        kinds.put("regex via let", n -> "policy \"p\" {\n  let re = \"" + fill("ab|cd", n) + "\"\n"
                + "  rule r { require artifact.name matches re }\n}\n");
        kinds.put("regex let used everywhere", n -> {
            StringBuilder s = new StringBuilder("policy \"p\" {\n  let re = \"" + fill("[a-z]\\\\.", Math.min(n / 4, 4000))
                    + "\"\n  rule r { require false");
            while (s.length() < n) {
                s.append(" or context.x matches re");
            }
            return s.append(" }\n}\n").toString();
        });
        kinds.put("many distinct regexes", n -> repeated(n, i -> "  rule r" + i + " { require context.x matches \""
                + fill("\\\\.(a|b)[c-d]", 4000) + i + "\" }\n", ""));
        kinds.put("string literal", n -> rule("context.x == \"" + "a".repeat(n) + "\""));
        kinds.put("string of escapes", n -> rule("context.x == \"" + fill("\\\\\\n\\t\\\"", n) + "\""));
        kinds.put("description+message", n -> "policy \"p\" {\n  description \"" + "d".repeat(n / 2) + "\"\n"
                + "  rule r { require true message \"" + "m".repeat(n / 2) + "\" }\n}\n");
        kinds.put("comment", n -> "# " + "c".repeat(n) + "\n" + rule("true"));
        kinds.put("many rules", n -> repeated(n, i -> "  rule r" + i + " { require context.env == \"prod\" }\n", ""));
        kinds.put("many lets", n -> {
            StringBuilder s = new StringBuilder("policy \"p\" {\n");
            int i = 0;
            while (s.length() < n) {
                s.append("  let l").append(i).append(" = ").append(i == 0 ? "1" : "l" + (i - 1) + " + 1").append('\n');
                i++;
            }
            return s.append("  rule r { require l").append(i - 1).append(" > 0 }\n}\n").toString();
        });
        kinds.put("many distinct long globs", n -> repeated(n, i -> "  rule r" + i + " { require artifact.name glob \""
                + fill("a.b/*?c", 4000) + i + "\" }\n", ""));
        kinds.put("many globs", n -> repeated(n, i -> "  rule r" + i + " { require artifact.name glob \"ghcr.io/a" + i
                + "/**\" }\n", ""));
        kinds.put("long and-chain", n -> rule("true" + " and context.x == \"y\"".repeat(n / 22)));
        kinds.put("long or-chain of matches", n -> rule("false" + " or context.x matches \"y+\"".repeat(n / 26)));
        kinds.put("long path", n -> rule("context" + ".x".repeat(n / 2) + " == null"));
        kinds.put("long list literal", n -> rule("context.x in [" + "\"a\", ".repeat(n / 5) + "\"b\"]"));
        kinds.put("number literals", n -> rule("1" + (" + " + "9".repeat(997)).repeat(n / 1000) + " > 0"));
        kinds.put("long identifier", n -> rule("context.x == " + "y".repeat(n)));
        kinds.put("unknown identifiers", n -> rule("x0" + " and x1".repeat(n / 7)));
        kinds.put("unknown ids, many lets", n -> {
            StringBuilder s = new StringBuilder("policy \"p\" {\n");
            for (int i = 0; s.length() < n / 2; i++) {
                s.append("  let aa").append(i).append(" = 1\n");
            }
            s.append("  rule r { require ab0");
            for (int i = 1; s.length() < n; i++) {
                s.append(" and ab").append(i);
            }
            return s.append(" }\n}\n").toString();
        });
        kinds.put("syntax errors", n -> repeated(n, i -> "  rule r" + i + " { require ) }\n", ""));
        kinds.put("stray characters", n -> rule("true") + "@".repeat(n));
        kinds.put("unterminated strings", n -> repeated(n, i -> "  rule r" + i + " { require \"x }\n", ""));
        kinds.put("bad escapes", n -> repeated(n, i -> "  rule r" + i + " { require context.x matches \"\\d\" }\n", ""));
        kinds.put("duplicate rules", n -> repeated(n, i -> "  rule r { require true }\n", ""));
        kinds.put("deep quantifiers", n -> {
            StringBuilder s = new StringBuilder("policy \"p\" {\n");
            for (int i = 0; s.length() < n; i++) {
                s.append("  rule r").append(i).append(" { require any a in attestations: any b in a.subjects: "
                        + "any c in b.name: c == \"x\" }\n");
            }
            return s.append("}\n").toString();
        });
        return kinds;
    }

    private static String rule(String condition) {
        return "policy \"p\" {\n  rule r {\n    require " + condition + "\n  }\n}\n";
    }

    private static String fill(String unit, int n) {
        return unit.repeat(Math.max(1, n / unit.length()));
    }

    private static String repeated(int n, IntFunction<String> line, String after) {
        StringBuilder s = new StringBuilder("policy \"p\" {\n");
        for (int i = 0; s.length() < n; i++) {
            s.append(line.apply(i));
        }
        return s.append(after).append("}\n").toString();
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * Mean compile time in milliseconds of CPU used by this process (the compiler thread, the
     * garbage collector, the JIT): unlike wall-clock time it does not count what other processes
     * take of a shared machine. The process CPU clock ticks coarsely, so compilations repeat until
     * at least {@code minMillis} of CPU are spent (at least {@code runs}, at most 200 times).
     */
    static double millis(String source, int runs, int minMillis) {
        long start = OS.getProcessCpuTime();
        int done = 0;
        while (done < runs || done < 200 && OS.getProcessCpuTime() - start < minMillis * 1_000_000L) {
            if (COMPILER.compile(source) == null) {
                throw new IllegalStateException();
            }
            done++;
        }
        return (OS.getProcessCpuTime() - start) / 1e6 / done;
    }

    /**
     * Arguments: sizes in characters (default 25000 50000 100000 250000), or {@code -k NAME} to run
     * only the kinds whose name contains NAME.
     */
    public static void main(String[] args) {
        List<Integer> sizes = new java.util.ArrayList<>();
        String only = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-k")) {
                only = args[++i];
            } else {
                sizes.add(Integer.parseInt(args[i].replace("_", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(25_000, 50_000, 100_000, 250_000);
        }
        for (int i = 0; i < 5; i++) {
            millis(rule("artifact.name glob \"ghcr.io/acme/**\" and context.x matches \"a+\""), 20, 0);
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-28s", "CPU ms (µs per 1000 chars)"));
        sizes.forEach(n -> header.append(String.format(Locale.ROOT, "%22s", n + " chars")));
        System.out.println(header);
        for (Map.Entry<String, IntFunction<String>> kind : kinds().entrySet()) {
            if (only != null && !kind.getKey().contains(only)) {
                continue;
            }
            millis(kind.getValue().apply(sizes.get(0)), 2, 0);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-28s", kind.getKey()));
            for (int n : sizes) {
                String source = kind.getValue().apply(n);
                double ms = millis(source, 2, 400);
                row.append(String.format(Locale.ROOT, "%12.1f (%6.0f)", ms, ms * 1000 / (source.length() / 1000.0)));
                if (System.console() != null) {
                    System.out.print("\r" + row);
                    System.out.flush();
                }
            }
            System.out.println((System.console() != null ? "\r" : "") + row);
        }
    }
}
