package dev.tollgate.evidence;

import static dev.tollgate.evidence.MintedSigstore.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.tollgate.evidence.MintedSigstore.Fulcio;
import dev.tollgate.evidence.MintedSigstore.Leaf;
import dev.tollgate.evidence.MintedSigstore.Log;
import dev.tollgate.evidence.MintedSigstore.Tsa;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signed times counted as sigstore-go and sigstore-js count them, on bundles made here by a
 * test Fulcio, TSAs and a log: timestamps from a TSA the root does not hold are ignored (and
 * shown), timestamps a TSA did not grant or whose signer identifier names another certificate
 * never count, the same token or log entry twice is refused, and bundles without a log entry
 * verify only under a root that allows them.
 */
class SignedTimeTests {

    static final String SAN = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
    static final String ISSUER = "https://token.actions.githubusercontent.com";

    final Fulcio fulcio = new Fulcio("Acme");
    final Tsa tsa = new Tsa("Acme");
    final Tsa otherTsa = new Tsa("Elsewhere");
    final Log log = new Log("rekor.acme.test");
    final byte[] artifact = "release.tar.gz".getBytes(StandardCharsets.UTF_8);
    final byte[] digest = MintedSigstore.sha256(artifact);
    final String artifactDigest = EvidenceTestSupport.digestOf(artifact);
    final Instant signedAt = T0.plus(2, ChronoUnit.MINUTES);
    final Leaf leaf = fulcio.uri(SAN, ISSUER, T0);
    final byte[] signature = leaf.sign(digest);

    byte[] root(Tsa... tsas) {
        return MintedSigstore.trustedRoot(List.of(fulcio.json()), java.util.Arrays.stream(tsas).map(Tsa::json).toList(),
                List.of(log.json()));
    }

    TrustStore.Snapshot held(byte[] root, boolean requireTransparencyLog) {
        return EvidenceTestSupport.trust(EvidenceTestSupport.material("acme", TrustKind.ROOT, root,
                new TrustSettings(requireTransparencyLog, null, null)));
    }

    ObjectNode bundle(List<ObjectNode> entries, List<byte[]> timestamps) {
        return MintedSigstore.bundle(MintedSigstore.encoded(leaf.certificate()), digest, signature, entries, timestamps);
    }

    ObjectNode loggedEntry(long index) {
        return log.entry("hashedrekord", "0.0.1", MintedSigstore.hashedRekordV1(digest, signature, leaf.certificate()), index, signedAt);
    }

    static EvidenceResult verify(EvidenceVerifier verifier, ObjectNode bundle, String digest, TrustStore.Snapshot held) {
        return verifier.verify(verifier.read(0, MintedSigstore.item(bundle)), digest, held);
    }

    EvidenceResult verify(ObjectNode bundle, TrustStore.Snapshot held) {
        return verify(EvidenceTestSupport.verifier(0), bundle, artifactDigest, held);
    }

    @Test
    void aTimestampAloneVerifiesOnlyUnderARootThatAllowsBundlesWithoutALogEntry() {
        ObjectNode bundle = bundle(List.of(), List.of(tsa.stamp(signature, signedAt)));

        EvidenceResult allowed = verify(bundle, held(root(tsa), false));
        assertThat(allowed.failure()).as("%s", allowed.trace()).isNull();
        Signer signer = allowed.verified().signer();
        assertThat(signer.subject()).isEqualTo(SAN);
        assertThat(signer.issuer()).isEqualTo(ISSUER);
        assertThat(signer.integratedTime()).isNull();
        assertThat(signer.transparencyLog()).isFalse();
        assertThat(signer.timestampedBy()).containsExactly(tsa.leaf.getSubjectX500Principal().getName());
        assertThat(allowed.trace()).extracting(EvidenceResult.Trace::outcome).containsExactly("verified");

        EvidenceResult required = verify(bundle, held(root(tsa), true));
        assertThat(required.failure().code()).isEqualTo("evidence_tlog_invalid");
        assertThat(required.failure().detail()).contains("requires one");
    }

    @Test
    void aTimestampFromAnotherTsaIsIgnoredAndShownWhileOneFromTheRootsTsaCounts() {
        ObjectNode bundle = bundle(List.of(), List.of(otherTsa.stamp(signature, signedAt), tsa.stamp(signature, signedAt)));
        EvidenceResult result = verify(bundle, held(root(tsa), false));
        assertThat(result.failure()).isNull();
        assertThat(result.verified().signer().timestampedBy()).containsExactly(tsa.leaf.getSubjectX500Principal().getName());
        assertThat(result.trace()).anySatisfy(t -> {
            assertThat(t.material()).isEqualTo("acme");
            assertThat(t.outcome()).isEqualTo("ignored");
            assertThat(t.reason()).startsWith("RFC 3161 timestamp 0:").contains("signer identifier");
        });

        // alone, the other TSA's timestamp is no signed time at all
        EvidenceResult alone = verify(bundle(List.of(), List.of(otherTsa.stamp(signature, signedAt))), held(root(tsa), false));
        assertThat(alone.failure().code()).isEqualTo("evidence_timestamp_invalid");
        assertThat(alone.failure().detail()).contains("no trusted time");
    }

