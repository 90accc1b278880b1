package dev.tollgate.policy;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A policy version as the API lists it; {@code source} only where a single version is read. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyVersionInfo(String name, int version, String sha256, String mode, String description,
        Instant createdAt, String createdBy, boolean active, String source) {

    PolicyVersionInfo withoutSource() {
        return new PolicyVersionInfo(name, version, sha256, mode, description, createdAt, createdBy, active, null);
    }
}
