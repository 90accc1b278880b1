package dev.tollgate.evidence;

import static dev.tollgate.evidence.MintedSigstore.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.tollgate.evidence.MintedSigstore.Fulcio;
import dev.tollgate.evidence.MintedSigstore.Leaf;
import dev.tollgate.evidence.MintedSigstore.Tsa;
import dev.tollgate.evidence.sigstore.SigstoreTrust;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Trust material that can never verify is refused when it is held (naming the entry), and when
 * several roots are held and none verifies, the reason given is the one from the root that
 * issued the certificate, with every root's own reason in the trace.
 */
class TrustRootTests {

    final SigstoreTrust check = new SigstoreTrust(EvidenceTestSupport.JSON, EvidenceTestSupport.CLOCK);
    final Fulcio fulcio = new Fulcio("Lint");
    final Tsa tsa = new Tsa("Lint");

    static byte[] root(ObjectNode ca, ObjectNode tsa) {
        return MintedSigstore.trustedRoot(ca == null ? List.of() : List.of(ca), tsa == null ? List.of() : List.of(tsa), List.of());
    }

    @Test
    void wellFormedChainsAreAccepted() {
        assertThatCode(() -> check.checkRoot(root(fulcio.json(), tsa.json()))).doesNotThrowAnyException();
    }

    @Test
    void aCaChainListedRootFirstIsRefused() {
        byte[] json = root(MintedSigstore.authority(fulcio.uri, List.of(fulcio.root, fulcio.intermediate)), null);
        assertThatThrownBy(() -> check.checkRoot(json))
                .hasMessage("certificateAuthorities[0].certChain is listed root-first; list it from the issuing CA certificate up to the root");
    }

    @Test
    void aLeafInTheCaListIsRefused() {
        Leaf leaf = fulcio.uri("https://acme.example/wf", "https://issuer.example", T0);
        byte[] json = root(MintedSigstore.authority(fulcio.uri, List.of(leaf.certificate(), fulcio.intermediate, fulcio.root)), null);
        assertThatThrownBy(() -> check.checkRoot(json)).hasMessage("certificateAuthorities[0].certChain.certificates[0] is not a CA"
                + " certificate: a leaf certificate does not belong in a certificate authority's chain");
    }

    @Test
    void aTsaChainWithoutItsLeafIsRefused() {
        byte[] json = root(fulcio.json(), MintedSigstore.authority(tsa.uri, List.of(tsa.root)));
        assertThatThrownBy(() -> check.checkRoot(json)).hasMessageStartingWith(
                "timestampAuthorities[0].certChain has no timestamp authority certificate");
        byte[] reversed = root(fulcio.json(), MintedSigstore.authority(tsa.uri, List.of(tsa.root, tsa.leaf)));
        assertThatThrownBy(() -> check.checkRoot(reversed)).hasMessageContaining("listed root-first");
    }

    @Test
    void chainsThatAreNotOneChainOrNotStrictDerAreRefused() {
        Fulcio other = new Fulcio("Other");
        byte[] mixed = root(MintedSigstore.authority(fulcio.uri, List.of(fulcio.intermediate, other.root)), null);
        assertThatThrownBy(() -> check.checkRoot(mixed)).hasMessage(
                "certificateAuthorities[0].certChain.certificates[1] did not issue certificates[0]: not one chain");

        ObjectNode ca = fulcio.json();
        ObjectNode first = (ObjectNode) ca.get("certChain").get("certificates").get(0);
        byte[] der = java.util.Base64.getDecoder().decode(first.get("rawBytes").asString());
        first.put("rawBytes", MintedSigstore.b64(MintedSigstore.concat(der, new byte[] {5, 0})));
        assertThatThrownBy(() -> check.checkRoot(root(ca, null))).hasMessage("certificateAuthorities[0].certChain.certificates[0]"
                + " is not a usable certificate: the certificate is not strict DER: 2 bytes follow its DER encoding");
    }

