package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chain's canonical form, pinned byte for byte: an auditor's independent verifier (docs/audit.md)
 * computes exactly this, so any change to it would break every existing chain.
 */
class DecisionChainTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void canonicalJsonSortsKeysEscapesMinimallyAndWritesNumbersPlainly() {
        JsonNode node = json.readTree("{\"b\": [1, 2.50, 1e3, -0.0, 12345678901234567890], \"a\": {\"z\": null, \"é\": true, \"A\": \"x\\ty\\u0001\\\"\\\\/\"}}");
        assertThat(DecisionChain.canonical(node))
                .isEqualTo("{\"a\":{\"A\":\"x\\ty\\u0001\\\"\\\\/\",\"z\":null,\"é\":true},\"b\":[1,2.5,1000,0,12345678901234567890]}");
    }

    @Test
    void theHashCoversThePreviousHashAndEveryColumnInKeyOrder() throws Exception {
        DecisionChain.Columns columns = new DecisionChain.Columns("0190f3c2-0000-7000-8000-000000000001", "2026-11-25T10:00:00Z",
                "ci-deployer", "api", false, "sha256:" + "ab".repeat(32), "ghcr.io/acme/app", null, true, "allow",
                List.of("baseline", "prod"), json.readTree("{\"signers\":[\"s\"]}"), json.readTree("{\"artifact\":{}}"),
                json.readTree("{\"allowed\":true}"));
        String previous = "cd".repeat(32);
        String expected = previous + "{\"allowed\":true,\"artifactDigest\":\"sha256:" + "ab".repeat(32) + "\","
                + "\"artifactName\":\"ghcr.io/acme/app\",\"artifactTag\":null,\"decidedAt\":\"2026-11-25T10:00:00Z\","
                + "\"decisionId\":\"0190f3c2-0000-7000-8000-000000000001\",\"dryRun\":false,\"impact\":{\"signers\":[\"s\"]},"
                + "\"outcome\":\"allow\",\"policyNames\":[\"baseline\",\"prod\"],\"previousHash\":\"" + previous + "\","
                + "\"request\":{\"artifact\":{}},\"requester\":\"ci-deployer\",\"response\":{\"allowed\":true},"
                + "\"sequence\":42,\"source\":\"api\"}";
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected.getBytes(StandardCharsets.UTF_8)));
        assertThat(DecisionChain.hash(DecisionChain.members(columns), 42, previous)).isEqualTo(sha256);
        assertThat(DecisionChain.hash(DecisionChain.members(columns), 43, previous)).isNotEqualTo(sha256);
    }
}
