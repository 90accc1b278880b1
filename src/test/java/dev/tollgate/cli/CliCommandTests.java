package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import tools.jackson.databind.JsonNode;

/** Each command in-process (picocli's execute), on real policy files and real bundles. */
class CliCommandTests {

    private static final String RES = "src/test/resources/";
    private static final String GH = RES + "attestations/gh-cli/";
    private static final String POLICY = RES + "cli/github/github-provenance.policy";
    private static final String REUSABLE = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
    private static final String CUSTOM = "sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d";

    @Test
    void argumentsWithACommandOrHelpAreTheCommandLineAndSpringOptionsTheServer() {
        assertThat(TollgateCommand.isCommand(new String[] {})).isFalse();
        assertThat(TollgateCommand.isCommand(new String[] {"--server.port=8081"})).isFalse();
        assertThat(TollgateCommand.isCommand(new String[] {"--spring.profiles.active=x", "lint"})).isFalse();
        assertThat(TollgateCommand.isCommand(new String[] {"lint", "x.policy"})).isTrue();
        assertThat(TollgateCommand.isCommand(new String[] {"--help"})).isTrue();
        assertThat(TollgateCommand.isCommand(new String[] {"-V"})).isTrue();
        assertThat(TollgateCommand.isCommand(new String[] {"lnit"})).isTrue(); // refused with the usage, never a server
    }

    @Test
    void helpListsTheCommandsAndAnUnknownCommandIsAUsageError() {
        CliRun help = CliRun.of("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("lint", "test", "eval", "decide");
        CliRun unknown = CliRun.of("lnit");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("lnit");
    }

    @Test
    void theOfflineAuditVerifierIsACommandOfTheJar() {
        CliRun help = CliRun.of("--help");
        assertThat(help.out()).contains("audit");
        CliRun verify = CliRun.of("audit", "verify", "--help");
        assertThat(verify.exit()).isZero();
        assertThat(verify.out()).contains("--export", "--checkpoint", "--keys");
        CliRun missing = CliRun.of("audit", "verify", "--export", "no-such-export.ndjson", "--checkpoint", "no-such.txt",
                "--keys", "no-such.json");
        assertThat(missing.exit()).isNotZero();
    }

    @Test
    void lintReportsErrorsAsFileLineColumnAndFailsOnlyOnErrors() {
        CliRun clean = CliRun.of("lint", POLICY);
        assertThat(clean.exit()).isZero();
        assertThat(clean.out()).isEmpty();

        CliRun broken = CliRun.of("lint", RES + "cli/lint/broken.policy");
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.out().strip()).startsWith(RES + "cli/lint/broken.policy:3:22: error policy_unknown_identifier ");

        CliRun warned = CliRun.of("lint", RES + "cli/lint/anchored.policy");
        assertThat(warned.exit()).isZero();
        assertThat(warned.out()).contains(RES + "cli/lint/anchored.policy:2:42: warning policy_anchored_pattern the pattern \"^prod-\"")
                .contains("anchored.policy:7:13: warning policy_rule_never_fails rule 'always' can never fail");
    }

    @Test
    void lintWritesSarif210AndJson() {
        CliRun sarif = CliRun.of("lint", "--format", "sarif", RES + "cli/lint/broken.policy", RES + "cli/lint/anchored.policy");
        assertThat(sarif.exit()).isEqualTo(1);
        JsonNode log = Workbench.JSON.readTree(sarif.out());
        assertThat(log.get("version").asString()).isEqualTo("2.1.0");
        JsonNode results = log.get("runs").get(0).get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("level").asString()).isEqualTo("error");
        assertThat(results.get(0).get("ruleId").asString()).isEqualTo("policy_unknown_identifier");
        JsonNode region = results.get(0).get("locations").get(0).get("physicalLocation");
        assertThat(region.get("artifactLocation").get("uri").asString()).isEqualTo(RES + "cli/lint/broken.policy");
        assertThat(region.get("region").get("startLine").asInt()).isEqualTo(3);
        assertThat(log.get("runs").get(0).get("tool").get("driver").get("rules").get(results.get(0).get("ruleIndex").asInt())
                .get("id").asString()).isEqualTo("policy_unknown_identifier");

