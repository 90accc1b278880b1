package dev.tollgate.evidence.sigstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.OtherName;

/**
 * The identity a Fulcio certificate carries: its one subject alternative name (URI, e-mail or
 * Fulcio's otherName username 1.3.6.1.4.1.57264.1.7), the OIDC issuer (extension .1.8, else the
 * legacy .1.1), the Fulcio extensions 1.3.6.1.4.1.57264.1.9 to .22 and the legacy GitHub
 * workflow extensions .1.2 to .1.6, under their camelCase names.
 *
 * <p>Accepted subject alternative names are what Fulcio issues and what the reference clients
 * read as an identity: exactly one, of type URI, e-mail (rfc822Name) or the username otherName
 * (a UTF8String). DNS names, IP addresses, directory names, other otherNames and certificates
 * with several names are refused: sigstore-java and sigstore-go take none of them as a signer.
 */
public record CertificateIdentity(String subject, SanType subjectType, String issuer, Map<String, String> extensions) {

    /** The kind of subject alternative name. */
    public enum SanType { URI, EMAIL, OTHER_NAME }

    private static final String FULCIO = "1.3.6.1.4.1.57264.1.";
    static final String USERNAME_OID = FULCIO + "7";
    static final List<String> EXTENSION_NAMES = List.of(
            "buildSignerUri", "buildSignerDigest", "runnerEnvironment", "sourceRepositoryUri", "sourceRepositoryDigest",
            "sourceRepositoryRef", "sourceRepositoryIdentifier", "sourceRepositoryOwnerUri", "sourceRepositoryOwnerIdentifier",
            "buildConfigUri", "buildConfigDigest", "buildTrigger", "runInvocationUri", "sourceRepositoryVisibilityAtSigning");
    /** The deprecated GitHub Actions extensions .1.2 to .1.6 (raw strings), as cosign's --certificate-github-workflow-* reads them. */
    static final List<String> LEGACY_NAMES = List.of(
            "githubWorkflowTrigger", "githubWorkflowSha", "githubWorkflowName", "githubWorkflowRepository", "githubWorkflowRef");

    public CertificateIdentity {
        extensions = Map.copyOf(extensions);
    }

    private record San(String value, SanType type) {
    }

    /** @throws Failure when the certificate has no single usable subject alternative name */
    static CertificateIdentity of(X509Certificate certificate) throws Failure {
        San san = subjectAlternativeName(certificate);
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
        for (int i = 0; i < LEGACY_NAMES.size(); i++) {
            String value = rawString(certificate, FULCIO + (2 + i));
            if (value != null) {
                extensions.put(LEGACY_NAMES.get(i), value);
            }
        }
        return new CertificateIdentity(san.value(), san.type(), issuer, extensions);
    }

    private static San subjectAlternativeName(X509Certificate certificate) throws Failure {
        byte[] value = certificate.getExtensionValue(Extension.subjectAlternativeName.getId());
        if (value == null) {
            throw refused("the certificate has no subject alternative name");
        }
        GeneralName[] names;
        try {
            names = GeneralNames.getInstance(
                    ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(value).getOctets())).getNames();
        } catch (IOException | RuntimeException e) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE, "the certificate's subject alternative name does not parse");
        }
        if (names.length != 1) {
            throw refused("the certificate carries " + names.length + " subject alternative names");
        }
        GeneralName name = names[0];
        San san = switch (name.getTagNo()) {
            case GeneralName.uniformResourceIdentifier -> new San(ia5(name.getName()), SanType.URI);
            case GeneralName.rfc822Name -> new San(ia5(name.getName()), SanType.EMAIL);
            case GeneralName.otherName -> new San(username(name.getName()), SanType.OTHER_NAME);
            default -> throw refused("its subject alternative name is of type " + typeName(name.getTagNo()));
        };
        if (san.value() == null || san.value().isEmpty()) {
            throw refused(san.type() == SanType.OTHER_NAME
                    ? "its otherName is not a Fulcio username (1.3.6.1.4.1.57264.1.7, UTF8String)"
                    : "its subject alternative name is empty");
        }
        return san;
    }

    private static Failure refused(String why) {
        return new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE,
                "the certificate must carry exactly one subject alternative name (URI, e-mail or Fulcio username): " + why);
    }

    private static String ia5(ASN1Encodable value) {
        return value instanceof ASN1IA5String string ? string.getString() : null;
    }

    private static String username(ASN1Encodable value) {
        try {
            OtherName other = OtherName.getInstance(value);
            if (!USERNAME_OID.equals(other.getTypeID().getId())) {
                return null;
            }
            return other.getValue() instanceof ASN1UTF8String string ? string.getString() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String typeName(int tag) {
        return switch (tag) {
            case GeneralName.dNSName -> "DNS name";
            case GeneralName.iPAddress -> "IP address";
            case GeneralName.directoryName -> "directory name";
            case GeneralName.registeredID -> "registered ID";
            default -> "[" + tag + "]";
        };
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
