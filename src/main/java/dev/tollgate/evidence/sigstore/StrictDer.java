package dev.tollgate.evidence.sigstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Primitive;

/**
 * Certificates read as the Sigstore clients read them: exactly one DER-encoded object, nothing
 * after it. The JDK's {@code CertificateFactory} reads the first certificate of a stream and
 * ignores what follows, so junk appended to a certificate would otherwise go unnoticed; Go's
 * parser (sigstore-go, cosign) refuses it, and so does Tollgate.
 */
final class StrictDer {

    private StrictDer() {
    }

    /** Why {@code der} is not exactly one DER object, or null when it is. */
    static String problem(byte[] der) {
        if (der == null || der.length == 0) {
            return "it is empty";
        }
        ASN1Primitive object;
        int end;
        try (ASN1InputStream in = new ASN1InputStream(der, true)) {
            object = in.readObject();
            if (object == null) {
                return "it holds no ASN.1 object";
            }
            end = der.length - in.available();
        } catch (IOException | RuntimeException e) {
            return "it is not ASN.1 DER";
        }
        if (end < der.length) {
            return (der.length - end) + " bytes follow its DER encoding";
        }
        try {
            if (!Arrays.equals(object.getEncoded(ASN1Encoding.DER), der)) {
                return "it is not in DER (distinguished) encoding";
            }
        } catch (IOException | RuntimeException e) {
            return "it is not in DER (distinguished) encoding";
        }
        return null;
    }

    /** An X.509 certificate from exactly its DER bytes; the message of the exception says what is wrong. */
    static X509Certificate certificate(byte[] der) throws CertificateException {
        String problem = problem(der);
        if (problem != null) {
            throw new CertificateException("the certificate is not strict DER: " + problem);
        }
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