        CliRun json = CliRun.of("lint", "--format", "json", RES + "cli/lint/anchored.policy");
        assertThat(json.exit()).isZero();
        JsonNode report = Workbench.JSON.readTree(json.out());
        assertThat(report.get("errors").asInt()).isZero();
        assertThat(report.get("warnings").asInt()).isEqualTo(2);
    }

    @Test
    void testRunsRealBundlesAndPasses() {
        CliRun run = CliRun.of("test", RES + "cli/github");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("provenance from a reusable workflow is allowed: PASS",
                "a custom OIDC issuer is refused: PASS", "a bundle whose signature does not verify is no evidence: PASS",
                "PASS: 4/4");
        assertThat(run.out()).doesNotContain("| ");

        CliRun verbose = CliRun.of("test", "-v", RES + "cli/github");
        assertThat(verbose.out()).contains("public-good: failed evidence_signature_invalid", "hammer-time");
    }

    @Test
    void aFailingCaseAndACaseThatCannotRunExitOne() {
        CliRun fails = CliRun.of("test", RES + "cli/broken/fails_test.yaml");
        assertThat(fails.exit()).isEqualTo(1);
        assertThat(fails.out()).contains("expects a custom issuer to pass: FAIL", "expected allowed, got denied",
                "expected rule github-provenance/signed-by-github-actions to pass, got fail",
                "the same bundle refused passes: PASS", "PASS: 1/2, FAIL: 1");

        CliRun errors = CliRun.of("test", RES + "cli/broken/errors_test.yaml");
        assertThat(errors.exit()).isEqualTo(1);
        assertThat(errors.out()).contains("a missing bundle file: ERROR", "no-such-bundle.sigstore.json", "ERROR: 1");
    }

    @Test
    void testWritesJunitXml() throws Exception {
        CliRun run = CliRun.of("test", "--format", "junit", RES + "cli/broken", RES + "cli/github");
        assertThat(run.exit()).isEqualTo(1);
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(run.out().strip().getBytes(StandardCharsets.UTF_8)));
        var root = xml.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("testsuites");
        assertThat(root.getAttribute("tests")).isEqualTo("7");
        assertThat(root.getAttribute("failures")).isEqualTo("1");
        assertThat(root.getAttribute("errors")).isEqualTo("1");
        assertThat(xml.getElementsByTagName("testsuite").getLength()).isEqualTo(3);
        assertThat(xml.getElementsByTagName("failure").item(0).getAttributes().getNamedItem("message").getNodeValue())
                .contains("expected allowed, got denied");
    }

    @Test
    void aTestFileWithAnUnknownFieldIsAnErrorNotIgnored() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tollgate-cli");
        java.nio.file.Files.copy(java.nio.file.Path.of(POLICY), dir.resolve("p.policy"));
        java.nio.file.Files.writeString(dir.resolve("typo_test.yaml"), """
                policy: p.policy
                cases:
                  - name: typo
                    artifact: {digest: "sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d"}
                    expect: {alowed: true}
                """);
        CliRun run = CliRun.of("test", dir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("(file): ERROR", "cases[0].expect has no field 'alowed'");
    }

    @Test
    void evalPrintsTheAnswerAndThePolicyInputAndExitsByTheVerdict() {
        CliRun allowed = CliRun.of("eval", "--policy", POLICY, "--digest", REUSABLE, "--evidence",
                GH + "reusable-workflow-attestation.sigstore.json", "--context", "environment=prod", "--format", "json",
                "--as-of", "2026-11-25T10:00:00Z");
        assertThat(allowed.exit()).as(allowed.err()).isZero();
        JsonNode both = Workbench.JSON.readTree(allowed.out());
        assertThat(both.get("answer").get("allowed").asBoolean()).isTrue();
        assertThat(both.get("answer").get("decidedAt").asString()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(both.get("answer").has("decisionId")).isFalse();
        JsonNode input = both.get("input");
        assertThat(input.get("context").get("environment").asString()).isEqualTo("prod");
        JsonNode attestation = input.get("attestations").get(0);
        assertThat(attestation.get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v1");
        assertThat(attestation.get("signer").get("cert").get("sourceRepositoryUri").asString())
                .isEqualTo("https://github.com/malancas/attest-demo");
        assertThat(attestation.get("predicate").get("runDetails").get("builder").get("id").asString())
                .isEqualTo("https://github.com/actions/runner/github-hosted");

        CliRun denied = CliRun.of("eval", "--policy", POLICY, "--digest", CUSTOM, "--evidence", GH + "custom-issuer.sigstore.json");
        assertThat(denied.exit()).isEqualTo(1);
        assertThat(denied.out()).contains("denied (deny)", "rule signed-by-github-actions: fail", "hammer-time", "input:");
    }

    @Test
    void evalWithoutThePublicGoodRootVerifiesNothing() {
        CliRun run = CliRun.of("eval", "--policy", POLICY, "--digest", REUSABLE, "--no-public-good", "--evidence",
                GH + "reusable-workflow-attestation.sigstore.json");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("NOT verified");
    }

    @Test
    void evalRefusesAPolicyThatDoesNotCompileAndABadDigest() {
        CliRun broken = CliRun.of("eval", "--policy", RES + "cli/lint/broken.policy", "--digest", REUSABLE);
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.err()).contains("broken.policy:3:22: error policy_unknown_identifier");
        CliRun digest = CliRun.of("eval", "--policy", POLICY, "--digest", "sha256:abc");
        assertThat(digest.exit()).isEqualTo(2);
        assertThat(digest.err()).contains("--digest must be sha256:");
    }

    @Test
    void decideWithoutATokenOrWithoutAServerIsNoDecision() throws Exception {
        CliRun noToken = CliRun.of(new picocli.CommandLine(new DecideCommand(name -> null)), "--server", "http://127.0.0.1:9",
                "--digest", REUSABLE);
        assertThat(noToken.exit()).isEqualTo(2);
        assertThat(noToken.err()).contains("TOLLGATE_TOKEN is not set");

        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        CliRun unreachable = CliRun.of(new picocli.CommandLine(new DecideCommand(name -> "secret")), "--server",
                "http://127.0.0.1:" + closed, "--digest", REUSABLE, "--timeout", "3s");
        assertThat(unreachable.exit()).isEqualTo(2);
        assertThat(unreachable.err()).contains("no decision", "could not be reached");

        // a server that cannot record (503, as api.md answers when the database is away): no decision, exit 2
        com.sun.net.httpserver.HttpServer busy = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        busy.createContext("/", exchange -> {
            asked.incrementAndGet();
            byte[] problem = ("{\"type\":\"https://tollgate.dev/problems/service-unavailable\",\"title\":\"Service Unavailable\","
                    + "\"status\":503,\"detail\":\"the decision could not be recorded\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
            exchange.getResponseHeaders().set("Retry-After", "1");
            exchange.sendResponseHeaders(503, problem.length);
            exchange.getResponseBody().write(problem);
            exchange.close();
        });
        busy.start();
        try {
            CliRun refused = CliRun.of(new picocli.CommandLine(new DecideCommand(name -> "secret")), "--server",
                    "http://127.0.0.1:" + busy.getAddress().getPort(), "--digest", REUSABLE, "--timeout", "10s");
            assertThat(refused.exit()).isEqualTo(2);
            assertThat(refused.err()).contains("no decision", "HTTP 503", "could not be recorded");
            assertThat(refused.out()).doesNotContain("allowed");
            assertThat(asked.get()).isBetween(1, 3); // retried at most a bounded number of times
        } finally {
            busy.stop(0);
        }
    }

    @Test
    void effectiveDatesInTestFilesAndEvalAsOf() {
        CliRun run = CliRun.of("test", RES + "cli/effective");
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out()).contains("PASS: 2/2");

        String policy = RES + "cli/effective/repository-gate.policy";
        String bundle = GH + "reusable-workflow-attestation.sigstore.json";
        CliRun before = CliRun.of("eval", "--policy", policy, "--digest", REUSABLE, "--evidence", bundle, "--as-of",
                "2026-12-31T00:00:00Z");
        assertThat(before.exit()).as(before.out() + before.err()).isZero();
        assertThat(before.out()).startsWith("allowed (warn)").contains("rule from-acme: warn",
                "warning: repository-gate/from-acme: from 2027, only acme/app's builds (not enforced before 2027-01-01T00:00:00Z)");
        CliRun after = CliRun.of("eval", "--policy", policy, "--digest", REUSABLE, "--evidence", bundle, "--as-of",
                "2027-01-01T00:00:00+00:00");
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.out()).startsWith("denied (deny)").contains("rule from-acme: fail");
        assertThat(CliRun.of("eval", "--policy", policy, "--digest", REUSABLE, "--as-of", "2027-01-01").exit()).isEqualTo(2);
    }

    @Test
    void evalWithATrustDirectoryVerifiesWithItsKeys() {
        String bundle = RES + "sigstore/conformance/bundle-verify/managed-key-happy-path/bundle.sigstore.json";
        String digest = "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"; // sigstore/conformance/a.txt
        String policy = RES + "cli/trust/managed-key.policy";
        CliRun withKey = CliRun.of("eval", "--policy", policy, "--digest", digest, "--evidence", bundle, "--trust", RES + "trust-dir");
        assertThat(withKey.exit()).as(withKey.out() + withKey.err()).isZero();
        assertThat(withKey.out()).startsWith("allowed (allow)").contains("[0] verified signature, signed with key conformance-managed");
        CliRun without = CliRun.of("eval", "--policy", policy, "--digest", digest, "--evidence", bundle);
        assertThat(without.exit()).isEqualTo(1);
        assertThat(without.out()).startsWith("denied (deny)").contains("[0] NOT verified");
        CliRun missing = CliRun.of("eval", "--policy", policy, "--digest", digest, "--evidence", bundle, "--trust", RES + "no-such-dir");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("is not a directory");
    }

    @Test
    void exceptionsNamedByATestFileWaiveAsInALiveDecision() throws Exception {
        CliRun run = CliRun.of("test", RES + "cli/exceptions");
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("PASS: 4/4");
        // the same cases without the file's exceptions: the excepted one is denied
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tollgate-exceptions");
        for (String f : java.util.List.of("frozen-gate.policy", "ops-10-revoked.json")) {
            java.nio.file.Files.copy(java.nio.file.Path.of(RES + "cli/exceptions", f), dir.resolve(f));
        }
        java.nio.file.Files.writeString(dir.resolve("frozen-gate_test.yaml"), java.nio.file.Files.readString(
                java.nio.file.Path.of(RES + "cli/exceptions/frozen-gate_test.yaml")).replace("exceptions: [ops-9.json]\n", ""));
        CliRun without = CliRun.of("test", dir.toString());
        assertThat(without.exit()).isEqualTo(1);
        assertThat(without.out()).contains("the excepted digest is allowed, its failure a warning: FAIL")
                .contains("expected allowed, got denied").contains("PASS: 3/4, FAIL: 1");
        // a missing exception file is an error of the case, not a silent pass
        java.nio.file.Files.delete(dir.resolve("ops-10-revoked.json"));
        CliRun missing = CliRun.of("test", dir.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).contains("ERROR: 1").contains("ops-10-revoked.json");
    }

    @Test
    void aReasonNamesTheClosestCandidate() {
        CliRun denied = CliRun.of("eval", "--policy", POLICY, "--digest", CUSTOM, "--evidence", GH + "custom-issuer.sigstore.json");
        assertThat(denied.out()).contains("closest: attestations[0]: a.signer.issuer == githubIssuer is false"
                + " (a.signer.issuer is \"https://token.actions.githubusercontent.com/hammer-time\","
                + " githubIssuer is \"https://token.actions.githubusercontent.com\")");
    }
}
