package dev.tollgate.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

class TrustApiIntegrationTests extends IntegrationTest {

    private static final String CONFORMANCE = "src/test/resources/sigstore/conformance/bundle-verify/";

    @Autowired
    TrustStore store;
    @Autowired
    EvidenceVerifier verifier;
    @Autowired
    JdbcTemplate jdbc;

    private String admin() {
        return tokenWith("policy-admin");
    }

    static byte[] file(String path) {
        try {
            return java.nio.file.Files.readAllBytes(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    static KeyPair keys(String algorithm, Object parameter) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (parameter instanceof String curve) {
            generator.initialize(new ECGenParameterSpec(curve));
        } else if (parameter instanceof Integer bits) {
            generator.initialize(bits);
        }
        return generator.generateKeyPair();
    }

    @Test
    void theShippedPublicGoodRootAndTheTrustDirectoryAreHeld() {
        JsonNode roots = api.get("/v1/trust/roots", tokenWith("auditor")).json().get("items");
        assertThat(roots.valueStream().map(r -> r.get("name").asString())).contains("public-good", "conformance-rekor2");
        JsonNode publicGood = api.get("/v1/trust/roots/public-good", tokenWith("auditor")).json();
        assertThat(publicGood.get("sha256").asString()).isEqualTo("6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66");
        assertThat(publicGood.get("trustedRoot").get("tlogs").isArray()).isTrue();
        JsonNode key = api.get("/v1/trust/keys/conformance-managed", tokenWith("auditor")).json();
        assertThat(key.get("pem").asString()).contains("BEGIN PUBLIC KEY");
    }

    @Test
    void rootsAreValidatedCreatedReplacedAndRemoved() {
        byte[] root = file(CONFORMANCE + "rekor2-checkpoint-cosigned/trusted_root.json");
        Api.Response created = api.send("PUT", "/v1/trust/roots/api-root", admin(), "application/json", root);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("sha256").asString()).hasSize(64);
        Api.Response replaced = api.send("PUT", "/v1/trust/roots/api-root", admin(), "application/json", root);
        assertThat(replaced.status()).isEqualTo(200);

        byte[] noStart = file(CONFORMANCE + "trust-root-tlog-missing-validity-start_fail/trusted_root.json");
        Api.Response refused = api.send("PUT", "/v1/trust/roots/bad-root", admin(), "application/json", noStart);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("detail").asString()).contains("validFor.start");
        for (String bad : new String[] {"{", "[]", "{}", "{\"tlogs\": 5}", "\"x\""}) {
            assertThat(api.send("PUT", "/v1/trust/roots/bad-root", admin(), "application/json", bad.getBytes()).status())
                    .as(bad).isIn(400, 422);
        }
        assertThat(api.send("PUT", "/v1/trust/roots/bad-root", admin(), "text/plain", root).status()).isEqualTo(415);
        assertThat(api.send("PUT", "/v1/trust/roots/Bad_Name", admin(), "application/json", root).status()).isEqualTo(400);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM trust_material WHERE name = 'bad-root'", Integer.class)).isZero();

        assertThat(api.delete("/v1/trust/roots/api-root", admin()).status()).isEqualTo(204);
        assertThat(api.get("/v1/trust/roots/api-root", admin()).status()).isEqualTo(404);
        assertThat(api.delete("/v1/trust/roots/api-root", admin()).status()).isEqualTo(404);
    }

