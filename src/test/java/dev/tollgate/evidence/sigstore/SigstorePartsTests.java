package dev.tollgate.evidence.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SigstorePartsTests {

    @Test
    void preAuthenticationEncodingCountsBytesNotCharacters() {
        byte[] payload = "{\"x\":\"é\"}".getBytes(StandardCharsets.UTF_8);
        String pae = new String(Dsse.pae("application/vnd.in-toto+json", payload), StandardCharsets.UTF_8);
        assertThat(pae).isEqualTo("DSSEv1 28 application/vnd.in-toto+json 10 {\"x\":\"é\"}");
        assertThat(Dsse.isAscii(payload)).isFalse();
        assertThat(Dsse.isAscii("plain".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void anIdentityMatcherCannotBeEmpty() {
        assertThatThrownBy(() -> SigstoreVerifier.Identities.required(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigstoreVerifier.Identities.required(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(SigstoreVerifier.Identities.required("https://accounts.google.com")).isEqualTo("https://accounts.google.com");
    }
}
