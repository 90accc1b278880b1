package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Real bundles for decision tests (sigstore-conformance and attestation fixtures, see their SOURCE.md). */
public final class DecisionFixtures {

    public static final String CONFORMANCE = "src/test/resources/sigstore/conformance/bundle-verify/";
    public static final String BEACON =
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    public static final String GITHUB = "https://token.actions.githubusercontent.com";
    /** sha256 of conformance's a.txt: the subject of the happy-path bundles. */
    public static final String A_TXT = "sha256:" + sha256(read(CONFORMANCE + "a.txt"));
    public static final String MESSAGE_BUNDLE = text(CONFORMANCE + "happy-path-v0.3/bundle.sigstore.json");
    public static final String DSSE_BUNDLE = text(CONFORMANCE + "happy-path-intoto-in-dsse-v3/bundle.sigstore.json");
    public static final String BCR_DIGEST = "sha256:06ce330900a7d6403bc8d88e5dfad6aeeb8ae40179f66bb89e69c8bf6f6b1a0b";
    public static final String BCR_BUNDLE = text("src/test/resources/attestations/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl");

    private DecisionFixtures() {
    }

    public static byte[] read(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String path) {
        return new String(read(path), StandardCharsets.UTF_8).strip();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the parts, one after the other (the JDK's, for checks independent of the production code). */
    public static byte[] sha256Bytes(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
            }
            return sha.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
