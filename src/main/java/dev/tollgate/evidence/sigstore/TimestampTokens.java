package dev.tollgate.evidence.sigstore;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

import dev.sigstore.trustroot.CertificateAuthority;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.tsp.TimeStampResp;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * RFC 3161 timestamps over a bundle's signature, verified against the timestamp authorities of
 * one trusted root. Beyond what sigstore-java 2.0.0's {@code TimestampVerifier} checks, the
 * response must be granted ({@code granted} or {@code grantedWithMods}) and the token's signer
 * identifier (issuer and serial number, or subject key identifier) must name the TSA certificate
 * it is verified with; the response is read as strict DER.
 */
final class TimestampTokens {

    /** A timestamp that verified: its time and the TSA that signed it. */
    record Verified(Instant time, String tsa) {
    }

    /** A response as read from the bundle, before it is verified against any root. */
    record Token(TimeStampToken token, byte[] encoded) {
    }

    private TimestampTokens() {
    }

    /** Reads a bundle's {@code signedTimestamp}: a granted TimeStampResp in strict DER, holding a token. */
    static Token read(byte[] response) throws Failure {
        String problem = StrictDer.problem(response);
        if (problem != null) {
            throw invalid("the RFC 3161 response is not strict DER: " + problem);
        }
        TimeStampResponse parsed;
        try {
            parsed = new TimeStampResponse(TimeStampResp.getInstance(ASN1Primitive.fromByteArray(response)));
        } catch (IOException | TSPException | RuntimeException e) {
            throw invalid("the RFC 3161 response does not parse");
        }
        int status = parsed.getStatus();
        if (status != PKIStatus.GRANTED && status != PKIStatus.GRANTED_WITH_MODS) {
            throw invalid("the timestamp authority did not grant it (PKIStatus " + status + ")");
        }
        TimeStampToken token = parsed.getTimeStampToken();
        if (token == null) {
            throw invalid("the RFC 3161 response holds no timestamp token");
        }
        try {
            return new Token(token, token.getEncoded());
        } catch (IOException e) {
            throw invalid("the timestamp token does not encode");
        }
    }

    /** The token must be from one of {@code tsas}, over {@code signature}. */
    static Verified verify(Token read, byte[] signature, List<CertificateAuthority> tsas) throws Failure {
        TimeStampToken token = read.token();
        Instant time = token.getTimeStampInfo().getGenTime().toInstant();
        List<String> tried = new ArrayList<>();
        for (CertificateAuthority tsa : tsas) {
            @SuppressWarnings("unchecked")
            List<X509Certificate> chain = (List<X509Certificate>) tsa.getCertPath().getCertificates();
            if (chain.isEmpty()) {
                continue;
            }
            X509Certificate leaf = chain.get(0);
            X509CertificateHolder holder;
            try {
                holder = new X509CertificateHolder(leaf.getEncoded());
            } catch (IOException | CertificateEncodingException e) {
                continue;
            }
            if (!token.getSID().match(holder)) {
                tried.add(name(tsa) + ": the token's signer identifier names another certificate");
                continue;
            }
            try {
                token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(leaf));
            } catch (Exception e) {
                tried.add(name(tsa) + ": " + e.getMessage());
                continue;
            }
            String chainProblem = chainProblem(chain, time);
            if (chainProblem != null) {
                tried.add(name(tsa) + ": " + chainProblem);
                continue;
            }
            Instant start = tsa.getValidFor().getStart();
            Instant end = tsa.getValidFor().getEnd().orElse(null);
            if (time.isBefore(start) || end != null && time.isAfter(end)) {
                tried.add(name(tsa) + ": the timestamp " + time + " is outside the authority's validity in the trusted root");
                continue;
            }
            imprint(token, signature);
            return new Verified(time, name(tsa));
        }
        throw invalid(tried.isEmpty() ? "the trusted root holds no timestamp authority"
                : "not verified by a timestamp authority of the trusted root (" + String.join("; ", tried) + ")");
    }

    /** The TSA as policies see it: its certificate's subject, or the root's URI for a certificate without one. */
    static String name(CertificateAuthority tsa) {
        @SuppressWarnings("unchecked")
        List<X509Certificate> chain = (List<X509Certificate>) tsa.getCertPath().getCertificates();
        String subject = chain.isEmpty() ? "" : chain.get(0).getSubjectX500Principal().getName();
        return subject.isEmpty() && tsa.getUri() != null ? tsa.getUri().toString() : subject;
    }

    private static void imprint(TimeStampToken token, byte[] signature) throws Failure {
        var algorithm = token.getTimeStampInfo().getMessageImprintAlgOID();
        String name;
        if (algorithm.equals(NISTObjectIdentifiers.id_sha256)) {
            name = "SHA-256";
        } else if (algorithm.equals(NISTObjectIdentifiers.id_sha384)) {
            name = "SHA-384";
        } else if (algorithm.equals(NISTObjectIdentifiers.id_sha512)) {
            name = "SHA-512";
        } else {
            throw invalid("the timestamp's message imprint uses an unsupported hash " + algorithm.getId());
        }
        byte[] expected;
        try {
            expected = MessageDigest.getInstance(name).digest(signature);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!MessageDigest.isEqual(expected, token.getTimeStampInfo().getMessageImprintDigest())) {
            throw invalid("the timestamp does not cover this signature (message imprint mismatch)");
        }
    }

    /** The TSA's own chain, validated at the timestamp's time (as sigstore-java does). */
    private static String chainProblem(List<X509Certificate> chain, Instant time) {
        try {
            X509Certificate anchor = chain.get(chain.size() - 1);
            List<X509Certificate> path = chain.size() == 1 ? chain : chain.subList(0, chain.size() - 1);
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(time));
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
            return null;
        } catch (Exception e) {
            return "the authority's certificate chain is not valid at " + time + ": " + e.getMessage();
        }
    }

    private static Failure invalid(String detail) {
        return new Failure(Failure.Codes.TIMESTAMP_INVALID, detail);
    }
}
