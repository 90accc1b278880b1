package dev.tollgate.security;

/** How roles appear as Spring Security authorities. */
final class Authorities {

    /** The one authority of a client certificate configured for {@code /v1/admission}. */
    static final String ADMISSION_CLIENT = "admission-client";

    private Authorities() {
    }

    static String role(Role role) {
        return "ROLE_" + role.id();
    }
}
