package dev.tollgate.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attestation signer (BouncyCastle's P-256, RFC 6979 nonces) checked by the JDK's own
 * provider: the DER signature over DSSE's pre-authentication encoding verifies with the published
 * key, signing is deterministic, and a changed payload does not verify.
 */
class AttestationsTests {

    @Test
    void signaturesVerifyWithTheJdkProviderAndAreDeterministic(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("attestation.pem"), SigningKeys.newP256());
        SigningKeys keys = new SigningKeys(new SigningProperties(dir, true, null, List.of(), key, List.of()),
                new CheckpointProperties("test.invalid/decisions", Duration.ofSeconds(1), 1000, null, null, Duration.ofSeconds(3)));
        Attestations attestations = new Attestations(keys);
        byte[] statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}".getBytes(StandardCharsets.UTF_8);

        Attestations.Bundle bundle = attestations.sign(statement);
        byte[] sig = Base64.getDecoder().decode(bundle.dsseEnvelope().signatures().get(0).sig());
        Signature jdk = Signature.getInstance("SHA256withECDSA");
        jdk.initVerify(KeyFactory.getInstance("EC").generatePublic(
                new X509EncodedKeySpec(keys.attestationKeys().get(0).subjectPublicKeyInfo())));
        jdk.update(Attestations.pae(Attestations.IN_TOTO, statement));
        assertThat(jdk.verify(sig)).isTrue();

        assertThat(attestations.sign(statement).dsseEnvelope().signatures().get(0).sig())
                .isEqualTo(bundle.dsseEnvelope().signatures().get(0).sig());

        byte[] other = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{}]}".getBytes(StandardCharsets.UTF_8);
        jdk.update(Attestations.pae(Attestations.IN_TOTO, other));
        assertThat(jdk.verify(sig)).isFalse();
    }
}
