package dev.tollgate.ledger;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import dev.tollgate.digest.Digest;

/**
 * The signing keys (tollgate.signing.*): one active Ed25519 key for checkpoints and one active
 * ECDSA P-256 key for attestations, and earlier keys of each kind that still verify. Read from
 * PEM files outside the database; a missing default key is generated into the data directory
 * (mode 600) on the first start. Private keys never leave this class's package.
 */
@Component
public class SigningKeys {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    static final String CHECKPOINT_FILE = "checkpoint-ed25519.pem";
    static final String ATTESTATION_FILE = "attestation-p256.pem";

    /** A checkpoint key: the note key name, its 32-byte Ed25519 public key, and its C2SP key id. */
    record CheckpointKey(String name, byte[] publicKey, byte[] keyId, Ed25519PrivateKeyParameters privateKey, boolean active) {

        String keyIdHex() {
            return HexFormat.of().formatHex(keyId);
        }

        /** The C2SP verifier key: {@code name+hex(key id)+base64(0x01 ‖ public key)}. */
        String verifierKey() {
            byte[] typed = new byte[33];
            typed[0] = 0x01;
            System.arraycopy(publicKey, 0, typed, 1, 32);
            return name + "+" + keyIdHex() + "+" + java.util.Base64.getEncoder().encodeToString(typed);
        }

        String publicKeyPem() {
            return pem("PUBLIC KEY", spki(new Ed25519PublicKeyParameters(publicKey, 0)));
        }
    }

    /** An attestation key: id {@code sha256:<hex of its SubjectPublicKeyInfo>}, the public key, the private key if active. */
    record AttestationKey(String id, byte[] subjectPublicKeyInfo, ECPrivateKeyParameters privateKey, boolean active) {
        String publicKeyPem() {
            return pem("PUBLIC KEY", subjectPublicKeyInfo);
        }
    }

    private final List<CheckpointKey> checkpointKeys;
    private final List<AttestationKey> attestationKeys;

    SigningKeys(SigningProperties properties, CheckpointProperties checkpoints) {
        Path dir = properties.dir().toAbsolutePath().normalize();
        String name = checkpoints.origin();
        List<CheckpointKey> cks = new ArrayList<>();
        Path active = properties.checkpointKey() != null ? properties.checkpointKey()
                : provide(dir, CHECKPOINT_FILE, properties.generate(), SigningKeys::newEd25519);
        cks.add(checkpointKey(name, active, true));
        for (Path previous : properties.checkpointPreviousKeys()) {
            cks.add(checkpointKey(name, previous, false));
        }
        List<AttestationKey> aks = new ArrayList<>();
        Path attestation = properties.attestationKey() != null ? properties.attestationKey()
                : provide(dir, ATTESTATION_FILE, properties.generate(), SigningKeys::newP256);
        aks.add(attestationKey(attestation, true));
        for (Path previous : properties.attestationPreviousKeys()) {
            aks.add(attestationKey(previous, false));
        }
        this.checkpointKeys = List.copyOf(cks);
        this.attestationKeys = List.copyOf(aks);
        log.info("checkpoints are signed by {} (key id {}); attestations by {}", name, cks.get(0).keyIdHex(), aks.get(0).id());
    }

    /** The key that signs new checkpoints. */
    CheckpointKey activeCheckpointKey() {
        return checkpointKeys.get(0);
    }

    /** Every checkpoint key, the active one first. */
    List<CheckpointKey> checkpointKeys() {
        return checkpointKeys;
    }

    List<AttestationKey> attestationKeys() {
        return attestationKeys;
    }

    // ---- files ------------------------------------------------------------------------------------

    private interface Generator {
        String pem();
    }

