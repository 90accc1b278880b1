package dev.tollgate.evidence;

import static dev.tollgate.evidence.MintedSigstore.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import dev.tollgate.evidence.MintedSigstore.Fulcio;
import dev.tollgate.evidence.MintedSigstore.Leaf;
import dev.tollgate.evidence.MintedSigstore.Tsa;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.OtherName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which subject alternative names are a signer's identity: exactly one URI, e-mail address or
 * Fulcio username (otherName 1.3.6.1.4.1.57264.1.7), as Fulcio issues them and sigstore-go reads
 * them; anything else is refused, as the reference clients refuse it. Plus the Fulcio and legacy
 * GitHub extensions a policy sees under {@code cert}.
 */
class CertificateIdentityTests {

    static final String ISSUER = "https://issuer.example";

    final Fulcio fulcio = new Fulcio("Identity");
    final Tsa tsa = new Tsa("Identity");
    final byte[] digest = MintedSigstore.sha256("artifact".getBytes(StandardCharsets.UTF_8));
    final TrustStore.Snapshot held = EvidenceTestSupport.trust(EvidenceTestSupport.material("identity", TrustKind.ROOT,
            MintedSigstore.trustedRoot(List.of(fulcio.json()), List.of(tsa.json()), List.of()), new TrustSettings(false, null, null)));

    EvidenceResult verify(Leaf leaf) {
        byte[] signature = leaf.sign(digest);
        ObjectNode bundle = MintedSigstore.bundle(MintedSigstore.encoded(leaf.certificate()), digest, signature, List.of(),
                List.of(tsa.stamp(signature, T0.plusSeconds(30))));
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        return verifier.verify(verifier.read(0, MintedSigstore.item(bundle)), "sha256:" + java.util.HexFormat.of().formatHex(digest), held);
    }

    EvidenceResult withNames(GeneralName... names) {
        return verify(fulcio.issue(names, ISSUER, Map.of(), T0));
    }

    @Test
    void aUriAnEmailOrAFulcioUsernameIsTheSubject() {
        Object[][] accepted = {
            {new GeneralName(GeneralName.uniformResourceIdentifier, "https://github.com/acme/app/.github/workflows/r.yml@refs/heads/main"),
                "https://github.com/acme/app/.github/workflows/r.yml@refs/heads/main"},
            {new GeneralName(GeneralName.rfc822Name, "dev@acme.example"), "dev@acme.example"},
            {MintedSigstore.username("foo!oidc.local"), "foo!oidc.local"},
        };
        for (Object[] c : accepted) {
            EvidenceResult result = withNames((GeneralName) c[0]);
            assertThat(result.failure()).as("%s", c[1]).isNull();
            assertThat(result.verified().signer().subject()).isEqualTo(c[1]);
            assertThat(result.verified().signer().issuer()).isEqualTo(ISSUER);
        }
    }

    @Test
    void otherNamesTypesAndSeveralNamesAreRefused() throws Exception {
        Object[][] refused = {
            {new GeneralName[] {new GeneralName(GeneralName.dNSName, "build.acme.example")}, "of type DNS name"},
            {new GeneralName[] {new GeneralName(GeneralName.iPAddress, new DEROctetString(InetAddress.getByName("10.0.0.1").getAddress()))},
                "of type IP address"},
            {new GeneralName[] {new GeneralName(GeneralName.directoryName, "CN=someone")}, "of type directory name"},
            {new GeneralName[] {new GeneralName(GeneralName.otherName,
                new OtherName(new ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), new DERUTF8String("upn@acme")))}, "not a Fulcio username"},
            {new GeneralName[] {new GeneralName(GeneralName.otherName,
                new OtherName(new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.7"), new DEROctetString(new byte[] {1})))}, "not a Fulcio username"},
            {new GeneralName[] {new GeneralName(GeneralName.rfc822Name, "a@acme.example"),
                new GeneralName(GeneralName.uniformResourceIdentifier, "https://acme.example")}, "carries 2 subject alternative names"},
            {new GeneralName[] {}, "has no subject alternative name"},
        };
        for (Object[] c : refused) {
            EvidenceResult result = withNames((GeneralName[]) c[0]);
            assertThat(result.ok()).as("%s", c[1]).isFalse();
            assertThat(result.failure().code()).isEqualTo("evidence_untrusted_certificate");
            assertThat(result.failure().detail()).contains((String) c[1]);
        }
    }

    @Test
    void fulcioAndLegacyGithubExtensionsReachTheCertMap() {
        String f = MintedSigstore.FULCIO;
        Leaf leaf = fulcio.issue(new GeneralName[] {new GeneralName(GeneralName.uniformResourceIdentifier, "https://acme.example/wf")},
                null, Map.of(
                        f + "1", "https://token.actions.githubusercontent.com",
                        f + "2", "push",
                        f + "3", "f0b49a04e5a62250e0f60fb128004a73110fe311",
                        f + "4", "Release",
                        f + "5", "sigstore/sigstore-js",
                        f + "6", "refs/heads/main",
                        f + "12", "https://github.com/sigstore/sigstore-js"), T0);
        EvidenceResult result = verify(leaf);
        assertThat(result.failure()).isNull();
        Signer signer = result.verified().signer();
        assertThat(signer.issuer()).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(signer.cert()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "githubWorkflowTrigger", "push",
                "githubWorkflowSha", "f0b49a04e5a62250e0f60fb128004a73110fe311",
                "githubWorkflowName", "Release",
                "githubWorkflowRepository", "sigstore/sigstore-js",
                "githubWorkflowRef", "refs/heads/main",
                "sourceRepositoryUri", "https://github.com/sigstore/sigstore-js"));
    }

    @Test
    void aCertificateOutsideItsValidityAtTheTimestampIsRefused() {
        Leaf leaf = fulcio.uri("https://acme.example/wf", ISSUER, T0.minus(1, ChronoUnit.HOURS));
        EvidenceResult result = verify(leaf);
        assertThat(result.failure().code()).isEqualTo("evidence_untrusted_certificate");
        assertThat(result.failure().detail()).contains("not valid at signing time");
    }

    /** sigstore-go's own test: TestEntityWithOthernameSan (scaffolding instance, username foo!oidc.local). */
    @Test
    void sigstoreGosOthernameBundleVerifiesWithItsScaffoldingRoot() {
        String base = "attestations/sigstore-go/pkg/testing/data/";
        TrustStore.Snapshot scaffolding = EvidenceTestSupport.trust(
                EvidenceTestSupport.root("scaffolding", EvidenceTestSupport.resource(base + "trusted-roots/scaffolding.json")));
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        EvidenceSubmission item = verifier.read(0, EvidenceTestSupport.item(EvidenceTestSupport.resource(base + "bundles/othername.sigstore.json")));
        EvidenceResult result = verifier.verify(item,
                "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b", scaffolding);
        assertThat(result.failure()).as("%s", result.trace()).isNull();
        assertThat(result.verified().signer().subject()).isEqualTo("foo!oidc.local");
        assertThat(result.verified().signer().issuer()).isEqualTo("http://oidc.local:8080");
        assertThat(result.verified().signer().transparencyLog()).isTrue();
        assertThat(result.verified().signer().integratedTime()).isEqualTo(java.time.Instant.ofEpochSecond(1720811189));

        // and not with the public-good root
        EvidenceResult elsewhere = verifier.verify(item,
                "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b",
                EvidenceTestSupport.trust(EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood())));
        assertThat(elsewhere.failure().code()).isEqualTo("evidence_untrusted_certificate");
    }
}
