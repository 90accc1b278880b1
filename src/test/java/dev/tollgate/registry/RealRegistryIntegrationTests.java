package dev.tollgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.LocalDistribution;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Evidence from a real registry (CNCF distribution 2.8, which has no referrers API): the
 * {@code sha256-<hex>} referrers tag and cosign's legacy {@code .att} tag, pushed through the
 * distribution API. Skipped only when {@code docker-registry} is not installed and not required.
 */
class RealRegistryIntegrationTests extends IntegrationTest {

    static final String BCR_DIGEST = RegistryEvidenceIntegrationTests.BCR_DIGEST;
    static final String CONTAINER_DIGEST = RegistryEvidenceIntegrationTests.CONTAINER_DIGEST;
    static final String ATT_MANIFEST = "sha256:21454caf3a160dfbe6359f0501aa8401c6c0f2c7a8b71380ea21f8c4b48b64fe";
    static LocalDistribution distribution;

    @BeforeAll
    static void push() throws Exception {
        distribution = LocalDistribution.get();
        assumeTrue(distribution != null, "docker-registry is not installed (.ci/run installs it)");

        byte[] bundle = Files.readString(Path.of("src/test/resources/attestations/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl"))
                .strip().getBytes(StandardCharsets.UTF_8);
        String bundleDigest = distribution.pushBlob("acme/module", bundle);
        String config = distribution.pushBlob("acme/module", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json",
                 "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},
                 "layers":[{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","digest":"%s","size":%d}],
                 "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1000}}
                """.formatted(config, bundleDigest, bundle.length, BCR_DIGEST).getBytes(StandardCharsets.UTF_8);
        String manifestDigest = distribution.pushManifest("acme/module", "bundle", manifest, "application/vnd.oci.image.manifest.v1+json");
        byte[] index = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,
                   "artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"}]}
                """.formatted(manifestDigest, manifest.length).getBytes(StandardCharsets.UTF_8);
        distribution.pushManifest("acme/module", BCR_DIGEST.replace(':', '-'), index, "application/vnd.oci.image.index.v1+json");

        try (var blobs = Files.list(Path.of("src/test/resources/oci/container_workflow_dispatch/blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                distribution.pushBlob("slsa/container", Files.readAllBytes(blob));
            }
        }
        byte[] att = Files.readAllBytes(Path.of("src/test/resources/oci/container_workflow_dispatch/blobs/sha256/" + ATT_MANIFEST.substring(7)));
        assertThat(distribution.pushManifest("slsa/container", CONTAINER_DIGEST.replace(':', '-') + ".att", att,
                "application/vnd.oci.image.manifest.v1+json")).isEqualTo(ATT_MANIFEST);
    }

    @BeforeEach
    void policy() {
        assertThat(api.sendText("PUT", "/v1/policies/registry-gate", tokenWith("policy-admin"), RegistryEvidenceIntegrationTests.POLICY)
                .status()).isIn(200, 201);
    }

    JsonNode decide(String name, String digest) {
        String body = "{\"artifact\": {\"ref\": \"" + name + "@" + digest + "\"}, \"policies\": [\"registry-gate\"], \"storedEvidence\": false}";
        Api.Response response = api.postJson("/v1/decisions", tokenWith("decider"), body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    @Test
    void theReferrersTagIsFoundWhereTheRegistryHasNoReferrersApi() {
        JsonNode d = decide(distribution.host() + "/acme/module", BCR_DIGEST);
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        JsonNode evidence = d.get("evidence").get(0);
        assertThat(evidence.get("source").asString()).isEqualTo("registry");
        assertThat(evidence.get("verified").asBoolean()).isTrue();
        assertThat(evidence.get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v1");
    }

    @Test
    void cosignsAttestationTagIsReadFromARealRegistry() {
        JsonNode d = decide(distribution.host() + "/slsa/container", CONTAINER_DIGEST);
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        JsonNode evidence = d.get("evidence").get(0);
        assertThat(evidence.get("source").asString()).isEqualTo("registry");
        assertThat(evidence.get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v0.2");
        assertThat(evidence.get("identity").get("subject").asString())
                .isEqualTo("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0");
    }

    @Test
    void anotherDigestInTheSameRepositoryHasNoEvidenceAndIsRefused() {
        JsonNode d = decide(distribution.host() + "/slsa/container", "sha256:" + "ab".repeat(32));
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(d.get("evidence")).isEmpty();
    }
}
