package dev.tollgate.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * The test server's declared policy sources: a directory and one signed bundle, both under the
 * build directory (fresh per test JVM), and the ECDSA P-256 key the bundle must be signed with,
 * generated here; the tarballs and their Sigstore bundles ({@code cosign sign-blob --bundle}
 * shape, a message signature over the tarball's SHA-256) are made in the tests.
 */
public final class PolicySourceFiles {

    public static final Path ROOT = Path.of("target", "test-policy-sources-" + ProcessHandle.current().pid());
    public static final Path DIRECTORY = ROOT.resolve("directory");
    public static final Path BUNDLE = ROOT.resolve("bundle").resolve("policies.tgz");
    public static final Path SIGNATURE = ROOT.resolve("bundle").resolve("policies.tgz.sigstore.json");
    public static final Path KEY = ROOT.resolve("bundle").resolve("release.pem");
    /** The configured bundle source's name. */
    public static final String BUNDLE_SOURCE = "signed";
    /** The keyless bundle source: a tarball that must be signed by a certificate for this identity. */
    public static final String KEYLESS_SOURCE = "keyless";
    public static final Path KEYLESS_BUNDLE = ROOT.resolve("keyless").resolve("policies.tgz");
    public static final Path KEYLESS_SIGNATURE = ROOT.resolve("keyless").resolve("policies.tgz.sigstore.json");
    public static final String KEYLESS_ISSUER = "https://token.actions.githubusercontent.com";
    public static final String KEYLESS_SUBJECT = "https://github.com/acme/policies/.github/workflows/release.yml@refs/heads/main";
    /** The OCI bundle source (configured when the real registry runs): {@code <registry>/<OCI_REPOSITORY>:release}. */
    public static final String OCI_SOURCE = "oci";
    public static final String OCI_REPOSITORY = "tollgate/policies";
    /** The keyless OCI source: {@code <registry>/<OCI_KEYLESS_REPOSITORY>:release}, signed for the keyless identity. */
    public static final String OCI_KEYLESS_SOURCE = "oci-keyless";
    public static final String OCI_KEYLESS_REPOSITORY = "tollgate/keyless-policies";
    /** The key the server trusts for the bundle. */
    public static final KeyPair RELEASE = ec();

    static {
        try {
            Files.createDirectories(DIRECTORY);
            Files.createDirectories(BUNDLE.getParent());
            Files.createDirectories(KEYLESS_BUNDLE.getParent());
            Files.writeString(KEY, pem(RELEASE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PolicySourceFiles() {
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** A ustar tarball of these files (path to content), gzip-compressed, as {@code tar czf} writes one. */
    public static byte[] tarGz(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            for (Map.Entry<String, byte[]> file : new TreeMap<>(files).entrySet()) {
                gz.write(header(file.getKey(), file.getValue().length, '0'));
                gz.write(file.getValue());
                gz.write(new byte[(512 - file.getValue().length % 512) % 512]);
            }
            gz.write(new byte[1024]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One ustar header block. */
    public static byte[] header(String name, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_700_000_000L));
        put(h, 148, "        ");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    /** A Sigstore bundle (v0.3, public-key hint, no log entry) whose message signature over the data is the key's. */
    public static byte[] signatureBundle(KeyPair keys, byte[] data) {
        try {
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(keys.getPrivate());
            signature.update(data);
            byte[] sig = signature.sign();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
            return """
                    {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                     "verificationMaterial": {"publicKey": {"hint": "release"}},
                     "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": "%s"}, "signature": "%s"}}
                    """.formatted(Base64.getEncoder().encodeToString(digest), Base64.getEncoder().encodeToString(sig))
                    .getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces a file as a sidecar would: written aside, then moved into place in one step. */
    public static void replace(Path file, byte[] content) {
        try {
            Path aside = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(aside, content);
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes a bundle: its signature first, then the tarball. */
    public static void publish(byte[] tarGz, byte[] signature) {
        replace(SIGNATURE, signature);
        replace(BUNDLE, tarGz);
    }

    /** Publishes a release of the keyless source: the signature first, then the tarball. */
    public static void publishKeyless(byte[] tarGz, byte[] signature) {
        replace(KEYLESS_SIGNATURE, signature);
        replace(KEYLESS_BUNDLE, tarGz);
    }
}
