package dev.tollgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.decision.UnavailableDecisions;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes the reading of AdmissionReviews (seeded with the real reviews of the test resources)
 * against a decision service that decides nothing: the reviewer always answers a well-formed
 * AdmissionReview, never throws, and never allows a review for which it asked for a decision
 * (fail closed). Findings land in
 * src/test/resources/dev/tollgate/admission/AdmissionReviewFuzzTestsInputs/review.
 */
class AdmissionReviewFuzzTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UnavailableDecisions DECISIONS = new UnavailableDecisions();
    private static final AdmissionReviewer REVIEWER = new AdmissionReviewer(DECISIONS,
            new AdmissionProperties("fuzz", List.of("kube-system"), java.time.Duration.ofSeconds(8),
                    new AdmissionProperties.BreakGlass(List.of())), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

    static Stream<byte[]> seeds() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/admission"))) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().map(p -> {
                try {
                    return Files.readAllBytes(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList().stream();
        }
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void review(byte[] data) {
        JsonNode review;
        try {
            review = JSON.readTree(data);
        } catch (JacksonException e) {
            return;
        }
        if (review == null || !review.isObject()) {
            return; // the controller answers these 400
        }
        int before = DECISIONS.asked();
        JsonNode answer = REVIEWER.review(review, "fuzz");
        assertThat(answer.path("kind").asString("")).isEqualTo("AdmissionReview");
        assertThat(answer.path("apiVersion").asString("")).startsWith("admission.k8s.io/");
        JsonNode response = answer.get("response");
        assertThat(response).isNotNull();
        assertThat(response.get("uid").isString()).isTrue();
        assertThat(response.get("allowed").isBoolean()).isTrue();
        if (DECISIONS.asked() > before) {
            assertThat(response.get("allowed").booleanValue()).as("allowed without a decision").isFalse();
        }
        String message = response.path("status").path("message").asString("");
        assertThat(message).doesNotContain("\n").doesNotContain("\r");
    }
}
