package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tollgate replay}: the candidate replayed on a real server, the changed decisions printed, the exit code the gate. */
class ReplayCommandIntegrationTests extends IntegrationTest {

    private static final String V1 = """
            policy "cli-replayed" {
              rule team-named {
                require context.team != ""
              }
            }
            """;
    private static final String V2 = """
            policy "cli-replayed" {
              rule team-a {
                require context.team == "a"
                message "only team a"
              }
            }
            """;

    private CliRun replay(String... args) {
        String token = tokenWith("policy-admin");
        return CliRun.of(new CommandLine(new ReplayCommand(v -> v.equals("TOLLGATE_TOKEN") ? token : null)), args);
    }

    @Test
    void replayPrintsTheChangesAndExitsOneWhenAnAllowedDecisionWouldBeDenied() throws Exception {
        assertThat(api.sendText("PUT", "/v1/policies/cli-replayed", tokenWith("policy-admin"), V1).status()).isEqualTo(201);
        // the window starts with this test (decisions of others that selected their policies would newly apply)
        String since = java.time.Instant.now().minusMillis(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
        for (String team : List.of("a", "b", "a", "b")) {
            assertThat(api.postJson("/v1/decisions", tokenWith("decider"), Api.map("artifact",
                    Api.map("digest", "sha256:" + "c".repeat(64)), "policies", List.of("cli-replayed"), "context",
                    Api.map("team", team))).status()).isEqualTo(200);
        }
        Path v2 = Files.createTempFile("cli-replayed", ".policy");
        Files.writeString(v2, V2);
        String server = "http://127.0.0.1:" + port;

        CliRun denies = replay("--server", server, "--policy", "cli-replayed", "--source", v2.toString(), "--since", since);
        assertThat(denies.exit()).as(denies.out() + denies.err()).isEqualTo(1);
        assertThat(denies.out()).contains("4 decisions: 4 replayed, 2 allow→deny, 0 deny→allow, 0 other changes, 2 unchanged")
                .contains("allow → deny").contains("rule team-a: - → fail — only team a").contains("rule team-named: pass → -");

        CliRun same = replay("--server", server, "--policy", "cli-replayed", "--stored-version", "1", "--since", since);
        assertThat(same.exit()).as(same.out() + same.err()).isZero();
        assertThat(same.out()).contains("4 decisions: 4 replayed, 0 allow→deny, 0 deny→allow, 0 other changes, 4 unchanged");

        CliRun json = replay("--server", server, "--policy", "cli-replayed", "--stored-version", "1", "--json", "--since", since);
        assertThat(json.out().lines().filter(l -> l.startsWith("{\"decisionId\"")).count()).isEqualTo(4);

        CliRun refused = replay("--server", server, "--policy", "cli-replayed", "--stored-version", "9");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("HTTP 404");
        api.delete("/v1/policies/cli-replayed", tokenWith("policy-admin"));
    }
}
