package dev.tollgate.evidence.openpgp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * An OpenPGP-signed checksum file ({@code SHA256SUMS}, {@code SHA512SUMS}, as Linux releases
 * publish them): the file and an armored detached signature, or a clearsigned file. Only the
 * signed text is ever read for digests.
 */
public final class OpenPgpSignedFile {

    private static final String BEGIN_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----";
    private static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
    private static final Set<Integer> HASHES = Set.of(HashAlgorithmTags.SHA224, HashAlgorithmTags.SHA256, HashAlgorithmTags.SHA384,
            HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA3_256, HashAlgorithmTags.SHA3_512);
    /** {@code <hex>  <name>} (GNU coreutils, {@code *} for binary mode) or {@code SHA256 (<name>) = <hex>} (BSD). */
    private static final Pattern GNU = Pattern.compile("^\\\\?([0-9a-fA-F]{64}|[0-9a-fA-F]{128}) [ *](.+)$");
    private static final Pattern BSD = Pattern.compile("^(SHA256|SHA512) \\((.+)\\) ?= ?([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$");
    /** Signatures dated this far after the decision time are refused (clocks differ a little). */
    private static final long CLOCK_SKEW_SECONDS = 300;

    private final byte[] signed;
    private final List<PGPSignature> signatures;

    private OpenPgpSignedFile(byte[] signed, List<PGPSignature> signatures) {
        this.signed = signed;
        this.signatures = List.copyOf(signatures);
    }

    /** The bytes the signature covers. */
    public byte[] signedBytes() {
        return signed.clone();
    }

