package dev.tollgate.security;

import java.io.Serial;

import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * A console session opened by single sign-on: the provider's user, and the {@link Requester} it is
 * in Tollgate ({@code sso:<issuer>#<subject>} with the roles its claim values map to).
 */
final class SingleSignOnUser extends DefaultOidcUser {

    @Serial
    private static final long serialVersionUID = 1L;

    private final Requester requester;

    SingleSignOnUser(Requester requester, OidcUser user) {
        super(TokenPrincipal.authorities(requester), user.getIdToken(), user.getUserInfo(), IdTokenClaimNames.SUB);
        this.requester = requester;
    }

    Requester requester() {
        return requester;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SingleSignOnUser that && super.equals(that) && requester.equals(that.requester);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + requester.hashCode();
    }
}
