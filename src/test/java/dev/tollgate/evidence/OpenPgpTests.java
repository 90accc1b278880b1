package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import dev.tollgate.evidence.sigstore.SigstoreTrust;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterialCheck;
import dev.tollgate.trust.TrustSettings;
import dev.tollgate.trust.TrustStore;
import org.bouncycastle.bcpg.sig.RevocationReasonTags;
import org.bouncycastle.openpgp.PGPSignature;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenPGP-signed checksum files, with keys and signatures made here with BouncyCastle: verified
 * when a registered key (or its bound signing subkey) made the signature and was valid and
 * unrevoked at the signature's time, and the file lists the artifact's digest.
 */
class OpenPgpTests {

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final Instant CREATED = Instant.parse("2024-01-01T00:00:00Z");
    static final String HEX = "3f1c".repeat(16);
    static final String ARTIFACT = "sha256:" + HEX;
    static final String SUMS = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  tollgate-0.1.0.tar.gz\n"
            + HEX + "  tollgate-0.1.0-linux-amd64.tar.gz\n";

    private final EvidenceVerifier verifier = EvidenceTestSupport.verifier(0, 1, Clock.fixed(NOW, ZoneOffset.UTC));

    static ObjectNode detached(String file, String signature) {
        ObjectNode item = EvidenceTestSupport.JSON.createObjectNode();
        item.putObject("openpgp").put("signedFile", file).put("signature", signature);
        return item;
    }

    static ObjectNode clearsigned(String text) {
        ObjectNode item = EvidenceTestSupport.JSON.createObjectNode();
        item.putObject("openpgp").put("clearsigned", text);
        return item;
    }

    /** A clearsigned file as RFC 4880 section 7 frames it. */
    static String clearsign(OpenPgpFixtures.Key key, String text, Instant at) throws Exception {
        List<String> lines = List.of(text.split("\n", -1));
        if (text.endsWith("\n")) {
            lines = lines.subList(0, lines.size() - 1);
        }
        String canonical = String.join("\r\n", lines.stream().map(String::stripTrailing).toList());
        String signature = key.sign(canonical.getBytes(StandardCharsets.UTF_8), PGPSignature.CANONICAL_TEXT_DOCUMENT, at, false);
        StringBuilder out = new StringBuilder("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n");
        for (String line : lines) {
            out.append(line.startsWith("-") ? "- " + line : line).append('\n');
        }
        return out.append(signature).toString();
    }

    private TrustStore.Snapshot held(String name, OpenPgpFixtures.Key key) throws Exception {
        return EvidenceTestSupport.trust(EvidenceTestSupport.key(name, key.armored()));
    }

    private EvidenceResult verify(JsonNode item, String digest, TrustStore.Snapshot held) {
        return verifier.verify(verifier.read(0, item), digest, held);
    }

    @Test
    void aSignedChecksumFileListingTheDigestIsASignatureWithTheKeysFingerprintAndUserIds() throws Exception {
        OpenPgpFixtures.Key key = OpenPgpFixtures.generate("Tollgate Release <release@tollgate.dev>", CREATED, 0, null);
        TrustStore.Snapshot held = held("release", key);
        EvidenceResult result = verify(detached(SUMS, key.sign(SUMS, NOW.minusSeconds(3600))), ARTIFACT, held);
        assertThat(result.failure()).as("%s", result.trace()).isNull();
        Signer signer = result.verified().signer();
        assertThat(result.verified().kind()).isEqualTo("signature");
        assertThat(signer.kind()).isEqualTo("openpgp");
        assertThat(signer.key()).isEqualTo("release");
        assertThat(signer.fingerprint()).isEqualTo(key.fingerprint()).hasSize(40);
        assertThat(signer.userIds()).containsExactly("Tollgate Release <release@tollgate.dev>");
        assertThat(result.verified().trust()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("release"));

        // a digest the file does not list: who signed is shown, the policy sees nothing
        EvidenceResult other = verify(detached(SUMS, key.sign(SUMS, NOW.minusSeconds(3600))), "sha256:" + "99".repeat(32), held);
        assertThat(other.ok()).isFalse();
        assertThat(other.failure().code()).isEqualTo("evidence_digest_mismatch");
        assertThat(other.observed().signer().fingerprint()).isEqualTo(key.fingerprint());

        // the file changed after signing
        String signature = key.sign(SUMS, NOW.minusSeconds(3600));
        EvidenceResult tampered = verify(detached(SUMS.replace("0123", "4567"), signature), ARTIFACT, held);
        assertThat(tampered.failure().code()).isEqualTo("evidence_signature_invalid");
    }

