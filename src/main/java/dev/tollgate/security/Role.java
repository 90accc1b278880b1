package dev.tollgate.security;

import java.util.Arrays;
import java.util.Optional;

/** The roles of api.md. A token's roles add up; {@link #ADMIN} may call every endpoint. */
public enum Role {
    DECIDER("decider"),
    POLICY_ADMIN("policy-admin"),
    AUDITOR("auditor"),
    ADMIN("admin");

    private final String id;

    Role(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Role> fromId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
    }
}
