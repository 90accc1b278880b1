package dev.tollgate.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook listener's certificate in the test suite: {@code tls.crt} and {@code tls.key} in a
 * directory, as cert-manager writes them into a Secret's mount; {@link #rotate} writes new ones.
 */
public final class WebhookCertificates {

    public static final Path DIR;
    /** The API server's client certificate the webhook listener trusts ({@code client-ca.crt}, its bundle's trust store). */
    public static final String CLIENT_SUBJECT = "CN=kube-apiserver-webhook,O=tollgate-tests";
    public static final KeyPair CLIENT_KEYS;
    public static final X509Certificate CLIENT;

    static {
        try {
            DIR = Files.createTempDirectory("tollgate-webhook-tls");
            DIR.toFile().deleteOnExit();
            rotate("CN=tollgate-webhook-1");
            CLIENT_KEYS = keys();
            CLIENT = selfSigned(CLIENT_SUBJECT, CLIENT_KEYS);
            write(DIR.resolve("client-ca.crt"), pem(CLIENT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private WebhookCertificates() {
    }

    public static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate for the key, valid for a day. */
    public static X509Certificate selfSigned(String subject, KeyPair pair) {
        try {
            X500Principal name = new X500Principal(subject);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                    Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic());
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a new key and self-signed certificate with this subject (each file replaced atomically); answers the certificate. */
    public static synchronized X509Certificate rotate(String subject) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X500Principal name = new X500Principal(subject);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                    Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic());
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            write(DIR.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                            .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n"); // PKCS #8
            write(DIR.resolve("tls.crt"), pem(certificate));
            return certificate;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static void write(Path target, String text) throws IOException {
        Path temporary = Files.createTempFile(DIR, "new", ".pem");
        Files.writeString(temporary, text);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
