package dev.tollgate.security;

import static org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.pathPattern;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.security.auth.x500.X500Principal;

import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.AuthenticationUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;

/**
 * Who may call what (api.md, "Authentication and roles"), on Spring Security.
 *
 * <ul>
 * <li>The firewall ({@link PathFirewall}) refuses every ambiguous spelling of a path before anything
 * else looks at it, so the path authorised here is the path Spring MVC routes.</li>
 * <li>Bearer tokens are opaque secrets looked up by hash ({@link TokenIntrospector}).</li>
 * <li>A client certificate verified by TLS whose subject is configured may call
 * {@code /v1/admission} only.</li>
 * <li>The role table below is api.md's, row by row; {@code admin} may do everything. Anything not
 * listed under {@code /v1} is for {@code admin} only, and every other path needs a token:
 * closed by default. Only health, the Prometheus scrape and the ledger's public keys are open.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class SecurityConfiguration {

    private static final String DECIDER = Role.DECIDER.id();
    private static final String POLICY_ADMIN = Role.POLICY_ADMIN.id();
    private static final String AUDITOR = Role.AUDITOR.id();
    private static final String ADMIN = Role.ADMIN.id();

    @Bean
    SecurityFilterChain api(HttpSecurity http, Tokens tokens, SecurityProperties properties, SecurityProblems problems,
            dev.tollgate.web.WebhookListener webhook, dev.tollgate.web.ProblemResponses responses) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable) // bearer tokens only: no ambient credential to forge
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .oauth2ResourceServer(o -> o.opaqueToken(t -> t.introspector(new TokenIntrospector(tokens)))
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .addFilterBefore(new AuthenticationUnavailableFilter(problems), BearerTokenAuthenticationFilter.class)
                // the webhook listener: POST /v1/admission only, rate-limited, the API server as caller without a token
                .addFilterBefore(new WebhookCallerFilter(webhook, responses),
                        org.springframework.security.web.authentication.preauth.x509.X509AuthenticationFilter.class)
                .x509(x -> x.x509PrincipalExtractor(certificate -> certificate.getSubjectX500Principal().getName())
                        .authenticationUserDetailsService(admissionClients(properties.admissionClientSubjects())))
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .authorizeHttpRequests(a -> a
                        // the container's error page for a request that was already let in (or refused)
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers(read("/actuator/health"),
                                read("/actuator/health/**"),
                                read("/actuator/prometheus"),
                                // the public keys that verify checkpoints and attestations (docs/audit.md)
                                read("/v1/audit/keys"),
                                // the HTTP contract itself (openapi/tollgate.yaml)
                                read("/v1/openapi.yaml")).permitAll()

                        .requestMatchers(pathPattern(HttpMethod.POST, "/v1/decisions")).hasAnyRole(DECIDER, ADMIN)
                        .requestMatchers(pathPattern(HttpMethod.POST, "/v1/admission"))
                                .hasAnyRole(DECIDER, ADMIN, Authorities.ADMISSION_CLIENT)

                        // a decision evaluated, not recorded (docs/policy-authoring.md): for policy authors
                        .requestMatchers(pathPattern(HttpMethod.POST, "/v1/decisions:evaluate")).hasAnyRole(POLICY_ADMIN, ADMIN)
                        // a candidate replayed over the recorded decisions, nothing written (docs/policy-authoring.md)
                        .requestMatchers(pathPattern(HttpMethod.POST, "/v1/policies/{name}:replay")).hasAnyRole(POLICY_ADMIN, ADMIN)

                        .requestMatchers(pathPattern(HttpMethod.PUT, "/v1/policies/{name}"),
                                pathPattern(HttpMethod.DELETE, "/v1/policies/{name}"),
                                pathPattern(HttpMethod.POST, "/v1/policies/{name}/activate"),
                                pathPattern(HttpMethod.PUT, "/v1/trust/**"),
                                pathPattern(HttpMethod.DELETE, "/v1/trust/**")).hasAnyRole(POLICY_ADMIN, ADMIN)

                        // governed exceptions (docs/exceptions.md): requested and approved by two policy-admin tokens
                        .requestMatchers(pathPattern(HttpMethod.POST, "/v1/exceptions"),
                                pathPattern(HttpMethod.POST, "/v1/exceptions/{id}/approve"),
                                pathPattern(HttpMethod.POST, "/v1/exceptions/{id}/revoke")).hasAnyRole(POLICY_ADMIN, ADMIN)
                        .requestMatchers(read("/v1/exceptions"), read("/v1/exceptions/{id}")).hasAnyRole(POLICY_ADMIN, AUDITOR, ADMIN)

                        .requestMatchers(read("/v1/policies"),
                                read("/v1/policies/**"),
                                pathPattern(HttpMethod.POST, "/v1/policies:validate"),
                                pathPattern(HttpMethod.POST, "/v1/policies:evaluate"),
                                pathPattern(HttpMethod.POST, "/v1/policies/{name}/evaluate"),
                                read("/v1/trust/**"),
                                read("/v1/policy-sources")).hasAnyRole(POLICY_ADMIN, AUDITOR, ADMIN)

                        // a recorded decision as a policy test case: for policy authors and auditors
                        .requestMatchers(read("/v1/decisions/{decisionId}/test-case")).hasAnyRole(POLICY_ADMIN, AUDITOR, ADMIN)
                        // the decider that asked may read its own decision's proof (checked by the controller)
                        .requestMatchers(read("/v1/decisions/{decisionId}/proof")).hasAnyRole(DECIDER, AUDITOR, ADMIN)
                        // a decision's signed VSA, like the record it is made from (docs/audit.md)
                        .requestMatchers(read("/v1/decisions/{decisionId}/vsa"),
                                read("/v1/decisions"),
                                read("/v1/decisions/**"),
                                read("/v1/artifacts/{digest}/evidence"),
                                read("/v1/audit/**"),
                                read("/v1/components"),
                                read("/v1/components/export"),
                                read("/v1/reports/weak-links")).hasAnyRole(AUDITOR, ADMIN)

                        .requestMatchers(pathPattern("/v1/tokens"), pathPattern("/v1/tokens/**")).hasRole(ADMIN)

                        // closed by default: an endpoint not in the table above is for admin only
                        .requestMatchers(pathPattern("/v1"), pathPattern("/v1/**")).hasRole(ADMIN)
                        .anyRequest().authenticated());
        return http.build();
    }

    /** GET of the pattern, and HEAD (GET without the body, which Spring MVC serves for every GET mapping). */
    private static RequestMatcher read(String pattern) {
        return new OrRequestMatcher(pathPattern(HttpMethod.GET, pattern), pathPattern(HttpMethod.HEAD, pattern));
    }

    /** The firewall that refuses ambiguous paths, and how its refusals are answered. */
    @Bean
    WebSecurityCustomizer firewall(SecurityProblems problems) {
        return web -> web.httpFirewall(new PathFirewall()).requestRejectedHandler(problems);
    }

    /**
     * Client certificates (already verified by the TLS layer) whose subject DN is configured become
     * the one authority that may call {@code /v1/admission}; any other certificate authenticates nothing.
     */
    static AuthenticationUserDetailsService<PreAuthenticatedAuthenticationToken> admissionClients(List<String> subjects) {
        Set<String> allowed = subjects.stream().filter(s -> !s.isBlank()).map(s -> new X500Principal(s).getName())
                .collect(Collectors.toUnmodifiableSet());
        return token -> {
            String subject = String.valueOf(token.getPrincipal());
            if (!allowed.contains(subject)) {
                throw new UsernameNotFoundException("client certificate subject not configured for admission");
            }
            UserDetails user = User.withUsername(Requesters.CERTIFICATE_PREFIX + subject).password("")
                    .authorities(AuthorityUtils.createAuthorityList("ROLE_" + Authorities.ADMISSION_CLIENT)).build();
            return user;
        };
    }
}
