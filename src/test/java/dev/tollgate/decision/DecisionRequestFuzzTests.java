package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.DomainException;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes {@link DecisionRequest#parse(JsonNode)} (seeded with the request shapes of api.md): it
 * answers a request or a 400 {@link ApiException}, never anything else. Findings land in
 * src/test/resources/dev/tollgate/decision/DecisionRequestFuzzTestsInputs/parse.
 */
class DecisionRequestFuzzTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    static Stream<byte[]> seeds() {
        return Stream.of(
                "{\"artifact\": {\"digest\": \"" + DIGEST + "\", \"name\": \"ghcr.io/acme/app\", \"tag\": \"v1.2.3\"},"
                        + " \"context\": {\"environment\": \"prod\", \"namespace\": \"payments\"},"
                        + " \"policies\": [\"prod-images\"], \"evidence\": [{\"bundle\": {}}], \"storedEvidence\": false}",
                "{\"artifact\": {\"ref\": \"ghcr.io/acme/app@" + DIGEST + "\"}}",
                "{\"artifact\": {\"ref\": \"registry.example:5000/team/app:1.0@" + DIGEST + "\"}, \"policies\": []}",
                "{\"artifact\": {\"digest\": \"" + DIGEST + "\"}, \"context\": {\"a\": 1}}",
                "{\"artifact\": {\"digest\": \"sha256:xyz\"}}",
                "{\"artifact\": {\"digest\": \"sha512:" + "0123456789abcdef".repeat(8) + "\"}, \"evidence\": [{\"dsse\":"
                        + " {\"payloadType\": \"application/vnd.in-toto+json\", \"payload\": \"e30=\", \"signatures\": [{\"keyid\": \"k\", \"sig\": \"AAAA\"}]}},"
                        + " {\"openpgp\": {\"signedFile\": \"0123  a.tgz\\n\", \"signature\": \"-----BEGIN PGP SIGNATURE-----\"}}]}",
                "[]", "{}", "null")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void parse(byte[] data) {
        JsonNode body;
        try {
            body = JSON.readTree(data);
        } catch (JacksonException e) {
            return;
        }
        try {
            DecisionRequest request = DecisionRequest.parse(body);
            assertThat(request.artifact()).isNotNull();
            assertThat(request.artifact().digest()).matches("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");
            assertThat(request.context()).isNotNull();
        } catch (ApiException e) {
            assertThat(e.getStatusCode().value()).isEqualTo(400);
        } catch (DomainException e) {
            assertThat(e.problemType().status().value()).isEqualTo(400);
            assertThat(e.detail()).isNotBlank();
        }
    }
}
