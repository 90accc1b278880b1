package dev.tollgate.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

import dev.tollgate.evidence.MintedKeylessSigner;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.LocalDistribution;
import dev.tollgate.support.PolicySourceFiles;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Declared policies through the running server: the test server reads a directory and a signed
 * bundle every 200 ms (see {@link PolicySourceFiles}); the tests change them as a git sidecar or a
 * release pipeline would and watch the API. The policies apply only to images under
 * {@code sources.invalid}, in audit mode, so that no other test's decision sees them.
 */
class PolicySourcesIntegrationTests extends IntegrationTest {

    private static final String POLICY = """
            policy "%s" {
              description "%s"
              mode audit
              applies when artifact.name glob "sources.invalid/**"
              rule signed { require any s in signatures: s.subject == "release" }
            }
            """;

    private static String policy(String name, String description) {
        return POLICY.formatted(name, description);
    }

    private JsonNode source(String name) {
        Api.Response response = api.get("/v1/policy-sources", tokenWith("auditor"));
        assertThat(response.status()).isEqualTo(200);
        for (JsonNode item : response.json().get("items")) {
            if (item.get("name").asString().equals(name)) {
                return item;
            }
        }
        throw new AssertionError("no policy source '" + name + "' in " + response.body());
    }

    /** Waits (at most 20 s, polling) until the source's status satisfies the condition; answers it. */
    private JsonNode awaitSource(String name, Predicate<JsonNode> condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        JsonNode status = source(name);
        while (!condition.test(status)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within 20 s: " + what + "; last status " + status);
            }
            Thread.sleep(50);
            status = source(name);
        }
        return status;
    }

    private JsonNode active(String policy) {
        Api.Response response = api.get("/v1/policies/" + policy, tokenWith("auditor"));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static boolean applied(JsonNode status, String sha256) {
        return "applied".equals(status.path("lastResult").asString()) && sha256.equals(status.path("sha256").asString());
    }

    private static String sha256(byte[] bytes) {
        return SourceFiles.sha256Hex(bytes);
    }

    @Test
    void aDirectoryChangeActivatesANewVersionAndACompileErrorChangesNothing() throws Exception {
        Path dir = PolicySourceFiles.DIRECTORY;
        Files.createDirectories(dir.resolve("trust"));
        PolicySourceFiles.replace(dir.resolve("trust").resolve("src-dir-key.pem"),
                PolicySourceFiles.pem(PolicySourceFiles.ec()).getBytes(StandardCharsets.US_ASCII));
        PolicySourceFiles.replace(dir.resolve("src-dir-a.policy"), policy("src-dir-a", "first").getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("README.md"), "not a policy: skipped");

        JsonNode first = awaitSource("directory", s -> s.path("policies").toString().contains("src-dir-a"), "the first version applied");
        assertThat(first.get("kind").asString()).isEqualTo("directory");
        assertThat(first.get("lastResult").asString()).isEqualTo("applied");
        assertThat(first.get("trust").toString()).contains("src-dir-key");
        JsonNode v1 = active("src-dir-a");
        assertThat(v1.get("description").asString()).isEqualTo("first");
        assertThat(v1.get("createdBy").asString()).isEqualTo("source:directory");
        assertThat(api.get("/v1/trust/keys/src-dir-key", tokenWith("auditor")).status()).isEqualTo(200);

        // a new commit: a new version, active
        PolicySourceFiles.replace(dir.resolve("src-dir-a.policy"), policy("src-dir-a", "second").getBytes(StandardCharsets.UTF_8));
        int v2 = v1.get("version").asInt() + 1;
        JsonNode second = awaitSource("directory", s -> s.path("policies").toString().contains("\"version\":" + v2),
                "the second version applied");
        assertThat(second.get("lastResult").asString()).isEqualTo("applied");
        assertThat(active("src-dir-a").get("version").asInt()).isEqualTo(v2);
        assertThat(active("src-dir-a").get("description").asString()).isEqualTo("second");

        // a commit that breaks one file applies nothing, not even the other files' changes
        PolicySourceFiles.replace(dir.resolve("src-dir-b.policy"), policy("src-dir-b", "fine").getBytes(StandardCharsets.UTF_8));
        PolicySourceFiles.replace(dir.resolve("src-dir-a.policy"), "policy \"src-dir-a\" {\n  rule r { require ) }\n}\n"
                .getBytes(StandardCharsets.UTF_8));
        JsonNode refused = awaitSource("directory", s -> "invalid".equals(s.path("lastResult").asString()), "the broken commit refused");
        JsonNode error = refused.get("lastError").get("errors").get(0);
        assertThat(error.get("file").asString()).isEqualTo("src-dir-a.policy");
        assertThat(error.get("line").asInt()).isEqualTo(2);
        assertThat(error.get("column").asInt()).isPositive();
        assertThat(error.get("code").asString()).startsWith("policy_");
        // the diagnostics are the API's for the same source
        Api.Response validated = api.sendText("POST", "/v1/policies:validate", tokenWith("auditor"),
                Files.readString(dir.resolve("src-dir-a.policy")));
        assertThat(validated.status()).isEqualTo(422);
        assertThat(validated.json().get("errors").get(0).get("code").asString()).isEqualTo(error.get("code").asString());
        assertThat(validated.json().get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(active("src-dir-a").get("version").asInt()).isEqualTo(v2);
        assertThat(api.get("/v1/policies/src-dir-b", tokenWith("auditor")).status()).isEqualTo(404);
        assertThat(refused.get("policies").toString()).contains("\"version\":" + v2);

        // fixed: both apply; then a file removed from the source is deactivated there too
        PolicySourceFiles.replace(dir.resolve("src-dir-a.policy"), policy("src-dir-a", "second").getBytes(StandardCharsets.UTF_8));
        awaitSource("directory", s -> "applied".equals(s.path("lastResult").asString())
                && s.path("policies").toString().contains("src-dir-b"), "the fixed commit applied");
        assertThat(active("src-dir-a").get("version").asInt()).as("the same source again is no new version").isEqualTo(v2);
        Files.delete(dir.resolve("src-dir-b.policy"));
        awaitSource("directory", s -> !s.path("policies").toString().contains("src-dir-b"), "the removal applied");
        assertThat(api.get("/v1/policies/src-dir-b", tokenWith("auditor")).status()).isEqualTo(404);
        assertThat(api.get("/v1/policies/src-dir-b/versions", tokenWith("auditor")).status()).isEqualTo(200);

        String metrics = api.get("/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("tollgate_policy_source_sync_total\\{[^}]*result=\"applied\"[^}]*source=\"directory\"");
        assertThat(metrics).containsPattern("tollgate_policy_source_sync_total\\{[^}]*result=\"invalid\"[^}]*source=\"directory\"");

        Files.delete(dir.resolve("src-dir-a.policy"));
        Files.delete(dir.resolve("README.md"));
        awaitSource("directory", s -> s.path("policies").isEmpty(), "the source emptied");
    }

    @Test
    void aSignedBundleIsVerifiedBeforeAnythingInItIsActivated() throws Exception {
        String name = "src-bundle-a";
        byte[] good = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "release 1").getBytes(StandardCharsets.UTF_8)));
        PolicySourceFiles.publish(good, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, good));
        JsonNode applied = awaitSource(PolicySourceFiles.BUNDLE_SOURCE, s -> applied(s, sha256(good)), "release 1 applied");
        assertThat(applied.get("kind").asString()).isEqualTo("bundle");
        assertThat(applied.get("signer").asString()).isEqualTo("key:release.pem");
        JsonNode v1 = active(name);
        assertThat(v1.get("description").asString()).isEqualTo("release 1");
        assertThat(v1.get("createdBy").asString()).isEqualTo("source:" + PolicySourceFiles.BUNDLE_SOURCE);

        // signed by another key: refused, release 1 stays active
        KeyPair stranger = PolicySourceFiles.ec();
        byte[] forged = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "forged").getBytes(StandardCharsets.UTF_8)));
        PolicySourceFiles.publish(forged, PolicySourceFiles.signatureBundle(stranger, forged));
        JsonNode unverified = awaitSource(PolicySourceFiles.BUNDLE_SOURCE,
                s -> "unverified".equals(s.path("lastResult").asString()), "the forged bundle refused");
        assertThat(unverified.get("lastError").get("message").asString()).contains("does not verify");
        assertThat(unverified.get("sha256").asString()).isEqualTo(sha256(good));
        assertThat(active(name).get("version").asInt()).isEqualTo(v1.get("version").asInt());
        assertThat(active(name).get("description").asString()).isEqualTo("release 1");

        // the right signature over another tarball (a tarball changed after signing): refused
        byte[] changed = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "changed").getBytes(StandardCharsets.UTF_8)));
        PolicySourceFiles.publish(changed, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, good));
        awaitSource(PolicySourceFiles.BUNDLE_SOURCE, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("evidence_digest_mismatch"), "the changed tarball refused");
        assertThat(active(name).get("description").asString()).isEqualTo("release 1");

        // signed by the release key but does not compile: refused with the compiler's diagnostics, release 1 stays
        byte[] broken = PolicySourceFiles.tarGz(Map.of(name + ".policy",
                ("policy \"" + name + "\" {\n  rule r { require nosuchroot.x == 1 }\n}\n").getBytes(StandardCharsets.UTF_8)));
        PolicySourceFiles.publish(broken, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, broken));
        JsonNode invalid = awaitSource(PolicySourceFiles.BUNDLE_SOURCE, s -> "invalid".equals(s.path("lastResult").asString()),
                "the bundle that does not compile refused");
        JsonNode error = invalid.get("lastError").get("errors").get(0);
        assertThat(error.get("file").asString()).isEqualTo(name + ".policy");
        assertThat(error.get("line").asInt()).isEqualTo(2);
        assertThat(invalid.get("policies").toString()).contains("\"version\":" + v1.get("version").asInt());
        assertThat(active(name).get("description").asString()).isEqualTo("release 1");

        // a tarball that names a file outside itself is refused after verification, before anything is read from it
        byte[] escaping = escapingTarball();
        PolicySourceFiles.publish(escaping, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, escaping));
        awaitSource(PolicySourceFiles.BUNDLE_SOURCE, s -> "invalid".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("plain relative path"), "the escaping tarball refused");

        // release 2, signed: active
        byte[] next = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "release 2").getBytes(StandardCharsets.UTF_8)));
        PolicySourceFiles.publish(next, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, next));
        awaitSource(PolicySourceFiles.BUNDLE_SOURCE, s -> applied(s, sha256(next)), "release 2 applied");
        assertThat(active(name).get("description").asString()).isEqualTo("release 2");
        assertThat(active(name).get("version").asInt()).isEqualTo(v1.get("version").asInt() + 1);

        String metrics = api.get("/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("tollgate_policy_source_sync_total\\{[^}]*result=\"unverified\"[^}]*source=\"signed\"");

        // the last release leaves the bundle empty: its policy is deactivated
        byte[] empty = PolicySourceFiles.tarGz(Map.of("README.md", "nothing".getBytes(StandardCharsets.UTF_8)));
        PolicySourceFiles.publish(empty, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, empty));
        awaitSource(PolicySourceFiles.BUNDLE_SOURCE, s -> applied(s, sha256(empty)), "the empty release applied");
        assertThat(api.get("/v1/policies/" + name, tokenWith("auditor")).status()).isEqualTo(404);
    }

    /**
     * A bundle signed keyless (cosign sign-blob without a key): a certificate for the configured identity, from a CA
     * of a trusted root the server holds, with its transparency-log entry. The Sigstore instance is made in the test
     * ({@link MintedKeylessSigner}) — the public-good instance cannot issue a certificate here — and verified by the
     * same verifier as evidence.
     */
    @Test
    void aKeylessBundleIsVerifiedAgainstTheConfiguredIdentityUnderAHeldRoot() throws Exception {
        String name = "src-keyless-a";
        String admin = tokenWith("policy-admin");
        MintedKeylessSigner release = new MintedKeylessSigner("Policies");
        String issuer = PolicySourceFiles.KEYLESS_ISSUER;
        byte[] first = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "keyless 1").getBytes(StandardCharsets.UTF_8)));

        // before its root is held, the right identity's signature is not enough
        PolicySourceFiles.publishKeyless(first, release.sign(first, issuer, PolicySourceFiles.KEYLESS_SUBJECT));
        JsonNode untrusted = awaitSource(PolicySourceFiles.KEYLESS_SOURCE, s -> "unverified".equals(s.path("lastResult").asString()),
                "the bundle under a root not held refused");
        assertThat(untrusted.get("lastError").get("message").asString()).contains("does not verify");
        assertThat(api.get("/v1/policies/" + name, tokenWith("auditor")).status()).isEqualTo(404);

        Api.Response root = api.send("PUT", "/v1/trust/roots/src-keyless-ca", admin, "application/json", release.trustedRoot());
        assertThat(root.status()).as(root.body()).isIn(200, 201);
        try {
            byte[] signed = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "keyless 2").getBytes(StandardCharsets.UTF_8)));
            PolicySourceFiles.publishKeyless(signed, release.sign(signed, issuer, PolicySourceFiles.KEYLESS_SUBJECT));
            JsonNode applied = awaitSource(PolicySourceFiles.KEYLESS_SOURCE, s -> applied(s, sha256(signed)), "the keyless release applied");
            assertThat(applied.get("signer").asString()).isEqualTo(issuer + " " + PolicySourceFiles.KEYLESS_SUBJECT);
            JsonNode v1 = active(name);
            assertThat(v1.get("description").asString()).isEqualTo("keyless 2");
            assertThat(v1.get("createdBy").asString()).isEqualTo("source:" + PolicySourceFiles.KEYLESS_SOURCE);

            // the same CA, another workflow: verified, but not the configured identity
            byte[] other = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "other workflow").getBytes(StandardCharsets.UTF_8)));
            String stranger = "https://github.com/acme/policies/.github/workflows/pr.yml@refs/pull/7/merge";
            PolicySourceFiles.publishKeyless(other, release.sign(other, issuer, stranger));
            JsonNode refused = awaitSource(PolicySourceFiles.KEYLESS_SOURCE, s -> "unverified".equals(s.path("lastResult").asString())
                    && s.path("lastError").path("message").asString().contains(stranger), "another identity refused");
            assertThat(refused.get("lastError").get("message").asString()).contains("not by the identity configured");
            assertThat(refused.get("sha256").asString()).isEqualTo(sha256(signed));

            // the configured subject from another issuer: refused too
            byte[] issuerChanged = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "other issuer").getBytes(StandardCharsets.UTF_8)));
            PolicySourceFiles.publishKeyless(issuerChanged, release.sign(issuerChanged, "https://accounts.example.com",
                    PolicySourceFiles.KEYLESS_SUBJECT));
            awaitSource(PolicySourceFiles.KEYLESS_SOURCE, s -> "unverified".equals(s.path("lastResult").asString())
                    && s.path("lastError").path("message").asString().contains("https://accounts.example.com"), "another issuer refused");

            // the right identity from a CA of a root not held (a look-alike instance): refused
            byte[] lookAlike = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "look-alike").getBytes(StandardCharsets.UTF_8)));
            PolicySourceFiles.publishKeyless(lookAlike, new MintedKeylessSigner("Policies").sign(lookAlike, issuer,
                    PolicySourceFiles.KEYLESS_SUBJECT));
            awaitSource(PolicySourceFiles.KEYLESS_SOURCE, s -> "unverified".equals(s.path("lastResult").asString())
                    && sha256(signed).equals(s.path("sha256").asString())
                    && s.path("lastError").path("message").asString().contains("does not verify"), "the look-alike CA refused");

            // the configured identity's signature over another tarball: refused
            byte[] swapped = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "swapped").getBytes(StandardCharsets.UTF_8)));
            PolicySourceFiles.publishKeyless(swapped, release.sign(signed, issuer, PolicySourceFiles.KEYLESS_SUBJECT));
            awaitSource(PolicySourceFiles.KEYLESS_SOURCE, s -> "unverified".equals(s.path("lastResult").asString())
                    && s.path("lastError").path("message").asString().contains("evidence_digest_mismatch"), "the swapped tarball refused");
            assertThat(active(name).get("description").asString()).isEqualTo("keyless 2");
            assertThat(active(name).get("version").asInt()).isEqualTo(v1.get("version").asInt());
        } finally {
            byte[] empty = PolicySourceFiles.tarGz(Map.of("README.md", "nothing".getBytes(StandardCharsets.UTF_8)));
            PolicySourceFiles.publishKeyless(empty, release.sign(empty, issuer, PolicySourceFiles.KEYLESS_SUBJECT));
            awaitSource(PolicySourceFiles.KEYLESS_SOURCE, s -> applied(s, sha256(empty)), "the empty release applied");
            api.delete("/v1/trust/roots/src-keyless-ca", admin);
        }
    }

    /**
     * A bundle published as an OCI artifact in the real registry the tests start (CNCF distribution): the tarball
     * as a {@code tar+gzip} layer, its Sigstore bundle as a second layer or as a referrer (the referrers tag scheme,
     * which distribution 2.8 serves), configured by tag and resolved to a digest at each read; verified exactly as
     * a tarball (the release key) before anything is applied.
     */
    @Test
    void anOciBundleIsFetchedFromTheAllowListedRegistryAndVerifiedBeforeItIsApplied() throws Exception {
        LocalDistribution registry = LocalDistribution.get();
        org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "docker-registry is not installed (.ci/run installs it)");
        String repository = PolicySourceFiles.OCI_REPOSITORY;
        String name = "src-oci-a";

        // release 1: the signature as a layer of the artifact
        byte[] first = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "oci 1").getBytes(StandardCharsets.UTF_8)));
        String firstDigest = pushArtifact(registry, repository, first, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, first));
        JsonNode applied = awaitSource(PolicySourceFiles.OCI_SOURCE, s -> applied(s, sha256(first)), "the OCI release applied");
        assertThat(applied.get("kind").asString()).isEqualTo("oci");
        assertThat(applied.get("location").asString()).isEqualTo(registry.host() + "/" + repository + ":release");
        assertThat(applied.get("digest").asString()).isEqualTo(firstDigest);
        assertThat(applied.get("signer").asString()).isEqualTo("key:release.pem");
        JsonNode v1 = active(name);
        assertThat(v1.get("description").asString()).isEqualTo("oci 1");
        assertThat(v1.get("createdBy").asString()).isEqualTo("source:" + PolicySourceFiles.OCI_SOURCE);

        // the tag moves to an artifact signed by another key: refused, release 1 stays active
        byte[] forged = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "forged").getBytes(StandardCharsets.UTF_8)));
        pushArtifact(registry, repository, forged, PolicySourceFiles.signatureBundle(PolicySourceFiles.ec(), forged));
        JsonNode unverified = awaitSource(PolicySourceFiles.OCI_SOURCE, s -> "unverified".equals(s.path("lastResult").asString()),
                "the forged artifact refused");
        assertThat(unverified.get("lastError").get("message").asString()).contains("does not verify");
        assertThat(unverified.get("digest").asString()).isEqualTo(firstDigest);
        assertThat(active(name).get("description").asString()).isEqualTo("oci 1");

        // an artifact without any signature: refused
        byte[] unsigned = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "unsigned").getBytes(StandardCharsets.UTF_8)));
        pushArtifact(registry, repository, unsigned, null);
        awaitSource(PolicySourceFiles.OCI_SOURCE, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("carries no Sigstore bundle"), "the unsigned artifact refused");
        assertThat(active(name).get("description").asString()).isEqualTo("oci 1");

        // release 2: the signature attached as a referrer of the artifact (a stranger's referrer beside it is tried too)
        byte[] second = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "oci 2").getBytes(StandardCharsets.UTF_8)));
        String secondDigest = pushArtifact(registry, repository, second, null);
        attachReferrers(registry, repository, secondDigest, PolicySourceFiles.signatureBundle(PolicySourceFiles.ec(), second),
                PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, second));
        JsonNode next = awaitSource(PolicySourceFiles.OCI_SOURCE, s -> applied(s, sha256(second)), "release 2 (a referrer) applied");
        assertThat(next.get("digest").asString()).isEqualTo(secondDigest);
        assertThat(active(name).get("description").asString()).isEqualTo("oci 2");
        assertThat(active(name).get("version").asInt()).isEqualTo(v1.get("version").asInt() + 1);

        String metrics = api.get("/actuator/prometheus", null).body();
        assertThat(metrics).containsPattern("tollgate_registry_fetches_total\\{[^}]*kind=\"policy-bundle\"[^}]*result=\"found\"");

        // the last release is empty: its policy is deactivated
        byte[] empty = PolicySourceFiles.tarGz(Map.of("README.md", "nothing".getBytes(StandardCharsets.UTF_8)));
        pushArtifact(registry, repository, empty, PolicySourceFiles.signatureBundle(PolicySourceFiles.RELEASE, empty));
        awaitSource(PolicySourceFiles.OCI_SOURCE, s -> applied(s, sha256(empty)), "the empty release applied");
        assertThat(api.get("/v1/policies/" + name, tokenWith("auditor")).status()).isEqualTo(404);
    }

    /** Pushes the tarball (and, when given, its Sigstore bundle as a second layer) as an OCI artifact tagged release. */
    private static String pushArtifact(LocalDistribution registry, String repository, byte[] tarball, byte[] signature) throws Exception {
        String config = registry.pushBlob(repository, "{}".getBytes(StandardCharsets.UTF_8));
        String layer = registry.pushBlob(repository, tarball);
        String layers = "{\"mediaType\":\"application/vnd.tollgate.policy.bundle.v1.tar+gzip\",\"digest\":\"" + layer + "\",\"size\":"
                + tarball.length + "}";
        if (signature != null) {
            layers += ",{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"digest\":\""
                    + registry.pushBlob(repository, signature) + "\",\"size\":" + signature.length + "}";
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"artifactType\":\"application/vnd.tollgate.policy.bundle.v1\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + config + "\",\"size\":2},"
                + "\"layers\":[" + layers + "]}").getBytes(StandardCharsets.UTF_8);
        return registry.pushManifest(repository, "release", manifest, "application/vnd.oci.image.manifest.v1+json");
    }

    /** Attaches Sigstore bundles as referrers of the artifact (each its own manifest, listed under the referrers tag). */
    private static void attachReferrers(LocalDistribution registry, String repository, String subject, byte[]... bundles) throws Exception {
        String config = registry.pushBlob(repository, "{}".getBytes(StandardCharsets.UTF_8));
        StringBuilder index = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[");
        for (int i = 0; i < bundles.length; i++) {
            String blob = registry.pushBlob(repository, bundles[i]);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"artifactType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + config + "\",\"size\":2},"
                    + "\"layers\":[{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"digest\":\"" + blob + "\",\"size\":"
                    + bundles[i].length + "}],"
                    + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + subject + "\",\"size\":1}}")
                    .getBytes(StandardCharsets.UTF_8);
            String digest = registry.pushManifest(repository, "referrer-" + i + "-" + subject.substring(7, 19), manifest,
                    "application/vnd.oci.image.manifest.v1+json");
            index.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"")
                    .append(digest).append("\",\"size\":").append(manifest.length)
                    .append(",\"artifactType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}");
        }
        index.append("]}");
        registry.pushManifest(repository, subject.replace(':', '-'), index.toString().getBytes(StandardCharsets.UTF_8),
                "application/vnd.oci.image.index.v1+json");
    }

    @Test
    void theStatusIsForPolicyReadersOnly() {
        assertThat(api.get("/v1/policy-sources", null).status()).isEqualTo(401);
        assertThat(api.get("/v1/policy-sources", tokenWith("decider")).status()).isEqualTo(403);
        assertThat(api.get("/v1/policy-sources", tokenWith("policy-admin")).status()).isEqualTo(200);
    }

    private static byte[] escapingTarball() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            byte[] content = "x".getBytes(StandardCharsets.UTF_8);
            gz.write(PolicySourceFiles.header("../outside.policy", content.length, '0'));
            gz.write(content);
            gz.write(new byte[511]);
            gz.write(new byte[1024]);
        }
        return out.toByteArray();
    }
}
