package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * gpg's own key and signed SHA256SUMS through the API: the armored key registered with
 * {@code PUT /v1/trust/keys/{name}} (application/pgp-keys), a policy on the OpenPGP signer's
 * fields, the evidence kept and used again; a private key block is refused with 422.
 */
class OpenPgpIntegrationTests extends IntegrationTest {

    static final String POLICY = """
            policy "release-checksums" {
              rule signed-by-release-key {
                require any s in signatures: s.kind == "openpgp"
                  and s.fingerprint == "0A58BF27C5E0F23741D88218B74F2383D9A5C826"
                  and s.key == "release-gpg"
                  and (any u in s.userIds: u == "Tollgate Test Release <release@tollgate.test>")
                message "needs SHA256SUMS signed by the release key"
              }
            }
            """;

    @Test
    void aGpgSignedChecksumFileAllowsTheArtifactItLists() throws Exception {
        String admin = tokenWith("admin");
        String digest = GpgFixtureTests.digest("SHA-256");
        try {
            Api.Response put = api.send("PUT", "/v1/trust/keys/release-gpg", admin, "application/pgp-keys",
                    EvidenceTestSupport.resource("openpgp/release-key.asc"));
            assertThat(put.status()).as(put.body()).isEqualTo(201);
            Api.Response policy = api.sendText("PUT", "/v1/policies/release-checksums", admin, POLICY);
            assertThat(policy.status()).as(policy.body()).isIn(200, 201);

            String item = OpenPgpTests.detached(GpgFixtureTests.text("SHA256SUMS"), GpgFixtureTests.text("SHA256SUMS.asc")).toString();
            Api.Response decided = api.postJson("/v1/decisions", tokenWith("decider"), "{\"artifact\": {\"digest\": \"" + digest + "\"},"
                    + " \"policies\": [\"release-checksums\"], \"evidence\": [" + item + "]}");
            assertThat(decided.status()).as(decided.body()).isEqualTo(200);
            JsonNode d = decided.json();
            assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
            JsonNode identity = d.get("evidence").get(0).get("identity");
            assertThat(identity.get("kind").asString()).isEqualTo("openpgp");
            assertThat(identity.get("fingerprint").asString()).isEqualTo(GpgFixtureTests.FINGERPRINT);

            JsonNode again = api.postJson("/v1/decisions", tokenWith("decider"),
                    "{\"artifact\": {\"digest\": \"" + digest + "\"}, \"policies\": [\"release-checksums\"]}").json();
            assertThat(again.get("allowed").asBoolean()).as(again.toString()).isTrue();
            assertThat(again.get("evidence").get(0).get("source").asString()).isEqualTo("stored");

            // another artifact is not in the file
            JsonNode other = api.postJson("/v1/decisions", tokenWith("decider"), "{\"artifact\": {\"digest\": \"sha256:" + "12".repeat(32)
                    + "\"}, \"policies\": [\"release-checksums\"], \"evidence\": [" + item + "]}").json();
            assertThat(other.get("allowed").asBoolean()).isFalse();
            assertThat(other.get("evidence").get(0).get("code").asString()).isEqualTo("evidence_digest_mismatch");

            Api.Response secret = api.send("PUT", "/v1/trust/keys/secret-gpg", admin, "application/pgp-keys",
                    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n".getBytes());
            assertThat(secret.status()).isEqualTo(422);
            assertThat(secret.body()).contains("private key");
            Api.Response bad = api.postJson("/v1/decisions", tokenWith("decider"), "{\"artifact\": {\"digest\": \"" + digest + "\"},"
                    + " \"evidence\": [{\"openpgp\": {\"signedFile\": \"x\", \"signature\": \"not armored\"}}]}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.isProblem()).isTrue();
        } finally {
            api.delete("/v1/policies/release-checksums", admin);
            api.delete("/v1/trust/keys/release-gpg", admin);
        }
    }
}
