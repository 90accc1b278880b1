package dev.tollgate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.tollgate.support.Api;
import dev.tollgate.support.FakeRegistry;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Evidence fetched from registries: the OCI referrers API, the referrers tag fallback, cosign's
 * legacy .att tag (a real one, from slsa-verifier's OCI layout), token auth, 429, a stalled
 * registry, a registry outside the allow-list, and tag resolution for admission.
 */
class RegistryEvidenceIntegrationTests extends IntegrationTest {

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    static final String BCR_DIGEST = "sha256:06ce330900a7d6403bc8d88e5dfad6aeeb8ae40179f66bb89e69c8bf6f6b1a0b";
    static final String CONTAINER_DIGEST = "sha256:234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122";
    static final String POLICY = """
            policy "registry-gate" {
              rule provenance {
                require any a in attestations: a.predicateType in ["https://slsa.dev/provenance/v1", "https://slsa.dev/provenance/v0.2"]
              }
            }
            """;

    @BeforeAll
    static void publish() throws Exception {
        FakeRegistry r = REGISTRY;
        byte[] bundle = Files.readString(Path.of("src/test/resources/attestations/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl"))
                .strip().getBytes(StandardCharsets.UTF_8);
        String bundleDigest = r.put(bundle, "application/vnd.dev.sigstore.bundle.v0.3+json");
        String config = r.put("{}".getBytes(StandardCharsets.UTF_8), "application/vnd.oci.empty.v1+json");
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json",
                 "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":2},
                 "layers":[{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","digest":"%s","size":%d}],
                 "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1000}}
                """.formatted(config, bundleDigest, bundle.length, BCR_DIGEST);
        String manifestDigest = r.put(manifest.getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.manifest.v1+json");
        String index = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%d,
                   "artifactType":"application/vnd.dev.sigstore.bundle.v0.3+json"}]}
                """.formatted(manifestDigest, manifest.length());
        for (String repository : new String[] {"acme/module", "private/module", "basic/module", "throttled/module", "slow/module"}) {
            r.referrers(repository, BCR_DIGEST, index);
        }
        String fallback = r.put(index.getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.index.v1+json");
        r.tag("acme/fallback", BCR_DIGEST.replace(':', '-'), fallback);
        r.tag("acme/module", "v1", BCR_DIGEST);
        r.put(new byte[1000], "application/vnd.oci.image.manifest.v1+json");

        r.load(Path.of("src/test/resources/oci/container_workflow_dispatch"));
        r.tag("slsa/container", CONTAINER_DIGEST.replace(':', '-') + ".att",
                "sha256:21454caf3a160dfbe6359f0501aa8401c6c0f2c7a8b71380ea21f8c4b48b64fe");
    }

    @BeforeEach
    void policy() {
        assertThat(api.sendText("PUT", "/v1/policies/registry-gate", tokenWith("policy-admin"), POLICY).status()).isIn(200, 201);
    }

    JsonNode decide(String image, String digest) {
        String body = "{\"artifact\": {\"ref\": \"" + image + "@" + digest + "\"}, \"policies\": [\"registry-gate\"], \"storedEvidence\": false}";
        Api.Response response = api.postJson("/v1/decisions", tokenWith("decider"), body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    @Test
    void bundlesFromTheReferrersApiAreVerifiedAndKept() {
        JsonNode d = decide(REGISTRY.host() + "/acme/module", BCR_DIGEST);
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        JsonNode evidence = d.get("evidence").get(0);
        assertThat(evidence.get("source").asString()).isEqualTo("registry");
        assertThat(evidence.get("verified").asBoolean()).isTrue();
        assertThat(evidence.get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v1");
        JsonNode kept = api.get("/v1/artifacts/" + BCR_DIGEST + "/evidence", tokenWith("auditor")).json();
        assertThat(kept.get("items")).isNotEmpty();
    }

    @Test
    void theReferrersTagServesRegistriesWithoutTheApi() {
        JsonNode d = decide(REGISTRY.host() + "/acme/fallback", BCR_DIGEST);
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        assertThat(d.get("evidence").get(0).get("source").asString()).isEqualTo("registry");
    }

    @Test
    void cosignsLegacyAttestationTagIsReadAndVerified() {
        JsonNode d = decide(REGISTRY.host() + "/slsa/container", CONTAINER_DIGEST);
        assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
        JsonNode evidence = d.get("evidence").get(0);
        assertThat(evidence.get("verified").asBoolean()).isTrue();
        assertThat(evidence.get("predicateType").asString()).isEqualTo("https://slsa.dev/provenance/v0.2");
        assertThat(evidence.get("identity").get("subject").asString())
                .isEqualTo("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.1.0");
    }

    @Test
    void tokenAndBasicAuthenticationAndThrottlingAreHandled() {
        int tokens = REGISTRY.tokensIssued();
        assertThat(decide(REGISTRY.host() + "/private/module", BCR_DIGEST).get("allowed").asBoolean()).isTrue();
        assertThat(REGISTRY.tokensIssued()).isEqualTo(tokens + 1);
        assertThat(decide(REGISTRY.host() + "/basic/module", BCR_DIGEST).get("allowed").asBoolean()).isTrue();
        int throttles = REGISTRY.throttles();
        assertThat(decide(REGISTRY.host() + "/throttled/module", BCR_DIGEST).get("allowed").asBoolean()).isTrue();
        assertThat(REGISTRY.throttles()).isGreaterThan(throttles);
    }

    /**
     * The stalled registry answers, with the same good evidence as acme/module, once its stall
     * ends; so an image refused without evidence and a fetch counted as failed are what the
     * registry deadline does (without it the decision would wait out the stall and allow).
     */
    @Test
    void aStalledRegistryTimesOutAndTheImageIsRefused() {
        double failedBefore = fetches("failed");
        double foundBefore = fetches("found");
        JsonNode d = decide(REGISTRY.host() + "/slow/module", BCR_DIGEST);
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(d.get("evidence")).isEmpty();
        assertThat(fetches("failed")).as("the fetch gave up at its deadline").isEqualTo(failedBefore + 1);
        assertThat(fetches("found")).isEqualTo(foundBefore);
    }

    private double fetches(String result) {
        var counter = meters.find("tollgate.registry.fetches").tag("registry", REGISTRY.host()).tag("kind", "evidence")
                .tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aRegistryOutsideTheAllowListIsNeverContacted() {
        int before = FORBIDDEN_REGISTRY.requests();
        JsonNode d = decide(FORBIDDEN_REGISTRY.host() + "/acme/module", BCR_DIGEST);
        assertThat(d.get("allowed").asBoolean()).isFalse();
        assertThat(FORBIDDEN_REGISTRY.requests()).isEqualTo(before);
    }

    @Test
    void admissionResolvesTagsThroughTheRegistryAndReportsTheDigest() {
        decide(REGISTRY.host() + "/acme/module", BCR_DIGEST);
        String admin = tokenWith("policy-admin");
        for (JsonNode p : api.get("/v1/policies", admin).json().get("items")) {
            if (!p.get("name").asString().equals("registry-gate")) {
                api.delete("/v1/policies/" + p.get("name").asString(), admin);
            }
        }
        String pod = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "tag-1", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "apps",
                   "operation": "CREATE", "object": {"spec": {"containers": [{"name": "m", "image": "%s/acme/module:v1"}]}}}}
                """.formatted(REGISTRY.host());
        JsonNode response = api.postJson("/v1/admission", tokenWith("decider"), pod).json().get("response");
        assertThat(response.get("allowed").asBoolean()).as(response.toString()).isTrue();
        assertThat(response.get("warnings").get(0).asString()).contains("was resolved to " + REGISTRY.host() + "/acme/module@" + BCR_DIGEST);

        String unknownTag = pod.replace(":v1\"", ":v9\"");
        JsonNode refused = api.postJson("/v1/admission", tokenWith("decider"), unknownTag).json().get("response");
        assertThat(refused.get("allowed").asBoolean()).isFalse();
        assertThat(refused.get("status").get("message").asString()).contains("pin the image by digest");
    }
}
