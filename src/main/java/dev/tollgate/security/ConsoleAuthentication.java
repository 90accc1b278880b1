package dev.tollgate.security;

import java.io.Serial;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A console session's authentication: the token it was opened with, by name and roles. Kept in the
 * server-side session; the secret itself is never stored.
 */
final class ConsoleAuthentication extends AbstractAuthenticationToken {

    @Serial
    private static final long serialVersionUID = 1L;

    private final Requester requester;

    ConsoleAuthentication(Requester requester) {
        super(TokenPrincipal.authorities(requester));
        this.requester = requester;
        setAuthenticated(true);
    }

    Requester requester() {
        return requester;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return requester.name();
    }
}
