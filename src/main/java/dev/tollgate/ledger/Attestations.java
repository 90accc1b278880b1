package dev.tollgate.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.springframework.stereotype.Component;

/**
 * Signs in-toto statements with the active attestation key (ECDSA P-256, SHA-256): a DSSE
 * envelope inside a Sigstore bundle v0.3 whose verification material is the key's id
 * ({@code verificationMaterial.publicKey.hint}, as listed at {@code GET /v1/audit/keys}).
 * The signature covers DSSE's pre-authentication encoding of the payload (docs/audit.md,
 * "Verification summaries"); it is DER-encoded, as cosign and sigstore-js expect. The nonce is
 * derived deterministically (RFC 6979), so the same statement signed twice gives the same bytes.
 * Signing uses BouncyCastle's P-256 implementation, not the JDK provider's: on Java 17 the JDK's
 * ECDSA took about 0.8 ms of CPU per signature, BouncyCastle's about 0.15 ms (bench/README.md).
 */
@Component
public class Attestations {

    /** The DSSE payload type of an in-toto statement. */
    public static final String IN_TOTO = "application/vnd.in-toto+json";
    /** P-256 with BouncyCastle's specialised field arithmetic and fixed-base multiplier. */
    static final ECDomainParameters P256;

    static {
        X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
        P256 = new ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
    }

    static final String BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /** A Sigstore bundle v0.3 with a DSSE envelope, verified by a public key named by its hint. */
    public record Bundle(String mediaType, VerificationMaterial verificationMaterial, DsseEnvelope dsseEnvelope) {
    }

    public record VerificationMaterial(PublicKey publicKey, List<Object> tlogEntries) {

        public VerificationMaterial {
            tlogEntries = List.copyOf(tlogEntries);
        }
    }

    public record PublicKey(String hint) {
    }

    public record DsseEnvelope(String payload, String payloadType, List<DsseSignature> signatures) {

        public DsseEnvelope {
            signatures = List.copyOf(signatures);
        }
    }

    public record DsseSignature(String sig, String keyid) {
    }

    private final SigningKeys.AttestationKey key;

    Attestations(SigningKeys keys) {
        this.key = keys.attestationKeys().get(0);
    }

    /** The id of the key that signs ({@code sha256:<hex of its SubjectPublicKeyInfo>}). */
    public String keyId() {
        return key.id();
    }

    /** The statement (its exact JSON bytes) signed into a bundle. */
    public Bundle sign(byte[] statement) {
        byte[] pae = pae(IN_TOTO, statement);
        SHA256Digest sha256 = new SHA256Digest();
        sha256.update(pae, 0, pae.length);
        byte[] hash = new byte[32];
        sha256.doFinal(hash, 0);
        ECDSASigner ecdsa = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        ecdsa.init(true, key.privateKey());
        BigInteger[] rs = ecdsa.generateSignature(hash);
        byte[] signature;
        try {
            signature = StandardDSAEncoding.INSTANCE.encode(P256.getN(), rs[0], rs[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        return new Bundle(BUNDLE_V03, new VerificationMaterial(new PublicKey(key.id()), List.of()),
                new DsseEnvelope(b64.encodeToString(statement), IN_TOTO, List.of(new DsseSignature(b64.encodeToString(signature), ""))));
    }

    /** DSSE v1 pre-authentication encoding: {@code "DSSEv1" SP len(type) SP type SP len(body) SP body}. */
    static byte[] pae(String payloadType, byte[] body) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + body.length + " ").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }
}
