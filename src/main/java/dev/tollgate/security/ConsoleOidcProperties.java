package dev.tollgate.security;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The console's optional single sign-on with OpenID Connect (docs/console.md). Off unless
 * {@code issuer-uri} is set.
 *
 * @param issuerUri    the provider's issuer; its {@code /.well-known/openid-configuration} is read at
 *                     the first sign-in (not at start, so the server starts while the provider is down)
 * @param clientId     the console's client at the provider
 * @param clientSecret its secret (empty for a public client); the code flow always uses PKCE
 * @param scopes       scopes asked for ({@code openid} is always one)
 * @param rolesClaim   the claim of the ID token (or user info) holding the user's groups or roles:
 *                     a string or a list of strings; the user acts as {@code sso:<issuer>#<subject>}
 * @param roleMapping  claim value → Tollgate roles ({@code decider}, {@code policy-admin},
 *                     {@code auditor}, {@code admin}); a user none of whose values is mapped gets no
 *                     session
 * @param label        the sign-in button's text
 * @param timeout      the bound on each call to the provider (discovery, token, user info, keys): a
 *                     provider that does not answer fails the sign-in, never holds a request thread
 * @param providerLogout whether signing out of a single sign-on session also ends the provider's
 *                     session (OpenID Connect RP-initiated logout, when the provider announces an
 *                     {@code end_session_endpoint})
 */
@ConfigurationProperties("tollgate.console.oidc")
record ConsoleOidcProperties(@DefaultValue("") String issuerUri, @DefaultValue("") String clientId,
        @DefaultValue("") String clientSecret, @DefaultValue({"openid", "profile"}) List<String> scopes,
        @DefaultValue("groups") String rolesClaim,
        Map<String, List<String>> roleMapping, @DefaultValue("Sign in with single sign-on") String label,
        @DefaultValue("5s") Duration timeout, @DefaultValue("true") boolean providerLogout) {

    ConsoleOidcProperties {
        roleMapping = roleMapping == null ? Map.of() : Map.copyOf(roleMapping);
        scopes = List.copyOf(scopes);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalStateException("tollgate.console.oidc.timeout must be above 0 and at most 1m, not " + timeout);
        }
    }

    boolean enabled() {
        return !issuerUri.isBlank();
    }
}
