package dev.tollgate.security;

import static org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.pathPattern;

import java.io.IOException;
import java.util.Optional;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.access.intercept.RequestMatcherDelegatingAuthorizationManager;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.DispatcherTypeRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.transaction.TransactionException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The compliance console's filter chain: {@code /}, {@code /ui} and everything under it, ordered
 * before the API's stateless chain ({@link SecurityConfiguration}), which is unchanged.
 *
 * <ul>
 * <li>Sign-in with a token on a form ({@code POST /ui/login}, field {@code token}), checked exactly as a
 * bearer token is ({@link Tokens#authenticate}); it opens a server-side session (the cookie is HttpOnly,
 * SameSite=Strict, Secure under TLS, limited to {@code /ui}, with an idle time-out: see
 * application.properties). The session holds the token's name and roles, never its secret, and every
 * request checks that the token is still valid, so revoking a token ends its sessions.</li>
 * <li>CSRF tokens (Spring Security's, in the session) on every form and every unsafe method.</li>
 * <li>The same roles as the API, page by page: a page is for the roles that may call the API
 * endpoints it reads, a button for the roles that may call the endpoint it stands for. Pages show a
 * button only when this chain would let its request through.</li>
 * <li>A strict Content-Security-Policy: scripts, styles and images from the server only, no inline
 * script or style, no framing.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSecurityConfiguration.class);

    static final String LOGIN = "/ui/login";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static final String DECIDER = Role.DECIDER.id();
    private static final String POLICY_ADMIN = Role.POLICY_ADMIN.id();
    private static final String AUDITOR = Role.AUDITOR.id();
    private static final String ADMIN = Role.ADMIN.id();

    @Bean
    @Order(1)
    SecurityFilterChain console(HttpSecurity http, Tokens tokens, SecurityProblems problems, ConsoleAuthorization authorization,
            ConsoleSingleSignOn sso) throws Exception {
        AuthorizationManager<HttpServletRequest> rules = authorization.rules();
        HttpSessionRequestCache requestCache = new HttpSessionRequestCache();
        requestCache.setRequestMatcher(ConsoleSecurityConfiguration::browserNavigation);
        requestCache.setMatchingRequestParameterName(null); // no "?continue" on the page's own query string
        SavedRequestAwareAuthenticationSuccessHandler success = new SavedRequestAwareAuthenticationSuccessHandler();
        success.setRequestCache(requestCache);
        success.setDefaultTargetUrl("/ui/");
        success.setAlwaysUseDefaultTargetUrl(false);

        http.securityMatcher(new OrRequestMatcher(pathPattern("/"), pathPattern("/ui"), pathPattern("/ui/**")))
                .authenticationManager(sso.enabled() ? new ProviderManager(new TokenSignIn(tokens), sso.authenticationProvider())
                        : new ProviderManager(new TokenSignIn(tokens)))
                .httpBasic(AbstractHttpConfigurer::disable)
                .requestCache(c -> c.requestCache(requestCache))
                .securityContext(c -> c.securityContextRepository(new HttpSessionSecurityContextRepository()))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED)
                        .sessionFixation(f -> f.changeSessionId()))
                .formLogin(f -> f.loginPage(LOGIN).loginProcessingUrl(LOGIN).passwordParameter("token")
                        .successHandler(success)
                        .failureHandler((request, response, e) -> response.sendRedirect(
                                e instanceof AuthenticationServiceException ? LOGIN + "?unavailable" : LOGIN + "?error"))
                )
                .logout(l -> l.logoutUrl("/ui/logout").logoutSuccessHandler(sso.logoutSuccess(LOGIN + "?signedOut"))
                        .invalidateHttpSession(true)
                        .clearAuthentication(true).deleteCookies("TOLLGATE_CONSOLE"))
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint(problems)).accessDeniedHandler(problems))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(contentSecurityPolicy(sso)))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .frameOptions(f -> f.deny()))
                .addFilterBefore(new SessionCheck(tokens, problems), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().access((authentication, context) -> rules.authorize(authentication,
                        context.getRequest())));
        if (sso.enabled()) {
            // the provider's authorization code flow with PKCE; its callback opens the same kind of session
            http.oauth2Login(o -> o.loginPage(LOGIN)
                    .clientRegistrationRepository(sso.registrations())
                    .authorizedClientRepository(new HttpSessionOAuth2AuthorizedClientRepository())
                    .authorizationEndpoint(e -> e.baseUri(ConsoleSingleSignOn.START_BASE)
                            .authorizationRequestRepository(sso.pendingRequests()))
                    .redirectionEndpoint(r -> r.baseUri(ConsoleSingleSignOn.CALLBACK_BASE + "/*"))
                    .successHandler((request, response, authentication) -> sso.signedIn(request, response))
                    .failureHandler(sso::failed))
                    .addFilterBefore(sso.discoveryCheck(), OAuth2AuthorizationRequestRedirectFilter.class);
        }
        return http.build();
    }

    /**
     * The console's policy; with provider logout, the sign-out form may also be redirected to the
     * provider's origin (browsers apply {@code form-action} to a form's redirects too).
     */
    static String contentSecurityPolicy(ConsoleSingleSignOn sso) {
        return sso.providerOrigin().map(origin -> CONTENT_SECURITY_POLICY.replace("form-action 'self'", "form-action 'self' " + origin))
                .orElse(CONTENT_SECURITY_POLICY);
    }

    /**
     * Who may open which console page or press which button: the same roles as the API endpoint each
     * reads or calls. Enforced by the chain above and asked by the pages ({@link ConsoleAuthorization#allows}).
     */
    static AuthorizationManager<HttpServletRequest> rules() {
        AuthorizationManager<RequestAuthorizationContext> open = (authentication, request) -> new AuthorizationDecision(true);
        return RequestMatcherDelegatingAuthorizationManager.builder()
                .add(new DispatcherTypeRequestMatcher(DispatcherType.ERROR), open)
                .add(new OrRequestMatcher(read("/"), read("/ui"),
                        read("/ui/assets/**")), open)
                .add(new OrRequestMatcher(read(LOGIN), pathPattern(HttpMethod.POST, LOGIN)), open)

                // reading decisions, evidence and the logs: GET /v1/decisions/**, /v1/artifacts/**, /v1/audit/**;
                // the reports and the incident query: GET /v1/reports/weak-links, GET /v1/components
                .add(new OrRequestMatcher(read("/ui/decisions"),
                        read("/ui/decisions/**"),
                        read("/ui/artifacts/**"),
                        read("/ui/audit/**"),
                        read("/ui/reports/weak-links"),
                        read("/ui/components")), AuthorityAuthorizationManager.hasAnyRole(AUDITOR, ADMIN))

                // governed exceptions: requested, approved (by another token) and revoked as POST /v1/exceptions/**,
                // read as GET /v1/exceptions/**
                .add(new OrRequestMatcher(pathPattern(HttpMethod.POST, "/ui/exceptions"),
                        pathPattern(HttpMethod.POST, "/ui/exceptions/{id}/approve"),
                        pathPattern(HttpMethod.POST, "/ui/exceptions/{id}/revoke")),
                        AuthorityAuthorizationManager.hasAnyRole(POLICY_ADMIN, ADMIN))
                .add(new OrRequestMatcher(read("/ui/exceptions"), read("/ui/exceptions/{id}")),
                        AuthorityAuthorizationManager.hasAnyRole(POLICY_ADMIN, AUDITOR, ADMIN))

                // replaying a stored version over the recorded decisions: POST /v1/policies/{name}:replay
                // (before the policies' own reading rule below, which would let auditors in)
                .add(new OrRequestMatcher(read("/ui/policies/{name}/replay"), pathPattern(HttpMethod.POST, "/ui/policies/{name}/evaluate")),
                        AuthorityAuthorizationManager.hasAnyRole(POLICY_ADMIN, ADMIN))

                // changing policies: POST /v1/policies/{name}/activate
                .add(pathPattern(HttpMethod.POST, "/ui/policies/{name}/activate"),
                        AuthorityAuthorizationManager.hasAnyRole(POLICY_ADMIN, ADMIN))
                // reading and checking policies and trust: GET /v1/policies/**, POST /v1/policies:validate, GET /v1/trust/**
                .add(new OrRequestMatcher(read("/ui/policies"),
                        read("/ui/policies/**"),
                        pathPattern(HttpMethod.POST, "/ui/policies/diagnostics"),
                        read("/ui/trust")), AuthorityAuthorizationManager.hasAnyRole(POLICY_ADMIN, AUDITOR, ADMIN))

                // tokens: /v1/tokens/**
                .add(new OrRequestMatcher(pathPattern("/ui/tokens"), pathPattern("/ui/tokens/**")),
                        AuthorityAuthorizationManager.hasRole(ADMIN))

                // the overview shows each role what it may read; signing out
                .add(new OrRequestMatcher(read("/ui/"), pathPattern(HttpMethod.POST, "/ui/logout")),
                        AuthorityAuthorizationManager.hasAnyRole(DECIDER, POLICY_ADMIN, AUDITOR, ADMIN))
                // closed by default, as under /v1
                .add(AnyRequestMatcher.INSTANCE, AuthorityAuthorizationManager.hasRole(ADMIN))
                .build();
    }

    /** GET of the pattern, and HEAD (as the API's chain reads them: HEAD is GET without the body). */
    private static RequestMatcher read(String pattern) {
        return new OrRequestMatcher(pathPattern(HttpMethod.GET, pattern), pathPattern(HttpMethod.HEAD, pattern));
    }

    /** A browser asking for a page: GET or HEAD that accepts HTML. */
    static boolean browserNavigation(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            return false;
        }
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return false;
        }
        try {
            return MediaType.parseMediaTypes(accept).stream().anyMatch(t -> t.equalsTypeAndSubtype(MediaType.TEXT_HTML));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /** Not signed in: a browser is sent to the sign-in page, anything else gets a 401 problem. */
    private static AuthenticationEntryPoint entryPoint(SecurityProblems problems) {
        LoginUrlAuthenticationEntryPoint login = new LoginUrlAuthenticationEntryPoint(LOGIN);
        RequestMatcher browser = ConsoleSecurityConfiguration::browserNavigation;
        return (request, response, e) -> {
            if (browser.matches(request)) {
                login.commence(request, response, e);
            } else {
                problems.signInRequired(response);
            }
        };
    }

    /** The sign-in form's token, checked exactly like a bearer token. */
    static final class TokenSignIn implements AuthenticationProvider {

        private final Tokens tokens;

        TokenSignIn(Tokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public Authentication authenticate(Authentication authentication) {
            String secret = String.valueOf(authentication.getCredentials());
            Optional<Requester> requester;
            try {
                requester = tokens.authenticate(secret);
            } catch (DataAccessException | TransactionException | ChosenSecrets.Unavailable e) {
                throw new AuthenticationServiceException("the token store is unavailable", e);
            }
            return requester.map(ConsoleAuthentication::new)
                    .orElseThrow(() -> new BadCredentialsException("not a valid token"));
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
        }
    }

    /**
     * Every request of a session asks whether its token is still valid: a revoked token's session is
     * ended (the request then continues as not signed in); if the token store cannot be asked, 503.
     */
    static final class SessionCheck extends OncePerRequestFilter {

        private final Tokens tokens;
        private final SecurityProblems problems;

        SessionCheck(Tokens tokens, SecurityProblems problems) {
            this.tokens = tokens;
            this.problems = problems;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication instanceof ConsoleAuthentication console) {
                Optional<Requester> now;
                try {
                    now = tokens.current(console.requester().name());
                } catch (DataAccessException | TransactionException e) {
                    log.warn("cannot check a console session's token: {}", e.getMessage());
                    problems.unavailable(response);
                    return;
                }
                if (now.isEmpty() || !now.get().roles().equals(console.requester().roles())) {
                    SecurityContextHolder.clearContext();
                    HttpSession session = request.getSession(false);
                    if (session != null) {
                        session.invalidate();
                    }
                }
            }
            chain.doFilter(request, response);
        }
    }
}