    /** The default key file in {@code dir}; generated (mode 600, directory 700) if missing and allowed. */
    private static Path provide(Path dir, String file, boolean generate, Generator generator) {
        Path path = dir.resolve(file);
        if (Files.exists(path)) {
            return path;
        }
        if (!generate) {
            throw new IllegalStateException("no signing key at " + path + " (tollgate.signing.generate is false)");
        }
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path temporary = Files.createTempFile(dir, file, ".new",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, generator.pem(), StandardCharsets.US_ASCII);
            try {
                Files.createLink(path, temporary); // never replaces a key another process wrote meanwhile
            } catch (FileAlreadyExistsException e) {
                // that one wins
            } finally {
                Files.delete(temporary);
            }
            log.info("generated the signing key {}", path);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the signing key " + path, e);
        }
    }

    static String newEd25519() {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
        try {
            return pem("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String newP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CheckpointKey checkpointKey(String name, Path file, boolean active) {
        Object pem = read(file);
        if (pem instanceof PrivateKeyInfo info && key(info, file) instanceof Ed25519PrivateKeyParameters p) {
            return checkpointKey(name, p.generatePublicKey().getEncoded(), active ? p : null, active);
        }
        if (!active && pem instanceof SubjectPublicKeyInfo spki && publicKey(spki, file) instanceof Ed25519PublicKeyParameters p) {
            return checkpointKey(name, p.getEncoded(), null, false);
        }
        throw new IllegalStateException(file + " is not an Ed25519 " + (active ? "private key (PKCS#8 PEM)" : "key (PEM)"));
    }

    static CheckpointKey checkpointKey(String name, byte[] publicKey, Ed25519PrivateKeyParameters privateKey, boolean active) {
        return new CheckpointKey(name, publicKey, keyId(name, publicKey), privateKey, active);
    }

    /** C2SP signed-note key id: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
    static byte[] keyId(String name, byte[] publicKey) {
        var sha = Digest.Algorithm.SHA256.digester();
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0x0A);
        sha.update((byte) 0x01);
        sha.update(publicKey);
        return Arrays.copyOf(sha.digest(), 4);
    }

    private static AttestationKey attestationKey(Path file, boolean active) {
        Object pem = read(file);
        try {
            if (pem instanceof PEMKeyPair pair) {
                pem = pair.getPrivateKeyInfo();
            }
            if (pem instanceof PrivateKeyInfo info && key(info, file) instanceof ECPrivateKeyParameters p && p256(p.getParameters())) {
                ECPublicKeyParameters pub = new ECPublicKeyParameters(p.getParameters().getG().multiply(p.getD()).normalize(),
                        p.getParameters());
                byte[] spki = spki(pub);
                // signed on BouncyCastle's P-256 curve with its fixed-base tables (about 5× faster than the
                // JDK 17 provider's ECDSA, which was most of the cost of a VSA)
                ECPrivateKeyParameters fast = active ? new ECPrivateKeyParameters(p.getD(), Attestations.P256) : null;
                return new AttestationKey(attestationKeyId(spki), spki, fast, active);
            }
            if (!active && pem instanceof SubjectPublicKeyInfo spki && publicKey(spki, file) instanceof ECPublicKeyParameters p
                    && p256(p.getParameters())) {
                return new AttestationKey(attestationKeyId(spki.getEncoded()), spki.getEncoded(), null, false);
            }
        } catch (IOException e) {
            throw new IllegalStateException(file + " is not a usable ECDSA P-256 key", e);
        }
        throw new IllegalStateException(file + " is not an ECDSA P-256 " + (active ? "private key (PEM)" : "key (PEM)"));
    }

    private static boolean p256(org.bouncycastle.crypto.params.ECDomainParameters parameters) {
        var p256 = org.bouncycastle.asn1.x9.ECNamedCurveTable.getByName("P-256");
        return parameters.getCurve().equals(p256.getCurve()) && parameters.getG().equals(p256.getG());
    }

    static String attestationKeyId(byte[] spki) {
        return Digest.of(Digest.Algorithm.SHA256, spki).toString();
    }

    private static Object read(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (object == null) {
                throw new IllegalStateException(file + " holds no PEM object");
            }
            return object;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the signing key " + file + ": " + e.getMessage(), e);
        }
    }

    static Object readPem(String text) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            return parser.readObject();
        }
    }

    private static AsymmetricKeyParameter key(PrivateKeyInfo info, Path file) {
        try {
            return PrivateKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(file + " holds an unusable private key", e);
        }
    }

    private static AsymmetricKeyParameter publicKey(SubjectPublicKeyInfo info, Path file) {
        try {
            return PublicKeyFactory.createKey(info);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(file + " holds an unusable public key", e);
        }
    }

    private static byte[] spki(AsymmetricKeyParameter publicKey) {
        try {
            return SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pem(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
