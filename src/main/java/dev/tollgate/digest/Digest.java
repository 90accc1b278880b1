package dev.tollgate.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.google.re2j.Pattern;

/**
 * A content digest as Tollgate writes it: {@code sha256:} and 64 lowercase hex digits, or
 * {@code sha512:} and 128 (npm's {@code integrity}). The one parser of that form and the one
 * place that hashes bytes; {@link #toString()} is the written form.
 */
public record Digest(Algorithm algorithm, String hex) {

    /** The written form, for messages: what {@link #parse} accepts. */
    public static final String FORM = "sha256: followed by 64 lowercase hex digits, or sha512: followed by 128";
    private static final Pattern TEXT = Pattern.compile("(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})");

    /** The algorithms Tollgate names artifacts by. */
    public enum Algorithm {
        SHA256("sha256", "SHA-256", 64), SHA512("sha512", "SHA-512", 128);

        private final String label;
        private final String jca;
        private final int hexLength;

        Algorithm(String label, String jca, int hexLength) {
            this.label = label;
            this.jca = jca;
            this.hexLength = hexLength;
        }

        /** The name written before the colon: {@code sha256}, {@code sha512}. */
        public String label() {
            return label;
        }

        /** A fresh digester of this algorithm (every Java runtime has both). */
        public MessageDigest digester() {
            try {
                return MessageDigest.getInstance(jca);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public Digest {
        if (algorithm == null || hex == null || hex.length() != algorithm.hexLength || !TEXT.matches(algorithm.label + ":" + hex)) {
            throw new IllegalArgumentException("a digest is " + FORM);
        }
    }

    /** The digest {@code text} spells, or null when it is not of the written form. */
    public static Digest parse(String text) {
        if (!isWritten(text)) {
            return null;
        }
        int colon = text.indexOf(':');
        return new Digest(text.startsWith("sha256:") ? Algorithm.SHA256 : Algorithm.SHA512, text.substring(colon + 1));
    }

    /** Whether {@code text} is a digest in the written form. */
    public static boolean isWritten(String text) {
        return text != null && text.length() <= 7 + 128 && TEXT.matches(text);
    }

    /** The digest of {@code bytes} under {@code algorithm}. */
    public static Digest of(Algorithm algorithm, byte[] bytes) {
        return new Digest(algorithm, HexFormat.of().formatHex(algorithm.digester().digest(bytes)));
    }

    /** The SHA-256 of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return of(Algorithm.SHA256, bytes);
    }

    /** The SHA-256 of {@code text} in UTF-8. */
    public static Digest sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The raw digest bytes. */
    public byte[] bytes() {
        return HexFormat.of().parseHex(hex);
    }

    @Override
    public String toString() {
        return algorithm.label + ":" + hex;
    }
}
