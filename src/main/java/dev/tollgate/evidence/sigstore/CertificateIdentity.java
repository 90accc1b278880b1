package dev.tollgate.evidence.sigstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;

/**
 * The identity a Fulcio certificate carries: its one subject alternative name (URI, e-mail or
 * Fulcio's otherName username), the OIDC issuer (extension .1.8, else the legacy .1.1), and the
 * other Fulcio extensions 1.3.6.1.4.1.57264.1.9 to .22 under their documented camelCase names.
 */
public record CertificateIdentity(String subject, SanType subjectType, String issuer, Map<String, String> extensions) {

    /** The kind of subject alternative name. */
    public enum SanType { URI, EMAIL, OTHER_NAME }

    private static final String FULCIO = "1.3.6.1.4.1.57264.1.";
    private static final String USERNAME_OID = FULCIO + "7";
    static final List<String> EXTENSION_NAMES = List.of(
            "buildSignerUri", "buildSignerDigest", "runnerEnvironment", "sourceRepositoryUri", "sourceRepositoryDigest",
            "sourceRepositoryRef", "sourceRepositoryIdentifier", "sourceRepositoryOwnerUri", "sourceRepositoryOwnerIdentifier",
            "buildConfigUri", "buildConfigDigest", "buildTrigger", "runInvocationUri", "sourceRepositoryVisibilityAtSigning");

    public CertificateIdentity {
        extensions = Map.copyOf(extensions);
    }

    /** @throws Failure when the certificate has no single usable subject alternative name */
    static CertificateIdentity of(X509Certificate certificate) throws Failure {
        String subject = null;
        SanType type = null;
        int count = 0;
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    count++;
                    int tag = (Integer) name.get(0);
                    if (tag == 6) {
                        subject = (String) name.get(1);
                        type = SanType.URI;
                    } else if (tag == 1) {
                        subject = (String) name.get(1);
                        type = SanType.EMAIL;
                    } else if (tag == 0) {
                        subject = otherNameUsername(name.get(1));
                        type = subject == null ? null : SanType.OTHER_NAME;
                    }
                }
            }
        } catch (CertificateParsingException | RuntimeException e) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE, "the certificate's subject alternative name does not parse");
        }
        if (count != 1 || subject == null || subject.isEmpty()) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE,
                    "the certificate must carry exactly one subject alternative name (URI, e-mail or Fulcio username)");
        }
        String issuer = derString(certificate, FULCIO + "8");
        if (issuer == null) {
            issuer = rawString(certificate, FULCIO + "1");
        }
        Map<String, String> extensions = new LinkedHashMap<>();
        for (int i = 0; i < EXTENSION_NAMES.size(); i++) {
            String value = derString(certificate, FULCIO + (9 + i));
            if (value != null) {
                extensions.put(EXTENSION_NAMES.get(i), value);
            }
        }
        return new CertificateIdentity(subject, type, issuer, extensions);
    }

    private static String otherNameUsername(Object value) {
        try {
            byte[] der = value instanceof byte[] bytes ? bytes : null;
            if (der == null) {
                return null;
            }
            ASN1Primitive primitive = ASN1Primitive.fromByteArray(der);
            ASN1Sequence sequence = ASN1Sequence.getInstance(primitive instanceof ASN1TaggedObject tagged
                    ? tagged.getBaseObject() : primitive);
            ASN1ObjectIdentifier oid = ASN1ObjectIdentifier.getInstance(sequence.getObjectAt(0));
            if (!USERNAME_OID.equals(oid.getId())) {
                return null;
            }
            ASN1Encodable inner = ASN1TaggedObject.getInstance(sequence.getObjectAt(1)).getBaseObject();
            return inner instanceof ASN1String string ? string.getString() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A v2 Fulcio extension: a DER-encoded string inside the extension's octet string. */
    private static String derString(X509Certificate certificate, String oid) {
        byte[] value = certificate.getExtensionValue(oid);
        if (value == null) {
            return null;
        }
        try {
            ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(value).getOctets());
            return inner instanceof ASN1String string ? string.getString() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A v1 Fulcio extension: the raw bytes of the string inside the octet string. */
    private static String rawString(X509Certificate certificate, String oid) {
        byte[] value = certificate.getExtensionValue(oid);
        if (value == null) {
            return null;
        }
        try {
            return new String(ASN1OctetString.getInstance(value).getOctets(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
