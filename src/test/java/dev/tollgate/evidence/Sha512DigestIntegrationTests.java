package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * npm artifacts by their SHA-512 (npm's {@code integrity}): the real npm provenance of
 * sigstore@2.1.0 (gh-cli's test data, with the package itself) verifies and matches the digest
 * computed here from the package; the kept evidence, the history filter and the export take the
 * digest; a SHA-256 of the same package does not match the SHA-512-only subjects.
 */
class Sha512DigestIntegrationTests extends IntegrationTest {

    static final String POLICY = """
            policy "npm-provenance" {
              rule built-by-sigstore-js {
                require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
                  and a.signer.subject == "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
                  and (any s in a.subjects: s.digest == artifact.digest)
                message "needs the sigstore-js release workflow's provenance"
              }
            }
            """;

    static String digest(String algorithm, byte[] bytes) throws Exception {
        return algorithm.toLowerCase().replace("-", "") + ":" + HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    @Test
    void npmProvenanceMatchesThePackagesSha512ThroughDecisionsStoredEvidenceHistoryAndExport() throws Exception {
        String admin = tokenWith("admin");
        byte[] tgz = EvidenceTestSupport.resource("attestations/gh-cli/sigstore-js-2.1.0.tgz");
        String sha512 = digest("SHA-512", tgz);
        String sha256 = digest("SHA-256", tgz);
        assertThat(sha512).startsWith("sha512:90f223f992e4c88d").hasSize(7 + 128);
        String bundle = new String(EvidenceTestSupport.resource("attestations/gh-cli/sigstore-js-2.1.0-bundle.json"), StandardCharsets.UTF_8);
        try {
            assertThat(api.sendText("PUT", "/v1/policies/npm-provenance", admin, POLICY).status()).isIn(200, 201);
            String body = "{\"artifact\": {\"digest\": \"" + sha512 + "\", \"name\": \"pkg:npm/sigstore@2.1.0\"},"
                    + " \"policies\": [\"npm-provenance\"], \"evidence\": [{\"bundle\": " + bundle + "}]}";
            Api.Response decided = api.postJson("/v1/decisions", tokenWith("decider"), body);
            assertThat(decided.status()).as(decided.body()).isEqualTo(200);
            JsonNode d = decided.json();
            assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
            assertThat(d.get("artifact").get("digest").asString()).isEqualTo(sha512);
            assertThat(d.get("evidence").get(0).get("verified").asBoolean()).isTrue();

            // kept under the sha512 digest, and used again without being sent
            JsonNode kept = api.get("/v1/artifacts/" + sha512 + "/evidence", tokenWith("auditor")).json();
            assertThat(kept.get("items").size()).as(kept.toString()).isEqualTo(1);
            assertThat(kept.get("items").get(0).get("facts").get("subjects").get(0).get("digest").asString()).isEqualTo(sha512);
            JsonNode again = api.postJson("/v1/decisions", tokenWith("decider"),
                    "{\"artifact\": {\"digest\": \"" + sha512 + "\"}, \"policies\": [\"npm-provenance\"]}").json();
            assertThat(again.get("allowed").asBoolean()).as(again.toString()).isTrue();
            assertThat(again.get("evidence").get(0).get("source").asString()).isEqualTo("stored");

            // history and export filter by it
            String q = "digest=" + URLEncoder.encode(sha512, StandardCharsets.UTF_8);
            JsonNode history = api.get("/v1/decisions?" + q, tokenWith("auditor")).json();
            assertThat(history.get("items").size()).as(history.toString()).isEqualTo(2);
            Api.Response export = api.get("/v1/decisions/export?format=ndjson&" + q, tokenWith("auditor"));
            assertThat(export.status()).isEqualTo(200);
            assertThat(export.body().lines().filter(l -> l.contains(sha512)).count()).isEqualTo(2);

            // the package's sha256 is not a subject: subjects are matched on the digest's algorithm
            JsonNode other = api.postJson("/v1/decisions", tokenWith("decider"), "{\"artifact\": {\"digest\": \"" + sha256 + "\"},"
                    + " \"policies\": [\"npm-provenance\"], \"storedEvidence\": false, \"evidence\": [{\"bundle\": " + bundle + "}]}").json();
            assertThat(other.get("allowed").asBoolean()).isFalse();
            assertThat(other.get("evidence").get(0).get("code").asString()).isEqualTo("evidence_subject_mismatch");
            assertThat(other.get("evidence").get(0).get("reason").asString()).contains("no sha256 digest");
        } finally {
            api.delete("/v1/policies/npm-provenance", admin);
        }
    }

    @Test
    void sha512DigestsMustBeExactlyThat() {
        String decider = tokenWith("decider");
        String h = "a".repeat(128);
        for (String bad : new String[] {"sha512:" + h.substring(1), "sha512:" + h + "a", "sha512:" + h.toUpperCase(), "sha384:" + "a".repeat(96),
                "sha256:" + h}) {
            Api.Response r = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + bad + "\"}}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.isProblem()).isTrue();
            assertThat(api.get("/v1/decisions?digest=" + bad, tokenWith("auditor")).status()).as(bad).isEqualTo(400);
        }
        // a message signature cannot be over a SHA-512-named artifact: not evidence, with a reason, never a 500
        String message = new String(EvidenceTestSupport.resource(
                "sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"), StandardCharsets.UTF_8);
        Api.Response r = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"sha512:" + h + "\"},"
                + " \"storedEvidence\": false, \"evidence\": [{\"bundle\": " + message + "}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("evidence").get(0).get("code").asString()).isEqualTo("evidence_unsupported");
    }
}
