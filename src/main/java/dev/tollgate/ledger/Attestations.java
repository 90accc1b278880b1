package dev.tollgate.ledger;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

import org.springframework.stereotype.Component;

/**
 * Signs in-toto statements with the active attestation key (ECDSA P-256, SHA-256): a DSSE
 * envelope inside a Sigstore bundle v0.3 whose verification material is the key's id
 * ({@code verificationMaterial.publicKey.hint}, as listed at {@code GET /v1/audit/keys}).
 * The signature covers DSSE's pre-authentication encoding of the payload (docs/audit.md,
 * "Verification summaries"); it is DER-encoded, as cosign and sigstore-js expect.
 */
@Component
public class Attestations {

    /** The DSSE payload type of an in-toto statement. */
    public static final String IN_TOTO = "application/vnd.in-toto+json";
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
        byte[] signature;
        try {
            Signature ecdsa = Signature.getInstance("SHA256withECDSA");
            ecdsa.initSign(key.privateKey());
            ecdsa.update(pae);
            signature = ecdsa.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the attestation key cannot sign", e);
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
