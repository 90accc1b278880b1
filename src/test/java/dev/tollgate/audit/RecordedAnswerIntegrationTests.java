package dev.tollgate.audit;

import static dev.tollgate.support.DecisionFixtures.A_TXT;
import static dev.tollgate.support.DecisionFixtures.MESSAGE_BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.tollgate.decision.DecisionAnswer;
import dev.tollgate.support.Api;
import dev.tollgate.support.DecisionFixtures;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The answer a caller receives is the response the audit log stored and hashed: the same value
 * in the {@code response} column, the same canonical bytes, and the stored chain hash recomputes
 * from the stored columns with the returned answer in place of the response — followed by what
 * only the commit yields, the {@code receipt} (whose leaf hash is computed over the stored response,
 * so it cannot be inside it) and the signed {@code vsa}; the receipt recomputes from the stored row.
 */
class RecordedAnswerIntegrationTests extends IntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void theAnswerReturnedIsTheResponseStoredAndHashed() {
        String policy = "policy \"answer-as-stored\" { rule r { require any s in signatures: s.kind == \"keyless\" }\n"
                + " rule c { require context.environment == \"prod\" message \"prod only\" } }";
        assertThat(api.sendText("PUT", "/v1/policies/answer-as-stored", tokenWith("policy-admin"), policy).status()).isIn(200, 201);
        String body = "{\"artifact\": {\"digest\": \"" + A_TXT + "\", \"name\": \"example.com/a\", \"tag\": \"v1\"},"
                + " \"context\": {\"environment\": \"test\"}, \"policies\": [\"answer-as-stored\", \"not-there\"],"
                + " \"evidence\": [{\"bundle\": " + MESSAGE_BUNDLE + "}]}";
        Api.Response response = api.postJson("/v1/decisions", tokenWith("decider"), body);
        assertThat(response.status()).isEqualTo(200);
        JsonNode returned = response.json();
        assertThat(returned.get("sequence").isIntegralNumber()).isTrue();
        JsonNode receipt = returned.get("receipt");
        assertThat(returned.has("vsa")).isTrue();
        // the two members after sequence are what the commit adds; the rest is the stored response
        assertThat(List.copyOf(returned.propertyNames())).endsWith("sequence", "receipt", "vsa");
        tools.jackson.databind.node.ObjectNode answer = ((tools.jackson.databind.node.ObjectNode) returned).deepCopy();
        answer.remove(List.of("receipt", "vsa"));

        Map<String, Object> row = jdbc.queryForMap("SELECT *, response::text AS response_text, impact::text AS impact_text,"
                + " request::text AS request_text FROM decision WHERE decision_id = ?::uuid", answer.get("decisionId").asString());
        JsonNode stored = json.readTree((String) row.get("response_text"));
        assertThat(stored).isEqualTo(answer);
        assertThat(DecisionChain.canonical(answer)).isEqualTo(DecisionChain.canonical(stored));
        // byte for byte: the stored response, read as the answer type, with the receipt and VSA returned, is written as
        // the very bytes returned
        DecisionAnswer typed = json.readValue(response.body(), DecisionAnswer.class);
        assertThat(json.writeValueAsString(json.readValue((String) row.get("response_text"), DecisionAnswer.class)
                .recorded(typed.sequence(), typed.receipt()).withVsa(typed.vsa()))).isEqualTo(response.body());
        assertThat(typed.stored()).isEqualTo(json.readValue((String) row.get("response_text"), DecisionAnswer.class));
        assertThat(((Number) row.get("sequence")).longValue()).isEqualTo(answer.get("sequence").asLong());

        Object[] names = jdbc.queryForObject("SELECT policy_names FROM decision WHERE decision_id = ?::uuid",
                (rs, i) -> (Object[]) rs.getArray(1).getArray(), answer.get("decisionId").asString());
        DecisionChain.Columns columns = new DecisionChain.Columns(answer.get("decisionId").asString(),
                ((java.sql.Timestamp) row.get("decided_at")).toInstant().toString(), (String) row.get("requester"),
                (String) row.get("source"), (Boolean) row.get("dry_run"), (String) row.get("artifact_digest"),
                (String) row.get("artifact_name"), (String) row.get("artifact_tag"), (Boolean) row.get("allowed"),
                (String) row.get("outcome"), Arrays.stream(names).map(String.class::cast).toList(),
                json.readTree((String) row.get("impact_text")), json.readTree((String) row.get("request_text")), answer);
        assertThat(DecisionChain.hash(DecisionChain.members(columns), answer.get("sequence").asLong(),
                (String) row.get("previous_hash"))).isEqualTo(row.get("hash"));

        // the receipt: the record's place and its Merkle leaf, recomputed here from the stored columns (RFC 9162: 0x00 ‖ text)
        assertThat(receipt.get("sequence").asLong()).isEqualTo(answer.get("sequence").asLong());
        assertThat(receipt.get("leafIndex").asLong()).isEqualTo(answer.get("sequence").asLong() - 1);
        assertThat(receipt.get("origin").asString()).isEqualTo(ORIGIN);
        String text = jdbc.queryForObject("SELECT * FROM decision WHERE decision_id = ?::uuid",
                (rs, i) -> RecordText.canonical(RecordText.hashedColumns(rs, json)), answer.get("decisionId").asString());
        assertThat(dev.tollgate.digest.Digest.sha256((String) row.get("previous_hash") + text).hex()).isEqualTo(row.get("hash"));
        byte[] leaf = DecisionFixtures.sha256Bytes(new byte[] {0}, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(receipt.get("leafHash").asString()).isEqualTo(java.util.HexFormat.of().formatHex(leaf));

        // and the full record shows the answer as it was returned, with the record's own fields
        JsonNode full = api.get("/v1/decisions/" + answer.get("decisionId").asString(), tokenWith("auditor")).json();
        for (String field : List.of("decisionId", "sequence", "allowed", "outcome", "reason", "decidedAt", "artifact", "policies",
                "evidence", "warnings", "receipt")) {
            assertThat(full.get(field)).as(field).isEqualTo(returned.get(field));
        }
    }
}
