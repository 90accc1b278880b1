package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.tollgate.evidence.intoto.Provenance;
import dev.tollgate.evidence.intoto.Statement;
import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/** Real SLSA provenance, GitHub artifact attestations, npm/sigstore-js and cosign bundles: see attestations/cases.yaml. */
class RealAttestationTests {

    private static final TrustStore.Snapshot PUBLIC_GOOD =
            EvidenceTestSupport.trust(EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood()));

    @TestFactory
    Stream<DynamicTest> realEvidence() {
        Object cases = new org.yaml.snakeyaml.Yaml().load(new String(
                EvidenceTestSupport.resource("attestations/cases.yaml"), StandardCharsets.UTF_8));
        JsonNode list = EvidenceTestSupport.JSON.valueToTree(cases);
        List<DynamicTest> tests = new ArrayList<>();
        EvidenceVerifier verifier = EvidenceTestSupport.verifier();
        for (JsonNode c : list) {
            String file = c.get("file").asString();
            String digest = c.get("digest").asString();
            JsonNode expect = c.get("expect");
            tests.add(DynamicTest.dynamicTest(file + " @ " + digest.substring(0, 15), () -> {
                String text = new String(EvidenceTestSupport.resource("attestations/" + file), StandardCharsets.UTF_8).strip();
                if (file.endsWith(".jsonl")) {
                    text = text.lines().findFirst().orElseThrow();
                }
                JsonNode item = EvidenceTestSupport.item(text.getBytes(StandardCharsets.UTF_8));
                if (expect.path("malformed").asBoolean(false)) {
                    assertThatThrownBy(() -> verifier.read(0, item)).isInstanceOf(MalformedEvidence.class);
                    return;
                }
                EvidenceResult result = verifier.verify(verifier.read(0, item), digest, PUBLIC_GOOD);
                if (expect.path("failed").asBoolean(false)) {
                    assertThat(result.ok()).isFalse();
                    return;
                }
                if (expect.has("code")) {
                    assertThat(result.ok()).as("%s", result).isFalse();
                    assertThat(result.failure().code()).as(result.failure().detail()).isEqualTo(expect.get("code").asString());
                    if (expect.has("observed")) {
                        assertThat(result.observed()).as("observed facts").isNotNull();
                        assertFacts(result.observed(), expect.get("observed"));
                    }
                    return;
                }
                assertThat(result.failure()).as("%s", result.failure()).isNull();
                assertFacts(result.verified(), expect);
                assertThat(result.verified().signer().trustRoots()).containsExactly("public-good");
                assertThat(result.verified().trust()).extracting(VerifiedEvidence.TrustUse::sha256)
                        .containsExactly(EvidenceTestSupport.sha256(EvidenceTestSupport.publicGood()));
            }));
        }
        return tests.stream();
    }

    static void assertFacts(VerifiedEvidence facts, JsonNode expect) {
        Signer signer = facts.signer();
        if (expect.has("kind")) {
            assertThat(facts.kind()).isEqualTo(expect.get("kind").asString());
        }
        if (expect.has("predicateType")) {
            assertThat(facts.predicateType()).isEqualTo(expect.get("predicateType").asString());
        }
        if (expect.has("builderId")) {
            assertThat(Provenance.builderId(facts.predicateType(), facts.predicate())).isEqualTo(expect.get("builderId").asString());
        }
        if (expect.has("subject")) {
            assertThat(signer.subject()).isEqualTo(expect.get("subject").asString());
            assertThat(signer.kind()).isEqualTo("keyless");
            assertThat(signer.integratedTime()).isNotNull();
        }
        if (expect.has("issuer")) {
            assertThat(signer.issuer()).isEqualTo(expect.get("issuer").asString());
        }
        for (String cert : new String[] {"sourceRepositoryUri", "sourceRepositoryRef", "buildTrigger"}) {
            if (expect.has(cert)) {
                assertThat(signer.cert()).containsEntry(cert, expect.get(cert).asString());
            }
        }
        if (expect.has("subjects")) {
            assertThat(facts.subjects()).extracting(Statement.Subject::name)
                    .containsExactlyElementsOf(expect.get("subjects").valueStream().map(JsonNode::asString).toList());
        }
    }
}
