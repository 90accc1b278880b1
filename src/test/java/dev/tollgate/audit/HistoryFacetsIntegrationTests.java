package dev.tollgate.audit;

import static dev.tollgate.support.DecisionFixtures.BCR_BUNDLE;
import static dev.tollgate.support.DecisionFixtures.BCR_DIGEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * History pages driven by {@code decision_facet} (V30): a policy or impact filter pages along that
 * facet's rows, the other conditions are checked on the record, and a facet row can only propose a
 * record, never make one match. Through HTTP, against PostgreSQL.
 */
class HistoryFacetsIntegrationTests extends IntegrationTest {

    private static final String SUBJECT = "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1";

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aPolicyOrImpactFilterPagesAlongItsFacetAndEveryConditionIsCheckedOnTheRecord() {
        String name = "facets-" + UUID.randomUUID().toString().substring(0, 8);
        String policy = "policy \"" + name + "\" { rule r { require size(attestations) > 0 } }";
        assertThat(api.sendText("PUT", "/v1/policies/" + name, tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        String decider = tokenWith("decider");
        List<String> attested = new ArrayList<>();
        List<String> bare = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            boolean withEvidence = i % 3 != 2;
            String body = "{\"artifact\": {\"digest\": \"" + BCR_DIGEST + "\"}, \"policies\": [\"" + name + "\"],"
                    + " \"storedEvidence\": false, \"evidence\": [" + (withEvidence ? "{\"bundle\": " + BCR_BUNDLE + "}" : "") + "]}";
            Api.Response r = api.postJson("/v1/decisions", decider, body);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            (withEvidence ? attested : bare).add(0, r.json().get("decisionId").asString());
        }
        assertThat(attested).hasSize(5);
        assertThat(bare).hasSize(2);
        String auditor = tokenWith("auditor");

        // the policy's decisions, newest first, in pages of two along the facet
        List<String> all = pages(auditor, "policy=" + name);
        assertThat(all).hasSize(7).containsAll(attested).containsAll(bare);
        // a second facet narrows by an index probe, and an outcome on the record
        assertThat(pages(auditor, "policy=" + name + "&signerSubject=" + encode(SUBJECT))).containsExactlyElementsOf(attested);
        assertThat(pages(auditor, "policy=" + name + "&outcome=deny")).containsExactlyElementsOf(bare);
        assertThat(pages(auditor, "signerSubject=" + encode(SUBJECT) + "&policy=" + name + "&outcome=allow"))
                .containsExactlyElementsOf(attested);

        // a window (and an outcome) alone: the page's sequences from the index, the records checked
        String since = jdbc.queryForObject("SELECT to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                + " FROM decision WHERE decision_id = ?::uuid", String.class, attested.get(attested.size() - 1));
        List<String> window = pages(auditor, "since=" + since + "&until=2999-01-01T00:00:00Z&outcome=deny");
        assertThat(window).containsAll(bare).doesNotContainAnyElementsOf(attested);
        List<Long> sequences = jdbc.queryForList("SELECT sequence FROM decision WHERE outcome = 'deny' AND decided_at >= ?::timestamptz"
                + " ORDER BY sequence DESC", Long.class, since);
        assertThat(window).hasSize(sequences.size());
        assertThat(pages(auditor, "since=" + since + "&until=2999-01-01T00:00:00Z")).containsAll(attested).containsAll(bare);

        // the record's facets: its policy and the impact facts of the evidence it used
        long sequence = jdbc.queryForObject("SELECT sequence FROM decision WHERE decision_id = ?::uuid", Long.class, attested.get(0));
        assertThat(jdbc.queryForList("SELECT field FROM decision_facet WHERE sequence = ? ORDER BY field", String.class, sequence))
                .contains("builderId", "issuer", "policy", "sourceRepository", "subject");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM decision_facet WHERE field = 'policy' AND value = md5(?)::uuid",
                Long.class, name)).isEqualTo(7);

        // a forged facet row proposes another record: the check on the record drops it
        String unrelated = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + BCR_DIGEST
                + "\"}, \"policies\": [\"" + name + "-not\"]}").json().get("decisionId").asString();
        long other = jdbc.queryForObject("SELECT sequence FROM decision WHERE decision_id = ?::uuid", Long.class, unrelated);
        jdbc.update("INSERT INTO decision_facet (field, value, sequence) VALUES ('policy', md5(?)::uuid, ?)", name, other);
        assertThat(pages(auditor, "policy=" + name)).containsExactlyElementsOf(all);
        Api.Response export = api.get("/v1/decisions/export?format=ndjson&policy=" + name, auditor);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body().lines().filter(l -> !l.isBlank())).hasSize(7);

        // derived, and as append-only as the record
        assertThatThrownBy(() -> jdbc.update("DELETE FROM decision_facet WHERE sequence = ?", other)).rootCause()
                .hasMessageContaining("immutable");
        assertThatThrownBy(() -> jdbc.update("UPDATE decision_facet SET sequence = sequence WHERE sequence = ?", sequence))
                .rootCause().hasMessageContaining("immutable");
    }

    private List<String> pages(String auditor, String query) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            Api.Response page = api.get("/v1/decisions?limit=2&" + query + (cursor == null ? "" : "&cursor=" + cursor), auditor);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            JsonNode json = page.json();
            json.get("items").forEach(i -> ids.add(i.get("decisionId").asString()));
            cursor = json.get("nextCursor").isNull() ? null : json.get("nextCursor").asString();
        } while (cursor != null);
        return ids;
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
