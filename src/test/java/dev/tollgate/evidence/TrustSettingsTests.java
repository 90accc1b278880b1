package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.Test;

/**
 * How held material is used: a root that accepts bundles without a log entry (GitHub's instance
 * for private repositories, real bundle), and keys that count only inside their validity window
 * (sigstore-go's own key-validity bundle, and a rotation).
 */
class TrustSettingsTests {

    private static final String PRIVATE = "sigstore/sigstore-java/github-private-no-tlog/";
    private static final String GO = "attestations/sigstore-go/pkg/testing/data/";

    static byte[] githubRoot() {
        String lines = new String(EvidenceTestSupport.resource(PRIVATE + "trusted_root.jsonl"), StandardCharsets.UTF_8);
        return lines.lines().toList().get(1).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void githubsPrivateRepositoryAttestationVerifiesWhereTheRootAllowsNoLog() {
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        EvidenceSubmission item = verifier.read(0, EvidenceTestSupport.item(EvidenceTestSupport.resource(PRIVATE + "attestation.sigstore.json")));
        String digest = "sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551";

        TrustStore.Snapshot allowing = EvidenceTestSupport.trust(EvidenceTestSupport.material("github", TrustKind.ROOT, githubRoot(),
                new TrustSettings(false, null, null)));
        EvidenceResult result = verifier.verify(item, digest, allowing);
        assertThat(result.failure()).as("%s", result.trace()).isNull();
        Signer signer = result.verified().signer();
        assertThat(signer.subject()).isEqualTo(
                "https://github.com/neverendingsupport/slsa-attestations/.github/workflows/attest.yml@9f6d9dc1bfc02986955721eb15f89ad618f1cedb");
        assertThat(signer.issuer()).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(signer.transparencyLog()).isFalse();
        assertThat(signer.integratedTime()).isNull();
        assertThat(signer.timestampedBy()).singleElement().asString().contains("GitHub");
        assertThat(result.verified().predicateType()).isEqualTo("https://slsa.dev/provenance/v1");

        TrustStore.Snapshot requiring = EvidenceTestSupport.trust(EvidenceTestSupport.root("github", githubRoot()));
        EvidenceResult refused = verifier.verify(item, digest, requiring);
        assertThat(refused.failure().code()).isEqualTo("evidence_tlog_invalid");

        // public-good holds neither GitHub's CA nor its TSA
        EvidenceResult publicGood = verifier.verify(item, digest,
                EvidenceTestSupport.trust(EvidenceTestSupport.material("public-good", TrustKind.ROOT, EvidenceTestSupport.publicGood(),
                        new TrustSettings(false, null, null))));
        assertThat(publicGood.failure().code()).isEqualTo("evidence_untrusted_certificate");
    }

    /**
     * sigstore-go's TestPublicKeyValidityCheckedAgainstSignedTimestamp. Its TSA certificate has an
     * empty subject and no subject alternative name, which RFC 5280 (4.1.2.6) forbids and the
     * JDK refuses to read: that root cannot be held (a deliberate difference, see
     * docs/evidence.md), so its timestamp never counts and the key's window is judged at the
     * decision time.
     */
    @Test
    void aKeyCountsOnlyInsideItsWindow() throws Exception {
        byte[] pem = EvidenceTestSupport.resource(GO + "public-keys/public-key-validity.pem");
        byte[] root = EvidenceTestSupport.resource(GO + "trusted-roots/public-key-validity.json");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new dev.tollgate.evidence.sigstore.SigstoreTrust(
                EvidenceTestSupport.JSON, EvidenceTestSupport.CLOCK).checkRoot(root))
                .hasMessageContaining("timestampAuthorities[0].certChain.certificates[0] is not a usable certificate")
                .hasMessageContaining("subject field is empty");

        Instant stamped = Instant.parse("2026-06-04T17:43:29Z");
        MutableClock clock = new MutableClock(stamped);
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0, 1, clock);
        EvidenceSubmission item = verifier.read(0, EvidenceTestSupport.item(EvidenceTestSupport.resource(GO + "bundles/public-key-validity.sigstore.json")));
        String digest = EvidenceTestSupport.digestOf("test content".getBytes(StandardCharsets.UTF_8));

        EvidenceResult inside = verifier.verify(item, digest, EvidenceTestSupport.trust(EvidenceTestSupport.root("tsa", root),
                EvidenceTestSupport.material("k", TrustKind.KEY, pem, new TrustSettings(true, stamped.minusSeconds(60), stamped.plusSeconds(60)))));
        assertThat(inside.failure()).as("%s", inside.trace()).isNull();
        assertThat(inside.verified().signer().key()).isEqualTo("k");
        assertThat(inside.verified().signer().timestampedBy()).isEmpty();

