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

    /** The settings as they are recorded in the admin log. */
    java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> settings = new java.util.LinkedHashMap<>();
        settings.put("requireTransparencyLog", requireTransparencyLog);
        if (validFrom != null) {
            settings.put("validFrom", validFrom.toString());
        }
        if (validUntil != null) {
            settings.put("validUntil", validUntil.toString());
        }
        return settings;
    }

    /** A stable text of the settings, for fingerprints. */
    String fingerprint() {
        return requireTransparencyLog + "," + validFrom + "," + validUntil;
    }
}