    @Test
    void aTimestampOverAnotherSignatureOrOutsideTheCertificateDoesNotCount() {
        byte[] other = leaf.sign(MintedSigstore.sha256("something else".getBytes(StandardCharsets.UTF_8)));
        EvidenceResult otherSignature = verify(bundle(List.of(), List.of(tsa.stamp(other, signedAt))), held(root(tsa), false));
        assertThat(otherSignature.failure().code()).isEqualTo("evidence_timestamp_invalid");
        assertThat(otherSignature.failure().detail()).contains("message imprint");

        // verified, but the short-lived certificate had expired: refused, not ignored
        EvidenceResult late = verify(bundle(List.of(), List.of(tsa.stamp(signature, T0.plus(1, ChronoUnit.HOURS)))),
                held(root(tsa), false));
        assertThat(late.failure().code()).isEqualTo("evidence_untrusted_certificate");
    }

    @Test
    void aTimestampTheTsaDidNotGrantNeverCounts() {
        for (int status : new int[] {PKIStatus.REJECTION, PKIStatus.WAITING, PKIStatus.REVOCATION_WARNING}) {
            byte[] token = tsa.stampWithStatus(signature, signedAt, status);
            EvidenceResult result = verify(bundle(List.of(), List.of(token)), held(root(tsa), false));
            assertThat(result.failure().code()).isEqualTo("evidence_timestamp_invalid");
            assertThat(result.failure().detail()).contains("did not grant it (PKIStatus " + status + ")");
        }
        byte[] withMods = tsa.stampWithStatus(signature, signedAt, PKIStatus.GRANTED_WITH_MODS);
        assertThat(verify(bundle(List.of(), List.of(withMods)), held(root(tsa), false)).failure()).isNull();
    }

    @Test
    void aTokenWhoseSignerIdentifierNamesAnotherCertificateIsRefusedThoughSigstoreJavaAcceptsIt() throws Exception {
        byte[] token = tsa.stampNamingAnother(signature, signedAt, otherTsa.leaf);
        EvidenceResult result = verify(bundle(List.of(), List.of(token)), held(root(tsa), false));
        assertThat(result.failure().code()).isEqualTo("evidence_timestamp_invalid");
        assertThat(result.failure().detail()).contains("signer identifier names another certificate");

        // the signature and the signing-certificate attribute are the TSA's: sigstore-java 2.0.0 takes it
        TimestampVerifier library = TimestampVerifier.newTimestampVerifier(
                SigstoreTrustedRoot.from(new java.io.ByteArrayInputStream(root(tsa))));
        library.verify(ImmutableTimestampResponse.builder().encoded(token).build(), signature);
    }

    @Test
    void theSameTokenOrLogEntryTwiceIsRefused() {
        byte[] token = tsa.stamp(signature, signedAt);
        EvidenceResult twice = verify(bundle(List.of(), List.of(token, token)), held(root(tsa), false));
        assertThat(twice.failure().code()).isEqualTo("evidence_duplicate_timestamp");

        EvidenceResult logged = verify(bundle(List.of(loggedEntry(7)), List.of()), held(root(tsa), true));
        assertThat(logged.failure()).as("%s", logged.trace()).isNull();
        assertThat(logged.verified().signer().transparencyLog()).isTrue();
        assertThat(logged.verified().signer().integratedTime()).isEqualTo(signedAt);
        EvidenceResult sameEntry = verify(bundle(List.of(loggedEntry(7), loggedEntry(7)), List.of()), held(root(tsa), true));
        assertThat(sameEntry.failure().code()).isEqualTo("evidence_duplicate_tlog_entry");
    }

    @Test
    void aMinimumOfSignedTimesCountsEachLogAndTsaOnce() {
        EvidenceVerifier two = EvidenceTestSupport.verifier(0, 2, EvidenceTestSupport.CLOCK);
        TrustStore.Snapshot bothTsas = held(root(tsa, otherTsa), false);

        EvidenceResult one = verify(two, bundle(List.of(), List.of(tsa.stamp(signature, signedAt))), artifactDigest, bothTsas);
        assertThat(one.failure().detail()).contains("only 1 verified signed time");

        EvidenceResult sameTsa = verify(two, bundle(List.of(), List.of(tsa.stamp(signature, signedAt),
                tsa.stamp(signature, signedAt.plusSeconds(1)))), artifactDigest, bothTsas);
        assertThat(sameTsa.failure().code()).isEqualTo("evidence_timestamp_invalid");
        assertThat(sameTsa.failure().detail()).contains("already counts");

        EvidenceResult distinct = verify(two, bundle(List.of(), List.of(tsa.stamp(signature, signedAt),
                otherTsa.stamp(signature, signedAt))), artifactDigest, bothTsas);
        assertThat(distinct.failure()).isNull();
        assertThat(distinct.verified().signer().timestampedBy()).hasSize(2);

        EvidenceResult logAndTsa = verify(two, bundle(List.of(loggedEntry(1)), List.of(tsa.stamp(signature, signedAt))),
                artifactDigest, held(root(tsa), true));
        assertThat(logAndTsa.failure()).isNull();
        assertThat(logAndTsa.verified().signer().transparencyLog()).isTrue();
    }

