package dev.tollgate.security;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.http.ResponseCookie;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenValidator;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.userinfo.DefaultOAuth2UserService;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.AuthorizationRequestRepository;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.authentication.logout.LogoutSuccessHandler;
import org.springframework.security.web.authentication.logout.SimpleUrlLogoutSuccessHandler;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The console's optional single sign-on with OpenID Connect: the authorization code flow with PKCE
 * against {@code tollgate.console.oidc.issuer-uri}, roles from a configured claim mapped to Tollgate's
 * roles. Off unless configured. The console's filter chain ({@link ConsoleSecurityConfiguration}) plugs
 * in what this class provides; the sign-in page asks {@link #enabled()} and {@link #label()}.
 *
 * <p>The session is the console's usual one (same cookie, idle time-out, sign-out, new id on sign-in).
 * Because that cookie is {@code SameSite=Strict}, a browser coming back from the provider (a cross-site
 * navigation) does not send it: the pending authorization request (state, nonce, PKCE verifier) is
 * therefore kept in this server, by its {@code state}, and bound to the browser that started it by a
 * short-lived {@code SameSite=Lax} cookie. The page after the callback moves on to {@code /ui/} by
 * itself (a same-site navigation, which carries the new session cookie).
 */
@Component
public class ConsoleSingleSignOn {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSingleSignOn.class);

    static final String REGISTRATION = "oidc";
    /** Where the sign-in link points: starts the flow (the provider's authorization endpoint). */
    static final String START_BASE = "/ui/login/oidc";
    static final String START = START_BASE + "/" + REGISTRATION;
    /** Where the provider sends the browser back. */
    static final String CALLBACK_BASE = "/ui/login/oauth2/code";
    static final String BINDING_COOKIE = "TOLLGATE_SSO";
    static final String NO_ROLE = "no_tollgate_role";
    private static final Duration PENDING = Duration.ofMinutes(10);

    private final ConsoleOidcProperties properties;
    private final Map<String, Set<Role>> mapping;
    private final ClientHttpRequestFactory requests;
    private volatile ClientRegistration registration;
    private volatile JwtDecoder decoder;

    ConsoleSingleSignOn(ConsoleOidcProperties properties) {
        this.properties = properties;
        this.requests = requests(properties.timeout());
        this.mapping = mapping(properties);
    }

    private static Map<String, Set<Role>> mapping(ConsoleOidcProperties properties) {
        if (!properties.enabled()) {
            return Map.of();
        }
        if (properties.clientId().isBlank()) {
            throw new IllegalStateException("tollgate.console.oidc.client-id is required with tollgate.console.oidc.issuer-uri");
        }
        if (properties.roleMapping().isEmpty()) {
            throw new IllegalStateException("tollgate.console.oidc.role-mapping maps no claim value to a role: nobody could sign in");
        }
        Map<String, Set<Role>> mapping = new HashMap<>();
        properties.roleMapping().forEach((value, roles) -> {
            Set<Role> mapped = EnumSet.noneOf(Role.class);
            for (String id : roles) {
                mapped.add(Role.fromId(id.strip()).orElseThrow(() -> new IllegalStateException(
                        "tollgate.console.oidc.role-mapping[" + value + "]: no role " + id.strip()
                                + " (decider, policy-admin, auditor, admin)")));
            }
            mapping.put(value, Set.copyOf(mapped));
        });
        return Map.copyOf(mapping);
    }

    /** Whether single sign-on is configured. */
    public boolean enabled() {
        return properties.enabled();
    }

    /** The sign-in button's text. */
    public String label() {
        return properties.label();
    }

    /** The path that starts a sign-in at the provider. */
    public String startPath() {
        return START;
    }

    /**
     * The client registration, read from the provider's discovery document at first use (and kept
     * once read), so that the server starts while the provider is down.
     */
    ClientRegistrationRepository registrations() {
        return id -> REGISTRATION.equals(id) ? registration() : null;
    }

    ClientRegistration registration() {
        ClientRegistration known = registration;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (registration == null) {
                Set<String> scopes = new LinkedHashSet<>(List.of("openid"));
                scopes.addAll(properties.scopes());
                registration = ClientRegistrations.fromOidcConfiguration(discover())
                        .registrationId(REGISTRATION)
                        .clientId(properties.clientId())
                        .clientSecret(properties.clientSecret())
                        .clientAuthenticationMethod(properties.clientSecret().isEmpty() ? ClientAuthenticationMethod.NONE
                                : ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .scope(scopes)
                        .redirectUri("{baseUrl}" + CALLBACK_BASE + "/{registrationId}")
                        .userNameAttributeName(IdTokenClaimNames.SUB)
                        .clientSettings(ClientRegistration.ClientSettings.builder().requireProofKey(true).build())
                        .clientName(properties.label())
                        .build();
            }
            return registration;
        }
    }

    /** Exchanges the code (with the PKCE verifier) for tokens, validates the ID token, maps the user. */
    AuthenticationProvider authenticationProvider() {
        RestClientAuthorizationCodeTokenResponseClient tokens = new RestClientAuthorizationCodeTokenResponseClient();
        // as the client's own default, with the time limit
        tokens.setRestClient(RestClient.builder().requestFactory(requests)
                .configureMessageConverters(c -> c.addCustomConverter(new FormHttpMessageConverter())
                        .addCustomConverter(new OAuth2AccessTokenResponseHttpMessageConverter()))
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
                .build());
        OidcAuthorizationCodeAuthenticationProvider provider = new OidcAuthorizationCodeAuthenticationProvider(tokens, users());
        provider.setJwtDecoderFactory(this::idTokenDecoder);
        return provider;
    }

    /**
     * The provider's discovery document, read within the time limit; its {@code issuer} must be the
     * configured one exactly (OpenID Connect Discovery 1.0, §4.3).
     */
    private Map<String, Object> discover() {
        String issuer = properties.issuerUri();
        String location = (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration";
        Map<String, Object> configuration = RestClient.builder().requestFactory(requests).build().get().uri(location)
                .retrieve().body(new ParameterizedTypeReference<Map<String, Object>>() { });
        if (configuration == null || !issuer.equals(configuration.get("issuer"))) {
            throw new IllegalStateException("the provider's discovery document names issuer "
                    + (configuration == null ? null : configuration.get("issuer")) + ", not " + issuer);
        }
        return configuration;
    }

    /**
     * The ID token's decoder: as Spring Security's {@code OidcIdTokenDecoderFactory} makes it (RS256,
     * timestamps, the OpenID Connect claims, claim types), with its key set read within the time limit.
     */
    private JwtDecoder idTokenDecoder(ClientRegistration client) {
        JwtDecoder known = decoder;
        if (known != null) {
            return known;
        }
        String keys = client.getProviderDetails().getJwkSetUri();
        if (keys == null || keys.isBlank()) {
            throw new OAuth2AuthenticationException(new OAuth2Error("missing_signature_verifier",
                    "the provider's discovery document names no jwks_uri", null));
        }
        NimbusJwtDecoder built = NimbusJwtDecoder.withJwkSetUri(keys).jwsAlgorithm(SignatureAlgorithm.RS256)
                .restOperations(restTemplate()).build();
        built.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(), new OidcIdTokenValidator(client)));
        built.setClaimSetConverter(OidcIdTokenDecoderFactory.createDefaultClaimTypeConverter());
        decoder = built;
        return built;
    }

    private RestTemplate restTemplate() {
        RestTemplate rest = new RestTemplate(requests);
        rest.setErrorHandler(new OAuth2ErrorResponseErrorHandler());
        return rest;
    }

    /** Every call to the provider: connect and read within {@code tollgate.console.oidc.timeout}, no redirects. */
    private static ClientHttpRequestFactory requests(Duration timeout) {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build());
        factory.setReadTimeout(timeout);
        return factory;
    }

    /** The provider's end-of-session endpoint, if it announced one and provider logout is on. */
    LogoutSuccessHandler logoutSuccess(String signedOut) {
        SimpleUrlLogoutSuccessHandler local = new SimpleUrlLogoutSuccessHandler();
        local.setDefaultTargetUrl(signedOut);
        if (!enabled() || !properties.providerLogout()) {
            return local;
        }
        OidcClientInitiatedLogoutSuccessHandler provider = new OidcClientInitiatedLogoutSuccessHandler(registrations());
        provider.setPostLogoutRedirectUri("{baseUrl}" + signedOut);
        provider.setDefaultTargetUrl(signedOut);
        // a token session (or a provider without an end_session_endpoint) ends here only
        return (request, response, authentication) -> {
            if (authentication != null && authentication.getPrincipal() instanceof SingleSignOnUser) {
                provider.onLogoutSuccess(request, response, authentication);
            } else {
                local.onLogoutSuccess(request, response, authentication);
            }
        };
    }

    /**
     * The origin a sign-out form may be redirected to (the provider's), for the console's
     * Content-Security-Policy {@code form-action}: the issuer's scheme, host and port.
     */
    Optional<String> providerOrigin() {
        if (!enabled() || !properties.providerLogout()) {
            return Optional.empty();
        }
        URI issuer = URI.create(properties.issuerUri());
        if (issuer.getHost() == null || !("https".equals(issuer.getScheme()) || "http".equals(issuer.getScheme()))) {
            throw new IllegalStateException("tollgate.console.oidc.issuer-uri is not an http(s) URL with a host: " + issuer);
        }
        return Optional.of(issuer.getScheme() + "://" + issuer.getHost() + (issuer.getPort() < 0 ? "" : ":" + issuer.getPort()));
    }

    /**
     * The provider's user, with the Tollgate roles its claim values map to; none mapped (or no such
     * claim): refused. It acts in Tollgate as {@link #requesterName} of its ID token's issuer and subject.
     */
    OAuth2UserService<OidcUserRequest, OidcUser> users() {
        OidcUserService delegate = new OidcUserService();
        DefaultOAuth2UserService userInfo = new DefaultOAuth2UserService();
        userInfo.setRestOperations(restTemplate());
        delegate.setOauth2UserService(userInfo);
        return request -> {
            OidcUser user = delegate.loadUser(request);
            // both checked by Spring Security's ID token validator: the configured issuer, a subject
            String issuer = String.valueOf(user.getIdToken().getIssuer());
            String subject = user.getIdToken().getSubject();
            String name = requesterName(issuer, subject);
            Set<Role> roles = roles(user.getClaims().get(properties.rolesClaim()));
            if (roles.isEmpty()) {
                log.info("single sign-on refused for {}: no value of claim {} is mapped to a role", name, properties.rolesClaim());
                throw new OAuth2AuthenticationException(new OAuth2Error(NO_ROLE,
                        "no value of claim " + properties.rolesClaim() + " is mapped to a Tollgate role", null));
            }
            return new SingleSignOnUser(new Requester(name, roles), user);
        };
    }

    /**
     * Who a single sign-on user is in Tollgate (the session's requester, the admin log's actor, an
     * exception's requester or approver, a token's creator): {@code sso:<issuer>#<subject>}, the
     * pair OpenID Connect makes unique and stable. An issuer has no fragment, so the first {@code #}
     * ends it; a token's name has no {@code :}, so no token is ever named like a user.
     */
    static String requesterName(String issuer, String subject) {
        if (issuer == null || issuer.isBlank() || issuer.contains("#") || subject == null || subject.isBlank()) {
            throw new OAuth2AuthenticationException(new OAuth2Error("invalid_id_token",
                    "the ID token names no usable issuer and subject", null));
        }
        return "sso:" + issuer + "#" + subject;
    }

    Set<Role> roles(Object claim) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (claim instanceof String value) {
            roles.addAll(mapping.getOrDefault(value, Set.of()));
        } else if (claim instanceof Collection<?> values) {
            for (Object value : values) {
                if (value instanceof String s) {
                    roles.addAll(mapping.getOrDefault(s, Set.of()));
                }
            }
        }
        return roles;
    }

    /** Where a failed sign-in leads: the sign-in page, saying why. */
    void failed(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        String code = e instanceof OAuth2AuthenticationException oauth ? oauth.getError().getErrorCode() : "";
        if (!NO_ROLE.equals(code)) {
            log.info("single sign-on failed: {}", e.getMessage());
        }
        response.sendRedirect(NO_ROLE.equals(code) ? ConsoleSecurityConfiguration.LOGIN + "?noRole"
                : ConsoleSecurityConfiguration.LOGIN + "?ssoFailed");
    }

    /**
     * After the callback (a cross-site navigation, which carried no session cookie): a page that moves
     * on to the console by itself, so that the next request is same-site and carries the new session.
     */
    void signedIn(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("text/html;charset=UTF-8");
        response.getWriter().write("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <meta name="viewport" content="width=device-width, initial-scale=1">
                  <meta http-equiv="refresh" content="0;url=/ui/">
                  <title>Signed in · Tollgate</title>
                  <link rel="stylesheet" href="/ui/assets/console.css">
                </head>
                <body>
                <main id="main" class="narrow">
                  <h1>Tollgate console</h1>
                  <p class="notice" role="status">Signed in. <a id="continue" href="/ui/">Continue to the console</a></p>
                </main>
                </body>
                </html>
                """);
    }

    /** Before the flow starts: a provider that cannot be reached is said on the sign-in page, not with a 500. */
    OncePerRequestFilter discoveryCheck() {
        return new OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return !START.equals(request.getRequestURI());
            }

            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                try {
                    registration();
                } catch (RuntimeException e) {
                    log.warn("single sign-on: cannot read the provider's configuration at {}: {}", properties.issuerUri(),
                            e.getMessage());
                    response.sendRedirect(ConsoleSecurityConfiguration.LOGIN + "?ssoUnavailable");
                    return;
                }
                chain.doFilter(request, response);
            }
        };
    }

    /** The pending authorization requests: in this server by state, bound to their browser by a Lax cookie. */
    AuthorizationRequestRepository<OAuth2AuthorizationRequest> pendingRequests() {
        return new PendingRequests();
    }

    static final class PendingRequests implements AuthorizationRequestRepository<OAuth2AuthorizationRequest> {

        private static final SecureRandom RANDOM = new SecureRandom();

        private record Pending(OAuth2AuthorizationRequest request, byte[] binding) {
        }

        /** Bounded: anyone may start a flow, and each costs an entry until it ends or expires. */
        private final Cache<String, Pending> pending = Caffeine.newBuilder().expireAfterWrite(PENDING).maximumSize(10_000)
                .build();

        @Override
        public OAuth2AuthorizationRequest loadAuthorizationRequest(HttpServletRequest request) {
            String state = request.getParameter(OAuth2ParameterNames.STATE);
            String binding = binding(request);
            if (state == null || binding == null) {
                return null;
            }
            Pending found = pending.getIfPresent(state);
            if (found == null || !MessageDigest.isEqual(found.binding(), sha256(binding))) {
                return null;
            }
            return found.request();
        }

        @Override
        public void saveAuthorizationRequest(OAuth2AuthorizationRequest authorizationRequest, HttpServletRequest request,
                HttpServletResponse response) {
            if (authorizationRequest == null) {
                removeAuthorizationRequest(request, response);
                return;
            }
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            String binding = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            pending.put(authorizationRequest.getState(), new Pending(authorizationRequest, sha256(binding)));
            response.addHeader(HttpHeaders.SET_COOKIE, cookie(binding, PENDING, request.isSecure()));
        }

        @Override
        public OAuth2AuthorizationRequest removeAuthorizationRequest(HttpServletRequest request, HttpServletResponse response) {
            OAuth2AuthorizationRequest found = loadAuthorizationRequest(request);
            if (found != null) {
                pending.invalidate(found.getState());
                response.addHeader(HttpHeaders.SET_COOKIE, cookie("", Duration.ZERO, request.isSecure()));
            }
            return found;
        }

        private static String cookie(String value, Duration maxAge, boolean secure) {
            return ResponseCookie.from(BINDING_COOKIE, value).path(CALLBACK_BASE).httpOnly(true).secure(secure)
                    .sameSite("Lax").maxAge(maxAge).build().toString();
        }

        private static String binding(HttpServletRequest request) {
            Cookie[] cookies = request.getCookies();
            if (cookies == null) {
                return null;
            }
            for (Cookie cookie : cookies) {
                if (BINDING_COOKIE.equals(cookie.getName()) && !cookie.getValue().isEmpty()) {
                    return cookie.getValue();
                }
            }
            return null;
        }

        private static byte[] sha256(String value) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
