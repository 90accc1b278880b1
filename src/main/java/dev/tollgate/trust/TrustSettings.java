package dev.tollgate.trust;

import java.time.Instant;

/**
 * How held material is used. A root's {@code requireTransparencyLog} (default true): whether a
 * keyless bundle needs a transparency-log entry, or may rest on a signed timestamp from one of
 * the root's TSAs. A key's {@code validFrom} / {@code validUntil} (open when null): signatures
 * count only when their signed time (or, without one, the decision time) lies in
 * {@code [validFrom, validUntil)}.
 */
public record TrustSettings(boolean requireTransparencyLog, Instant validFrom, Instant validUntil) {

    public static final TrustSettings DEFAULT = new TrustSettings(true, null, null);

    public TrustSettings {
        if (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil)) {
            throw new IllegalArgumentException("validFrom must be before validUntil");
        }
    }

    /** A stable text of the settings, for fingerprints. */
    String fingerprint() {
        return requireTransparencyLog + "," + validFrom + "," + validUntil;
    }
}
