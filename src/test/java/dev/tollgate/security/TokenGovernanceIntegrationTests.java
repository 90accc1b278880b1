package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import dev.tollgate.digest.Digest;

/** Who changed which token: revocations stay listed, chosen secrets are slow-hashed, every change is in the admin log. */
class TokenGovernanceIntegrationTests extends IntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Tokens tokens;

    private JsonNode listed(String name) {
        return api.get("/v1/tokens", BOOTSTRAP_TOKEN).json().get("items").valueStream()
                .filter(t -> t.get("name").asString().equals(name)).findFirst().orElseThrow();
    }

    private JsonNode events(String query) {
        Api.Response response = api.get("/v1/audit/admin-events" + query, tokenWith("auditor"));
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("items");
    }

    @Test
    void aRevokedTokenStaysListedAsRevokedAndItsNameIsNotReused() {
        String secret = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "gov-revoked", "roles", List.of("decider")))
                .json().get("token").asString();
        assertThat(api.delete("/v1/tokens/gov-revoked", BOOTSTRAP_TOKEN).status()).isEqualTo(204);

        JsonNode revoked = listed("gov-revoked");
        assertThat(revoked.get("revokedBy").asString()).isEqualTo("bootstrap");
        assertThat(revoked.get("revokedAt").isNull()).isFalse();
        assertThat(api.postJson("/v1/decisions", secret, Api.map("artifact", Api.map("digest", "sha256:" + "0".repeat(64))))
                .status()).isEqualTo(401);
        Api.Response again = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "gov-revoked", "roles", List.of("admin")));
        assertThat(again.status()).isEqualTo(422);
        assertThat(again.json().get("detail").asString()).contains("revoked");
    }

    @Test
    void tokenChangesAreInTheAdminLogWithWhoAndWhat() {
        api.postJson("/v1/tokens", BOOTSTRAP_TOKEN, Api.map("name", "gov-logged", "roles", List.of("auditor", "decider")));
        api.delete("/v1/tokens/gov-logged", BOOTSTRAP_TOKEN);

        JsonNode items = events("?target=gov-logged");
        assertThat(items.valueStream().map(e -> e.get("action").asString())).containsExactly("token.revoke", "token.create");
        JsonNode created = items.get(1);
        assertThat(created.get("actor").asString()).isEqualTo("bootstrap");
        assertThat(created.get("details").get("roles").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("auditor", "decider");
        assertThat(created.toString()).doesNotContain("tg_");
        assertThat(events("?action=token.create&target=gov-logged")).hasSize(1);
        assertThat(events("?since=2999-01-01T00:00:00Z")).isEmpty();

        // append-only, for the application's role and a superuser alike
        assertThatThrownBy(() -> jdbc.update("UPDATE admin_event SET actor = 'someone-else' WHERE target = 'gov-logged'"))
                .hasStackTraceContaining("not allowed");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM admin_event WHERE target = 'gov-logged'"))
                .hasStackTraceContaining("not allowed");
    }

    @Test
    void adminEventsAreForAuditorsOnlyAndTheirFiltersAreChecked() {
        assertThat(api.get("/v1/audit/admin-events", null).status()).isEqualTo(401);
        assertThat(api.get("/v1/audit/admin-events", tokenWith("decider")).status()).isEqualTo(403);
        assertThat(api.get("/v1/audit/admin-events", tokenWith("policy-admin")).status()).isEqualTo(403);
        for (String bad : List.of("?limit=0", "?limit=501", "?limit=x", "?cursor=x", "?since=yesterday", "?nosuch=1",
                "?since=%2B999999999-12-31T23:59:59Z")) {
            Api.Response response = api.get("/v1/audit/admin-events" + bad, tokenWith("auditor"));
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.isProblem()).isTrue();
        }
        JsonNode first = api.get("/v1/audit/admin-events?limit=1", tokenWith("auditor")).json();
        String cursor = first.get("nextCursor").asString();
        JsonNode next = api.get("/v1/audit/admin-events?limit=1&cursor=" + cursor, tokenWith("auditor")).json();
        assertThat(next.get("items").get(0).get("sequence").asLong())
                .isLessThan(first.get("items").get(0).get("sequence").asLong());
    }

    @Test
    void theOperatorChosenBootstrapSecretIsKeptOnlyAsAnArgon2idHash() {
        var row = jdbc.queryForMap("SELECT secret_sha256, secret_kdf FROM api_token WHERE name = 'bootstrap'");
        assertThat(row.get("secret_sha256")).isNull();
        assertThat((String) row.get("secret_kdf")).startsWith("$argon2id$");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_token WHERE secret_sha256 = ?", Long.class,
                Digest.sha256(BOOTSTRAP_TOKEN).hex())).isZero();
        assertThat(api.get("/v1/tokens", BOOTSTRAP_TOKEN).status()).isEqualTo(200);
        assertThat(api.get("/v1/tokens", BOOTSTRAP_TOKEN + "x").status()).isEqualTo(401);
    }

    @Test
    void aBootstrapTokenStoredAsPlainSha256ByAnEarlierVersionIsRehashedOnFirstUse() {
        String kdf = jdbc.queryForObject("SELECT secret_kdf FROM api_token WHERE name = 'bootstrap'", String.class);
        String createdBy = jdbc.queryForObject("SELECT created_by FROM api_token WHERE name = 'bootstrap'", String.class);
        try {
            jdbc.update("UPDATE api_token SET secret_kdf = NULL, secret_sha256 = ?, created_by = 'environment' WHERE name = 'bootstrap'",
                    Digest.sha256(BOOTSTRAP_TOKEN).hex());
            tokens.forgetAll(); // the next line must go to the database
            assertThat(tokens.authenticate(BOOTSTRAP_TOKEN)).isPresent();
            var row = jdbc.queryForMap("SELECT secret_sha256, secret_kdf FROM api_token WHERE name = 'bootstrap'");
            assertThat(row.get("secret_sha256")).isNull();
            assertThat((String) row.get("secret_kdf")).startsWith("$argon2id$");
            assertThat(events("?action=token.rehash&target=bootstrap")).isNotEmpty();
        } finally {
            jdbc.update("UPDATE api_token SET secret_sha256 = NULL, secret_kdf = ?, created_by = ? WHERE name = 'bootstrap'",
                    kdf, createdBy);
        }
    }
}
