package dev.tollgate.policy;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** One immutable version of a policy: the uploaded bytes, their hash, who uploaded them and when. */
@Entity
@Table(name = "policy_version")
@IdClass(PolicyRevision.Key.class)
class PolicyRevision {

    @Id
    @Column(name = "policy_name")
    private String policyName;

    @Id
    @Column(name = "version")
    private int version;

    @Column(name = "source", nullable = false, updatable = false)
    private byte[] source;

    @Column(name = "sha256", nullable = false, updatable = false)
    private String sha256;

    @Column(name = "mode", nullable = false, updatable = false)
    private String mode;

    @Column(name = "description", updatable = false)
    private String description;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "created_by", nullable = false, updatable = false)
    private String createdBy;

    protected PolicyRevision() {
    }

    PolicyRevision(String policyName, int version, byte[] source, String sha256, String mode, String description,
            Instant createdAt, String createdBy) {
        this.policyName = policyName;
        this.version = version;
        this.source = source.clone();
        this.sha256 = sha256;
        this.mode = mode;
        this.description = description;
        this.createdAt = createdAt;
        this.createdBy = createdBy;
    }

    String policyName() {
        return policyName;
    }

    int version() {
        return version;
    }

    byte[] source() {
        return source.clone();
    }

    String sha256() {
        return sha256;
    }

    String mode() {
        return mode;
    }

    String description() {
        return description;
    }

    Instant createdAt() {
        return createdAt;
    }

    String createdBy() {
        return createdBy;
    }

    /** The composite key (policy name, version). */
    static final class Key implements Serializable {
        private String policyName;
        private int version;

        Key() {
        }

        Key(String policyName, int version) {
            this.policyName = policyName;
            this.version = version;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && Objects.equals(k.policyName, policyName);
        }

        @Override
        public int hashCode() {
            return Objects.hash(policyName, version);
        }
    }
}
