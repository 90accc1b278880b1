package dev.tollgate.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import dev.tollgate.trust.TrustStore;
import org.junit.jupiter.api.Test;

/** What gpg itself writes (src/test/resources/openpgp, see its SOURCE.md) verifies as gpg says. */
class GpgFixtureTests {

    static final String FINGERPRINT = "0A58BF27C5E0F23741D88218B74F2383D9A5C826";

    static String text(String name) {
        return new String(EvidenceTestSupport.resource("openpgp/" + name), StandardCharsets.UTF_8);
    }

    static String digest(String algorithm) throws Exception {
        return algorithm.toLowerCase().replace("-", "") + ":"
                + HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(EvidenceTestSupport.resource("openpgp/artifact.txt")));
    }

    private final EvidenceVerifier verifier = EvidenceTestSupport.verifier(0);
    private final TrustStore.Snapshot held = EvidenceTestSupport.trust(
            EvidenceTestSupport.key("release", EvidenceTestSupport.resource("openpgp/release-key.asc")));

    private EvidenceResult verify(tools.jackson.databind.JsonNode item, String digest) {
        return verifier.verify(verifier.read(0, item), digest, held);
    }

    @Test
    void gpgsDetachedTextModeAndClearsignedSignaturesVerifyBySigningSubkey() throws Exception {
        String sha256 = digest("SHA-256");
        for (EvidenceResult result : new EvidenceResult[] {
            verify(OpenPgpTests.detached(text("SHA256SUMS"), text("SHA256SUMS.asc")), sha256),
            verify(OpenPgpTests.clearsigned(text("SHA256SUMS.clearsigned")), sha256),
            verify(OpenPgpTests.detached(text("SHA512SUMS"), text("SHA512SUMS.asc")), digest("SHA-512")),
        }) {
            assertThat(result.failure()).as("%s", result.trace()).isNull();
            assertThat(result.verified().signer().kind()).isEqualTo("openpgp");
            assertThat(result.verified().signer().fingerprint()).isEqualTo(FINGERPRINT);
            assertThat(result.verified().signer().userIds()).containsExactly("Tollgate Test Release <release@tollgate.test>");
        }
        assertThat(verify(OpenPgpTests.detached(text("SHA256SUMS"), text("SHA256SUMS.asc")), "sha256:" + "00".repeat(31) + "01")
                .failure().code()).isEqualTo("evidence_digest_mismatch");
        // the other file's signature does not cover this one
        assertThat(verify(OpenPgpTests.detached(text("SHA256SUMS"), text("SHA512SUMS.asc")), sha256).failure().code())
                .isEqualTo("evidence_signature_invalid");
        // CRLF line endings, as a Windows checkout writes the file, still verify a clearsigned text
        assertThat(verify(OpenPgpTests.clearsigned(text("SHA256SUMS.clearsigned").replace("\n", "\r\n")), sha256).ok()).isTrue();
    }
}
