package dev.tollgate.security;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A bearer token as stored: its secret only as a SHA-256 hash. */
@Entity
@Table(name = "api_token")
class ApiToken {

    @Id
    private String name;

    @Column(name = "secret_sha256", nullable = false, unique = true)
    private String secretSha256;

    @Column(name = "roles", nullable = false, columnDefinition = "text[]")
    private String[] roles;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "created_by", nullable = false)
    private String createdBy;

    protected ApiToken() {
    }

    ApiToken(String name, String secretSha256, String[] roles, Instant createdAt, String createdBy) {
        this.name = name;
        this.secretSha256 = secretSha256;
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

    void replaceSecret(String secretSha256, String[] roles) {
        this.secretSha256 = secretSha256;
        this.roles = roles.clone();
    }
}
