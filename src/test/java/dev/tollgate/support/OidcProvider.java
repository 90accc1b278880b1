package dev.tollgate.support;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * A real OpenID provider for the console's single sign-on: Spring Authorization Server on a random
 * loopback port, started once per test JVM (before the application context, which is configured with
 * its issuer). Its issuer is {@code http://localhost:<port>} while the console is reached at
 * {@code 127.0.0.1}: a different site, so the way back from the provider is a cross-site navigation,
 * as with a real provider.
 *
 * <p>It signs users in with its own login form and puts their groups in the ID token's
 * {@code groups} claim (none for a user in no group). The console's client must use PKCE (the provider refuses it otherwise) and is
 * never asked for consent.
 */
public final class OidcProvider {

    public static final String CLIENT_ID = "tollgate-console";
    public static final String CLIENT_SECRET = "test-console-client-secret";
    public static final String PASSWORD = "test-sso-password";
    /** In group {@code tollgate-auditors} (mapped to auditor) and {@code staff} (not mapped). */
    public static final String AUDITOR = "alice";
    /** Only in group {@code staff}: no Tollgate role. */
    public static final String NO_ROLE = "bob";
    /** In no group at all: her ID token has no {@code groups} claim. */
    public static final String NO_CLAIM = "carol";
    /** In group {@code tollgate-policy-admins} (mapped to policy-admin). */
    public static final String POLICY_ADMIN = "paula";
    public static final String AUDITOR_GROUP = "tollgate-auditors";
    public static final String POLICY_ADMIN_GROUP = "tollgate-policy-admins";

    private static OidcProvider instance;

    private final ConfigurableApplicationContext context;
    private final int port;

    private OidcProvider() {
        context = new SpringApplicationBuilder(Provider.class).web(WebApplicationType.SERVLET)
                // none of the application's own configuration (its session cookie, its port)
                .run("--spring.config.location=optional:classpath:/oidc-provider-has-no-configuration/", "--server.port=0",
                        "--server.address=127.0.0.1", "--spring.main.banner-mode=off", "--spring.application.name=oidc-provider");
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public static synchronized OidcProvider get() {
        if (instance == null) {
            instance = new OidcProvider();
        }
        return instance;
    }

    public String issuer() {
        return "http://localhost:" + port;
    }

    /**
     * Lets the console send a signed-out browser back to {@code uri} after the provider's logout (an
     * exact match, as the provider requires of post-logout redirects).
     */
    public void allowPostLogoutRedirect(String uri) {
        Provider.CLIENTS.allowPostLogoutRedirect(uri);
    }

    /** The provider's one client, whose post-logout redirects may grow. */
    static final class Clients implements RegisteredClientRepository {

        private volatile RegisteredClient client;

        Clients(RegisteredClient client) {
            this.client = client;
        }

        synchronized void allowPostLogoutRedirect(String uri) {
            client = RegisteredClient.from(client).postLogoutRedirectUri(uri).build();
        }

        @Override
        public synchronized void save(RegisteredClient registeredClient) {
            client = registeredClient; // the provider re-encodes the client's secret after its first use
        }

        @Override
        public RegisteredClient findById(String id) {
            RegisteredClient known = client;
            return known.getId().equals(id) ? known : null;
        }

        @Override
        public RegisteredClient findByClientId(String clientId) {
            RegisteredClient known = client;
            return known.getClientId().equals(clientId) ? known : null;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            SecurityFilterAutoConfiguration.class })
    @EnableWebSecurity
    static class Provider {

        @Bean
        @Order(1)
        SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
            http.oauth2AuthorizationServer(server -> {
                http.securityMatcher(server.getEndpointsMatcher());
                server.oidc(Customizer.withDefaults());
            })
                    .authorizeHttpRequests(a -> a.anyRequest().authenticated())
                    .oauth2ResourceServer(r -> r.jwt(Customizer.withDefaults()))
                    .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"),
                            new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
            return http.build();
        }

        @Bean
        @Order(2)
        SecurityFilterChain signIn(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(a -> a.anyRequest().authenticated()).formLogin(Customizer.withDefaults()).build();
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername(AUDITOR).password("{noop}" + PASSWORD).authorities(AUDITOR_GROUP, "staff").build(),
                    User.withUsername(NO_ROLE).password("{noop}" + PASSWORD).authorities("staff").build(),
                    User.withUsername(POLICY_ADMIN).password("{noop}" + PASSWORD).authorities(POLICY_ADMIN_GROUP).build(),
                    User.withUsername(NO_CLAIM).password("{noop}" + PASSWORD).build());
        }

        @Bean
        RegisteredClientRepository clients() {
            return CLIENTS;
        }

        /** The console's client; the post-logout redirect is added once the console's port is known. */
        static final Clients CLIENTS = new Clients(RegisteredClient.withId(UUID.randomUUID().toString())
                    .clientId(CLIENT_ID)
                    .clientSecret("{noop}" + CLIENT_SECRET)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                    // a loopback redirect: any port is accepted (the console's port is not known yet)
                    .redirectUri("http://127.0.0.1/ui/login/oauth2/code/oidc")
                    .scope(OidcScopes.OPENID)
                    .scope(OidcScopes.PROFILE)
                    .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
                    .build());

        @Bean
        OAuth2TokenCustomizer<JwtEncodingContext> groups() {
            return context -> {
                if ("id_token".equals(context.getTokenType().getValue())) {
                    List<String> groups = context.getPrincipal().getAuthorities().stream().map(GrantedAuthority::getAuthority)
                            .filter(a -> !a.startsWith("FACTOR_")).toList();
                    if (!groups.isEmpty()) { // a user in no group gets no groups claim at all
                        context.getClaims().claim("groups", groups);
                    }
                }
            };
        }

        @Bean
        JWKSource<SecurityContext> keys() throws NoSuchAlgorithmException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
                    .keyID(UUID.randomUUID().toString()).build();
            return new ImmutableJWKSet<>(new JWKSet(key));
        }

        @Bean
        JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys) {
            return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
        }

        @Bean
        AuthorizationServerSettings settings() {
            return AuthorizationServerSettings.builder().build();
        }
    }
}
