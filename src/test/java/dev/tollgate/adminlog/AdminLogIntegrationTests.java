package dev.tollgate.adminlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Policy and trust changes, and the configured exemptions, are in the admin log with who and what. */
class AdminLogIntegrationTests extends IntegrationTest {

    private static final String POLICY = "admin-log-policy";

    private JsonNode events(String target) {
        Api.Response response = api.get("/v1/audit/admin-events?target=" + target, tokenWith("auditor"));
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("items");
    }

    private static String policy(String description) {
        return "policy \"" + POLICY + "\" {\n  description \"" + description + "\"\n"
                + "  rule anything { require artifact.digest startsWith \"sha256:\" }\n}\n";
    }

    @Test
    void policyUploadsActivationsAndDeactivationsSayWhoAndWhichVersion() {
        String admin = tokenWith("policy-admin");
        assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, admin, policy("one")).status()).isEqualTo(201);
        assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, admin, policy("two")).status()).isEqualTo(201);
        assertThat(api.sendText("PUT", "/v1/policies/" + POLICY, admin, policy("two")).status()).isEqualTo(200); // no change
        assertThat(api.postJson("/v1/policies/" + POLICY + "/activate", admin, Api.map("version", 1)).status()).isEqualTo(200);
        assertThat(api.delete("/v1/policies/" + POLICY, admin).status()).isEqualTo(204);

        JsonNode items = events(POLICY);
        assertThat(items.valueStream().map(e -> e.get("action").asString()))
                .containsExactly("policy.deactivate", "policy.activate", "policy.upload", "policy.upload");
        assertThat(items.valueStream().map(e -> e.get("actor").asString()).distinct().toList())
                .containsExactly(api.get("/v1/tokens", BOOTSTRAP_TOKEN).json().get("items").valueStream()
                        .map(t -> t.get("name").asString()).filter(n -> n.startsWith("test-policy-admin")).findFirst().orElseThrow());
        JsonNode activation = items.get(1).get("details");
        assertThat(activation.get("version").asInt()).isEqualTo(1);
        assertThat(activation.get("previousVersion").asInt()).isEqualTo(2);
        assertThat(items.get(0).get("details").get("previousVersion").asInt()).isEqualTo(1);
        assertThat(items.get(3).get("details").get("sha256").asString()).hasSize(64);
    }

    @Test
    void trustAdditionsReplacementsAndRemovalsAreRecordedWithTheirDigests() throws Exception {
        String admin = tokenWith("policy-admin");
        byte[] first = Files.readAllBytes(Path.of("src/test/resources/sigstore/conformance/bundle-verify/"
                + "rekor2-checkpoint-cosigned/trusted_root.json"));
        byte[] second = Files.readAllBytes(Path.of("src/test/resources/sigstore/conformance/bundle-verify/"
                + "rekor2-dsse-happy-path/trusted_root.json"));
        assertThat(api.send("PUT", "/v1/trust/roots/admin-log-root", admin, "application/json", first).status()).isEqualTo(201);
        assertThat(api.send("PUT", "/v1/trust/roots/admin-log-root", admin, "application/json", second).status()).isEqualTo(200);
        assertThat(api.delete("/v1/trust/roots/admin-log-root", admin).status()).isEqualTo(204);

        JsonNode items = events("admin-log-root");
        assertThat(items.valueStream().map(e -> e.get("action").asString()))
                .containsExactly("trust.remove", "trust.replace", "trust.add");
        assertThat(items.get(1).get("details").get("previousSha256").asString())
                .isEqualTo(items.get(2).get("details").get("sha256").asString());
        assertThat(items.get(1).get("details").get("settings").get("requireTransparencyLog").asBoolean()).isTrue();
    }

    @Test
    void theConfiguredExemptionsAreRecordedAtStartUp() {
        JsonNode items = events("exempt-namespaces");
        assertThat(items).isNotEmpty();
        JsonNode latest = items.get(0);
        assertThat(latest.get("action").asString()).isEqualTo("admission.exemptions");
        assertThat(latest.get("actor").asString()).isEqualTo("configuration");
        assertThat(latest.get("details").get("namespaces").valueStream().map(JsonNode::asString))
                .containsExactly(List.of(EXEMPT_NAMESPACE).toArray(String[]::new));
    }

    @Test
    void theConfiguredBreakGlassNamespacesAreRecordedAtStartUp() {
        JsonNode items = events("break-glass-namespaces");
        assertThat(items).isNotEmpty();
        JsonNode latest = items.get(0);
        assertThat(latest.get("action").asString()).isEqualTo("admission.break-glass");
        assertThat(latest.get("actor").asString()).isEqualTo("configuration");
        assertThat(latest.get("details").get("namespaces").valueStream().map(JsonNode::asString))
                .containsExactly(BREAK_GLASS_NAMESPACE);
    }
}
