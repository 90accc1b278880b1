package dev.tollgate.evidence.sigstore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * DSSE pre-authentication encoding, {@code "DSSEv1" SP len(type) SP type SP len(body) SP body},
 * with lengths in bytes. sigstore-java 2.0.0 counts characters instead, which breaks every
 * payload that is not ASCII; this is the encoding of the DSSE specification.
 */
final class Dsse {

    private Dsse() {
    }

    static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
        write(out, "DSSEv1 " + type.length + " ");
        out.writeBytes(type);
        write(out, " " + payload.length + " ");
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static void write(ByteArrayOutputStream out, String ascii) {
        out.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
    }
}
