package dev.tollgate.ledger;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A verifier written for the tests from RFC 9162 §2.1.3.2 and §2.1.4.2 and C2SP signed-note,
 * sharing no code with the production ledger: the JDK's SHA-256 and Ed25519 only.
 */
final class IndependentTlog {

    private IndependentTlog() {
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                sha.update(p);
            }
            return sha.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] leaf(byte[] data) {
        return sha256(new byte[] {0}, data);
    }

    static byte[] node(byte[] l, byte[] r) {
        return sha256(new byte[] {1}, l, r);
    }

    /** MTH(D[n]) by the RFC's recursive definition. */
    static byte[] root(List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            return sha256();
        }
        if (leaves.size() == 1) {
            return leaves.get(0);
        }
        int k = 1;
        while (k * 2 < leaves.size()) {
            k *= 2;
        }
        return node(root(leaves.subList(0, k)), root(leaves.subList(k, leaves.size())));
    }

    /** RFC 9162 §2.1.3.2. */
    static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> path, byte[] root) {
        if (index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = node(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    /** RFC 9162 §2.1.4.2. */
    static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {
        if (first > second || first < 1) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && Arrays.equals(firstRoot, secondRoot);
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) {
            path.add(0, firstRoot);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = node(c, fr);
                sr = node(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return Arrays.equals(fr, firstRoot) && Arrays.equals(sr, secondRoot) && sn == 0;
    }

    record Note(String origin, long size, byte[] root) {
    }

    /** Parses a checkpoint note and checks its signature by {@code name} with the Ed25519 key (X.509 PEM); null if it fails. */
    static Note open(String note, String name, String publicKeyPem) {
        try {
            String base64 = publicKeyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            byte[] spki = Base64.getDecoder().decode(base64);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            byte[] keyId = Arrays.copyOf(sha256(name.getBytes(StandardCharsets.UTF_8), new byte[] {0x0A, 0x01}, raw), 4);
            int blank = note.lastIndexOf("\n\n");
            String body = note.substring(0, blank + 1);
            for (String line : note.substring(blank + 2).split("\n")) {
                String prefix = "\u2014 " + name + " ";
                if (!line.startsWith(prefix)) {
                    continue;
                }
                byte[] sig = Base64.getDecoder().decode(line.substring(prefix.length()));
                if (!Arrays.equals(Arrays.copyOf(sig, 4), keyId)) {
                    continue;
                }
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(body.getBytes(StandardCharsets.UTF_8));
                if (!verifier.verify(Arrays.copyOfRange(sig, 4, sig.length))) {
                    return null;
                }
                String[] lines = body.split("\n");
                return new Note(lines[0], Long.parseLong(lines[1]), Base64.getDecoder().decode(lines[2]));
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    static List<byte[]> hexes(Iterable<tools.jackson.databind.JsonNode> nodes) {
        List<byte[]> out = new ArrayList<>();
        nodes.forEach(n -> out.add(HexFormat.of().parseHex(n.asString())));
        return out;
    }
}