    @Test
    void sha512SumsAndBsdStyleLinesAndClearsignedFilesVerify() throws Exception {
        OpenPgpFixtures.Key key = OpenPgpFixtures.generate("Release <r@example.org>", CREATED, 0, null);
        TrustStore.Snapshot held = held("release", key);
        String sha512 = "ab12".repeat(32);
        String sums512 = sha512 + " *app.tgz\n";
        assertThat(verify(detached(sums512, key.sign(sums512, NOW)), "sha512:" + sha512, held).ok()).isTrue();
        // a sha512 artifact is never matched by a sha256 line, nor the reverse
        assertThat(verify(detached(sums512, key.sign(sums512, NOW)), "sha256:" + sha512.substring(0, 64), held).failure().code())
                .isEqualTo("evidence_digest_mismatch");

        String bsd = "SHA256 (app.tgz) = " + HEX + "\n";
        assertThat(verify(detached(bsd, key.sign(bsd, NOW)), ARTIFACT, held).ok()).isTrue();

        String text = "-- a dashed line\n" + SUMS + "trailing blanks   \n";
        EvidenceResult clear = verify(clearsigned(clearsign(key, text, NOW)), ARTIFACT, held);
        assertThat(clear.failure()).as("%s", clear.trace()).isNull();
        assertThat(clear.verified().signer().key()).isEqualTo("release");
        // only signed text counts: a digest outside the signed part is never listed
        String outside = clearsign(key, "nothing here\n", NOW) + HEX + "  app.tgz\n";
        EvidenceResult unsigned = verify(clearsigned(outside), ARTIFACT, held);
        assertThat(unsigned.ok()).isFalse();
        String changed = clearsign(key, text, NOW).replace("tollgate-0.1.0.tar.gz", "evil.tar.gz");
        assertThat(verify(clearsigned(changed), ARTIFACT, held).failure().code()).isEqualTo("evidence_signature_invalid");
    }

    @Test
    void anExpiredKeyCountsOnlyForSignaturesMadeBeforeItExpired() throws Exception {
        // valid for one year from 2024-01-01
        OpenPgpFixtures.Key key = OpenPgpFixtures.generate("Old <old@example.org>", CREATED, 365L * 24 * 3600, null);
        TrustStore.Snapshot held = held("old", key);
        EvidenceResult before = verify(detached(SUMS, key.sign(SUMS, Instant.parse("2024-06-01T00:00:00Z"))), ARTIFACT, held);
        assertThat(before.failure()).as("%s", before.trace()).isNull();
        EvidenceResult after = verify(detached(SUMS, key.sign(SUMS, Instant.parse("2025-06-01T00:00:00Z"))), ARTIFACT, held);
        assertThat(after.ok()).isFalse();
        assertThat(after.failure().code()).isEqualTo("evidence_untrusted_key");
        assertThat(after.failure().detail()).contains("expired at 2024-12-31T00:00:00Z");
        EvidenceResult beforeCreation = verify(detached(SUMS, key.sign(SUMS, Instant.parse("2023-06-01T00:00:00Z"))), ARTIFACT, held);
        assertThat(beforeCreation.failure().detail()).contains("was created at");
        EvidenceResult future = verify(detached(SUMS, key.sign(SUMS, NOW.plusSeconds(86_400))), ARTIFACT,
                held("fresh", OpenPgpFixtures.generate("F <f@example.org>", CREATED, 0, null)));
        assertThat(future.ok()).isFalse();
    }

