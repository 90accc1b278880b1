package dev.tollgate.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;

import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * Real OpenPGP keys and signatures, made with BouncyCastle in the test: Ed25519 primary keys
 * (what gpg makes by default), optionally with a signing subkey (with or without its
 * back-signature), expiry, and key or subkey revocations with a reason, at chosen times.
 */
final class OpenPgpFixtures {

    private static final SecureRandom RANDOM = new SecureRandom();

    private OpenPgpFixtures() {
    }

    static final class Key {
        PGPSecretKeyRing secret;
        PGPPublicKeyRing ring;
        final PGPPublicKey primary;
        final PGPPublicKey subkey;

        Key(PGPSecretKeyRing secret, PGPPublicKeyRing ring) {
            this.secret = secret;
            this.ring = ring;
            Iterator<PGPPublicKey> keys = ring.getPublicKeys();
            this.primary = keys.next();
            this.subkey = keys.hasNext() ? keys.next() : null;
        }

        byte[] armored() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ArmoredOutputStream armor = ArmoredOutputStream.builder().build(out)) {
                ring.encode(armor, true);
            }
            return out.toByteArray();
        }

        String fingerprint() {
            return java.util.HexFormat.of().formatHex(primary.getFingerprint()).toUpperCase(java.util.Locale.ROOT);
        }

        PGPPrivateKey privateKey(PGPPublicKey of) throws PGPException {
            return secret.getSecretKey(of.getKeyID()).extractPrivateKey(null);
        }

        /** An armored detached signature of {@code type} over {@code data}, made at {@code at}, by the primary key or the subkey. */
        String sign(byte[] data, int type, Instant at, boolean bySubkey) throws Exception {
            PGPPublicKey signer = bySubkey ? subkey : primary;
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(signer.getAlgorithm(), HashAlgorithmTags.SHA256), signer);
            generator.init(type, privateKey(signer));
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, Date.from(at));
            hashed.setIssuerFingerprint(false, signer);
            generator.setHashedSubpackets(hashed.generate());
            generator.update(data);
            return armor(generator.generate());
        }

        String sign(String text, Instant at) throws Exception {
            return sign(text.getBytes(StandardCharsets.UTF_8), PGPSignature.BINARY_DOCUMENT, at, false);
        }

        /** Revokes the primary key (or the subkey) at {@code at} with {@code reason} (RevocationReasonTags). */
        void revoke(boolean theSubkey, byte reason, Instant at) throws Exception {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(primary.getAlgorithm(), HashAlgorithmTags.SHA256), primary);
            generator.init(theSubkey ? PGPSignature.SUBKEY_REVOCATION : PGPSignature.KEY_REVOCATION, privateKey(primary));
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, Date.from(at));
            hashed.setRevocationReason(false, reason, "test");
            generator.setHashedSubpackets(hashed.generate());
            if (theSubkey) {
                PGPSignature revocation = generator.generateCertification(primary, subkey);
                ring = PGPPublicKeyRing.insertPublicKey(ring, PGPPublicKey.addCertification(ring.getPublicKey(subkey.getKeyID()), revocation));
            } else {
                PGPSignature revocation = generator.generateCertification(primary);
                ring = PGPPublicKeyRing.insertPublicKey(ring, PGPPublicKey.addCertification(ring.getPublicKey(), revocation));
            }
        }
    }

    static String armor(PGPSignature signature) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = ArmoredOutputStream.builder().build(out)) {
            signature.encode(armor);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static PGPKeyPair ed25519(Instant created) throws PGPException {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(RANDOM));
        return new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), Date.from(created));
    }

    /**
     * @param expiresAfterSeconds 0 for none
     * @param subkey none, "signing" (with back-signature) or "no-backsig"
     */
    static Key generate(String userId, Instant created, long expiresAfterSeconds, String subkey) throws Exception {
        PGPKeyPair primary = ed25519(created);
        PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | (subkey == null ? KeyFlags.SIGN_DATA : 0));
        hashed.setSignatureCreationTime(false, Date.from(created));
        if (expiresAfterSeconds > 0) {
            hashed.setKeyExpirationTime(false, expiresAfterSeconds);
        }
        PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary, userId, sha1,
                hashed.generate(), null, new BcPGPContentSignerBuilder(primary.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256), null);
        if (subkey != null) {
            PGPKeyPair sub = ed25519(created);
            PGPSignatureSubpacketGenerator flags = new PGPSignatureSubpacketGenerator();
            flags.setKeyFlags(false, KeyFlags.SIGN_DATA);
            flags.setSignatureCreationTime(false, Date.from(created));
            if (subkey.equals("signing")) {
                rings.addSubKey(sub, flags.generate(), null,
                        new BcPGPContentSignerBuilder(sub.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256));
            } else {
                rings.addSubKey(sub, flags.generate(), null);
            }
        }
        return new Key(rings.generateSecretKeyRing(), rings.generatePublicKeyRing());
    }
}
