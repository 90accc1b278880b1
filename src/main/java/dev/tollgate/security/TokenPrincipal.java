package dev.tollgate.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;

/**
 * An authenticated bearer token as Spring Security sees it: the token's name, and its roles as
 * authorities ({@code ROLE_decider}, ...). It never holds the secret.
 */
record TokenPrincipal(Requester requester) implements OAuth2AuthenticatedPrincipal {

    @Override
    public String getName() {
        return requester.name();
    }

    @Override
    public Map<String, Object> getAttributes() {
        return Map.of();
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return authorities(requester);
    }

    static List<GrantedAuthority> authorities(Requester requester) {
        return requester.roles().stream().<GrantedAuthority>map(r -> new SimpleGrantedAuthority(Authorities.role(r))).toList();
    }
}