    @Test
    void keysAreCheckedForTypeStrengthAndExpiry() throws Exception {
        assertThat(api.send("PUT", "/v1/trust/keys/p256", admin(), "application/x-pem-file",
                pem(keys("EC", "secp256r1")).getBytes()).status()).isEqualTo(201);
        assertThat(api.send("PUT", "/v1/trust/keys/p384", admin(), "text/plain",
                pem(keys("EC", "secp384r1")).getBytes()).status()).isEqualTo(201);
        assertThat(api.send("PUT", "/v1/trust/keys/ed25519", admin(), "text/plain",
                pem(keys("Ed25519", null)).getBytes()).status()).isEqualTo(201);
        assertThat(api.send("PUT", "/v1/trust/keys/rsa2048", admin(), "text/plain",
                pem(keys("RSA", 2048)).getBytes()).status()).isEqualTo(201);

        Api.Response weak = api.send("PUT", "/v1/trust/keys/rsa1024", admin(), "text/plain", pem(keys("RSA", 1024)).getBytes());
        assertThat(weak.status()).isEqualTo(422);
        assertThat(weak.json().get("detail").asString()).contains("2048");
        Api.Response curve = api.send("PUT", "/v1/trust/keys/p521", admin(), "text/plain", pem(keys("EC", "secp521r1")).getBytes());
        assertThat(curve.status()).isEqualTo(422);
        Api.Response garbage = api.send("PUT", "/v1/trust/keys/garbage", admin(), "text/plain",
                file(CONFORMANCE + "managed-key-wrong-key_fail/key.pub"));
        assertThat(garbage.status()).isEqualTo(422);
        assertThat(api.send("PUT", "/v1/trust/keys/empty", admin(), "text/plain", new byte[0]).status()).isEqualTo(422);

        // a Fulcio leaf certificate: valid for ten minutes, long ago
        JsonNode bundle = json.readTree(file(CONFORMANCE + "happy-path-v0.3/bundle.sigstore.json"));
        String certificate = "-----BEGIN CERTIFICATE-----\n"
                + bundle.get("verificationMaterial").get("certificate").get("rawBytes").asString() + "\n-----END CERTIFICATE-----\n";
        Api.Response expired = api.send("PUT", "/v1/trust/keys/expired", admin(), "text/plain",
                certificate.getBytes(StandardCharsets.US_ASCII));
        assertThat(expired.status()).isEqualTo(422);
        assertThat(expired.json().get("detail").asString()).contains("expired");

        assertThat(api.send("PUT", "/v1/trust/keys/p256", admin(), "application/json", "{}".getBytes()).status()).isEqualTo(415);
        assertThat(api.get("/v1/trust/keys", tokenWith("auditor")).json().get("items").valueStream()
                .map(k -> k.get("name").asString())).contains("p256", "p384", "ed25519", "rsa2048").doesNotContain("rsa1024", "expired");
    }

    @Test
    void rootsAndKeysShareOneNamespace() throws Exception {
        assertThat(api.send("PUT", "/v1/trust/keys/shared-name", admin(), "text/plain",
                pem(keys("EC", "secp256r1")).getBytes()).status()).isEqualTo(201);
        Api.Response conflict = api.send("PUT", "/v1/trust/roots/shared-name", admin(), "application/json",
                file(CONFORMANCE + "rekor2-happy-path/trusted_root.json"));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(api.delete("/v1/trust/roots/shared-name", admin()).status()).isEqualTo(404);
        assertThat(api.delete("/v1/trust/keys/shared-name", admin()).status()).isEqualTo(204);
    }

    @Test
    void replacingARootTakesEffectWithoutRestart() {
        byte[] bundle = file(CONFORMANCE + "rekor2-happy-path/bundle.sigstore.json");
        String digest = "sha256:" + dev.tollgate.evidence.EvidenceTestSupport.sha256(file(CONFORMANCE + "a.txt"));
        JsonNode item = json.readTree("{\"bundle\": " + new String(bundle, StandardCharsets.UTF_8) + "}");

        byte[] rekor2Root = file(CONFORMANCE + "rekor2-happy-path/trusted_root.json");
        assertThat(api.send("PUT", "/v1/trust/roots/swap-root", admin(), "application/json", rekor2Root).status()).isEqualTo(201);
        EvidenceResult before = verifier.verify(verifier.read(0, item), digest, store.current());
        assertThat(before.ok()).isTrue();
        assertThat(before.verified().signer().trustRoots()).contains("swap-root");

        byte[] other = file(CONFORMANCE + "intoto-with-custom-trust-root/trusted_root.json");
        assertThat(api.send("PUT", "/v1/trust/roots/swap-root", admin(), "application/json", other).status()).isEqualTo(200);
        EvidenceResult after = verifier.verify(verifier.read(0, item), digest, store.current());
        assertThat(after.ok() ? after.verified().signer().trustRoots() : java.util.List.of()).doesNotContain("swap-root");

        assertThat(api.delete("/v1/trust/roots/swap-root", admin()).status()).isEqualTo(204);
    }
}
