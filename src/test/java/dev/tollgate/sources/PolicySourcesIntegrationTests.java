package dev.tollgate.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
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

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

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
        assertThat(applied.get("location").asString()).isEqualTo(registry.counted().host() + "/" + repository + ":release");
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
                && s.path("lastError").path("message").asString().contains("carries no signature"), "the unsigned artifact refused");
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

    /**
     * An artifact signed as {@code cosign sign <ref>} signs one (cosign 2's default, and cosign 3's with
     * {@code --new-bundle-format=false}): the signature is over a simple-signing payload that names the manifest digest,
     * stored as a layer of the manifest tagged {@code sha256-<hex>.sig}, the signature in the layer's
     * {@code dev.cosignproject.cosign/signature} annotation. Made here with the release key, pushed to the real
     * registry; Tollgate verifies it over the manifest digest it read before anything in the tarball is applied.
     */
    @Test
    void anArtifactSignedWithCosignSignIsVerifiedOverItsManifestDigest() throws Exception {
        LocalDistribution registry = LocalDistribution.get();
        org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "docker-registry is not installed (.ci/run installs it)");
        String repository = PolicySourceFiles.OCI_REPOSITORY;
        String source = PolicySourceFiles.OCI_SOURCE;
        String name = "src-cosign-a";
        String reference = registry.counted().host() + "/" + repository;

        // pushed before it is signed (as a pipeline does: push, then cosign sign): refused until the signature is there
        byte[] first = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "cosign 1").getBytes(StandardCharsets.UTF_8)));
        String firstDigest = pushArtifact(registry, repository, first, null);
        awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains(firstDigest.replace(':', '-') + ".sig"), "the unsigned artifact refused");
        double unverifiedBefore = counter(source, "unverified");
        cosignSign(registry, repository, firstDigest, simpleSigning(reference, firstDigest), PolicySourceFiles.RELEASE, Map.of());
        JsonNode applied = awaitSource(source, s -> applied(s, sha256(first)), "the cosign-signed artifact applied");
        assertThat(applied.get("digest").asString()).isEqualTo(firstDigest);
        assertThat(applied.get("signer").asString()).isEqualTo("key:release.pem");
        JsonNode v1 = active(name);
        assertThat(v1.get("description").asString()).isEqualTo("cosign 1");
        assertThat(v1.get("createdBy").asString()).isEqualTo("source:" + source);

        // the tag moves to an artifact whose .sig is signed by another key: refused, release 1 stays active
        byte[] forged = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "forged").getBytes(StandardCharsets.UTF_8)));
        pushArtifactSigned(registry, repository, forged, PolicySourceFiles.ec());
        JsonNode refused = awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("cosign signature over the manifest does not verify"),
                "the artifact signed by another key refused");
        assertThat(refused.get("digest").asString()).as("what is still applied").isEqualTo(firstDigest);
        assertThat(active(name).get("description").asString()).isEqualTo("cosign 1");
        assertThat(counter(source, "unverified")).isGreaterThan(unverifiedBefore);

        // the release key's real signature of release 1, copied to another artifact's .sig tag: it names another digest
        byte[] swapped = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "swapped").getBytes(StandardCharsets.UTF_8)));
        String swappedDigest = pushArtifact(registry, repository, swapped, null);
        cosignSign(registry, repository, swappedDigest, simpleSigning(reference, firstDigest), PolicySourceFiles.RELEASE, Map.of());
        awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("evidence_digest_mismatch"), "the copied signature refused");
        assertThat(active(name).get("description").asString()).isEqualTo("cosign 1");

        // signed by the release key but does not compile: refused with the compiler's diagnostics, release 1 stays
        byte[] broken = PolicySourceFiles.tarGz(Map.of(name + ".policy",
                ("policy \"" + name + "\" {\n  rule r { require nosuchroot.x == 1 }\n}\n").getBytes(StandardCharsets.UTF_8)));
        pushArtifactSigned(registry, repository, broken, PolicySourceFiles.RELEASE);
        JsonNode invalid = awaitSource(source, s -> "invalid".equals(s.path("lastResult").asString()), "the signed artifact that does not compile refused");
        assertThat(invalid.get("lastError").get("errors").get(0).get("file").asString()).isEqualTo(name + ".policy");
        assertThat(invalid.get("lastError").get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(invalid.get("digest").asString()).isEqualTo(firstDigest);
        assertThat(active(name).get("version").asInt()).isEqualTo(v1.get("version").asInt());
        assertThat(counter(source, "invalid")).isPositive();

        // release 2, signed: active
        byte[] second = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "cosign 2").getBytes(StandardCharsets.UTF_8)));
        String secondDigest = pushArtifactSigned(registry, repository, second, PolicySourceFiles.RELEASE);
        JsonNode next = awaitSource(source, s -> applied(s, sha256(second)), "release 2 applied");
        assertThat(next.get("digest").asString()).isEqualTo(secondDigest);
        assertThat(active(name).get("description").asString()).isEqualTo("cosign 2");
        assertThat(active(name).get("version").asInt()).isEqualTo(v1.get("version").asInt() + 1);

        byte[] empty = PolicySourceFiles.tarGz(Map.of("README.md", "nothing".getBytes(StandardCharsets.UTF_8)));
        pushArtifactSigned(registry, repository, empty, PolicySourceFiles.RELEASE);
        awaitSource(source, s -> applied(s, sha256(empty)), "the empty release applied");
        assertThat(api.get("/v1/policies/" + name, tokenWith("auditor")).status()).isEqualTo(404);
    }

    /**
     * cosign 3's {@code cosign sign} (the new bundle format, its default): a DSSE Sigstore bundle over an in-toto
     * statement whose subject is the manifest digest and whose predicate type is {@code https://sigstore.dev/cosign/sign/v1},
     * attached as a referrer. Made here with the release key; another attestation of the artifact (a provenance) or a
     * statement about another manifest signs nothing.
     */
    @Test
    void anArtifactSignedByCosign3IsVerifiedByItsReferrerStatement() throws Exception {
        LocalDistribution registry = LocalDistribution.get();
        org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "docker-registry is not installed (.ci/run installs it)");
        String repository = PolicySourceFiles.OCI_REPOSITORY;
        String source = PolicySourceFiles.OCI_SOURCE;
        String name = "src-cosign3-a";

        byte[] first = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "cosign 3").getBytes(StandardCharsets.UTF_8)));
        String digest = pushArtifact(registry, repository, first, null);
        byte[] provenance = statementBundle(PolicySourceFiles.RELEASE, digest, "https://slsa.dev/provenance/v1");
        attachReferrers(registry, repository, digest, provenance);
        awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("is not a signature of the policy bundle"), "a provenance refused");
        attachReferrers(registry, repository, digest, provenance, statementBundle(PolicySourceFiles.RELEASE, digest,
                "https://sigstore.dev/cosign/sign/v1"));
        JsonNode applied = awaitSource(source, s -> applied(s, sha256(first)), "the cosign 3 signature applied");
        assertThat(applied.get("digest").asString()).isEqualTo(digest);
        assertThat(applied.get("signer").asString()).isEqualTo("key:release.pem");
        assertThat(active(name).get("description").asString()).isEqualTo("cosign 3");

        // the release key's statement about release 1, attached to another artifact: its subject is another manifest
        byte[] other = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "other").getBytes(StandardCharsets.UTF_8)));
        String otherDigest = pushArtifact(registry, repository, other, null);
        attachReferrers(registry, repository, otherDigest, statementBundle(PolicySourceFiles.RELEASE, digest,
                "https://sigstore.dev/cosign/sign/v1"));
        awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("evidence_subject_mismatch"), "the copied statement refused");
        // signed by another key: refused
        byte[] forged = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "forged").getBytes(StandardCharsets.UTF_8)));
        String forgedDigest = pushArtifact(registry, repository, forged, null);
        attachReferrers(registry, repository, forgedDigest, statementBundle(PolicySourceFiles.ec(), forgedDigest,
                "https://sigstore.dev/cosign/sign/v1"));
        awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("evidence_untrusted_key"), "another key refused");
        assertThat(active(name).get("description").asString()).isEqualTo("cosign 3");

        byte[] empty = PolicySourceFiles.tarGz(Map.of("README.md", "nothing".getBytes(StandardCharsets.UTF_8)));
        pushArtifactSigned(registry, repository, empty, PolicySourceFiles.RELEASE);
        awaitSource(source, s -> applied(s, sha256(empty)), "the empty release applied");
    }

    /** A v0.3 DSSE bundle over an in-toto statement about the manifest digest, signed with the key (no log entry). */
    private static byte[] statementBundle(KeyPair key, String digest, String predicateType) throws Exception {
        byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"policies\",\"digest\":{\"sha256\":\""
                + digest.substring("sha256:".length()) + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        String type = "application/vnd.in-toto+json";
        java.security.Signature signature = java.security.Signature.getInstance("SHA256withECDSA");
        signature.initSign(key.getPrivate());
        signature.update(("DSSEv1 " + type.length() + " " + type + " " + statement.length + " ").getBytes(StandardCharsets.UTF_8));
        signature.update(statement);
        return ("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"release\"}},"
                + "\"dsseEnvelope\":{\"payload\":\"" + java.util.Base64.getEncoder().encodeToString(statement) + "\",\"payloadType\":\"" + type
                + "\",\"signatures\":[{\"sig\":\"" + java.util.Base64.getEncoder().encodeToString(signature.sign()) + "\",\"keyid\":\"\"}]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code cosign sign} keyless: the layer of the {@code .sig} manifest carries the certificate, its chain and the
     * Rekor bundle (signed entry timestamp) as annotations, made here by a Fulcio-like CA and a Rekor-like log
     * ({@link MintedKeylessSigner}) whose trusted root the test registers. Accepted for the configured identity
     * only; another subject of the same CA, or the right identity before its root is held, is refused.
     */
    @Test
    void aKeylessCosignSignatureOverTheManifestIsVerifiedAgainstTheConfiguredIdentity() throws Exception {
        LocalDistribution registry = LocalDistribution.get();
        org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "docker-registry is not installed (.ci/run installs it)");
        String repository = PolicySourceFiles.OCI_KEYLESS_REPOSITORY;
        String source = PolicySourceFiles.OCI_KEYLESS_SOURCE;
        String name = "src-cosign-keyless";
        String reference = registry.counted().host() + "/" + repository;
        String admin = tokenWith("policy-admin");
        MintedKeylessSigner release = new MintedKeylessSigner("CosignPolicies");
        String issuer = PolicySourceFiles.KEYLESS_ISSUER;

        byte[] early = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "before the root").getBytes(StandardCharsets.UTF_8)));
        String earlyDigest = pushArtifact(registry, repository, early, null);
        cosignSign(registry, repository, earlyDigest, simpleSigning(reference, earlyDigest), null,
                release.cosignAnnotations(simpleSigning(reference, earlyDigest), issuer, PolicySourceFiles.KEYLESS_SUBJECT));
        awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains("does not verify"), "the signature under a root not held refused");
        assertThat(api.get("/v1/policies/" + name, tokenWith("auditor")).status()).isEqualTo(404);

        Api.Response root = api.send("PUT", "/v1/trust/roots/src-cosign-ca", admin, "application/json", release.trustedRoot());
        assertThat(root.status()).as(root.body()).isIn(200, 201);
        try {
            // once the root is held, the same artifact and signature are judged again (no new release needed)
            JsonNode late = awaitSource(source, s -> applied(s, sha256(early)), "the same signature applied once its root is held");
            assertThat(late.get("digest").asString()).isEqualTo(earlyDigest);
            assertThat(active(name).get("description").asString()).isEqualTo("before the root");
            byte[] signed = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "keyless 1").getBytes(StandardCharsets.UTF_8)));
            String digest = pushArtifact(registry, repository, signed, null);
            byte[] payload = simpleSigning(reference, digest);
            cosignSign(registry, repository, digest, payload, null, release.cosignAnnotations(payload, issuer, PolicySourceFiles.KEYLESS_SUBJECT));
            JsonNode applied = awaitSource(source, s -> applied(s, sha256(signed)), "the keyless cosign signature applied");
            assertThat(applied.get("signer").asString()).isEqualTo(issuer + " " + PolicySourceFiles.KEYLESS_SUBJECT);
            assertThat(applied.get("digest").asString()).isEqualTo(digest);
            assertThat(active(name).get("description").asString()).isEqualTo("keyless 1");

            // the same CA and log, another workflow's identity: verified, but not the one configured
            byte[] other = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "other workflow").getBytes(StandardCharsets.UTF_8)));
            String otherDigest = pushArtifact(registry, repository, other, null);
            String stranger = "https://github.com/acme/policies/.github/workflows/pr.yml@refs/pull/7/merge";
            byte[] otherPayload = simpleSigning(reference, otherDigest);
            cosignSign(registry, repository, otherDigest, otherPayload, null, release.cosignAnnotations(otherPayload, issuer, stranger));
            JsonNode refused = awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                    && s.path("lastError").path("message").asString().contains(stranger), "another identity refused");
            assertThat(refused.get("lastError").get("message").asString()).contains("not by the identity configured");
            assertThat(refused.get("digest").asString()).isEqualTo(digest);
            assertThat(active(name).get("description").asString()).isEqualTo("keyless 1");
        } finally {
            byte[] empty = PolicySourceFiles.tarGz(Map.of("README.md", "nothing".getBytes(StandardCharsets.UTF_8)));
            String emptyDigest = pushArtifact(registry, repository, empty, null);
            byte[] payload = simpleSigning(reference, emptyDigest);
            cosignSign(registry, repository, emptyDigest, payload, null, release.cosignAnnotations(payload, issuer, PolicySourceFiles.KEYLESS_SUBJECT));
            awaitSource(source, s -> applied(s, sha256(empty)), "the empty release applied");
            api.delete("/v1/trust/roots/src-cosign-ca", admin);
        }
    }

    /**
     * Counted at the registry (through the proxy in front of it): while the tag names the digest applied, each read
     * is one HEAD of the tag, and neither the manifest nor the tarball is fetched (or verified) again; while it names
     * an artifact refused for want of a signature, only what may be attached to it is read again, never the tarball.
     */
    @Test
    void anUnchangedArtifactIsNotFetchedAgainAtEveryRead() throws Exception {
        LocalDistribution registry = LocalDistribution.get();
        org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "docker-registry is not installed (.ci/run installs it)");
        String repository = PolicySourceFiles.OCI_REPOSITORY;
        String source = PolicySourceFiles.OCI_SOURCE;
        String name = "src-unchanged";
        String prefix = "/v2/" + repository + "/";

        byte[] release = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "unchanged").getBytes(StandardCharsets.UTF_8)));
        String digest = pushArtifactSigned(registry, repository, release, PolicySourceFiles.RELEASE);
        awaitSource(source, s -> applied(s, sha256(release)), "the release applied");
        double applied = counter(source, "applied");

        int mark = registry.counted().count();
        awaitReads(source, 4);
        List<String> requests = registry.counted().since(mark).stream().filter(r -> r.contains(prefix)).toList();
        assertThat(requests).as("each read of an applied, unchanged tag").isNotEmpty()
                .allMatch(r -> r.equals("HEAD " + prefix + "manifests/release"));
        assertThat(requests.size()).isGreaterThanOrEqualTo(3);
        assertThat(counter(source, "applied")).as("not applied again").isEqualTo(applied);

        // an artifact not signed yet: its attachments are looked up again at each read, its manifest and tarball are not
        byte[] unsigned = PolicySourceFiles.tarGz(Map.of(name + ".policy", policy(name, "signed later").getBytes(StandardCharsets.UTF_8)));
        String unsignedDigest = pushArtifact(registry, repository, unsigned, null);
        awaitSource(source, s -> "unverified".equals(s.path("lastResult").asString())
                && s.path("lastError").path("message").asString().contains(unsignedDigest.replace(':', '-')), "the unsigned artifact refused");
        mark = registry.counted().count();
        awaitReads(source, 4);
        List<String> waiting = registry.counted().since(mark).stream().filter(r -> r.contains(prefix)).toList();
        assertThat(waiting).contains("HEAD " + prefix + "manifests/release", "GET " + prefix + "manifests/" + unsignedDigest.replace(':', '-') + ".sig");
        assertThat(waiting).noneMatch(r -> r.contains("/blobs/") || r.equals("GET " + prefix + "manifests/" + unsignedDigest));
        cosignSign(registry, repository, unsignedDigest, simpleSigning(registry.counted().host() + "/" + repository, unsignedDigest),
                PolicySourceFiles.RELEASE, Map.of());
        awaitSource(source, s -> applied(s, sha256(unsigned)), "the artifact signed after it was pushed applied");
        assertThat(active(name).get("description").asString()).isEqualTo("signed later");
        assertThat(digest).isNotEqualTo(unsignedDigest);

        byte[] empty = PolicySourceFiles.tarGz(Map.of("README.md", "nothing".getBytes(StandardCharsets.UTF_8)));
        pushArtifactSigned(registry, repository, empty, PolicySourceFiles.RELEASE);
        awaitSource(source, s -> applied(s, sha256(empty)), "the empty release applied");
    }

    /** Waits until the source was read {@code reads} more times (its lastCheckedAt moved on each time). */
    private void awaitReads(String source, int reads) throws InterruptedException {
        for (int i = 0; i < reads; i++) {
            String last = source(source).path("lastCheckedAt").asString();
            awaitSource(source, s -> !s.path("lastCheckedAt").asString().equals(last), "another read");
        }
    }

    /** {@code tollgate_policy_source_sync_total{source,result}} as the server's Prometheus endpoint shows it (0 when absent). */
    private double counter(String source, String result) {
        String metrics = api.get("/actuator/prometheus", null).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tollgate_policy_source_sync_total\\{result=\"" + result
                + "\",source=\"" + java.util.regex.Pattern.quote(source) + "\"} ([0-9.E+-]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** cosign's simple-signing payload for the manifest digest, as {@code cosign sign} writes it. */
    private static byte[] simpleSigning(String reference, String digest) {
        return ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + reference + "\"},\"image\":{\"docker-manifest-digest\":\""
                + digest + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);
    }

    /** Pushes the tarball as an artifact tagged release and signs its manifest as {@code cosign sign --key} does. */
    private static String pushArtifactSigned(LocalDistribution registry, String repository, byte[] tarball, KeyPair key) throws Exception {
        String digest = pushArtifact(registry, repository, tarball, null);
        cosignSign(registry, repository, digest, simpleSigning(registry.counted().host() + "/" + repository, digest), key, Map.of());
        return digest;
    }

    /**
     * Stores a signature as cosign does: the payload as the one layer ({@code application/vnd.dev.cosign.simplesigning.v1+json})
     * of an OCI image manifest tagged {@code sha256-<hex>.sig}, its signature (by {@code key}, or given in
     * {@code annotations} with the certificate and Rekor bundle of a keyless signature) in the layer's annotations.
     */
    private static void cosignSign(LocalDistribution registry, String repository, String digest, byte[] payload, KeyPair key,
            Map<String, String> annotations) throws Exception {
        Map<String, String> all = new java.util.TreeMap<>(annotations);
        if (key != null) {
            java.security.Signature signature = java.security.Signature.getInstance("SHA256withECDSA");
            signature.initSign(key.getPrivate());
            signature.update(payload);
            all.put("dev.cosignproject.cosign/signature", java.util.Base64.getEncoder().encodeToString(signature.sign()));
        }
        String layer = registry.pushBlob(repository, payload);
        byte[] config = ("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],"
                + "\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layer + "\"]},\"config\":{}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = registry.pushBlob(repository, config);
        StringBuilder notes = new StringBuilder();
        for (Map.Entry<String, String> a : all.entrySet()) {
            notes.append(notes.length() == 0 ? "" : ",").append(JSON.writeValueAsString(a.getKey())).append(':')
                    .append(JSON.writeValueAsString(a.getValue()));
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length + ",\"digest\":\""
                + configDigest + "\"},\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":"
                + payload.length + ",\"digest\":\"" + layer + "\",\"annotations\":{" + notes + "}}]}").getBytes(StandardCharsets.UTF_8);
        registry.pushManifest(repository, digest.replace(':', '-') + ".sig", manifest, "application/vnd.oci.image.manifest.v1+json");
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