        EvidenceResult expired = verifier.verify(item, digest, EvidenceTestSupport.trust(EvidenceTestSupport.root("tsa", root),
                EvidenceTestSupport.material("k", TrustKind.KEY, pem, new TrustSettings(true, Instant.EPOCH, Instant.ofEpochSecond(1)))));
        assertThat(expired.failure().code()).isEqualTo("evidence_untrusted_key");
        assertThat(expired.trace()).singleElement().satisfies(t -> {
            assertThat(t.material()).isEqualTo("k");
            assertThat(t.reason()).contains("was not valid at the decision time 2026-06-04T17:43:29Z");
        });
    }

    /** Old key until T, new key from T: each signature counts under the key valid at its signed time. */
    @Test
    void keyRotationHandsOverAtTheRotationTime() throws Exception {
        MintedSigstore.Tsa tsa = new MintedSigstore.Tsa("Rotation");
        byte[] root = MintedSigstore.trustedRoot(List.of(), List.of(tsa.json()), List.of());
        Instant rotation = MintedSigstore.T0;
        java.security.KeyPair oldKey = MintedSigstore.ec();
        java.security.KeyPair newKey = MintedSigstore.ec();
        TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.root("tsa", root),
                EvidenceTestSupport.material("release-2025", TrustKind.KEY, KeyBundleTests.pem(oldKey).getBytes(StandardCharsets.US_ASCII),
                        new TrustSettings(true, null, rotation)),
                EvidenceTestSupport.material("release-2026", TrustKind.KEY, KeyBundleTests.pem(newKey).getBytes(StandardCharsets.US_ASCII),
                        new TrustSettings(true, rotation, null)));
        byte[] artifact = "app".getBytes(StandardCharsets.UTF_8);
        String digest = EvidenceTestSupport.digestOf(artifact);
        byte[] sha = MintedSigstore.sha256(artifact);

        Object[][] cases = {
            {oldKey, rotation.minusSeconds(1), "release-2025"},
            {oldKey, rotation, null},
            {newKey, rotation, "release-2026"},
            {newKey, rotation.minusSeconds(1), null},
        };
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        for (Object[] c : cases) {
            byte[] sig = KeyBundleTests.sign((java.security.KeyPair) c[0], "SHA256withECDSA", artifact);
            tools.jackson.databind.node.ObjectNode item = (tools.jackson.databind.node.ObjectNode) KeyBundleTests.messageItem(sha, sig);
            ((tools.jackson.databind.node.ObjectNode) item.get("bundle").get("verificationMaterial"))
                    .putObject("timestampVerificationData").putArray("rfc3161Timestamps").addObject()
                    .put("signedTimestamp", MintedSigstore.b64(tsa.stamp(sig, (Instant) c[1])));
            EvidenceResult result = verifier.verify(verifier.read(0, item), digest, held);
            if (c[2] == null) {
                assertThat(result.ok()).as("signed at %s", c[1]).isFalse();
                assertThat(result.failure().code()).isEqualTo("evidence_untrusted_key");
            } else {
                assertThat(result.failure()).as("signed at %s", c[1]).isNull();
                assertThat(result.verified().signer().key()).isEqualTo(c[2]);
            }
        }
    }

    /** A key bundle without any signed time is judged at the decision time, and such results are not cached. */
    @Test
    void withoutASignedTimeTheDecisionTimeIsJudgedEveryTime() throws Exception {
        java.security.KeyPair keys = MintedSigstore.ec();
        byte[] artifact = "untimed".getBytes(StandardCharsets.UTF_8);
        byte[] sig = KeyBundleTests.sign(keys, "SHA256withECDSA", artifact);
        Instant until = Instant.parse("2026-01-01T00:00:00Z");
        TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.material("k", TrustKind.KEY,
                KeyBundleTests.pem(keys).getBytes(StandardCharsets.US_ASCII), new TrustSettings(true, null, until)));
        MutableClock clock = new MutableClock(until.minusSeconds(10));
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(1000, 1, clock);
        EvidenceSubmission item = verifier.read(0, KeyBundleTests.messageItem(MintedSigstore.sha256(artifact), sig));
        String digest = EvidenceTestSupport.digestOf(artifact);
        assertThat(verifier.verify(item, digest, held).ok()).isTrue();
        clock.now = until;
        assertThat(verifier.verify(item, digest, held).ok()).isFalse();
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
