package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * A recorded decision as a policy test case: {@code GET /v1/decisions/{id}/test-case}, and
 * {@code tollgate test --record ID --server URL} writing it out (YAML, the policy version, the
 * kept bundle) and running it offline — the case passes, with the recorded outcome.
 */
class RecordedTestCaseIntegrationTests extends IntegrationTest {

    private static final String GH = "src/test/resources/attestations/gh-cli/";
    private static final String REUSABLE = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
    private static final String CUSTOM = "sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d";

    private String decide(String policy, String digest, String bundle) throws Exception {
        Api.Response r = api.postJson("/v1/decisions", tokenWith("decider"), Api.map("artifact", Api.map("digest", digest),
                "policies", List.of(policy), "context", Api.map("environment", "prod"),
                "evidence", List.of(Api.map("bundle", json.readTree(Files.readString(Path.of(GH + bundle)))))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("decisionId").asString();
    }

    @Test
    void aRecordedDecisionBecomesATestCaseThatPassesOffline() throws Exception {
        String name = "recorded-provenance";
        String source = Files.readString(Path.of("src/test/resources/cli/github/github-provenance.policy"))
                .replace("\"github-provenance\"", "\"" + name + "\"");
        assertThat(api.sendText("PUT", "/v1/policies/" + name, tokenWith("policy-admin"), source).status()).isEqualTo(201);
        String allowed = decide(name, REUSABLE, "reusable-workflow-attestation.sigstore.json");
        String denied = decide(name, CUSTOM, "custom-issuer.sigstore.json");

        Api.Response r = api.get("/v1/decisions/" + allowed + "/test-case", tokenWith("auditor"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode file = r.json().get("testFile");
        assertThat(file.get("policies").get(0).asString()).isEqualTo("policies/" + name + ".v1.policy");
        JsonNode c = file.get("cases").get(0);
        assertThat(c.get("artifact").get("digest").asString()).isEqualTo(REUSABLE);
        assertThat(c.get("context").get("environment").asString()).isEqualTo("prod");
        assertThat(c.get("expect").get("allowed").asBoolean()).isTrue();
        assertThat(c.get("expect").get("policies").get(name).get("rules").get("slsa-v1").asString()).isEqualTo("pass");
        String bundlePath = c.get("evidence").get(0).get("bundle").asString();
        assertThat(r.json().get("files").has(bundlePath)).isTrue();
        assertThat(r.json().get("omitted")).isEmpty();

        assertThat(api.get("/v1/decisions/" + allowed + "/test-case", tokenWith("policy-admin")).status()).isEqualTo(200);
        assertThat(api.get("/v1/decisions/" + allowed + "/test-case", tokenWith("decider")).status()).isEqualTo(403);
        assertThat(api.get("/v1/decisions/00000000-0000-7000-8000-000000000000/test-case", tokenWith("auditor")).status())
                .isEqualTo(404);
        assertThat(api.get("/v1/decisions/NOT-AN-ID/test-case", tokenWith("auditor")).status()).isEqualTo(404);

        String server = "http://127.0.0.1:" + port;
        for (String id : List.of(allowed, denied)) {
            Path out = Files.createTempDirectory("tollgate-recorded");
            CliRun run = CliRun.of(new CommandLine(new TestCommand(v -> v.equals("TOLLGATE_TOKEN") ? tokenWith("auditor") : null)),
                    "--record", id, "--server", server, "--out", out.toString());
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("PASS");
            String yaml = Files.readString(out.resolve(id + "_test.yaml"));
            assertThat(yaml).contains("recorded decision " + id).contains("allowed: " + id.equals(allowed));
            assertThat(out.resolve("policies/" + name + ".v1.policy")).hasContent(source);
        }
        api.delete("/v1/policies/" + name, tokenWith("policy-admin"));
    }
}
