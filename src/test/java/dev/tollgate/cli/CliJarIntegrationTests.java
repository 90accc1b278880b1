package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The command line as a user runs it: the packaged jar (run by failsafe after {@code package}) in
 * a process of its own, and {@code bin/tollgate}. {@code decide} asks this test's server (real
 * HTTP, real PostgreSQL) for real decisions.
 */
class CliJarIntegrationTests extends IntegrationTest {

    private static final String RES = "src/test/resources/";
    private static final String GH = RES + "attestations/gh-cli/";
    private static final String POLICY = RES + "cli/github/github-provenance.policy";
    private static final String REUSABLE = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
    private static final String CUSTOM = "sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d";

    private static Path jar;

    @BeforeAll
    static void packagedJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("tollgate-.*\\.jar")).toList();
            assertThat(jars).as("the packaged jar (target/tollgate-*.jar)").hasSize(1);
            jar = jars.get(0);
        }
    }

    record Run(int exit, String out, String err, long millis) {
    }

    private static Run tollgate(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        return run(command, env);
    }

    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile("tollgate-cli", ".out");
        Path err = Files.createTempFile("tollgate-cli", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().remove("TOLLGATE_TOKEN");
            builder.environment().putAll(env);
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not end within 60 s");
            }
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), millis);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void helpListsTheCommandsWithoutStartingTheServer() throws Exception {
        Run help = tollgate(Map.of(), "--help");
        assertThat(help.exit()).as(help.err()).isZero();
        assertThat(help.out()).contains("lint", "test", "eval", "decide", "Without a command, the jar runs the server");
        assertThat(help.out() + help.err()).doesNotContain("Spring", "Tomcat", "Tollgate is ready");
        // a coarse bound on a shared 2-core machine (about 1 s of CPU here); Spring would log before it
        assertThat(help.millis()).as("start-up of a command").isLessThan(60_000);
    }

    @Test
    void lintTestAndEvalRunFromTheJar() throws Exception {
        Run lint = tollgate(Map.of(), "lint", RES + "cli/lint/broken.policy", RES + "cli/lint/anchored.policy");
        assertThat(lint.exit()).isEqualTo(1);
        assertThat(lint.out()).contains(RES + "cli/lint/broken.policy:3:22: error policy_unknown_identifier",
                RES + "cli/lint/anchored.policy:2:42: warning policy_anchored_pattern");

        Run passing = tollgate(Map.of(), "test", RES + "cli/github");
        assertThat(passing.exit()).as(passing.out() + passing.err()).isZero();
        assertThat(passing.out()).contains("PASS: 4/4");
        Run failing = tollgate(Map.of(), "test", "--format", "junit", RES + "cli/broken");
        assertThat(failing.exit()).isEqualTo(1);
        assertThat(failing.out()).contains("<testsuites", "failures=\"1\"", "errors=\"1\"");

        Run eval = tollgate(Map.of(), "eval", "--policy", POLICY, "--digest", CUSTOM, "--evidence", GH + "custom-issuer.sigstore.json");
        assertThat(eval.exit()).isEqualTo(1);
        assertThat(eval.out()).contains("denied (deny)", "signed-by-github-actions: fail", "hammer-time");
    }

    @Test
    void binTollgateRunsTheJar() throws Exception {
        Run help = run(List.of("sh", "bin/tollgate", "lint", POLICY), Map.of("TOLLGATE_JAR", jar.toString()));
        assertThat(help.exit()).as(help.err()).isZero();
        Run none = run(List.of("sh", "bin/tollgate", "--help"), Map.of("TOLLGATE_JAR", "/nonexistent/tollgate.jar"));
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no jar found");
    }

    /**
     * In failsafe this is the only test of a fresh server: on a loaded machine its first request bodies
     * can take longer than the tests' 3 s body time-out (408), so a 408 is tried again, three times at most.
     */
    private String token(String role) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tokenWith(role);
            } catch (IllegalStateException e) {
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("\"status\":408")) {
                    throw e;
                }
            }
        }
    }

    /** decide as a pipeline runs it: "no decision" because the server answered 503 is tried again (twice at most). */
    private static Run decide(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("decide"));
        all.addAll(List.of(args));
        for (int attempt = 1; ; attempt++) {
            Run run = tollgate(env, all.toArray(String[]::new));
            if (attempt == 3 || run.exit() != 2 || !run.err().contains("HTTP 503")) {
                return run;
            }
            Thread.sleep(2000);
        }
    }

    @Test
    void decideAsksTheServerAndExitsByTheAnswer() throws Exception {
        String admin = token("policy-admin");
        assertThat(api.sendText("PUT", "/v1/policies/github-provenance", admin, Files.readString(Path.of(POLICY))).status())
                .isIn(200, 201);
        String server = "http://127.0.0.1:" + port;
        Map<String, String> env = Map.of("TOLLGATE_TOKEN", token("decider"));
        try {
            Run allowed = decide(env, "--server", server, "--digest", REUSABLE, "--policy", "github-provenance",
                    "--evidence", GH + "reusable-workflow-attestation.sigstore.json");
            assertThat(allowed.exit()).as(allowed.out() + allowed.err()).isZero();
            assertThat(allowed.out()).startsWith("allowed (allow)").contains("decision ");

            Run denied = decide(env, "--server", server + "/", "--digest", CUSTOM, "--policy", "github-provenance",
                    "--evidence", GH + "custom-issuer.sigstore.json", "--evidence", GH + "sigstoreBundle-invalid-signature.json");
            assertThat(denied.exit()).as(denied.out() + denied.err()).isEqualTo(1);
            assertThat(denied.out()).startsWith("denied (deny)")
                    .contains("rule signed-by-github-actions: fail — needs an attestation signed by a GitHub Actions workflow")
                    .contains("[1] NOT verified: evidence_signature_invalid");

            Run unauthorised = tollgate(Map.of("TOLLGATE_TOKEN", "not-a-token-at-all-0123456789"), "decide", "--server", server,
                    "--digest", REUSABLE);
            assertThat(unauthorised.exit()).isEqualTo(2);
            assertThat(unauthorised.err()).contains("no decision: HTTP 401");
        } finally {
            api.delete("/v1/policies/github-provenance", admin);
        }
    }
}