    @Test
    void everyRootShippedOrUsedInTheTestsStillLoads() throws Exception {
        List<Path> roots;
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources"))) {
            roots = files.filter(p -> p.getFileName().toString().matches("trusted_root\\.json|public-good\\.json|scaffolding\\.json"))
                    .toList();
        }
        assertThat(roots).hasSizeGreaterThan(30);
        for (Path path : roots) {
            if (path.toString().contains("trust-root-tlog-missing-validity-start_fail")) {
                continue; // refused on purpose (no validFor.start)
            }
            assertThatCode(() -> check.checkRoot(Files.readAllBytes(path))).as("%s", path).doesNotThrowAnyException();
        }
        assertThatCode(() -> check.checkRoot(EvidenceTestSupport.publicGood())).doesNotThrowAnyException();
        assertThatCode(() -> check.checkRoot(TrustSettingsTests.githubRoot())).doesNotThrowAnyException();
    }

    @Test
    void theHeadlineReasonComesFromTheRootThatIssuedTheCertificate() {
        Tsa untrusted = new Tsa("Stranger");
        byte[] artifact = "multi".getBytes(StandardCharsets.UTF_8);
        byte[] digest = MintedSigstore.sha256(artifact);
        Leaf leaf = fulcio.uri("https://acme.example/wf", "https://issuer.example", T0);
        byte[] signature = leaf.sign(digest);
        // the only timestamp is from a TSA the issuing root does not hold: no signed time there
        ObjectNode bundle = MintedSigstore.bundle(MintedSigstore.encoded(leaf.certificate()), digest, signature, List.of(),
                List.of(untrusted.stamp(signature, T0.plusSeconds(5))));
        Fulcio unrelated = new Fulcio("Unrelated");
        TrustStore.Snapshot held = EvidenceTestSupport.trust(
                EvidenceTestSupport.material("a-unrelated", TrustKind.ROOT, root(unrelated.json(), tsa.json()), new TrustSettings(false, null, null)),
                EvidenceTestSupport.material("b-public", TrustKind.ROOT, EvidenceTestSupport.publicGood(), TrustSettings.DEFAULT),
                EvidenceTestSupport.material("c-issuer", TrustKind.ROOT, root(fulcio.json(), tsa.json()), new TrustSettings(false, null, null)));
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        EvidenceResult result = verifier.verify(verifier.read(0, MintedSigstore.item(bundle)), EvidenceTestSupport.digestOf(artifact), held);

        assertThat(result.failure().code()).isEqualTo("evidence_timestamp_invalid");
        assertThat(result.failure().detail()).contains("no trusted time");
        assertThat(result.trace()).extracting(EvidenceResult.Trace::material, EvidenceResult.Trace::outcome, EvidenceResult.Trace::code)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a-unrelated", "failed", "evidence_untrusted_certificate"),
                        org.assertj.core.groups.Tuple.tuple("b-public", "failed", "evidence_untrusted_certificate"),
                        org.assertj.core.groups.Tuple.tuple("c-issuer", "failed", "evidence_timestamp_invalid"));
    }

    @Test
    void anExpiredCertificateIsReportedAsSuchNotAsUntrustedByTheFirstRoot() {
        byte[] artifact = "late".getBytes(StandardCharsets.UTF_8);
        byte[] digest = MintedSigstore.sha256(artifact);
        Leaf leaf = fulcio.uri("https://acme.example/wf", "https://issuer.example", T0);
        byte[] signature = leaf.sign(digest);
        ObjectNode bundle = MintedSigstore.bundle(MintedSigstore.encoded(leaf.certificate()), digest, signature, List.of(),
                List.of(tsa.stamp(signature, T0.plusSeconds(3600))));
        TrustStore.Snapshot held = EvidenceTestSupport.trust(
                EvidenceTestSupport.material("a-other", TrustKind.ROOT, root(new Fulcio("Other").json(), tsa.json()),
                        new TrustSettings(false, null, null)),
                EvidenceTestSupport.material("z-issuer", TrustKind.ROOT, root(fulcio.json(), tsa.json()), new TrustSettings(false, null, null)));
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        EvidenceResult result = verifier.verify(verifier.read(0, MintedSigstore.item(bundle)), EvidenceTestSupport.digestOf(artifact), held);
        assertThat(result.failure().code()).isEqualTo("evidence_untrusted_certificate");
        assertThat(result.failure().detail()).startsWith("the certificate was not valid at signing time");
        assertThat(result.trace()).first().satisfies(t -> assertThat(t.reason()).startsWith("certificate not issued by a trusted root"));
    }
}
