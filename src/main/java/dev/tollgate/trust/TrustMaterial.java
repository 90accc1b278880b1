package dev.tollgate.trust;

import java.time.Instant;

/** Trust material as held: its name, kind, exact bytes and their SHA-256, and how it is used. */
public record TrustMaterial(String name, TrustKind kind, byte[] content, String sha256, Instant createdAt,
        Instant updatedAt, String updatedBy, TrustSettings settings) {

    public TrustMaterial {
        content = content.clone();
        settings = settings == null ? TrustSettings.DEFAULT : settings;
    }

    /** Material with the default settings. */
    public TrustMaterial(String name, TrustKind kind, byte[] content, String sha256, Instant createdAt,
            Instant updatedAt, String updatedBy) {
        this(name, kind, content, sha256, createdAt, updatedAt, updatedBy, TrustSettings.DEFAULT);
    }

    @Override
    public byte[] content() {
        return content.clone();
    }
}
