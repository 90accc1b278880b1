package dev.tollgate.decision;

import java.security.SecureRandom;
import java.util.UUID;

/** Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. */
final class UuidV7 {

    private static final SecureRandom RANDOM = new SecureRandom();

    private UuidV7() {
    }

    static UUID at(long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long high = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (((random[0] & 0xFFL) << 4 | (random[1] & 0xF0L) >>> 4) & 0x0FFFL);
        long low = 0x8000_0000_0000_0000L | (random[2] & 0x3FL) << 56;
        for (int i = 3; i < 10; i++) {
            low |= (random[i] & 0xFFL) << (8 * (9 - i));
        }
        return new UUID(high, low);
    }
}
