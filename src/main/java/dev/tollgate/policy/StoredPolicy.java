package dev.tollgate.policy;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A policy name and which of its versions is active (none when deactivated). */
@Entity
@Table(name = "policy")
class StoredPolicy {

    @Id
    private String name;

    @Column(name = "active_version")
    private Integer activeVersion;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected StoredPolicy() {
    }

    String name() {
        return name;
    }

    Integer activeVersion() {
        return activeVersion;
    }

    void activate(Integer version, Instant at) {
        this.activeVersion = version;
        this.updatedAt = at;
    }
}
