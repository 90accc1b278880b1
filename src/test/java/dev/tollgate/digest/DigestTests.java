package dev.tollgate.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class DigestTests {

    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void hashesBytesUnderEitherAlgorithm() {
        assertThat(Digest.sha256(new byte[0]).toString()).isEqualTo("sha256:" + EMPTY_SHA256);
        assertThat(Digest.sha256("").hex()).isEqualTo(EMPTY_SHA256);
        Digest sha512 = Digest.of(Digest.Algorithm.SHA512, "abc".getBytes(StandardCharsets.UTF_8));
        assertThat(sha512.algorithm()).isEqualTo(Digest.Algorithm.SHA512);
        assertThat(sha512.hex()).hasSize(128).startsWith("ddaf35a193617aba");
        assertThat(Digest.sha256("abc").bytes()).hasSize(32);
    }

    @Test
    void parsesOnlyTheWrittenForm() {
        Digest parsed = Digest.parse("sha256:" + EMPTY_SHA256);
        assertThat(parsed).isEqualTo(Digest.sha256(new byte[0]));
        assertThat(Digest.parse("sha512:" + "a".repeat(128)).algorithm()).isEqualTo(Digest.Algorithm.SHA512);
        assertThat(Digest.parse("sha256:" + EMPTY_SHA256.toUpperCase())).isNull();
        assertThat(Digest.parse("sha256:" + "a".repeat(63))).isNull();
        assertThat(Digest.parse("sha512:" + "a".repeat(64))).isNull();
        assertThat(Digest.parse("md5:" + "a".repeat(32))).isNull();
        assertThat(Digest.parse(null)).isNull();
        assertThat(Digest.isWritten("sha256:" + "0".repeat(64))).isTrue();
        assertThat(Digest.isWritten("sha256:" + "0".repeat(64) + "\n")).isFalse();
    }

    @Test
    void refusesAValueOfTheWrongShape() {
        assertThatThrownBy(() -> new Digest(Digest.Algorithm.SHA512, EMPTY_SHA256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Digest(null, EMPTY_SHA256)).isInstanceOf(IllegalArgumentException.class);
    }
}
