package dev.tollgate.security;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A bearer token as stored: a generated secret only as its SHA-256, an operator-chosen one only as
 * an Argon2id hash (PHC string); never the secret. A revoked token stays, so its name stays taken
 * and listed.
 */
@Entity
@Table(name = "api_token")
class ApiToken {

    @Id
    private String name;

    @Column(name = "secret_sha256", unique = true)
    private String secretSha256;

    @Column(name = "secret_kdf")
    private String secretKdf;

    @Column(name = "roles", nullable = false, columnDefinition = "text[]")
    private String[] roles;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "created_by", nullable = false)
    private String createdBy;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    @Column(name = "revoked_by")
    private String revokedBy;

    protected ApiToken() {
    }

    ApiToken(String name, String secretSha256, String secretKdf, String[] roles, Instant createdAt, String createdBy) {
        this.name = name;
        this.secretSha256 = secretSha256;
        this.secretKdf = secretKdf;
        this.roles = roles.clone();
        this.createdAt = createdAt;
        this.createdBy = createdBy;
    }

    String name() {
        return name;
    }

    String[] roles() {
        return roles.clone();
    }

    Instant createdAt() {
        return createdAt;
    }

    String createdBy() {
        return createdBy;
    }

    String secretKdf() {
        return secretKdf;
    }

    Instant revokedAt() {
        return revokedAt;
    }

    String revokedBy() {
        return revokedBy;
    }

    boolean revoked() {
        return revokedAt != null;
    }

    void replaceSecret(String secretSha256, String secretKdf, String[] roles) {
        this.secretSha256 = secretSha256;
        this.secretKdf = secretKdf;
        this.roles = roles.clone();
        this.revokedAt = null;
        this.revokedBy = null;
    }

    void revoke(Instant at, String by) {
        this.revokedAt = at;
        this.revokedBy = by;
    }
}