    /** The first signature's bytes: the item's identity in the evidence store. */
    public byte[] signatureBytes() {
        try {
            return signatures.get(0).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A detached signature over {@code signedFile} (its UTF-8 bytes). */
    public static OpenPgpSignedFile detached(String signedFile, String armoredSignature) throws OpenPgpRefused {
        return new OpenPgpSignedFile(signedFile.getBytes(StandardCharsets.UTF_8), signatures(armoredSignature));
    }

    /**
     * A clearsigned file (RFC 4880 section 7): the text between the armor headers' blank line and
     * the signature, dash-escaping undone, each line without trailing blanks, lines joined by CR LF.
     */
    public static OpenPgpSignedFile clearsigned(String text) throws OpenPgpRefused {
        String normalized = text.replace("\r\n", "\n");
        List<String> lines = List.of(normalized.split("\n", -1));
        int i = 0;
        while (i < lines.size() && lines.get(i).isBlank()) {
            i++;
        }
        if (i >= lines.size() || !lines.get(i).stripTrailing().equals(BEGIN_SIGNED)) {
            throw malformed("a clearsigned file starts with " + BEGIN_SIGNED);
        }
        i++;
        while (i < lines.size() && !lines.get(i).isBlank()) {
            if (!lines.get(i).startsWith("Hash: ")) {
                throw malformed("unexpected armor header in the clearsigned file: only Hash: headers may precede the text");
            }
            i++;
        }
        if (i >= lines.size()) {
            throw malformed("the clearsigned file has no text");
        }
        i++;
        List<String> body = new ArrayList<>();
        int end = -1;
        for (int j = i; j < lines.size(); j++) {
            String line = lines.get(j);
            if (line.stripTrailing().equals(BEGIN_SIGNATURE)) {
                end = j;
                break;
            }
            if (line.startsWith("-")) {
                if (!line.startsWith("- ")) {
                    throw malformed("line " + (j + 1) + " of the clearsigned text starts with a dash that is not escaped");
                }
                line = line.substring(2);
            }
            body.add(line);
        }
        if (end < 0) {
            throw malformed("the clearsigned file has no " + BEGIN_SIGNATURE);
        }
        StringBuilder signedText = new StringBuilder();
        for (int j = 0; j < body.size(); j++) {
            if (j > 0) {
                signedText.append("\r\n");
            }
            signedText.append(stripBlanks(body.get(j)));
        }
        String signature = String.join("\n", lines.subList(end, lines.size()));
        OpenPgpSignedFile file = new OpenPgpSignedFile(signedText.toString().getBytes(StandardCharsets.UTF_8), signatures(signature));
        for (PGPSignature sig : file.signatures) {
            if (sig.getSignatureType() != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
                throw malformed("a clearsigned file's signature must be a text signature");
            }
        }
        return file;
    }

    private static String stripBlanks(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(0, end);
    }

    private static List<PGPSignature> signatures(String armored) throws OpenPgpRefused {
        String text = armored.strip();
        if (!text.startsWith(BEGIN_SIGNATURE)) {
            throw malformed("the signature must be armored (" + BEGIN_SIGNATURE + ")");
        }
        List<PGPSignature> found = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            BcPGPObjectFactory objects = new BcPGPObjectFactory(in);
            Object next;
            while ((next = objects.nextObject()) != null) {
                if (!(next instanceof PGPSignatureList list)) {
                    throw malformed("the armored block holds an OpenPGP " + next.getClass().getSimpleName() + ", not a signature");
                }
                for (PGPSignature sig : list) {
                    found.add(sig);
                }
                if (found.size() > 8) {
                    throw malformed("more than 8 signatures");
                }
            }
        } catch (IOException | RuntimeException e) {
            throw malformed("the signature is not a readable OpenPGP signature: " + e.getMessage());
        }
        if (found.isEmpty()) {
            throw malformed("the armored block holds no signature");
        }
        return found;
    }

    /** Who made a signature that verified: the held key, the (sub)key that signed, and when it says it signed. */
    public record Verified(OpenPgpKey key, String signingKey, Instant signedAt) {
    }

    /**
     * The first signature that a held key made and that verifies, with that key (or its signing
     * subkey) valid at the signature's time; {@code now} bounds signatures dated in the future and
     * expired signatures.
     */
    public Verified verify(List<OpenPgpKey> keys, Instant now) throws OpenPgpRefused {
        if (keys.isEmpty()) {
            throw new OpenPgpRefused(OpenPgpRefused.NO_TRUST_MATERIAL, "no OpenPGP key is registered");
        }
        OpenPgpRefused best = null;
        for (PGPSignature sig : signatures) {
            for (OpenPgpKey held : keys) {
                for (PGPPublicKey candidate : held.ring()) {
                    if (sig.getKeyID() != 0 && candidate.getKeyID() != sig.getKeyID()) {
                        continue;
                    }
                    try {
                        return verifyOne(sig, held, candidate, now);
                    } catch (OpenPgpRefused e) {
                        best = best == null || rank(e) > rank(best) ? e : best;
                    }
                }
            }
        }
        if (best != null) {
            throw best;
        }
        throw new OpenPgpRefused(OpenPgpRefused.UNTRUSTED_KEY, "the file is not signed by a registered OpenPGP key (issuer key id "
                + String.format(Locale.ROOT, "%016X", signatures.get(0).getKeyID()) + ")");
    }

    private static int rank(OpenPgpRefused e) {
        return e.code().equals(OpenPgpRefused.SIGNATURE_INVALID) ? 0 : 1;
    }

    private Verified verifyOne(PGPSignature sig, OpenPgpKey held, PGPPublicKey key, Instant now) throws OpenPgpRefused {
        if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT && sig.getSignatureType() != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
            throw malformed("the signature is not a document signature (type " + sig.getSignatureType() + ")");
        }
        if (!HASHES.contains(sig.getHashAlgorithm())) {
            throw new OpenPgpRefused(OpenPgpRefused.UNSUPPORTED, "OpenPGP signatures with hash algorithm " + sig.getHashAlgorithm()
                    + " are not accepted (SHA-224 and stronger)");
        }
        boolean valid;
        try {
            sig.init(OpenPgpKey.VERIFIERS, key);
            sig.update(signed);
            valid = sig.verify();
        } catch (PGPException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new OpenPgpRefused(OpenPgpRefused.SIGNATURE_INVALID, "the OpenPGP signature does not verify with the key '"
                    + held.name() + "' (" + OpenPgpKey.hex(key) + ")");
        }
        Instant signedAt = sig.getCreationTime().toInstant();
        if (signedAt.isAfter(now.plusSeconds(CLOCK_SKEW_SECONDS))) {
            throw new OpenPgpRefused(OpenPgpRefused.SIGNATURE_INVALID, "the signature is dated in the future (" + signedAt + ")");
        }
        long expiresAfter = sig.getHashedSubPackets() == null ? 0 : sig.getHashedSubPackets().getSignatureExpirationTime();
        if (expiresAfter > 0 && !now.isBefore(signedAt.plusSeconds(expiresAfter))) {
            throw new OpenPgpRefused(OpenPgpRefused.SIGNATURE_INVALID, "the signature expired at " + signedAt.plusSeconds(expiresAfter));
        }
        String problem = held.invalidAt(key, signedAt);
        if (problem != null) {
            throw new OpenPgpRefused(OpenPgpRefused.UNTRUSTED_KEY, problem);
        }
        return new Verified(held, OpenPgpKey.hex(key), signedAt);
    }

    /**
     * The file name the signed text lists with the artifact's digest ({@code sha256:…} in a
     * SHA-256 line, {@code sha512:…} in a SHA-512 line), or null when it lists it nowhere.
     */
    public String listed(String artifactDigest) {
        int colon = artifactDigest.indexOf(':');
        String algorithm = artifactDigest.substring(0, colon).toUpperCase(Locale.ROOT);
        String hex = artifactDigest.substring(colon + 1);
        for (String line : new String(signed, StandardCharsets.UTF_8).split("\r?\n")) {
            String l = line.strip();
            Matcher gnu = GNU.matcher(l);
            if (gnu.matches() && gnu.group(1).toLowerCase(Locale.ROOT).equals(hex)) {
                return gnu.group(2);
            }
            Matcher bsd = BSD.matcher(l);
            if (bsd.matches() && bsd.group(1).equals(algorithm) && bsd.group(3).toLowerCase(Locale.ROOT).equals(hex)) {
                return bsd.group(2);
            }
        }
        return null;
    }

    private static OpenPgpRefused malformed(String detail) {
        return new OpenPgpRefused(OpenPgpRefused.MALFORMED, detail);
    }
}
