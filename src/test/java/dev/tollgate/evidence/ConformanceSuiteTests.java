package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The 70 bundle-verification cases of sigstore-conformance, each through the server's own
 * {@link EvidenceVerifier} with the case's trusted root (public-good where it has none), key,
 * and identity — the identity checked exactly as a policy would check it. Every case must end
 * as expected; {@link #KNOWN_GAPS} lists, exactly, the cases we do not match, so that a fix and
 * a regression both show.
 */
class ConformanceSuiteTests {

    private static final String BASE = "sigstore/conformance/";

    /** Cases whose outcome we do not match, with the reason. Empty: 70/70. */
    static final Map<String, String> KNOWN_GAPS = Map.of();

    record Outcome(boolean passed, String why) {
    }

    static Outcome run(JsonNode c) {
        String folder = c.get("bundle").asString().replace("/bundle.sigstore.json", "");
        byte[] artifact = EvidenceTestSupport.resource(BASE + c.get("artifact").asString());
        String trustedRoot = BASE + folder + "/trusted_root.json";
        byte[] rootJson = EvidenceTestSupport.exists(trustedRoot) ? EvidenceTestSupport.resource(trustedRoot)
                : EvidenceTestSupport.publicGood();
        List<TrustMaterial> materials = new ArrayList<>();
        materials.add(EvidenceTestSupport.root("case-root", rootJson));
        boolean withKey = EvidenceTestSupport.exists(BASE + folder + "/key.pub");
        if (withKey) {
            materials.add(EvidenceTestSupport.key("case-key", EvidenceTestSupport.resource(BASE + folder + "/key.pub")));
        }
        TrustStore.Snapshot trust = TrustStore.Snapshot.of(materials);
        EvidenceVerifier verifier = EvidenceTestSupport.verifier();

        EvidenceSubmission submission;
        try {
            submission = verifier.read(0, EvidenceTestSupport.item(EvidenceTestSupport.resource(BASE + c.get("bundle").asString())));
        } catch (MalformedEvidence e) {
            return new Outcome(false, "request refused: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Outcome(false, "unreadable: " + e.getMessage());
        }
        EvidenceResult result = verifier.verify(submission, EvidenceTestSupport.digestOf(artifact), trust);
        if (!result.ok()) {
            return new Outcome(false, result.failure().code() + ": " + result.failure().detail());
        }
        Signer signer = result.verified().signer();
        if (withKey) {
            return new Outcome("key".equals(signer.kind()) && "case-key".equals(signer.key()), "signed by key " + signer.key());
        }
        boolean identity = "keyless".equals(signer.kind())
                && c.get("identity").asString().equals(signer.subject())
                && c.get("issuer").asString().equals(signer.issuer());
        return new Outcome(identity, identity ? "verified" : "identity " + signer.subject() + " / " + signer.issuer());
    }

    @Test
    void everyConformanceCaseEndsAsExpected() {
        JsonNode cases = EvidenceTestSupport.JSON.readTree(new String(
                EvidenceTestSupport.resource(BASE + "cases.json"), StandardCharsets.UTF_8)).get("cases");
        assertThat(cases).hasSize(70);
        Map<String, String> mismatches = new TreeMap<>();
        StringBuilder report = new StringBuilder();
        for (JsonNode c : cases) {
            String name = c.get("name").asString();
            boolean expected = "pass".equals(c.get("expected").asString());
            Outcome outcome = run(c);
            report.append(String.format("%-55s expected %-4s got %-4s %s%n", name, expected ? "pass" : "fail",
                    outcome.passed() ? "pass" : "fail", outcome.why()));
            if (outcome.passed() != expected) {
                mismatches.put(name, outcome.why());
            }
        }
        System.out.println(report);
        assertThat(mismatches.keySet()).as(report.toString()).containsExactlyInAnyOrderElementsOf(KNOWN_GAPS.keySet());
    }
}