    @Test
    void revokedKeysAreRefusedAndARetiredKeyStillCountsForWhatItSignedBefore() throws Exception {
        OpenPgpFixtures.Key compromised = OpenPgpFixtures.generate("C <c@example.org>", CREATED, 0, null);
        String early = compromised.sign(SUMS, Instant.parse("2024-03-01T00:00:00Z"));
        compromised.revoke(false, RevocationReasonTags.KEY_COMPROMISED, Instant.parse("2025-01-01T00:00:00Z"));
        EvidenceResult hard = verify(detached(SUMS, early), ARTIFACT, held("c", compromised));
        assertThat(hard.ok()).isFalse();
        assertThat(hard.failure().code()).isEqualTo("evidence_untrusted_key");
        assertThat(hard.failure().detail()).contains("revoked (compromised");

        OpenPgpFixtures.Key retired = OpenPgpFixtures.generate("R <r@example.org>", CREATED, 0, null);
        retired.revoke(false, RevocationReasonTags.KEY_RETIRED, Instant.parse("2025-01-01T00:00:00Z"));
        TrustStore.Snapshot held = held("r", retired);
        assertThat(verify(detached(SUMS, retired.sign(SUMS, Instant.parse("2024-06-01T00:00:00Z"))), ARTIFACT, held).ok()).isTrue();
        EvidenceResult late = verify(detached(SUMS, retired.sign(SUMS, Instant.parse("2025-06-01T00:00:00Z"))), ARTIFACT, held);
        assertThat(late.failure().code()).isEqualTo("evidence_untrusted_key");
        assertThat(late.failure().detail()).contains("revoked (retired) at 2025-01-01T00:00:00Z");
    }

    @Test
    void aSigningSubkeyCountsWhenBoundWithItsBackSignatureAndUnrevoked() throws Exception {
        OpenPgpFixtures.Key key = OpenPgpFixtures.generate("S <s@example.org>", CREATED, 0, "signing");
        TrustStore.Snapshot held = held("s", key);
        byte[] file = SUMS.getBytes(StandardCharsets.UTF_8);
        EvidenceResult bySubkey = verify(detached(SUMS, key.sign(file, PGPSignature.BINARY_DOCUMENT, NOW, true)), ARTIFACT, held);
        assertThat(bySubkey.failure()).as("%s", bySubkey.trace()).isNull();
        assertThat(bySubkey.verified().signer().fingerprint()).isEqualTo(key.fingerprint());
        // the primary key is certify-only here: its own data signatures do not count
        EvidenceResult byPrimary = verify(detached(SUMS, key.sign(file, PGPSignature.BINARY_DOCUMENT, NOW, false)), ARTIFACT, held);
        assertThat(byPrimary.failure().detail()).contains("not for signing data");

        key.revoke(true, RevocationReasonTags.KEY_COMPROMISED, NOW.minusSeconds(60));
        EvidenceResult revoked = verify(detached(SUMS, key.sign(file, PGPSignature.BINARY_DOCUMENT, NOW.minusSeconds(86_400), true)),
                ARTIFACT, held("s", key));
        assertThat(revoked.failure().detail()).contains("subkey").contains("revoked");

        OpenPgpFixtures.Key noBack = OpenPgpFixtures.generate("N <n@example.org>", CREATED, 0, "no-backsig");
        EvidenceResult unbound = verify(detached(SUMS, noBack.sign(file, PGPSignature.BINARY_DOCUMENT, NOW, true)), ARTIFACT, held("n", noBack));
        assertThat(unbound.failure().detail()).contains("back-signature");
    }

