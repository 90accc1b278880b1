package dev.tollgate.evidence.sigstore;

import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

import dev.sigstore.encryption.certificates.Certificates;
import dev.sigstore.trustroot.CertificateAuthority;

/**
 * Signing-certificate chains against a root's certificate authorities. A root that lists CT logs
 * goes through sigstore-java's {@code FulcioVerifier} (chain and embedded SCT); a root without
 * any CT log (GitHub's instance for private repositories) cannot require an SCT, so its chains
 * are validated here the same way the library does it: PKIX up to a CA valid at the leaf's
 * issuance, at the leaf's notBefore.
 */
final class FulcioChains {

    private FulcioChains() {
    }

    static void verify(List<X509Certificate> certificates, TrustRoot root) throws Failure {
        CertPath path;
        try {
            path = CertificateFactory.getInstance("X.509").generateCertPath(certificates);
        } catch (Exception e) {
            throw new Failure(Failure.Codes.MALFORMED, "the certificate chain does not parse", e);
        }
        if (!root.root.getCTLogs().isEmpty()) {
            try {
                root.fulcio.verifySigningCertificate(path);
                return;
            } catch (Exception e) {
                throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE, "certificate not issued by a trusted root: " + e.getMessage(), e);
            }
        }
        X509Certificate leaf = certificates.get(0);
        List<CertificateAuthority> cas = CertificateAuthority.find(root.root.getCAs(), leaf.getNotBefore().toInstant());
        if (cas.isEmpty()) {
            throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE,
                    "certificate not issued by a trusted root: no certificate authority of the root was valid at its issuance");
        }
        List<String> failures = new ArrayList<>();
        for (CertificateAuthority ca : cas) {
            try {
                CertPath full;
                if (Certificates.isSelfSigned(path)) {
                    if (!Certificates.containsParent(path, ca.getCertPath())) {
                        failures.add(ca.getUri() + ": another root certificate");
                        continue;
                    }
                    full = path;
                } else {
                    full = Certificates.append(ca.getCertPath(), path);
                }
                PKIXParameters parameters = new PKIXParameters(Set.of(ca.asTrustAnchor()));
                parameters.setRevocationEnabled(false);
                parameters.setDate(new Date(leaf.getNotBefore().getTime()));
                CertPathValidator.getInstance("PKIX").validate(full, parameters);
                return;
            } catch (Exception e) {
                failures.add(ca.getUri() + ": " + e.getMessage());
            }
        }
        throw new Failure(Failure.Codes.UNTRUSTED_CERTIFICATE,
                "certificate not issued by a trusted root: " + String.join("; ", failures));
    }

    /** Whether a certificate authority of this root signed one of the bundle's certificates. */
    static boolean issuedBy(List<X509Certificate> certificates, TrustRoot root) {
        for (CertificateAuthority ca : root.root.getCAs()) {
            for (var c : ca.getCertPath().getCertificates()) {
                X509Certificate authority = (X509Certificate) c;
                for (X509Certificate certificate : certificates) {
                    if (certificate.getIssuerX500Principal().equals(authority.getSubjectX500Principal())) {
                        try {
                            certificate.verify(authority.getPublicKey());
                            return true;
                        } catch (Exception e) {
                            // same name, another key
                        }
                    }
                }
            }
        }
        return false;
    }
}
