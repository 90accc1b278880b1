package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Trust settings through the API: a root that accepts bundles without a log entry (GitHub's
 * instance, real attestation, decided with a policy on the new signer fields and the trace in
 * the answer), key validity windows as query parameters, and material that can never verify
 * refused with 422.
 */
class TrustSettingsIntegrationTests extends IntegrationTest {

    static final String DIGEST = "sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551";
    static final String POLICY = """
            policy "private-provenance" {
              rule timestamped-by-github {
                require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
                  and a.signer.transparencyLog == false
                  and (any t in a.signer.timestampedBy: t matches ".*GitHub.*")
                  and a.signer.integratedTime == null
                message "needs GitHub-timestamped provenance"
              }
            }
            """;

    String admin() {
        return tokenWith("policy-admin");
    }

    @Test
    void aRootWithoutTransparencyLogRequirementVerifiesGithubPrivateAttestations() {
        String admin = admin();
        byte[] root = TrustSettingsTests.githubRoot();
        try {
            Api.Response created = api.send("PUT", "/v1/trust/roots/github-private?requireTransparencyLog=false", admin,
                    "application/json", root);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("requireTransparencyLog").asBoolean()).isFalse();
            JsonNode listed = api.get("/v1/trust/roots", tokenWith("auditor")).json().get("items");
            assertThat(listed.valueStream().filter(r -> r.get("name").asString().equals("public-good")))
                    .singleElement().satisfies(r -> assertThat(r.get("requireTransparencyLog").asBoolean()).isTrue());
            assertThat(api.get("/v1/trust/roots/github-private", admin).json().get("requireTransparencyLog").asBoolean()).isFalse();

            assertThat(api.sendText("PUT", "/v1/policies/private-provenance", admin, POLICY).status()).isIn(200, 201);
            String bundle = new String(EvidenceTestSupport.resource("sigstore/sigstore-java/github-private-no-tlog/attestation.sigstore.json"),
                    StandardCharsets.UTF_8);
            String body = "{\"artifact\": {\"digest\": \"" + DIGEST + "\"}, \"policies\": [\"private-provenance\"],"
                    + " \"storedEvidence\": false, \"evidence\": [{\"bundle\": " + bundle + "}]}";
            Api.Response decision = api.postJson("/v1/decisions", tokenWith("decider"), body);
            assertThat(decision.status()).as(decision.body()).isEqualTo(200);
            JsonNode d = decision.json();
            assertThat(d.get("allowed").asBoolean()).as(d.toString()).isTrue();
            JsonNode evidence = d.get("evidence").get(0);
            assertThat(evidence.get("trustRoots").valueStream().map(JsonNode::asString)).containsExactly("github-private");
            assertThat(evidence.get("trace").valueStream().map(t -> t.get("material").asString() + ":" + t.get("outcome").asString()))
                    .contains("github-private:verified", "public-good:failed");

            // with the default (a log entry required) the same bundle is not evidence
            assertThat(api.send("PUT", "/v1/trust/roots/github-private", admin, "application/json", root).status()).isEqualTo(200);
            JsonNode strict = api.postJson("/v1/decisions", tokenWith("decider"), body).json();
            assertThat(strict.get("allowed").asBoolean()).isFalse();
            JsonNode refused = strict.get("evidence").get(0);
            assertThat(refused.get("verified").asBoolean()).isFalse();
            assertThat(refused.get("code").asString()).isEqualTo("evidence_tlog_invalid");
            assertThat(refused.get("reason").asString()).contains("requires one");
        } finally {
            api.delete("/v1/policies/private-provenance", admin);
            api.delete("/v1/trust/roots/github-private", admin);
        }
    }

    @Test
    void settingsAreCheckedAsQueryParameters() {
        String admin = admin();
        byte[] root = TrustSettingsTests.githubRoot();
        for (String query : List.of("requireTransparencyLog=maybe", "requireTransparencylog=false", "validFrom=2026-01-01T00:00:00Z",
                "requireTransparencyLog=false&requireTransparencyLog=true")) {
            Api.Response r = api.send("PUT", "/v1/trust/roots/settings-root?" + query, admin, "application/json", root);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.isProblem()).isTrue();
        }
        byte[] pem = KeyBundleTests.pem(MintedSigstore.ec()).getBytes(StandardCharsets.US_ASCII);
        assertThat(api.send("PUT", "/v1/trust/keys/settings-key?validFrom=yesterday", admin, "application/x-pem-file", pem).status())
                .isEqualTo(400);
        assertThat(api.send("PUT", "/v1/trust/keys/settings-key?requireTransparencyLog=false", admin, "application/x-pem-file", pem)
                .status()).isEqualTo(400);
        Api.Response reversed = api.send("PUT", "/v1/trust/keys/settings-key?validFrom=2026-02-01T00:00:00Z&validUntil=2026-01-01T00:00:00Z",
                admin, "application/x-pem-file", pem);
        assertThat(reversed.status()).isEqualTo(422);
        assertThat(api.get("/v1/trust/keys/settings-key", admin).status()).isEqualTo(404);
        assertThat(api.get("/v1/trust/roots/settings-root", admin).status()).isEqualTo(404);

        try {
            Api.Response key = api.send("PUT", "/v1/trust/keys/settings-key?validFrom=2026-01-01T00:00:00Z&validUntil=2027-01-01T01:00:00%2B01:00",
                    admin, "application/x-pem-file", pem);
            assertThat(key.status()).as(key.body()).isEqualTo(201);
            assertThat(key.json().get("validFrom").asString()).isEqualTo("2026-01-01T00:00:00Z");
            assertThat(key.json().get("validUntil").asString()).isEqualTo("2027-01-01T00:00:00Z");
            JsonNode listed = api.get("/v1/trust/keys", tokenWith("auditor")).json().get("items");
            assertThat(listed.valueStream().filter(k -> k.get("name").asString().equals("settings-key")))
                    .singleElement().satisfies(k -> assertThat(k.get("validUntil").asString()).isEqualTo("2027-01-01T00:00:00Z"));
            // a replacement replaces the settings: no window any more
            Api.Response replaced = api.send("PUT", "/v1/trust/keys/settings-key", admin, "application/x-pem-file", pem);
            assertThat(replaced.status()).isEqualTo(200);
            assertThat(replaced.json().has("validFrom")).isFalse();
        } finally {
            api.delete("/v1/trust/keys/settings-key", admin);
        }
    }

    @Test
    void trustMaterialThatCanNeverVerifyIsRefusedNamingTheEntry() {
        MintedSigstore.Fulcio fulcio = new MintedSigstore.Fulcio("Upload");
        byte[] rootFirst = MintedSigstore.trustedRoot(List.of(MintedSigstore.authority(fulcio.uri, List.of(fulcio.root, fulcio.intermediate))),
                List.of(), List.of());
        Api.Response refused = api.send("PUT", "/v1/trust/roots/root-first", admin(), "application/json", rootFirst);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("detail").asString()).isEqualTo(
                "invalid trusted root: certificateAuthorities[0].certChain is listed root-first;"
                        + " list it from the issuing CA certificate up to the root");
        assertThat(api.get("/v1/trust/roots/root-first", admin()).status()).isEqualTo(404);
    }
}
