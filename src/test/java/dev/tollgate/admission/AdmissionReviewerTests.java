package dev.tollgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import dev.tollgate.decision.ArtifactRef;
import dev.tollgate.decision.DecisionAnswer;
import dev.tollgate.decision.DecisionRequest;
import dev.tollgate.decision.Decisions;
import dev.tollgate.decision.PolicyOutcome;
import dev.tollgate.decision.RuleOutcome;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** AdmissionReview in, AdmissionReview out, against a small {@link Decisions} of the test's own: no database, no HTTP. */
class AdmissionReviewerTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String A = "registry.example/app@sha256:" + "a".repeat(64);
    private static final String B = "registry.example/side:v1@sha256:" + "b".repeat(64);

    /** Answers each request with what {@code answer} says, and remembers what it was asked. */
    private static final class Scripted implements Decisions {
        final List<DecisionRequest> asked = new ArrayList<>();
        final Function<DecisionRequest, DecisionAnswer> answer;

        Scripted(Function<DecisionRequest, DecisionAnswer> answer) {
            this.answer = answer;
        }

        @Override
        public Optional<ArtifactRef> resolveTag(String name, String tag, Instant deadline) {
            return Optional.empty();
        }

        @Override
        public List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin, Instant deadline) {
            asked.addAll(requests);
            return requests.stream().map(answer).toList();
        }

        @Override
        public List<UUID> recordExempt(List<Exemption> images, Map<String, String> context, String reason, Origin origin) {
            return images.stream().map(i -> UUID.randomUUID()).toList();
        }
    }

    private static DecisionAnswer answer(DecisionRequest request, boolean allowed, List<RuleOutcome> rules) {
        PolicyOutcome policy = new PolicyOutcome("gate", 1, "x", "enforce", allowed ? "allow" : "deny", null, rules);
        return new DecisionAnswer(UUID.randomUUID(), allowed, allowed ? "allow" : "deny", null, Instant.EPOCH,
                new DecisionAnswer.Artifact(request.artifact().digest(), request.artifact().name(), request.artifact().tag()),
                List.of(policy), List.of(), List.of(), false, 1L);
    }

    private static JsonNode review(String... images) {
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < images.length; i++) {
            containers.append(i == 0 ? "" : ",").append("{\"name\": \"c").append(i).append("\", \"image\": \"").append(images[i])
                    .append("\"}");
        }
        return JSON.readTree("""
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "u-1", "operation": "CREATE", "namespace": "shop", "kind": {"group": "", "kind": "Pod"},
                  "userInfo": {"username": "dev"}, "object": {"metadata": {"name": "p"}, "spec": {"containers": [%s]}}}}
                """.formatted(containers));
    }

    private static JsonNode review(Decisions decisions, JsonNode review) {
        return new AdmissionReviewer(decisions, new AdmissionProperties("test-cluster", List.of(), java.time.Duration.ofSeconds(8),
                new AdmissionProperties.BreakGlass(List.of())), new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                .review(review, "webhook")
                .get("response");
    }

    @Test
    void everyDistinctImageIsDecidedWithTheReviewAsContextAndAllowedOnlyIfEachIs() {
        Scripted decisions = new Scripted(r -> answer(r, true, List.of(new RuleOutcome("signed", "pass", List.of(), null, null))));
        JsonNode response = review(decisions, review(A, B, A));
        assertThat(response.get("uid").asString()).isEqualTo("u-1");
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(decisions.asked).extracting(r -> r.artifact().name()).containsExactly("registry.example/app", "registry.example/side");
        assertThat(decisions.asked.get(0).context()).containsEntry("namespace", "shop").containsEntry("kind", "Pod")
                .containsEntry("name", "p").containsEntry("username", "dev").containsEntry("cluster", "test-cluster");
        assertThat(decisions.asked.get(0).policies()).isNull(); // admission never names policies
        assertThat(response.get("auditAnnotations").get("decisions").asString().split(",")).hasSize(2);
    }

    @Test
    void aRefusalNamesTheImageAndTheFailingRuleOnOneLine() {
        Scripted decisions = new Scripted(r -> answer(r, !r.artifact().name().endsWith("side"),
                List.of(new RuleOutcome("signed", "fail", List.of(), "must be signed\nby the release", "no signature"))));
        JsonNode response = review(decisions, review(A, B));
        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
        assertThat(response.get("status").get("message").asString())
                .isEqualTo(B + ": gate/signed: must be signed by the release");
    }

    @Test
    void aDecisionThatCannotBeMadeRefusesInAdmissionsOwnWordsWithoutTheExceptionText() {
        Scripted decisions = new Scripted(r -> {
            throw new IllegalStateException("ProblemDetail[type=https://tollgate.dev/problems/internal, secret]");
        });
        JsonNode response = review(decisions, review(A));
        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("message").asString())
                .isEqualTo(A + ": no decision could be made and recorded (an internal error; retry later)")
                .doesNotContain("ProblemDetail").doesNotContain("secret");
    }
}
