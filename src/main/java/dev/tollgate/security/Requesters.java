package dev.tollgate.security;

import java.util.Optional;
import java.util.Set;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

/** The {@link Requester} behind the current request's Spring Security authentication. */
final class Requesters {

    static final String CERTIFICATE_PREFIX = "certificate:";

    private Requesters() {
    }

    static Optional<Requester> current() {
        return of(SecurityContextHolder.getContext().getAuthentication());
    }

    static Optional<Requester> of(Authentication authentication) {
        if (authentication == null || !authentication.isAuthenticated()) {
            return Optional.empty();
        }
        if (authentication instanceof ConsoleAuthentication console) {
            return Optional.of(console.requester());
        }
        if (authentication.getPrincipal() instanceof SingleSignOnUser user) {
            return Optional.of(user.requester());
        }
        if (authentication.getPrincipal() instanceof TokenPrincipal token) {
            return Optional.of(token.requester());
        }
        if (authentication instanceof PreAuthenticatedAuthenticationToken
                && authentication.getPrincipal() instanceof UserDetails client
                && (client.getUsername().startsWith(CERTIFICATE_PREFIX)
                        || client.getUsername().startsWith(WebhookCallerFilter.KUBERNETES_PREFIX))) {
            // a client certificate configured for admission, or the API server on the webhook listener: it may only decide admission reviews
            return Optional.of(new Requester(client.getUsername(), Set.of(Role.DECIDER)));
        }
        return Optional.empty();
    }
}
