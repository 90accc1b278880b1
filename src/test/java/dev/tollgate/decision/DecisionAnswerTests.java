package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.tollgate.evidence.EvidenceFailure;
import dev.tollgate.evidence.EvidenceResult;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The answer's JSON (api.md "Response 200") from its typed parts, without a database. */
class DecisionAnswerTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UUID ID = UUID.fromString("0190f3c2-0000-7000-8000-000000000001");

    private static DecisionAnswer answer(boolean dryRun) {
        EvidenceEntry failed = EvidenceEntry.of(0, "request", new EvidenceResult("ab".repeat(32), null,
                new EvidenceFailure("evidence_untrusted", "certificate not issued by a trusted root"), null,
                List.of(new EvidenceResult.Trace("public-good", "failed", "evidence_untrusted", "no chain"))));
        PolicyOutcome policy = new PolicyOutcome("prod", 3, "cd".repeat(32), "enforce", "deny", null, List.of(
                new RuleOutcome("signed", "pass", List.of(0), null, null),
                new RuleOutcome("provenance", "fail", List.of(), "needs provenance\nfrom main", "no attestation satisfied it")));
        return new DecisionAnswer(ID, false, "deny", null, Instant.parse("2026-11-25T10:00:00.120Z"),
                new DecisionAnswer.Artifact("sha256:" + "e".repeat(64), "ghcr.io/acme/app", null), List.of(policy), List.of(failed),
                List.of(), dryRun, null);
    }

    @Test
    void membersComeInTheDocumentedOrderAndAbsentOnesAreLeftOut() {
        assertThat(JSON.writeValueAsString(answer(false))).isEqualTo("{\"decisionId\":\"" + ID + "\",\"allowed\":false,"
                + "\"outcome\":\"deny\",\"decidedAt\":\"2026-11-25T10:00:00.120Z\","
                + "\"artifact\":{\"digest\":\"sha256:" + "e".repeat(64) + "\",\"name\":\"ghcr.io/acme/app\"},"
                + "\"policies\":[{\"name\":\"prod\",\"version\":3,\"sha256\":\"" + "cd".repeat(32) + "\",\"mode\":\"enforce\","
                + "\"outcome\":\"deny\",\"rules\":[{\"name\":\"signed\",\"outcome\":\"pass\",\"evidence\":[0]},"
                + "{\"name\":\"provenance\",\"outcome\":\"fail\",\"message\":\"needs provenance\\nfrom main\","
                + "\"reason\":\"no attestation satisfied it\"}]}],"
                + "\"evidence\":[{\"index\":0,\"source\":\"request\",\"verified\":false,\"bundleSha256\":\"" + "ab".repeat(32) + "\","
                + "\"code\":\"evidence_untrusted\",\"reason\":\"certificate not issued by a trusted root\","
                + "\"trace\":[{\"material\":\"public-good\",\"outcome\":\"failed\",\"code\":\"evidence_untrusted\","
                + "\"reason\":\"no chain\"}]}],\"warnings\":[]}");
    }

    @Test
    void theRecordedAnswerEndsWithItsSequenceAndADryRunSaysSo() {
        String json = JSON.writeValueAsString(answer(true).recorded(42));
        assertThat(json).endsWith(",\"warnings\":[],\"dryRun\":true,\"sequence\":42}");
        assertThat(JSON.readValue(json, DecisionAnswer.class)).isEqualTo(answer(true).recorded(42));
    }

    @Test
    void refusalsAreSingleLineAndNameThePolicyAndRule() {
        assertThat(answer(false).refusals()).containsExactly("prod/provenance: needs provenance from main");
    }
}
