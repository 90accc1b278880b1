package dev.tollgate.evidence.sigstore;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import dev.tollgate.digest.Digest;

/**
 * A registered public key ("managed key"): ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048
 * bits, given as a PEM public key (or a PEM certificate, which must be valid now).
 */
public final class TrustKey {

    private static final String EC = "1.2.840.10045.2.1";
    private static final Set<String> CURVES = Set.of("1.2.840.10045.3.1.7", "1.3.132.0.34");
    private static final String ED25519 = "1.3.101.112";
    private static final String RSA = "1.2.840.113549.1.1.1";

    private final String name;
    private final String sha256;
    final PublicKey key;
    final byte[] encoded;

    private TrustKey(String name, String sha256, PublicKey key) {
        this.name = name;
        this.sha256 = sha256;
        this.key = key;
        this.encoded = key.getEncoded();
    }

    public String name() {
        return name;
    }

    public String sha256() {
        return sha256;
    }

    /**
     * The key's id as Sigstore and npm write it: {@code SHA256:} and the unpadded base64 of the
     * SHA-256 of its SubjectPublicKeyInfo.
     */
    public String fingerprint() {
        return "SHA256:" + java.util.Base64.getEncoder().withoutPadding().encodeToString(Digest.sha256(encoded).bytes());
    }

    boolean sameKey(byte[] subjectPublicKeyInfo) {
        return Arrays.equals(encoded, subjectPublicKeyInfo);
    }

    public static TrustKey load(String name, String sha256, byte[] pem, Clock clock) throws Failure {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.UTF_8)))) {
            parsed = parser.readObject();
            if (parsed == null) {
                throw invalid("no PEM object found");
            }
            if (parser.readObject() != null) {
                throw invalid("exactly one PEM object is expected");
            }
        } catch (IOException | RuntimeException e) {
            throw invalid("not a PEM public key: " + e.getMessage());
        }
        SubjectPublicKeyInfo info;
        if (parsed instanceof SubjectPublicKeyInfo spki) {
            info = spki;
        } else if (parsed instanceof X509CertificateHolder holder) {
            X509Certificate certificate;
            try {
                certificate = new JcaX509CertificateConverter().getCertificate(holder);
                certificate.checkValidity(Date.from(clock.instant()));
            } catch (CertificateException e) {
                throw invalid("the certificate is expired or not yet valid");
            }
            info = holder.getSubjectPublicKeyInfo();
        } else {
            throw invalid("expected a PUBLIC KEY (or CERTIFICATE) PEM block, not a " + parsed.getClass().getSimpleName());
        }
        String algorithm = info.getAlgorithm().getAlgorithm().getId();
        if (algorithm.equals(EC)) {
            String curve = info.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier oid ? oid.getId() : "";
            if (!CURVES.contains(curve)) {
                throw invalid("ECDSA keys must be on P-256 or P-384");
            }
        } else if (!algorithm.equals(ED25519) && !algorithm.equals(RSA)) {
            throw invalid("unsupported key algorithm " + algorithm + "; accepted: ECDSA P-256/P-384, Ed25519, RSA >= 2048");
        }
        PublicKey key;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException | RuntimeException e) {
            throw invalid("the key does not decode: " + e.getMessage());
        }
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
            throw invalid("RSA keys need at least 2048 bits, this one has " + rsa.getModulus().bitLength());
        }
        if (key instanceof RSAPublicKey rsa && rsa.getPublicExponent().compareTo(BigInteger.valueOf(3)) < 0) {
            throw invalid("the RSA public exponent is invalid");
        }
        return new TrustKey(name, sha256, key);
    }

    private static Failure invalid(String detail) {
        return new Failure(Failure.Codes.NO_TRUST_MATERIAL, detail);
    }
}
