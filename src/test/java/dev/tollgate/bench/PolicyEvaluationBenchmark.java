package dev.tollgate.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.tollgate.policy.PolicyInputs;
import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

/**
 * Evaluation time of the specification's example policy against a realistic input: 3 signatures,
 * 4 attestations (SLSA v1 provenance, a vulnerability report with 200 findings, an SPDX SBOM with
 * 150 packages, a test result). Run with bench/policy-eval.sh. Also: RE2 on a ReDoS pattern.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PolicyEvaluationBenchmark {

    private static final String ISSUER = "https://token.actions.githubusercontent.com";

    private Program specExample;
    private Input input;
    private Program redos;
    private Input redosInput;

    @Setup
    public void setUp() throws Exception {
        PolicyCompiler compiler = new PolicyCompiler();
        specExample = compile(compiler, Files.readString(Path.of("policy-grammar/examples/valid/spec-example.policy")));
        JsonMapper json = JsonMapper.builder().build();
        input = PolicyInputs.playground(json.valueToTree(realisticInput()), java.time.Clock.systemUTC());
        PolicyResult check = specExample.evaluate(input);
        if (!check.applicable() || check.rules().stream().anyMatch(r -> !r.passed())) {
            throw new IllegalStateException("the benchmark input should pass every rule: " + check);
        }
        redos = compile(compiler, "policy \"redos\" { rule r { require context.s matches \"(a+)+$\" } }");
        redosInput = PolicyInputs.playground(json.valueToTree(Map.of(
                "artifact", Map.of("digest", "sha256:" + "a".repeat(64)),
                "context", Map.of("s", "a".repeat(100_000) + "!"))), java.time.Clock.systemUTC());
    }

    private static Program compile(PolicyCompiler compiler, String source) {
        CompileResult result = compiler.compile(source);
        if (!result.ok()) {
            throw new IllegalStateException(result.diagnostics().toString());
        }
        return result.program();
    }

    public static Map<String, Object> realisticInput() {
        String now = java.time.Instant.now().toString();
        Map<String, Object> signer = Map.of("kind", "keyless", "issuer", ISSUER, "trustRoot", "public-good",
                "subject", "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3",
                "integratedTime", now, "cert", Map.of("sourceRepositoryUri", "https://github.com/acme/app",
                        "sourceRepositoryRef", "refs/tags/v1.2.3", "buildTrigger", "push"));
        List<Object> signatures = List.of(
                Map.of("kind", "key", "key", "legacy-key", "trustRoot", "legacy-key"),
                Map.of("kind", "keyless", "issuer", "https://accounts.google.com", "subject", "dev@acme.example",
                        "trustRoot", "public-good", "integratedTime", now),
                signer);
        List<Object> findings = new ArrayList<>();
        String[] severities = {"LOW", "MEDIUM", "HIGH"};
        for (int i = 0; i < 200; i++) {
            findings.add(Map.of("VulnerabilityID", "CVE-2026-" + (10000 + i), "PkgName", "pkg" + i,
                    "InstalledVersion", "1.0." + i, "Severity", severities[i % 3], "Title", "finding " + i));
        }
        List<Object> packages = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            packages.add(Map.of("name", "package-" + i, "versionInfo", "2." + i + ".0", "licenseConcluded", "Apache-2.0"));
        }
        List<Object> subjects = List.of(Map.of("name", "ghcr.io/acme/app", "digest", "sha256:" + "a".repeat(64)));
        List<Object> attestations = List.of(
                Map.of("predicateType", "https://spdx.dev/Document", "signer", signer, "subjects", subjects,
                        "predicate", Map.of("spdxVersion", "SPDX-2.3", "packages", packages)),
                Map.of("predicateType", "https://cosign.sigstore.dev/attestation/vuln/v1", "signer", signer,
                        "subjects", subjects, "predicate", Map.of(
                                "metadata", Map.of("scanStartedOn", now, "scanFinishedOn", now),
                                "scanner", Map.of("uri", "pkg:github/aquasecurity/trivy", "result",
                                        Map.of("Results", List.of(Map.of("Target", "app", "Vulnerabilities", findings)))))),
                Map.of("predicateType", "https://in-toto.io/attestation/test-result/v0.1", "signer", signer,
                        "subjects", subjects, "predicate", Map.of("result", "PASSED")),
                Map.of("predicateType", "https://slsa.dev/provenance/v1", "signer", signer, "subjects", subjects,
                        "predicate", Map.of("buildDefinition", Map.of("buildType", "https://actions.github.io/buildtypes/workflow/v1",
                                "externalParameters", Map.of("workflow", Map.of("ref", "refs/heads/main",
                                        "repository", "https://github.com/acme/app", "path", ".github/workflows/release.yml"))),
                                "runDetails", Map.of("builder", Map.of("id", "https://github.com/actions/runner/github-hosted")))));
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("artifact", Map.of("digest", "sha256:" + "a".repeat(64), "name", "ghcr.io/acme/app", "tag", "v1.2.3"));
        input.put("context", Map.of("environment", "prod", "namespace", "payments"));
        input.put("signatures", signatures);
        input.put("attestations", attestations);
        input.put("now", now);
        return input;
    }

    @Benchmark
    public PolicyResult specExampleRealisticInput() {
        return specExample.evaluate(input);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public PolicyResult nestedPlusPatternOn100kCharacters() {
        return redos.evaluate(redosInput);
    }
}
