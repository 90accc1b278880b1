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

    private static final String REPLAYED_V1 = """
            policy "jar-replayed" {
              rule team-named {
                require context.team != ""
              }
              rule not-frozen {
                require context.frozen != "yes"
                message "the artifact is frozen"
              }
            }
            """;
    private static final String REPLAYED_V2 = REPLAYED_V1.replace("rule not-frozen {", """
              rule team-a {
                require context.team == "a"
                message "only team a"
              }
              rule not-frozen {""");

    /**
     * replay, test --record, decide and eval with a governed exception, all from the packaged jar
     * against this test's server: the decisions recorded here are replayed under a candidate and
     * under a trust change, one becomes a test case, one is excepted.
     */
    @Test
    void replayRecordAndExceptionsRunFromTheJar() throws Exception {
        String admin = token("policy-admin");
        String name = "jar-replayed";
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin, REPLAYED_V1).status()).isIn(200, 201);
        String frozen = "sha256:" + "d".repeat(63) + "1";
        String other = "sha256:" + "d".repeat(63) + "2";
        // an exception for the frozen digest's not-frozen rule, requested by one policy-admin and approved by another
        java.time.Instant expiresAt = java.time.Instant.now().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        var asked = api.postJson("/v1/exceptions", admin, dev.tollgate.support.Api.map("scope", dev.tollgate.support.Api.map(
                "digest", frozen, "policy", name, "rules", List.of("not-frozen")), "reason", "the thaw ships tomorrow",
                "ticket", "OPS-9", "expiresAt", expiresAt.toString()));
        assertThat(asked.status()).as(asked.body()).isEqualTo(201);
        String exception = asked.json().get("id").asString();
        var approver = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, dev.tollgate.support.Api.map("name",
                "jar-approver-" + Long.toHexString(System.nanoTime()), "roles", List.of("policy-admin")));
        assertThat(approver.status()).as(approver.body()).isEqualTo(201);
        assertThat(api.postJson("/v1/exceptions/" + exception + "/approve", approver.json().get("token").asString(), Map.of())
                .status()).isEqualTo(200);

        String since = java.time.Instant.now().minusMillis(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
        String server = "http://127.0.0.1:" + port;
        Map<String, String> decider = Map.of("TOLLGATE_TOKEN", token("decider"));
        Run withBundle = decide(decider, "--server", server, "--digest", REUSABLE, "--policy", name, "--context", "team=a",
                "--context", "frozen=no", "--evidence", GH + "reusable-workflow-attestation.sigstore.json");
        assertThat(withBundle.exit()).as(withBundle.out() + withBundle.err()).isZero();
        Run teamB = decide(decider, "--server", server, "--digest", other, "--policy", name, "--context", "team=b",
                "--context", "frozen=no");
        assertThat(teamB.exit()).as(teamB.out() + teamB.err()).isZero();
        Run excepted = decide(decider, "--server", server, "--digest", frozen, "--policy", name, "--context", "team=a",
                "--context", "frozen=yes");
        assertThat(excepted.exit()).as(excepted.out() + excepted.err() + "\nexception: "
                + api.get("/v1/exceptions/" + exception, token("auditor")).body()).isZero();
        assertThat(excepted.out()).startsWith("allowed (warn)")
                .contains("excepted by exception " + exception + " (OPS-9): rules not-frozen");

        // on a starved machine a decision can be recorded after its request got 503 (the database budget ran out), and
        // decide tries again: the counts below are those of the decisions recorded, one per digest unless so retried
        int withBundles = recorded(name, REUSABLE, since);
        int teamBs = recorded(name, other, since);
        int frozens = recorded(name, frozen, since);
        int all = withBundles + teamBs + frozens;
        assertThat(List.of(withBundles, teamBs, frozens)).allMatch(n -> n >= 1);

        // replay a candidate: team b's allowed decision would be denied (exit 1); the excepted one stays excepted
        Path v2 = Files.createTempFile("jar-replayed", ".policy");
        Files.writeString(v2, REPLAYED_V2);
        Map<String, String> policyAdmin = Map.of("TOLLGATE_TOKEN", admin);
        Run replayed = tollgate(policyAdmin, "replay", "--server", server, "--policy", name, "--source", v2.toString(),
                "--since", since);
        assertThat(replayed.exit()).as(replayed.out() + replayed.err()).isEqualTo(1);
        assertThat(replayed.out()).contains(all + " decisions: " + all + " replayed, " + teamBs + " allow→deny, 0 deny→allow,"
                + " 0 other changes, " + (all - teamBs) + " unchanged")
                .contains("rule team-a: - → fail — only team a").contains(frozens + " excepted by a governed exception")
                .contains("excepted by exception " + exception + " (OPS-9)");
        Run same = tollgate(policyAdmin, "replay", "--server", server, "--policy", name, "--stored-version", "1",
                "--since", since);
        assertThat(same.exit()).as(same.out() + same.err()).isZero();
        assertThat(same.out()).contains(all + " decisions: " + all + " replayed, 0 allow→deny");

        // a trust change: the active version, the bundle verified again without the root that verified it
        Run trust = tollgate(policyAdmin, "replay", "--server", server, "--policy", name, "--trust-without", "public-good",
                "--since", since);
        assertThat(trust.exit()).as(trust.out() + trust.err()).isZero();
        assertThat(trust.out()).contains("trust: the trust held now without public-good; " + withBundles
                + " evidence items no longer verify")
                .contains("evidence [0]: verified → NOT verified");
        Run refused = tollgate(policyAdmin, "replay", "--server", server, "--policy", name, "--trust-without", "no-such-root");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("HTTP 400");

        // team b's decision as a test case, run offline from the jar
        String id = teamB.out().lines().map(String::strip).filter(l -> l.startsWith("decision ")).findFirst().orElseThrow()
                .split(" ")[1];
        Path out = Files.createTempDirectory("tollgate-recorded");
        Run record = tollgate(Map.of("TOLLGATE_TOKEN", token("auditor")), "test", "--record", id, "--server", server,
                "--out", out.toString());
        assertThat(record.exit()).as(record.out() + record.err()).isZero();
        assertThat(record.out()).contains("PASS");
        assertThat(Files.readString(out.resolve(id + "_test.yaml"))).contains("recorded decision " + id);
        assertThat(out.resolve("policies/" + name + ".v1.policy")).hasContent(REPLAYED_V1);

        // eval offline with the exception as the server lists it: it waives until it expires
        Path exceptions = Files.createTempFile("exceptions", ".json");
        Files.writeString(exceptions, api.get("/v1/exceptions?policy=" + name, token("auditor")).body());
        Path v1 = Files.createTempFile("jar-replayed-v1", ".policy");
        Files.writeString(v1, REPLAYED_V1);
        Run waived = tollgate(Map.of(), "eval", "--policy", v1.toString(), "--digest", frozen, "--context", "team=a",
                "--context", "frozen=yes", "--exceptions", exceptions.toString());
        assertThat(waived.exit()).as(waived.out() + waived.err()).isZero();
        assertThat(waived.out()).startsWith("allowed (warn)").contains("excepted by exception " + exception);
        Run expired = tollgate(Map.of(), "eval", "--policy", v1.toString(), "--digest", frozen, "--context", "team=a",
                "--context", "frozen=yes", "--exceptions", exceptions.toString(), "--as-of", expiresAt.toString());
        assertThat(expired.exit()).as(expired.out()).isEqualTo(1);
        assertThat(expired.out()).doesNotContain("excepted by");
        Run elsewhere = tollgate(Map.of(), "eval", "--policy", v1.toString(), "--digest", other, "--context", "team=a",
                "--context", "frozen=yes", "--exceptions", exceptions.toString());
        assertThat(elsewhere.exit()).as("another digest is out of the exception's scope").isEqualTo(1);
    }

    /**
     * test --record carries the exceptions that waived the recorded decision, each as it stands
     * now: a decision allowed only by an exception becomes a case that passes offline (and fails
     * without the exception's file); one whose exception has expired since still passes, decided at
     * its recorded time, and says so; one whose exception was revoked since fails, as the server
     * would decide it now, with the revocation in the file and in the note.
     */
    @Test
    void recordCarriesTheExceptionsThatWaivedTheDecision() throws Exception {
        String admin = token("policy-admin");
        String name = "jar-recorded-excepted";
        String policy = REPLAYED_V1.replace("policy \"jar-replayed\"", "policy \"" + name + "\"");
        assertThat(api.sendText("PUT", "/v1/policies/" + name, admin, policy).status()).isIn(200, 201);
        String suffix = Long.toHexString(System.nanoTime());
        String lasting = "sha256:" + "e".repeat(64 - suffix.length() - 1) + "1" + suffix;
        String brief = "sha256:" + "e".repeat(64 - suffix.length() - 1) + "2" + suffix;
        String approver = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, dev.tollgate.support.Api.map("name",
                "jar-record-approver-" + suffix, "roles", List.of("policy-admin"))).json().get("token").asString();
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String longException = approvedException(admin, approver, lasting, name, now.plus(Duration.ofHours(1)), "OPS-21");
        java.time.Instant briefExpiry = now.plusSeconds(10);
        String briefException = approvedException(admin, approver, brief, name, briefExpiry, "OPS-22");
        String waived = excepted(lasting, name);
        String waivedBriefly = excepted(brief, name);
        Map<String, String> auditor = Map.of("TOLLGATE_TOKEN", token("auditor"));
        String server = "http://127.0.0.1:" + port;

        // allowed only by the exception: the case carries it and passes offline
        Path out = Files.createTempDirectory("tollgate-recorded-excepted");
        Run record = tollgate(auditor, "test", "--record", waived, "--server", server, "--out", out.toString());
        assertThat(record.exit()).as(record.out() + record.err()).isZero();
        assertThat(record.out()).contains("PASS: 1/1");
        assertThat(record.err()).contains("waived by exception " + longException + " (active now), carried in exceptions/"
                + longException + ".json");
        Path test = out.resolve(waived + "_test.yaml");
        assertThat(Files.readString(test)).contains("exceptions/" + longException + ".json").contains("not-frozen: \"warn\"");
        assertThat(carried(out, longException).get("status").asString()).isEqualTo("active");
        assertThat(carried(out, longException).get("ticket").asString()).isEqualTo("OPS-21");
        // the same case without the exception's file is denied: the exception is what allows it
        Path without = out.resolve("without_test.yaml");
        Files.writeString(without, Files.readString(test).replaceAll("(?m)^\\s*exceptions:\\n(\\s*- \"exceptions/.*\\n)+", ""));
        assertThat(Files.readString(without)).doesNotContain("exceptions/");
        Run bare = tollgate(Map.of(), "test", without.toString());
        assertThat(bare.exit()).as(bare.out() + bare.err()).isEqualTo(1);
        assertThat(bare.out()).contains("expected allowed, got denied");

        // an exception that has expired since: decided at its recorded time, the case still passes, and the file says expired
        while (!java.time.Instant.now().isAfter(briefExpiry)) {
            Thread.sleep(200);
        }
        Path expiredOut = Files.createTempDirectory("tollgate-recorded-expired");
        Run expired = tollgate(auditor, "test", "--record", waivedBriefly, "--server", server, "--out", expiredOut.toString());
        assertThat(expired.exit()).as(expired.out() + expired.err()).isZero();
        assertThat(expired.err()).contains("waived by exception " + briefException + " (expired now)");
        assertThat(carried(expiredOut, briefException).get("status").asString()).isEqualTo("expired");

        // an exception revoked since waives nothing: the case is recorded with the revocation and fails, as a decision now would
        assertThat(api.postJson("/v1/exceptions/" + longException + "/revoke", admin, Map.of("reason", "the thaw shipped"))
                .status()).isEqualTo(200);
        Path revokedOut = Files.createTempDirectory("tollgate-recorded-revoked");
        Run revoked = tollgate(auditor, "test", "--record", waived, "--server", server, "--out", revokedOut.toString());
        assertThat(revoked.exit()).as(revoked.out() + revoked.err()).isEqualTo(1);
        assertThat(revoked.out()).contains("FAIL").contains("expected allowed, got denied");
        assertThat(revoked.err()).contains("(revoked now)").contains("was revoked since");
        assertThat(carried(revokedOut, longException).get("status").asString()).isEqualTo("revoked");
        assertThat(carried(revokedOut, longException).get("revokeReason").asString()).isEqualTo("the thaw shipped");
    }

    /** How many decisions on the digest that named the policy were recorded since. */
    private int recorded(String policy, String digest, String since) {
        var r = api.get("/v1/decisions?policy=" + policy + "&digest=" + digest + "&since=" + since + "&limit=500", token("auditor"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("items").size();
    }

    private tools.jackson.databind.JsonNode carried(Path dir, String exception) throws IOException {
        return json.readTree(Files.readString(dir.resolve("exceptions/" + exception + ".json")));
    }

    /** An exception for the digest's not-frozen rule, requested by one policy-admin and approved by another. @return its id */
    private String approvedException(String requester, String approver, String digest, String policy, java.time.Instant expiresAt,
            String ticket) {
        var asked = api.postJson("/v1/exceptions", requester, dev.tollgate.support.Api.map("scope", dev.tollgate.support.Api.map(
                "digest", digest, "policy", policy, "rules", List.of("not-frozen")), "reason", "frozen until the thaw",
                "ticket", ticket, "expiresAt", expiresAt.toString()));
        assertThat(asked.status()).as(asked.body()).isEqualTo(201);
        String id = asked.json().get("id").asString();
        var approved = api.postJson("/v1/exceptions/" + id + "/approve", approver, Map.of());
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        return id;
    }

    /** A decision on a frozen artifact that the exception lets through. @return its id */
    private String excepted(String digest, String policy) {
        var r = api.postJson("/v1/decisions", token("decider"), dev.tollgate.support.Api.map("artifact", Map.of("digest", digest),
                "context", Map.of("team", "a", "frozen", "yes"), "policies", List.of(policy), "evidence", List.of()));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("allowed").asBoolean()).as(r.body()).isTrue();
        assertThat(r.json().get("outcome").asString()).isEqualTo("warn");
        return r.json().get("decisionId").asString();
    }
}
