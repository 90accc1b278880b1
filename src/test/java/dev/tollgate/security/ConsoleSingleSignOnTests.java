package dev.tollgate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.ResourceAccessException;

/**
 * The console's single sign-on against providers that misbehave: one that accepts connections and
 * never answers (every call to a provider is bounded by {@code tollgate.console.oidc.timeout}, so a
 * sign-in fails instead of holding a request thread), and one whose discovery document names
 * another issuer (refused, as OpenID Connect Discovery requires). The well-behaved provider is
 * {@code support.OidcProvider}, in the console's browser and HTTP tests.
 */
class ConsoleSingleSignOnTests {

    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        for (Socket socket : held) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aProviderThatNeverAnswersFailsTheSignInWithinTheTimeout() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepting = daemon(() -> {
            try {
                while (true) {
                    held.add(server.accept()); // read nothing, answer nothing
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        ConsoleSingleSignOn sso = new ConsoleSingleSignOn(properties("http://127.0.0.1:" + server.getLocalPort(),
                Duration.ofMillis(300)));
        // without the bound this call would wait for ever; the guard only turns a hang into a failure
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(sso::registration)
                .isInstanceOf(ResourceAccessException.class));
        assertThat(held).isNotEmpty(); // it did connect: the read was what timed out
        accepting.interrupt();
    }

    @Test
    void aDiscoveryDocumentNamingAnotherIssuerIsRefused() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        String issuer = "http://127.0.0.1:" + server.getLocalPort();
        daemon(() -> {
            try (Socket socket = server.accept()) {
                socket.getInputStream().read(new byte[8192]);
                byte[] body = ("{\"issuer\":\"https://evil.example\",\"authorization_endpoint\":\"" + issuer
                        + "/a\",\"token_endpoint\":\"" + issuer + "/t\",\"jwks_uri\":\"" + issuer + "/k\","
                        + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                        + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}").getBytes(StandardCharsets.UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (IOException closed) {
                // the test is over
            }
        });
        ConsoleSingleSignOn sso = new ConsoleSingleSignOn(properties(issuer, Duration.ofSeconds(5)));
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(sso::registration)
                .hasMessageContaining("names issuer https://evil.example, not " + issuer));
    }

    @Test
    void theSignOutFormMayBeRedirectedToTheProviderOnlyWithProviderLogout() {
        ConsoleSingleSignOn withLogout = new ConsoleSingleSignOn(properties("https://login.example.com:8443/realms/acme",
                Duration.ofSeconds(5)));
        assertThat(ConsoleSecurityConfiguration.contentSecurityPolicy(withLogout))
                .contains("form-action 'self' https://login.example.com:8443;");
        ConsoleSingleSignOn without = new ConsoleSingleSignOn(new ConsoleOidcProperties("https://login.example.com/realms/acme",
                "tollgate-console", "", List.of("openid"), "groups", Map.of("auditors", List.of("auditor")), "SSO",
                Duration.ofSeconds(5), false));
        assertThat(ConsoleSecurityConfiguration.contentSecurityPolicy(without)).contains("form-action 'self';");
        assertThatThrownBy(() -> properties("https://login.example.com", Duration.ZERO))
                .hasMessageContaining("tollgate.console.oidc.timeout");
    }

    @Test
    void claimValuesGiveExactlyTheirMappedRolesAndNothingElse() {
        ConsoleSingleSignOn sso = new ConsoleSingleSignOn(new ConsoleOidcProperties("https://login.example.com/realms/acme",
                "tollgate-console", "", List.of("openid"), "groups",
                Map.of("auditors", List.of("auditor"), "owners", List.of("policy-admin", " auditor")), "SSO",
                Duration.ofSeconds(5), true));
        assertThat(sso.roles(List.of("auditors"))).containsExactly(Role.AUDITOR);
        assertThat(sso.roles("owners")).containsExactlyInAnyOrder(Role.POLICY_ADMIN, Role.AUDITOR);
        // unknown values, a role's own name, other types and no claim: no role
        assertThat(sso.roles(List.of("staff", "admin", "Auditors", 7))).isEmpty();
        assertThat(sso.roles(Map.of("auditors", true))).isEmpty();
        assertThat(sso.roles(null)).isEmpty();
        // a mapping to something that is not a role stops the start
        assertThatThrownBy(() -> new ConsoleSingleSignOn(new ConsoleOidcProperties("https://login.example.com", "c", "",
                List.of("openid"), "groups", Map.of("auditors", List.of("root")), "SSO", Duration.ofSeconds(5), true)))
                .hasMessageContaining("no role root");
    }

    @Test
    void aSingleSignOnUserIsItsIssuerAndSubject() {
        assertThat(ConsoleSingleSignOn.requesterName("https://login.example.com/realms/acme", "f81d4fae#7dec"))
                .isEqualTo("sso:https://login.example.com/realms/acme#f81d4fae#7dec");
        assertThatThrownBy(() -> ConsoleSingleSignOn.requesterName("https://login.example.com", " "))
                .hasMessageContaining("no usable issuer and subject");
        assertThatThrownBy(() -> ConsoleSingleSignOn.requesterName("https://login.example.com#x", "alice"))
                .hasMessageContaining("no usable issuer and subject");
    }

    private static Thread daemon(Runnable work) {
        Thread thread = new Thread(work, "silent-provider");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static ConsoleOidcProperties properties(String issuer, Duration timeout) {
        return new ConsoleOidcProperties(issuer, "tollgate-console", "", List.of("openid"), "groups",
                Map.of("auditors", List.of("auditor")), "SSO", timeout, true);
    }
}
