package dev.tollgate.ledger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A checkpoint in the C2SP {@code tlog-checkpoint} format, as a C2SP {@code signed-note}:
 * <pre>
 * &lt;origin&gt;\n
 * &lt;tree size, decimal&gt;\n
 * &lt;root hash, base64&gt;\n
 * \n
 * — &lt;key name&gt; &lt;base64(key id (4 bytes) ‖ Ed25519 signature of the three lines above)&gt;\n
 * </pre>
 */
record Checkpoint(String origin, long size, byte[] root, String note) {

    private static final String DASH = "\u2014 ";
    static final int MAX_NOTE = 64 * 1024;

    static String body(String origin, long size, byte[] root) {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
    }

    /** Signs the checkpoint with the key (which must be a private one). */
    static Checkpoint sign(String origin, long size, byte[] root, SigningKeys.CheckpointKey key) {
        String body = body(origin, size, root);
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key.privateKey());
        byte[] text = body.getBytes(StandardCharsets.UTF_8);
        signer.update(text, 0, text.length);
        byte[] signature = signer.generateSignature();
        byte[] sig = new byte[4 + signature.length];
        System.arraycopy(key.keyId(), 0, sig, 0, 4);
        System.arraycopy(signature, 0, sig, 4, signature.length);
        String note = body + "\n" + DASH + key.name() + " " + Base64.getEncoder().encodeToString(sig) + "\n";
        return new Checkpoint(origin, size, root.clone(), note);
    }

    /** A note that is not a well-formed checkpoint, or whose signature does not verify. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses the note and verifies it: it must carry a valid signature by one of the keys (matched by
     * name and key id; a signature line of a known key that fails rejects the note). Unknown signers
     * (say, a witness's cosignature) are ignored.
     */
    static Checkpoint verify(String note, List<SigningKeys.CheckpointKey> keys) throws Invalid {
        if (note.length() > MAX_NOTE) {
            throw new Invalid("the note is longer than " + MAX_NOTE + " characters");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0 || !note.endsWith("\n")) {
            throw new Invalid("not a signed note (no blank line before the signatures, or no final newline)");
        }
        String body = note.substring(0, split + 1);
        String[] lines = body.split("\n", -1);
        if (lines.length < 4 || lines[0].isEmpty()) {
            throw new Invalid("a checkpoint has an origin line, a size line and a root line");
        }
        long size;
        try {
            if (!decimal(lines[1])) {
                throw new NumberFormatException();
            }
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new Invalid("the tree size is not a decimal number");
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new Invalid("the root hash is not base64");
        }
        if (root.length != 32) {
            throw new Invalid("the root hash is not 32 bytes");
        }
        byte[] text = body.getBytes(StandardCharsets.UTF_8);
        boolean verified = false;
        List<String> signatures = new ArrayList<>(Arrays.asList(note.substring(split + 2).split("\n")));
        for (String line : signatures) {
            if (!line.startsWith(DASH)) {
                throw new Invalid("a signature line starts with an em dash and a space");
            }
            String[] parts = line.substring(DASH.length()).split(" ", -1);
            if (parts.length != 2) {
                throw new Invalid("a signature line is '— <name> <base64 signature>'");
            }
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new Invalid("a signature is not base64");
            }
            if (sig.length < 5) {
                throw new Invalid("a signature is too short");
            }
            for (SigningKeys.CheckpointKey key : keys) {
                if (key.name().equals(parts[0]) && Arrays.equals(key.keyId(), Arrays.copyOf(sig, 4))) {
                    Ed25519Signer verifier = new Ed25519Signer();
                    verifier.init(false, new Ed25519PublicKeyParameters(key.publicKey(), 0));
                    verifier.update(text, 0, text.length);
                    if (sig.length != 68 || !verifier.verifySignature(Arrays.copyOfRange(sig, 4, sig.length))) {
                        throw new Invalid("the signature of " + key.name() + " (key id " + key.keyIdHex() + ") does not verify");
                    }
                    verified = true;
                }
            }
        }
        if (!verified) {
            throw new Invalid("the note carries no signature of a known key");
        }
        return new Checkpoint(lines[0], size, root, note);
    }

    /** A decimal without sign or leading zeros, at most 19 digits. */
    static boolean decimal(String text) {
        if (text.isEmpty() || text.length() > 19 || (text.length() > 1 && text.charAt(0) == '0')) {
            return false;
        }
        return text.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
