package dev.tollgate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.tollgate.support.FakeRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * A policy bundle's OCI artifact through the real registry client over real HTTP (a loopback registry):
 * a tag resolved to the digest served, the tarball layer and the Sigstore bundles (a layer, a referrer)
 * read with their digests checked; references that pin nothing, registries not allow-listed (never
 * contacted) and artifacts without a tarball refused.
 */
class PolicyArtifactFetchTests {

    static final FakeRegistry ALLOWED = new FakeRegistry();
    static final FakeRegistry FORBIDDEN = new FakeRegistry();
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    static final RegistryEvidence REGISTRY = new RegistryEvidence(new RegistryProperties(List.of(ALLOWED.host()), List.of(ALLOWED.host()),
            Map.of(), Duration.ofSeconds(3), 4, DataSize.ofMegabytes(4), 32, false), JsonMapper.builder().build(), METERS);

    @AfterAll
    static void close() {
        ALLOWED.close();
        FORBIDDEN.close();
    }

    static String manifest(String layers, String subject) {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\""
                + ALLOWED.put("{}".getBytes(StandardCharsets.UTF_8), "application/octet-stream") + "\",\"size\":2},\"layers\":[" + layers + "]"
                + (subject == null ? "" : ",\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + subject
                        + "\",\"size\":1}") + "}";
    }

    static String layer(String mediaType, byte[] content) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + ALLOWED.put(content, "application/octet-stream") + "\",\"size\":"
                + content.length + "}";
    }

    @Test
    void aTagIsResolvedAndTheTarballAndEverySignatureAreRead() throws Exception {
        byte[] tarball = "a tarball".getBytes(StandardCharsets.UTF_8);
        byte[] inLayer = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"n\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] referred = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"n\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] artifact = manifest(layer("application/vnd.tollgate.policy.bundle.v1.tar+gzip", tarball) + ","
                + layer("application/vnd.dev.sigstore.bundle.v0.3+json", inLayer), null).getBytes(StandardCharsets.UTF_8);
        String digest = ALLOWED.put(artifact, "application/vnd.oci.image.manifest.v1+json");
        ALLOWED.tag("acme/policies", "release", digest);
        byte[] referrer = manifest(layer("application/vnd.dev.sigstore.bundle.v0.3+json", referred), digest).getBytes(StandardCharsets.UTF_8);
        String referrerDigest = ALLOWED.put(referrer, "application/vnd.oci.image.manifest.v1+json");
        ALLOWED.referrers("acme/policies", digest, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + referrerDigest
                + "\",\"size\":" + referrer.length + ",\"artifactType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}]}");

        RegistryEvidence.OciArtifact byTag = REGISTRY.fetchArtifact(ALLOWED.host() + "/acme/policies:release");
        assertThat(byTag.digest()).isEqualTo(digest);
        assertThat(byTag.tarball()).isEqualTo(tarball);
        assertThat(byTag.signatures()).hasSize(2);
        assertThat(new String(byTag.signatures().get(0), StandardCharsets.UTF_8)).contains("\"n\":1");
        assertThat(new String(byTag.signatures().get(1), StandardCharsets.UTF_8)).contains("\"n\":2");

        RegistryEvidence.OciArtifact byDigest = REGISTRY.fetchArtifact(ALLOWED.host() + "/acme/policies@" + digest);
        assertThat(byDigest.digest()).isEqualTo(digest);
        assertThat(byDigest.tarball()).isEqualTo(tarball);
        assertThat(METERS.find("tollgate.registry.fetches").tag("kind", "policy-bundle").tag("result", "found").counter().count())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void whatPinsNothingOrIsNotAllowListedOrHoldsNoTarballIsRefused() {
        int before = FORBIDDEN.requests();
        assertThatThrownBy(() -> REGISTRY.fetchArtifact(FORBIDDEN.host() + "/acme/policies:release"))
                .isInstanceOf(RegistryEvidence.ArtifactUnavailable.class).hasMessageContaining("not in tollgate.registry.allowed");
        assertThat(FORBIDDEN.requests()).isEqualTo(before);
        assertThatThrownBy(() -> REGISTRY.fetchArtifact(ALLOWED.host() + "/acme/policies"))
                .isInstanceOf(RegistryEvidence.ArtifactUnavailable.class).hasMessageContaining("neither a digest");
        assertThatThrownBy(() -> REGISTRY.fetchArtifact(ALLOWED.host() + "/acme/policies@sha256:abc"))
                .isInstanceOf(RegistryEvidence.ArtifactUnavailable.class).hasMessageContaining("not pinned");
        assertThatThrownBy(() -> REGISTRY.fetchArtifact(ALLOWED.host() + "/acme/policies:no-such-tag"))
                .isInstanceOf(RegistryEvidence.ArtifactUnavailable.class).hasMessageContaining("cannot be resolved");

        String noTarball = ALLOWED.put(manifest(layer("application/vnd.dev.sigstore.bundle.v0.3+json",
                "{}".getBytes(StandardCharsets.UTF_8)), null).getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.manifest.v1+json");
        assertThatThrownBy(() -> REGISTRY.fetchArtifact(ALLOWED.host() + "/acme/policies@" + noTarball))
                .isInstanceOf(RegistryEvidence.ArtifactUnavailable.class).hasMessageContaining("no tar+gzip layer");
    }
}
