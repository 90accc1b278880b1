package dev.tollgate.security;

import org.springframework.dao.DataAccessException;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OAuth2IntrospectionException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.transaction.TransactionException;

/**
 * Spring Security's opaque bearer-token authentication over our own tokens: the presented secret
 * is hashed and looked up ({@link Tokens#authenticate}); no remote introspection.
 */
final class TokenIntrospector implements OpaqueTokenIntrospector {

    private final Tokens tokens;

    TokenIntrospector(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public OAuth2AuthenticatedPrincipal introspect(String token) {
        try {
            return tokens.authenticate(token).map(TokenPrincipal::new)
                    .orElseThrow(() -> new BadOpaqueTokenException("the bearer token is not valid"));
        } catch (DataAccessException | TransactionException | ChosenSecrets.Unavailable e) {
            throw new OAuth2IntrospectionException("the token store is unavailable", e);
        }
    }
}