    @Test
    void aRekorV2EntryMayRecordTheLeafsPublicKey() {
        ObjectNode entry = log.entry("hashedrekord", "0.0.2",
                MintedSigstore.hashedRekordV2WithKey(digest, signature, leaf.certificate().getPublicKey()), 3, null);
        ObjectNode bundle = bundle(List.of(entry), List.of(tsa.stamp(signature, signedAt)));
        EvidenceResult result = verify(bundle, held(root(tsa), true));
        assertThat(result.failure()).as("%s", result.trace()).isNull();
        assertThat(result.verified().signer().transparencyLog()).isTrue();
        assertThat(result.verified().signer().integratedTime()).isNull();

        ObjectNode otherKey = log.entry("hashedrekord", "0.0.2",
                MintedSigstore.hashedRekordV2WithKey(digest, signature, MintedSigstore.ec().getPublic()), 3, null);
        EvidenceResult refused = verify(bundle(List.of(otherKey), List.of(tsa.stamp(signature, signedAt))), held(root(tsa), true));
        assertThat(refused.failure().code()).isEqualTo("evidence_tlog_invalid");
        assertThat(refused.failure().detail()).contains("another public key than the certificate's");
    }

    @Test
    void everyLogEntryPresentMustVerifyEvenWhenATimestampWould() {
        ObjectNode bad = loggedEntry(2);
        bad.put("canonicalizedBody", MintedSigstore.b64(MintedSigstore.hashedRekordV1(
                MintedSigstore.sha256("x".getBytes(StandardCharsets.UTF_8)), signature, leaf.certificate()).getBytes(StandardCharsets.UTF_8)));
        EvidenceResult result = verify(bundle(List.of(bad), List.of(tsa.stamp(signature, signedAt))), held(root(tsa), false));
        assertThat(result.failure().code()).isEqualTo("evidence_tlog_invalid");
    }

    @Test
    void junkAfterACertificatesDerIsNeverVerified() {
        byte[] der = MintedSigstore.encoded(leaf.certificate());
        byte[] junk = MintedSigstore.concat(der, new byte[] {0, 1, 2});
        ObjectNode bundle = MintedSigstore.bundle(junk, digest, signature, List.of(), List.of(tsa.stamp(signature, signedAt)));
        EvidenceResult result = verify(bundle, held(root(tsa), false));
        assertThat(result.failure().code()).isEqualTo("evidence_malformed");
        assertThat(result.failure().detail()).isEqualTo("the certificate is not strict DER: 3 bytes follow its DER encoding");

        // the same for real bundles: each one verifies as it is and never with junk appended
        for (String path : new String[] {"sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json",
            "sigstore/conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"}) {
            ObjectNode real = (ObjectNode) EvidenceTestSupport.JSON.readTree(EvidenceTestSupport.resource(path));
            ObjectNode cert = (ObjectNode) real.get("verificationMaterial").get("certificate");
            byte[] raw = java.util.Base64.getDecoder().decode(cert.get("rawBytes").asString());
            cert.put("rawBytes", MintedSigstore.b64(MintedSigstore.concat(raw, "junk".getBytes(StandardCharsets.US_ASCII))));
            EvidenceResult r = verify(EvidenceTestSupport.verifier(0), real,
                    EvidenceTestSupport.digestOf(EvidenceTestSupport.resource("sigstore/conformance/bundle-verify/a.txt")),
                    EvidenceTestSupport.trust(EvidenceTestSupport.root("public-good", EvidenceTestSupport.publicGood())));
            assertThat(r.failure().code()).as(path).isEqualTo("evidence_malformed");
            assertThat(r.failure().detail()).contains("4 bytes follow its DER encoding");
        }
    }

    @Test
    void aSecondTimestampListIsRefusedAtParseNotIgnored() {
        ObjectNode bundle = bundle(List.of(), List.of(tsa.stamp(signature, signedAt)));
        ArrayNode list = (ArrayNode) bundle.get("verificationMaterial").get("timestampVerificationData").get("rfc3161Timestamps");
        list.addObject().put("signedTimestamp", "not base64!");
        EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> verifier.read(0, MintedSigstore.item(bundle)))
                .isInstanceOf(MalformedEvidence.class);
    }
}
