package dev.tollgate.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.UUID;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/components?…&stillAllowed=true}: an artifact allowed in two contexts, asked again
 * as the active policies change — real attestations signed here, real decisions over HTTP, the
 * kept evidence verified again by the real verifier, nothing recorded by the question.
 */
class StillAllowedIntegrationTests extends IntegrationTest {

    private static final String KEY = "still-allowed-signer";
    private static final String PREFIX = "registry.example/still/";

    @Autowired
    SbomIndexer indexer;

    KeyPair keys;

    String attestation(String digest, String bom) throws Exception {
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\""
                + digest.substring(7) + "\"}}],\"predicateType\":\"https://cyclonedx.org/bom\",\"predicate\":" + bom + "}";
        byte[] payload = statement.getBytes(StandardCharsets.UTF_8);
        String type = "application/vnd.in-toto+json";
        byte[] pae = ("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[pae.length + payload.length];
        System.arraycopy(pae, 0, signed, 0, pae.length);
        System.arraycopy(payload, 0, signed, pae.length, payload.length);
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(keys.getPrivate());
        signature.update(signed);
        return """
                {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                 "verificationMaterial": {"publicKey": {"hint": "%s"}},
                 "dsseEnvelope": {"payload": "%s", "payloadType": "application/vnd.in-toto+json",
                                  "signatures": [{"sig": "%s", "keyid": ""}]}}
                """.formatted(KEY, Base64.getEncoder().encodeToString(payload), Base64.getEncoder().encodeToString(signature.sign()));
    }

    static String policy(String rules) {
        return "policy \"still-gate\" {\n  applies when artifact.name glob \"" + PREFIX + "**\"\n" + rules + "\n}\n";
    }

    void activate(String admin, String source) {
        Api.Response put = api.sendText("PUT", "/v1/policies/still-gate", admin, source);
        assertThat(put.status()).as(put.body()).isIn(200, 201);
    }

    JsonNode decide(String digest, String name, String environment, String bundle) {
        String body = "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"" + name + "\"}, \"context\": {\"environment\": \""
                + environment + "\"}" + (bundle == null ? "" : ", \"evidence\": [{\"bundle\": " + bundle + "}]") + "}";
        Api.Response r = api.postJson("/v1/decisions", tokenWith("decider"), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    JsonNode artifact(String component, String digest) {
        Api.Response r = api.get("/v1/components?name=" + component + "&stillAllowed=true", tokenWith("auditor"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (JsonNode item : r.json().get("items")) {
            if (item.get("digest").asString().equals(digest)) {
                return item;
            }
        }
        throw new AssertionError(digest + " not in " + r.body());
    }

    static JsonNode where(JsonNode artifact, String environment) {
        for (JsonNode w : artifact.get("decisions")) {
            if (environment.equals(w.path("environment").asString(null))) {
                return w;
            }
        }
        throw new AssertionError("no context " + environment + " in " + artifact);
    }

    @Test
    void stillAllowedDecidesTheLastAllowedDecisionOfEachContextAgainUnderTheActivePolicies() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keys = generator.generateKeyPair();
        String admin = tokenWith("policy-admin");
        for (JsonNode p : api.get("/v1/policies", admin).json().get("items")) {
            api.delete("/v1/policies/" + p.get("name").asString(), admin);
        }
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Api.Response put = api.send("PUT", "/v1/trust/keys/" + KEY, admin, "application/x-pem-file", pem.getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).as(put.body()).isIn(200, 201);
        activate(admin, policy("""
                  rule has-sbom {
                    require any a in attestations: a.predicateType == "https://cyclonedx.org/bom"
                    message "needs a CycloneDX SBOM"
                  }
                """));

        String component = "still-" + UUID.randomUUID();
        String digest = SbomIndexIntegrationTests.digestOf(component);
        String name = PREFIX + "billing";
        String bundle = attestation(digest, SbomIndexIntegrationTests.cyclonedx("1.5",
                SbomIndexIntegrationTests.cdx("pkg:maven/dev.example/" + component + "@1.0.0", component, "1.0.0", "MIT")));
        assertThat(decide(digest, name, "prod", bundle).get("allowed").asBoolean()).isTrue();
        // staging: the kept evidence is used (none given)
        JsonNode stagingDecision = decide(digest, name, "staging", null);
        assertThat(stagingDecision.get("allowed").asBoolean()).isTrue();
        indexer.indexPending();

        // dev: refused by a policy that wants staging or prod, so never allowed there
        activate(admin, policy("""
                  rule known-environment {
                    require context.environment in ["prod", "staging"]
                  }
                """));
        assertThat(decide(digest, name, "dev", null).get("allowed").asBoolean()).isFalse();

        String auditor = tokenWith("auditor");
        long recorded = api.get("/v1/decisions?digest=" + digest, auditor).json().get("items").size();

        JsonNode now = artifact(component, digest);
        assertThat(now.get("stillAllowed").asBoolean()).isTrue();
        JsonNode prod = where(now, "prod");
        assertThat(prod.get("stillAllowed").asBoolean()).isTrue();
        assertThat(prod.get("stillAllowedDetail").get("policies").get(0).get("name").asString()).isEqualTo("still-gate");
        assertThat(prod.get("stillAllowedDetail").get("policies").get(0).get("version").asInt()).isEqualTo(2);
        assertThat(prod.get("stillAllowedDetail").get("verified").asInt()).isEqualTo(1);
        assertThat(where(now, "dev").get("stillAllowed").isNull()).isTrue();
        assertThat(where(now, "dev").get("stillAllowedReason").asString()).isEqualTo("never allowed in this context");

        // the policy now looks at the context: prod only — staging is no longer allowed
        activate(admin, policy("""
                  rule prod-only {
                    require context.environment == "prod"
                    message "prod only"
                  }
                """));
        now = artifact(component, digest);
        assertThat(now.get("stillAllowed").asBoolean()).isTrue();
        assertThat(where(now, "prod").get("stillAllowed").asBoolean()).isTrue();
        JsonNode staging = where(now, "staging");
        assertThat(staging.get("stillAllowed").asBoolean()).isFalse();
        assertThat(staging.get("stillAllowedDetail").get("outcome").asString()).isEqualTo("deny");
        assertThat(staging.get("stillAllowedDetail").get("refusals").get(0).asString()).isEqualTo("still-gate/prod-only: prod only");
        assertThat(staging.get("stillAllowedDetail").get("lastAllowedDecision").asString())
                .isEqualTo(stagingDecision.get("decisionId").asString());

        // the policy now looks at the evidence: an SPDX SBOM, which the artifact never had — allowed nowhere
        activate(admin, policy("""
                  rule spdx {
                    require any a in attestations: a.predicateType == "https://spdx.dev/Document"
                    message "needs an SPDX SBOM"
                  }
                """));
        now = artifact(component, digest);
        assertThat(now.get("stillAllowed").asBoolean()).isFalse();
        assertThat(where(now, "prod").get("stillAllowedDetail").get("refusals").get(0).asString())
                .isEqualTo("still-gate/spdx: needs an SPDX SBOM");

        // the signer's key is no longer trusted: the kept evidence no longer verifies
        activate(admin, policy("""
                  rule has-sbom {
                    require any a in attestations: a.predicateType == "https://cyclonedx.org/bom"
                    message "needs a CycloneDX SBOM"
                  }
                """));
        assertThat(artifact(component, digest).get("stillAllowed").asBoolean()).isTrue();
        assertThat(api.delete("/v1/trust/keys/" + KEY, admin).status()).isIn(200, 204);
        now = artifact(component, digest);
        assertThat(now.get("stillAllowed").asBoolean()).isFalse();
        assertThat(where(now, "prod").get("stillAllowedDetail").get("verified").asInt()).isZero();

        // asking records nothing; without the parameter the answer is as before
        assertThat(api.get("/v1/decisions?digest=" + digest, auditor).json().get("items").size()).isEqualTo(recorded);
        JsonNode plain = api.get("/v1/components?name=" + component, auditor).json().get("items").get(0);
        assertThat(plain.has("stillAllowed")).isFalse();
        assertThat(api.get("/v1/components?name=" + component + "&stillAllowed=yes", auditor).status()).isEqualTo(400);
        assertThat(api.get("/v1/components?name=" + component + "&stillAllowed=true&limit=101", auditor).status()).isEqualTo(400);
        api.delete("/v1/policies/still-gate", admin);
    }
}
