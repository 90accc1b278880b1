package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/decisions:evaluate}: real bundles verified and evaluated, the input shown, nothing written. */
class EvaluateWithoutRecordingIntegrationTests extends IntegrationTest {

    private static final String GH = "src/test/resources/attestations/gh-cli/";
    private static final String REUSABLE = "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25";
    private static final String CUSTOM = "sha256:afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d";

    @Autowired
    JdbcTemplate jdbc;

    private JsonNode bundle(String file) throws Exception {
        return json.readTree(Files.readString(Path.of(GH + file)));
    }

    private long count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Long.class);
    }

    @Test
    void aCandidateIsEvaluatedOnVerifiedEvidenceAndNothingIsRecorded() throws Exception {
        String source = Files.readString(Path.of("src/test/resources/cli/github/github-provenance.policy"));
        long decisions = count("decision");
        long evidence = count("artifact_evidence");

        Api.Response allowed = api.postJson("/v1/decisions:evaluate", tokenWith("policy-admin"), Api.map(
                "artifact", Api.map("digest", REUSABLE), "context", Api.map("environment", "prod"),
                "evidence", List.of(Api.map("bundle", bundle("reusable-workflow-attestation.sigstore.json"))),
                "source", source));
        assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
        JsonNode a = allowed.json();
        assertThat(a.get("allowed").asBoolean()).isTrue();
        assertThat(a.get("recorded").asBoolean()).isFalse();
        assertThat(a.has("decisionId")).isFalse();
        assertThat(a.get("candidate").get("name").asString()).isEqualTo("github-provenance");
        assertThat(a.get("policies").get(0).get("version").asInt()).isZero();
        JsonNode attestation = a.get("input").get("attestations").get(0);
        assertThat(attestation.get("predicate").get("runDetails").get("builder").get("id").asString())
                .isEqualTo("https://github.com/actions/runner/github-hosted");
        assertThat(attestation.get("signer").get("issuer").asString()).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(a.get("input").get("context").get("environment").asString()).isEqualTo("prod");

        Api.Response denied = api.postJson("/v1/decisions:evaluate", tokenWith("admin"), Api.map(
                "artifact", Api.map("digest", CUSTOM),
                "evidence", List.of(Api.map("bundle", bundle("custom-issuer.sigstore.json"))), "source", source));
        assertThat(denied.status()).isEqualTo(200);
        assertThat(denied.json().get("allowed").asBoolean()).isFalse();
        assertThat(denied.json().get("refusals").get(0).asString()).startsWith("github-provenance/signed-by-github-actions: ");
        assertThat(denied.json().get("input").get("attestations").get(0).get("signer").get("issuer").asString())
                .isEqualTo("https://token.actions.githubusercontent.com/hammer-time");

        assertThat(count("decision")).as("no decision recorded").isEqualTo(decisions);
        assertThat(count("artifact_evidence")).as("no evidence kept").isEqualTo(evidence);
    }

    @Test
    void badInputIsAProblemAndTheRoleIsThePolicyAuthors() throws Exception {
        String admin = tokenWith("policy-admin");
        Api.Response noArtifact = api.postJson("/v1/decisions:evaluate", admin, Api.map("source", "policy \"x\" {"));
        assertThat(noArtifact.status()).isEqualTo(400);
        assertThat(noArtifact.isProblem()).isTrue();
        Api.Response badSource = api.postJson("/v1/decisions:evaluate", admin,
                Api.map("artifact", Api.map("digest", CUSTOM), "source", "policy \"x\" {"));
        assertThat(badSource.status()).isEqualTo(422);
        Api.Response badEvidence = api.postJson("/v1/decisions:evaluate", admin,
                Api.map("artifact", Api.map("digest", CUSTOM), "evidence", List.of(Api.map("bundle", "no"))));
        assertThat(badEvidence.status()).isEqualTo(400);
        Api.Response notSource = api.postJson("/v1/decisions:evaluate", admin, Api.map("artifact", Api.map("digest", CUSTOM), "source", 5));
        assertThat(notSource.status()).isEqualTo(400);
        assertThat(api.postJson("/v1/decisions:evaluate", tokenWith("decider"), Api.map("artifact", Api.map("digest", CUSTOM)))
                .status()).isEqualTo(403);
        assertThat(api.postJson("/v1/decisions:evaluate", tokenWith("auditor"), Api.map("artifact", Api.map("digest", CUSTOM)))
                .status()).isEqualTo(403);
    }
}