    @Test
    void onlyRegisteredValidOpenPgpKeysCount() throws Exception {
        OpenPgpFixtures.Key key = OpenPgpFixtures.generate("K <k@example.org>", CREATED, 0, null);
        OpenPgpFixtures.Key stranger = OpenPgpFixtures.generate("X <x@example.org>", CREATED, 0, null);
        ObjectNode item = detached(SUMS, stranger.sign(SUMS, NOW));
        assertThat(verify(item, ARTIFACT, held("k", key)).failure().code()).isEqualTo("evidence_untrusted_key");
        assertThat(verify(item, ARTIFACT, EvidenceTestSupport.trust()).failure().code()).isEqualTo("evidence_no_trust_material");
        // a PEM key never verifies an OpenPGP signature, and an OpenPGP key never a Sigstore bundle
        TrustStore.Snapshot pemOnly = EvidenceTestSupport.trust(EvidenceTestSupport.key("managed",
                EvidenceTestSupport.resource("sigstore/conformance/bundle-verify/managed-key-happy-path/key.pub")));
        assertThat(verify(detached(SUMS, key.sign(SUMS, NOW)), ARTIFACT, pemOnly).failure().code()).isEqualTo("evidence_no_trust_material");
        JsonNode bundle = EvidenceTestSupport.item(EvidenceTestSupport.resource("sigstore/conformance/bundle-verify/managed-key-happy-path/bundle.sigstore.json"));
        String a = EvidenceTestSupport.digestOf(EvidenceTestSupport.resource("sigstore/conformance/bundle-verify/a.txt"));
        assertThat(verifier.verify(verifier.read(0, bundle), a, held("k", key)).failure().code()).isEqualTo("evidence_no_trust_material");

        // the registered window is judged at the decision time
        TrustStore.Snapshot ended = EvidenceTestSupport.trust(EvidenceTestSupport.material("k", TrustKind.KEY, key.armored(),
                new TrustSettings(true, null, Instant.parse("2026-01-01T00:00:00Z"))));
        EvidenceResult outside = verify(detached(SUMS, key.sign(SUMS, Instant.parse("2025-06-01T00:00:00Z"))), ARTIFACT, ended);
        assertThat(outside.failure().code()).isEqualTo("evidence_untrusted_key");
    }

    @Test
    void keysAreCheckedAtUpload() throws Exception {
        SigstoreTrust check = new SigstoreTrust(EvidenceTestSupport.JSON, Clock.fixed(NOW, ZoneOffset.UTC));
        OpenPgpFixtures.Key key = OpenPgpFixtures.generate("K <k@example.org>", CREATED, 0, null);
        check.checkKey(key.armored());
        String armored = new String(key.armored(), StandardCharsets.US_ASCII);
        for (String bad : List.of("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n",
                "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n",
                "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
                armored.substring(0, armored.length() / 2))) {
            assertThatThrownBy(() -> check.checkKey(bad.getBytes(StandardCharsets.US_ASCII)))
                    .as(bad).isInstanceOf(TrustMaterialCheck.InvalidTrustMaterial.class);
        }
    }

    @Test
    void malformedItemsAreRefusedAndMutationsNeverThrow() throws Exception {
        for (String bad : List.of("{\"openpgp\": null}", "{\"openpgp\": {}}", "{\"openpgp\": {\"signedFile\": \"x\"}}",
                "{\"openpgp\": {\"signedFile\": \"x\", \"signature\": 5}}", "{\"openpgp\": {\"signedFile\": \"x\", \"signature\": \"not armored\"}}",
                "{\"openpgp\": {\"clearsigned\": \"plain text\"}}", "{\"openpgp\": {\"clearsigned\": \"x\", \"signedFile\": \"y\"}}",
                "{\"openpgp\": {\"signedFile\": \"x\", \"signature\": \"s\", \"more\": 1}}",
                "{\"openpgp\": {\"signedFile\": \"x\", \"signature\": \"s\"}, \"bundle\": {}}")) {
            JsonNode item = EvidenceTestSupport.JSON.readTree(bad);
            assertThatThrownBy(() -> verifier.read(0, item)).as(bad).isInstanceOf(MalformedEvidence.class);
        }
        OpenPgpFixtures.Key key = OpenPgpFixtures.generate("K <k@example.org>", CREATED, 0, "signing");
        TrustStore.Snapshot held = held("k", key);
        List<JsonNode> seeds = List.of(detached(SUMS, key.sign(SUMS.getBytes(StandardCharsets.UTF_8), PGPSignature.BINARY_DOCUMENT, NOW, true)),
                clearsigned(clearsign(key, SUMS, NOW)));
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            JsonNode mutant = seeds.get(random.nextInt(seeds.size()));
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                mutant = EvidenceRobustnessTests.mutate(mutant, random);
            }
            try {
                verifier.verify(verifier.read(0, mutant), ARTIFACT, held);
            } catch (MalformedEvidence e) {
                assertThat(e.getMessage()).isNotBlank();
            } catch (RuntimeException | Error e) {
                throw new AssertionError("mutant " + i + " threw " + e + ": " + mutant, e);
            }
        }
    }
}
