package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.tollgate.evidence.EvidenceFailure;
import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.Signer;
import dev.tollgate.evidence.VerifiedEvidence;
import dev.tollgate.evidence.intoto.Statement;
import dev.tollgate.policy.eval.EvidenceItem;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Nil;
import dev.tollgate.policy.eval.Roots;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The values a decision is made of, assembled from what it gathered, without a database: the
 * policy input holds exactly the facts {@link Roots} declares, read from the verified evidence,
 * and the record's impact facts, kept evidence and recorded request are projections of the
 * answer's evidence entries.
 */
class AnswerAssemblyTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final Instant SIGNED = Instant.parse("2026-06-01T12:00:00Z");
    private static final Signer KEYLESS = new Signer("keyless", "https://token.actions.githubusercontent.com",
            "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1", null, List.of("public-good"), SIGNED,
            Map.of("sourceRepositoryUri", "https://github.com/acme/app", "buildTrigger", "push"), List.of("tsa"), true);
    private static final Signer KEY = new Signer("key", null, null, "release-key", List.of("release-key"), null, null);

    private static Gathered attestation(int index, String source) {
        VerifiedEvidence verified = new VerifiedEvidence("attestation", KEYLESS, "https://slsa.dev/provenance/v1",
                JSON.readTree("{\"buildDefinition\": {\"buildType\": \"x\"}, \"n\": 3}"),
                List.of(new Statement.Subject("app", Map.of("sha256", "a".repeat(64))),
                        new Statement.Subject("npm", Map.of("sha512", "b".repeat(128)))),
                List.of(new VerifiedEvidence.TrustUse("public-good", "sigstore", "c".repeat(64))), "d".repeat(64));
        return gathered(index, source, new EvidenceResult("e".repeat(64), verified, null, null), "{\"x\":1}".getBytes());
    }

    private static Gathered signature(int index) {
        VerifiedEvidence verified = new VerifiedEvidence("signature", KEY, null, null, null,
                List.of(new VerifiedEvidence.TrustUse("release-key", "key", "f".repeat(64))), "1".repeat(64));
        return gathered(index, "request", new EvidenceResult("2".repeat(64), verified, null, null), null);
    }

    private static Gathered failed(int index) {
        return gathered(index, "request", new EvidenceResult("3".repeat(64), null,
                new EvidenceFailure("evidence_signature_invalid", "the signature does not verify"), null), null);
    }

    private static Gathered gathered(int index, String source, EvidenceResult result, byte[] payload) {
        return new Gathered(index, source, result, new EvidenceSubmission(null, "{}", payload, result.bundleSha256()), payload);
    }

    @Test
    void thePolicyInputHoldsTheDeclaredFactsOfTheVerifiedEvidenceOnly() {
        List<Gathered> items = List.of(attestation(0, "request"), failed(1), signature(2));
        Input input = AnswerAssembly.input(new ArtifactRef(DIGEST, "registry.example/app", null), Map.of("env", "prod"), items,
                SIGNED.plusMillis(1234).plusNanos(5));

        assertThat(input.artifact()).isEqualTo(Map.of("digest", DIGEST, "name", "registry.example/app"));
        assertThat(input.context()).isEqualTo(Map.of("env", "prod"));
        assertThat(input.now()).isEqualTo(SIGNED.plusMillis(1234));

        assertThat(input.signatures()).hasSize(1);
        EvidenceItem signature = (EvidenceItem) input.signatures().get(0);
        assertThat(signature.index()).as("its place among all the items, the failed one included").isEqualTo(2);
        assertThat(signature).isEqualTo(Map.of("kind", "key", "key", "release-key", "trustRoot", "release-key",
                "trustRoots", List.of("release-key"), "timestampedBy", List.of(), "transparencyLog", false));

        EvidenceItem attestation = (EvidenceItem) input.attestations().get(0);
        assertThat(attestation.index()).isZero();
        assertThat(attestation.keySet()).containsExactlyInAnyOrderElementsOf(Roots.ATTESTATION.fields().keySet());
        assertThat(attestation.get("predicateType")).isEqualTo("https://slsa.dev/provenance/v1");
        assertThat(attestation.get("predicate")).isEqualTo(Map.of("buildDefinition", Map.of("buildType", "x"),
                "n", new java.math.BigDecimal("3")));
        assertThat(attestation.get("subjects")).isEqualTo(List.of(Map.of("name", "app", "digest", "sha256:" + "a".repeat(64)),
                Map.of("name", "npm", "digest", "sha512:" + "b".repeat(128))));
        @SuppressWarnings("unchecked")
        Map<String, Object> signer = (Map<String, Object>) attestation.get("signer");
        assertThat(signer).containsEntry("issuer", "https://token.actions.githubusercontent.com")
                .containsEntry("integratedTime", SIGNED).containsEntry("trustRoot", "public-good")
                .containsEntry("timestampedBy", List.of("tsa")).containsEntry("transparencyLog", true)
                .containsEntry("cert", Map.of("sourceRepositoryUri", "https://github.com/acme/app", "buildTrigger", "push"))
                .doesNotContainKeys("key", "fingerprint", "userIds");
        assertThat(Roots.SIGNATURE.fields().keySet()).containsAll(signer.keySet());
    }

    @Test
    void aPredicateThatIsAbsentIsNullToThePolicy() {
        VerifiedEvidence bare = new VerifiedEvidence("attestation", KEY, "https://example.com/p", null, List.of(), List.of(), "4".repeat(64));
        Gathered item = gathered(0, "request", new EvidenceResult("5".repeat(64), bare, null, null), null);
        Input input = AnswerAssembly.input(new ArtifactRef(DIGEST, null, null), Map.of(), List.of(item), SIGNED);
        assertThat(((EvidenceItem) input.attestations().get(0)).get("predicate")).isEqualTo(Nil.NULL);
    }

    @Test
    void theRecordIsMadeOfTheAnswersEvidenceEntries() {
        List<Gathered> items = List.of(attestation(0, "request"), failed(1), attestation(2, "stored"));
        DecisionRequest request = new DecisionRequest(new ArtifactRef(DIGEST, "app", "v1"), Map.of("b", "2", "a", "1"),
                JSON.createArrayNode(), List.of("gate"), true);
        DecisionAnswer answer = AnswerAssembly.unprepared(UUID.randomUUID(), SIGNED, request.artifact(), "no time", false);
        var record = AnswerAssembly.record(answer, request, items, new Decisions.Origin("ci", "api", false));

        assertThat(record.response()).isSameAs(answer);
        assertThat(record.impact()).as("one impact per verified item").isEqualTo(List.of(items.get(0).entry().impact(),
                items.get(2).entry().impact()));
        assertThat(items.get(0).entry().impact().sourceRepository()).isEqualTo("https://github.com/acme/app");
        assertThat(record.newEvidence()).as("only what was verified for the first time is kept").hasSize(1);
        var kept = record.newEvidence().get(0);
        assertThat(kept.facts()).isEqualTo(items.get(0).entry().kept(items.get(0).result().verified()));

        var requested = (AnswerAssembly.RecordedRequest) record.request();
        assertThat(requested.context().keySet()).containsExactly("a", "b");
        assertThat(requested.evidence()).extracting(AnswerAssembly.RecordedEvidence::verified).containsExactly(true, false, true);
        assertThat(requested.evidence().get(1).code()).isEqualTo("evidence_signature_invalid");
        assertThat(requested.evidence().get(0).payloadSha256()).isEqualTo(dev.tollgate.digest.Digest.sha256("{\"x\":1}").hex());
    }
}
