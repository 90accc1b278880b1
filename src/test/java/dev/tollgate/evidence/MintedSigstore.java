package dev.tollgate.evidence;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.cmp.PKIStatus;
import org.bouncycastle.asn1.cmp.PKIStatusInfo;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerIdentifier;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.asn1.tsp.TimeStampResp;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small Sigstore instance made in the test: a Fulcio-like CA, RFC 3161 timestamp authorities,
 * a Rekor-like log (one entry per tree, so the inclusion proof is empty and the root hash is the
 * leaf hash), their trusted_root.json, and message-signature bundles. Where the reference
 * clients' own test data has no bundle of a shape (SAN types, no log entry, a TSA that did not
 * grant), these are made with BouncyCastle exactly as the real services make them.
 */
final class MintedSigstore {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final String FULCIO = "1.3.6.1.4.1.57264.1.";
    private static final AtomicLong SERIAL = new AtomicLong(1000);

    private MintedSigstore() {
    }

    static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Extensions to add to a certificate. */
    interface Extensions {
        void add(X509v3CertificateBuilder builder) throws Exception;
    }

    static X509Certificate certificate(String subject, PublicKey key, X509Certificate issuer, PrivateKey signer,
            Instant from, Instant until, Extensions extensions) {
        try {
            X500Name subjectName = new X500Name(subject);
            X500Name issuerName = issuer == null ? subjectName : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(from), Date.from(until), subjectName, key);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            if (issuer != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
            }
            extensions.add(builder);
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate caCertificate(String subject, KeyPair keys, X509Certificate issuer, PrivateKey signer) {
        return certificate(subject, keys.getPublic(), issuer, signer, T0.minus(365, ChronoUnit.DAYS), T0.plus(3650, ChronoUnit.DAYS), b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
    }

    /** A signing certificate and its key. */
    record Leaf(KeyPair keys, X509Certificate certificate) {
        byte[] sign(byte[] digest) {
            try {
                Signature signature = Signature.getInstance("NONEwithECDSA");
                signature.initSign(keys.getPrivate());
                signature.update(digest);
                return signature.sign();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A Fulcio-like certificate authority (a root and an intermediate, as Fulcio's). */
    static final class Fulcio {
        final KeyPair rootKeys = ec();
        final X509Certificate root;
        final KeyPair intermediateKeys = ec();
        final X509Certificate intermediate;
        final String uri;

        Fulcio(String organization) {
            root = caCertificate("O=" + organization + ",CN=" + organization + " root", rootKeys, null, rootKeys.getPrivate());
            intermediate = caCertificate("O=" + organization + ",CN=" + organization + " intermediate", intermediateKeys, root,
                    rootKeys.getPrivate());
            uri = "https://fulcio." + organization.toLowerCase(java.util.Locale.ROOT).replace(' ', '-') + ".test";
        }

        /** A ten-minute code-signing certificate from {@code notBefore}, with these names and Fulcio extensions. */
        Leaf issue(GeneralName[] names, String issuer, Map<String, String> extensions, Instant notBefore) {
            KeyPair keys = ec();
            X509Certificate certificate = certificate(names.length == 0 ? "CN=nobody" : "", keys.getPublic(), intermediate, intermediateKeys.getPrivate(),
                    notBefore, notBefore.plus(10, ChronoUnit.MINUTES), b -> {
                        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
                        if (names.length > 0) {
                            b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(names));
                        }
                        if (issuer != null) {
                            b.addExtension(new ASN1ObjectIdentifier(FULCIO + "8"), false, new DERUTF8String(issuer));
                        }
                        for (var e : extensions.entrySet()) {
                            ASN1ObjectIdentifier oid = new ASN1ObjectIdentifier(e.getKey());
                            if (legacy(e.getKey())) {
                                // .1.1 to .1.6: the string's raw bytes are the extension value
                                b.addExtension(new Extension(oid, false, e.getValue().getBytes(StandardCharsets.UTF_8)));
                            } else {
                                b.addExtension(oid, false, new DERUTF8String(e.getValue()));
                            }
                        }
                    });
            return new Leaf(keys, certificate);
        }

        Leaf uri(String uri, String issuer, Instant notBefore) {
            return issue(new GeneralName[] {new GeneralName(GeneralName.uniformResourceIdentifier, uri)}, issuer, Map.of(), notBefore);
        }

        ObjectNode json() {
            return authority(uri, List.of(intermediate, root));
        }
    }

    private static boolean legacy(String oid) {
        return oid.startsWith(FULCIO) && oid.length() == FULCIO.length() + 1 && oid.charAt(FULCIO.length()) <= '6';
    }

    static GeneralName username(String name) {
        return new GeneralName(GeneralName.otherName,
                new OtherName(new ASN1ObjectIdentifier(FULCIO + "7"), new DERUTF8String(name)));
    }

    /** An RFC 3161 timestamp authority: a root and the TSA's own certificate (extended key usage timeStamping, critical). */
    static final class Tsa {
        final KeyPair rootKeys = ec();
        final X509Certificate root;
        final KeyPair keys = ec();
        final X509Certificate leaf;
        final String uri;

        Tsa(String name) {
            root = caCertificate("O=" + name + ",CN=" + name + " TSA root", rootKeys, null, rootKeys.getPrivate());
            leaf = certificate("O=" + name + ",CN=" + name + " TSA", keys.getPublic(), root, rootKeys.getPrivate(),
                    T0.minus(365, ChronoUnit.DAYS), T0.plus(3650, ChronoUnit.DAYS), b -> {
                        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                        b.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping));
                    });
            uri = "https://tsa." + name.toLowerCase(java.util.Locale.ROOT).replace(' ', '-') + ".test";
        }

        /** A granted response over {@code signature} at {@code time}. */
        byte[] stamp(byte[] signature, Instant time) {
            try {
                return response(signature, time).getEncoded();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        org.bouncycastle.tsp.TimeStampResponse response(byte[] signature, Instant time) {
            try {
                TimeStampTokenGenerator tokens = new TimeStampTokenGenerator(
                        new JcaSimpleSignerInfoGeneratorBuilder().build("SHA256withECDSA", keys.getPrivate(), leaf),
                        new JcaDigestCalculatorProviderBuilder().build().get(
                                new org.bouncycastle.asn1.x509.AlgorithmIdentifier(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256)),
                        new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.2"));
                TimeStampRequestGenerator requests = new TimeStampRequestGenerator();
                requests.setCertReq(false);
                TimeStampRequest request = requests.generate(TSPAlgorithms.SHA256,
                        MessageDigest.getInstance("SHA-256").digest(signature), BigInteger.valueOf(SERIAL.incrementAndGet()));
                return new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED)
                        .generate(request, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(time));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The same token under another PKIStatus (e.g. {@link PKIStatus#REJECTION}). */
        byte[] stampWithStatus(byte[] signature, Instant time, int status) {
            try {
                var token = response(signature, time).getTimeStampToken();
                return new TimeStampResp(new PKIStatusInfo(PKIStatus.getInstance(new org.bouncycastle.asn1.ASN1Integer(status))),
                        token.toCMSSignedData().toASN1Structure()).getEncoded();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * A token whose signature and signing-certificate attribute are this TSA's, but whose
         * signer identifier names another certificate (the signature does not cover it).
         */
        byte[] stampNamingAnother(byte[] signature, Instant time, X509Certificate other) {
            try {
                ContentInfo content = response(signature, time).getTimeStampToken().toCMSSignedData().toASN1Structure();
                SignedData signed = SignedData.getInstance(content.getContent());
                SignerInfo info = SignerInfo.getInstance(signed.getSignerInfos().getObjectAt(0));
                SignerInfo renamed = new SignerInfo(new SignerIdentifier(new IssuerAndSerialNumber(
                        X500Name.getInstance(other.getIssuerX500Principal().getEncoded()), other.getSerialNumber())),
                        info.getDigestAlgorithm(), info.getAuthenticatedAttributes(), info.getDigestEncryptionAlgorithm(),
                        info.getEncryptedDigest(), info.getUnauthenticatedAttributes());
                SignedData changed = new SignedData(signed.getDigestAlgorithms(), signed.getEncapContentInfo(), signed.getCertificates(),
                        signed.getCRLs(), new org.bouncycastle.asn1.DERSet(renamed));
                return new TimeStampResp(new PKIStatusInfo(PKIStatus.granted),
                        new ContentInfo(content.getContentType(), changed)).getEncoded();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        ObjectNode json() {
            return authority(uri, List.of(leaf, root));
        }
    }

    /** A Rekor-like log: every entry is alone in its tree (size 1, empty proof), with a signed checkpoint. */
    static final class Log {
        final KeyPair keys = ec();
        final String host;
        final byte[] logId;

        Log(String host) {
            this.host = host;
            try {
                this.logId = MessageDigest.getInstance("SHA-256").digest(keys.getPublic().getEncoded());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** A v1 entry (integrated time and signed entry timestamp) or, with {@code integrated} null, a Rekor v2 entry. */
        ObjectNode entry(String kind, String version, String body, long index, Instant integrated) {
            byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
            String bodyBase64 = Base64.getEncoder().encodeToString(bodyBytes);
            byte[] leafHash = sha256(concat(new byte[] {0}, bodyBytes));
            String checkpointHead = host + " - 1234\n1\n" + Base64.getEncoder().encodeToString(leafHash) + "\n";
            byte[] checkpointSig = sign(checkpointHead.getBytes(StandardCharsets.UTF_8));
            String checkpoint = checkpointHead + "\n\u2014 " + host + " "
                    + Base64.getEncoder().encodeToString(concat(java.util.Arrays.copyOf(logId, 4), checkpointSig)) + "\n";
            ObjectNode entry = EvidenceTestSupport.JSON.createObjectNode();
            entry.put("logIndex", String.valueOf(index));
            entry.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(logId));
            entry.putObject("kindVersion").put("kind", kind).put("version", version);
            if (integrated != null) {
                entry.put("integratedTime", String.valueOf(integrated.getEpochSecond()));
                String signable = "{\"body\":\"" + bodyBase64 + "\",\"integratedTime\":" + integrated.getEpochSecond()
                        + ",\"logID\":\"" + HexFormat.of().formatHex(logId) + "\",\"logIndex\":" + index + "}";
                entry.putObject("inclusionPromise").put("signedEntryTimestamp",
                        Base64.getEncoder().encodeToString(sign(signable.getBytes(StandardCharsets.UTF_8))));
            }
            ObjectNode proof = entry.putObject("inclusionProof");
            proof.put("logIndex", "0");
            proof.put("rootHash", Base64.getEncoder().encodeToString(leafHash));
            proof.put("treeSize", "1");
            proof.putArray("hashes");
            proof.putObject("checkpoint").put("envelope", checkpoint);
            entry.put("canonicalizedBody", bodyBase64);
            return entry;
        }

        private byte[] sign(byte[] data) {
            try {
                Signature signature = Signature.getInstance("SHA256withECDSA");
                signature.initSign(keys.getPrivate());
                signature.update(data);
                return signature.sign();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        ObjectNode json() {
            ObjectNode log = EvidenceTestSupport.JSON.createObjectNode();
            log.put("baseUrl", "https://" + host);
            log.put("hashAlgorithm", "SHA2_256");
            ObjectNode key = log.putObject("publicKey");
            key.put("rawBytes", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
            key.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
            key.putObject("validFor").put("start", T0.minus(365, ChronoUnit.DAYS).toString());
            log.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(logId));
            return log;
        }
    }

    /** hashedrekord 0.0.1 over a digest, recording the certificate (PEM), as Rekor v1 writes it. */
    static String hashedRekordV1(byte[] digest, byte[] signature, X509Certificate certificate) {
        return "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":{\"algorithm\":\"sha256\",\"value\":\""
                + HexFormat.of().formatHex(digest) + "\"}},\"signature\":{\"content\":\"" + b64(signature)
                + "\",\"publicKey\":{\"content\":\"" + b64(pem(certificate).getBytes(StandardCharsets.US_ASCII)) + "\"}}}}";
    }

    /** hashedrekord 0.0.2 over a digest, recording the signer's public key (not its certificate), as Rekor v2 may. */
    static String hashedRekordV2WithKey(byte[] digest, byte[] signature, PublicKey key) {
        return "{\"apiVersion\":\"0.0.2\",\"kind\":\"hashedrekord\",\"spec\":{\"hashedRekordV002\":{\"data\":{\"algorithm\":\"SHA2_256\","
                + "\"digest\":\"" + b64(digest) + "\"},\"signature\":{\"content\":\"" + b64(signature)
                + "\",\"verifier\":{\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\",\"publicKey\":{\"rawBytes\":\""
                + b64(key.getEncoded()) + "\"}}}}}}";
    }

    static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode authority(String uri, List<X509Certificate> chain) {
        ObjectNode authority = EvidenceTestSupport.JSON.createObjectNode();
        authority.putObject("subject").put("organization", "test").put("commonName", uri);
        authority.put("uri", uri);
        ArrayNode certificates = authority.putObject("certChain").putArray("certificates");
        for (X509Certificate c : chain) {
            try {
                certificates.addObject().put("rawBytes", b64(c.getEncoded()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        authority.putObject("validFor").put("start", T0.minus(365, ChronoUnit.DAYS).toString());
        return authority;
    }

    /** A trusted_root.json holding these CAs, TSAs and logs (and no CT log). */
    static byte[] trustedRoot(List<ObjectNode> cas, List<ObjectNode> tsas, List<ObjectNode> logs) {
        ObjectNode root = EvidenceTestSupport.JSON.createObjectNode();
        root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
        root.putArray("tlogs").addAll(logs);
        root.putArray("certificateAuthorities").addAll(cas);
        root.putArray("ctlogs");
        root.putArray("timestampAuthorities").addAll(tsas);
        return EvidenceTestSupport.JSON.writeValueAsBytes(root);
    }

    /** A v0.3 message-signature bundle. */
    static ObjectNode bundle(byte[] certificate, byte[] digest, byte[] signature, List<ObjectNode> entries, List<byte[]> timestamps) {
        ObjectNode bundle = EvidenceTestSupport.JSON.createObjectNode();
        bundle.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
        ObjectNode material = bundle.putObject("verificationMaterial");
        material.putObject("certificate").put("rawBytes", b64(certificate));
        material.putArray("tlogEntries").addAll(entries);
        if (!timestamps.isEmpty()) {
            ArrayNode list = material.putObject("timestampVerificationData").putArray("rfc3161Timestamps");
            timestamps.forEach(t -> list.addObject().put("signedTimestamp", b64(t)));
        }
        ObjectNode message = bundle.putObject("messageSignature");
        message.putObject("messageDigest").put("algorithm", "SHA2_256").put("digest", b64(digest));
        message.put("signature", b64(signature));
        return bundle;
    }

    static ObjectNode item(ObjectNode bundle) {
        ObjectNode item = EvidenceTestSupport.JSON.createObjectNode();
        item.set("bundle", bundle);
        return item;
    }

    static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static List<byte[]> list(byte[]... items) {
        return new ArrayList<>(List.of(items));
    }
}
