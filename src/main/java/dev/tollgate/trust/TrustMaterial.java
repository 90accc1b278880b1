package dev.tollgate.trust;

import java.time.Instant;

/** Trust material as held: its name, kind, exact bytes and their SHA-256. */
public record TrustMaterial(String name, TrustKind kind, byte[] content, String sha256, Instant createdAt,
        Instant updatedAt, String updatedBy) {

    public TrustMaterial {
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }
}
