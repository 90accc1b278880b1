package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * "Tried as a user of each reference client would": every row of attestations/reference-clients.yaml
 * runs a client's own test bundle with that client's root and artifact digest and must end as
 * the row says; a row whose Tollgate outcome differs from the client's must say why (a
 * deliberate difference) or be marked planned. docs/evidence.md has the same table in prose.
 */
class ReferenceClientTests {

    static final Map<String, TrustStore.Snapshot> ROOTS = Map.of(
            "public-good", EvidenceTestSupport.trust(EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood())),
            "github", EvidenceTestSupport.trust(EvidenceTestSupport.material("github", TrustKind.ROOT, TrustSettingsTests.githubRoot(),
                    new TrustSettings(false, null, null))),
            "scaffolding", EvidenceTestSupport.trust(EvidenceTestSupport.root("scaffolding",
                    EvidenceTestSupport.resource("attestations/sigstore-go/pkg/testing/data/trusted-roots/scaffolding.json"))));

    @TestFactory
    Stream<DynamicTest> eachClientsOwnBundlesEndAsThatClientSaysOrTheDifferenceIsDocumented() {
        JsonNode rows = EvidenceTestSupport.JSON.valueToTree(new org.yaml.snakeyaml.Yaml().load(new String(
                EvidenceTestSupport.resource("attestations/reference-clients.yaml"), StandardCharsets.UTF_8)));
        assertThat(rows.size()).isGreaterThan(30);
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode row : rows) {
            String file = row.get("file").asString();
            String upstream = row.get("upstream").asString();
            String tollgate = row.get("tollgate").asString();
            tests.add(DynamicTest.dynamicTest(row.get("client").asString() + ": " + file + " (" + row.get("root").asString() + ")", () -> {
                // a request refused with 400 is a refusal too
                if (!upstream.equals(tollgate.equals("malformed") ? "fail" : tollgate)) {
                    assertThat(row.has("why") || row.has("planned")).as("a difference needs a reason").isTrue();
                }
                String text = new String(EvidenceTestSupport.resource("attestations/" + file), StandardCharsets.UTF_8).strip();
                if (file.endsWith(".jsonl")) {
                    text = text.lines().findFirst().orElseThrow();
                }
                String kind = row.has("item") ? row.get("item").asString() : "bundle";
                JsonNode item = EvidenceTestSupport.JSON.readTree("{\"" + kind + "\": " + text + "}");
                if (tollgate.equals("malformed")) {
                    assertThatThrownBy(() -> verifier.read(0, item)).isInstanceOf(MalformedEvidence.class);
                    return;
                }
                EvidenceResult result = verifier.verify(verifier.read(0, item), row.get("digest").asString(),
                        ROOTS.get(row.get("root").asString()));
                if (tollgate.equals("pass")) {
                    assertThat(result.failure()).as("%s", result.trace()).isNull();
                    assertThat(result.verified().signer().subject()).isEqualTo(row.get("subject").asString());
                } else {
                    assertThat(result.ok()).isFalse();
                    assertThat(result.failure().code()).as(result.failure().detail()).isEqualTo(row.get("code").asString());
                }
            }));
        }
        return tests.stream();
    }

    /** What {@code gh attestation download} writes (gh-cli's own file): one bundle per line, each line one item. */
    @org.junit.jupiter.api.Test
    void aJsonlFileOfBundlesIsOneItemPerLine() {
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        String digest = "sha512:90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f";
        List<String> lines = new String(EvidenceTestSupport.resource("attestations/gh-cli/sigstore-js-2.1.0_with_2_bundles.jsonl"),
                StandardCharsets.UTF_8).strip().lines().toList();
        assertThat(lines).hasSize(2);
        tools.jackson.databind.node.ArrayNode items = EvidenceTestSupport.JSON.createArrayNode();
        lines.forEach(line -> items.addObject().set("bundle", EvidenceTestSupport.JSON.readTree(line)));
        List<EvidenceResult> results = verifier.verify(verifier.read(items), digest, ROOTS.get("public-good"));
        assertThat(results).hasSize(2).allSatisfy(r -> {
            assertThat(r.failure()).as("%s", r.trace()).isNull();
            assertThat(r.verified().signer().subject())
                    .isEqualTo("https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main");
        });
    }
}
