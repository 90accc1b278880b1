package dev.tollgate.decision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Real bundles for decision tests (sigstore-conformance and attestation fixtures, see their SOURCE.md). */
final class DecisionFixtures {

    static final String CONFORMANCE = "src/test/resources/sigstore/conformance/bundle-verify/";
    static final String BEACON =
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
    static final String GITHUB = "https://token.actions.githubusercontent.com";
    /** sha256 of conformance's a.txt: the subject of the happy-path bundles. */
    static final String A_TXT = "sha256:" + sha256(read(CONFORMANCE + "a.txt"));
    static final String MESSAGE_BUNDLE = text(CONFORMANCE + "happy-path-v0.3/bundle.sigstore.json");
    static final String DSSE_BUNDLE = text(CONFORMANCE + "happy-path-intoto-in-dsse-v3/bundle.sigstore.json");
    static final String BCR_DIGEST = "sha256:06ce330900a7d6403bc8d88e5dfad6aeeb8ae40179f66bb89e69c8bf6f6b1a0b";
    static final String BCR_BUNDLE = text("src/test/resources/attestations/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl");

    private DecisionFixtures() {
    }

    static byte[] read(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String path) {
        return new String(read(path), StandardCharsets.UTF_8).strip();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
