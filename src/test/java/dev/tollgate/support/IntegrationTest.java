package dev.tollgate.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.ObjectMapper;

/**
 * The one full application context of the test suite: the real server on a random port,
 * a real PostgreSQL behind a {@link TcpProxy}, Flyway migrations, real HTTP. Every
 * integration test extends it so that the context is started once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(StatusRecorder.class)
public abstract class IntegrationTest {

    public static final String BOOTSTRAP_TOKEN = "test-bootstrap-token-0123456789abcdef";
    /** The one allow-listed registry of the test suite (loopback, plain HTTP). */
    public static final FakeRegistry REGISTRY = new FakeRegistry();
    /** A registry that is never allow-listed: it must never be contacted. */
    public static final FakeRegistry FORBIDDEN_REGISTRY = new FakeRegistry();
    /** The one namespace exempt from admission in the test suite (the server has none by default). */
    public static final String EXEMPT_NAMESPACE = "tollgate-exempt";
    /** The one namespace where admission's break-glass is enabled in the test suite (none by default). */
    public static final String BREAK_GLASS_NAMESPACE = "tollgate-break-glass";
    /** Exports that may run at once in the test suite (a stalled one ends after 2 s without progress). */
    public static final int EXPORT_THREADS = 2;
    /** The ledger's checkpoint origin in the test suite. */
    public static final String ORIGIN = "tollgate.test/decisions";
    /** Where the test server keeps its generated signing keys (a fresh directory per test JVM). */
    public static final java.nio.file.Path SIGNING_DIR = java.nio.file.Path.of("target", "test-signing-" + ProcessHandle.current().pid());
    /** Where the test server publishes its latest checkpoint. */
    public static final java.nio.file.Path CHECKPOINT_DIR = java.nio.file.Path.of("target", "test-checkpoints-" + ProcessHandle.current().pid());
    /** Receives the decision stream of the test server. */
    public static final StreamCollector STREAM = new StreamCollector();
    private static final Map<String, String> roleTokens = new ConcurrentHashMap<>();

    @LocalServerPort
    protected int port;

    @Autowired
    protected ObjectMapper json;

    protected Api api;

    @DynamicPropertySource
    public static void database(DynamicPropertyRegistry registry) {
        TestDatabase db = TestDatabase.get();
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "");
        registry.add("TOLLGATE_BOOTSTRAP_TOKEN", () -> BOOTSTRAP_TOKEN);
        registry.add("tollgate.security.initial-token-file", () -> "");
        registry.add("tollgate.trust.dir", () -> "src/test/resources/trust-dir");
        registry.add("tollgate.security.admission-client-subjects[0]", () -> TestCertificates.ADMISSION_CLIENT);
        LocalDistribution distribution = LocalDistribution.get(); // a real registry, when installed

        String registries = distribution == null ? REGISTRY.host()
                : REGISTRY.host() + "," + distribution.host() + "," + distribution.counted().host();
        registry.add("tollgate.registry.allowed", () -> registries);
        registry.add("tollgate.registry.plain-http", () -> registries);
        registry.add("tollgate.registry.credentials.[" + REGISTRY.host() + "].username", () -> FakeRegistry.USERNAME);
        registry.add("tollgate.registry.credentials.[" + REGISTRY.host() + "].password", () -> FakeRegistry.PASSWORD);
        registry.add("tollgate.registry.timeout", () -> "3s");
        registry.add("tollgate.registry.resolve-tags", () -> "true");
        // short edge time-outs, so that the slow-client tests see them pass (defaults: 10 s and 15 s)
        registry.add("tollgate.http.header-timeout", () -> "2s");
        registry.add("tollgate.http.body-timeout", () -> "3s");
        registry.add("tollgate.admission.exempt-namespaces", () -> EXEMPT_NAMESPACE);
        registry.add("tollgate.admission.break-glass.namespaces", () -> BREAK_GLASS_NAMESPACE);
        // below the registry's 3 s, so that a stalled registry shows the review's deadline
        registry.add("tollgate.admission.review-timeout", () -> "2s");
        registry.add("tollgate.audit.export-threads", () -> String.valueOf(EXPORT_THREADS));
        registry.add("tollgate.audit.export-write-timeout", () -> "2s");
        // the admission webhook's TLS listener, its certificate from PEM files that the tests rotate
        registry.add("tollgate.webhook.port", () -> "0");
        registry.add("tollgate.webhook.cluster", () -> "test-cluster");
        registry.add("tollgate.webhook.rate-per-second", () -> "20");
        registry.add("spring.ssl.bundle.pem.webhook.keystore.certificate", () -> "file:" + WebhookCertificates.DIR.resolve("tls.crt"));
        registry.add("spring.ssl.bundle.pem.webhook.keystore.private-key", () -> "file:" + WebhookCertificates.DIR.resolve("tls.key"));
        registry.add("spring.ssl.bundle.pem.webhook.reload-on-update", () -> "true");
        // the API server may present a client certificate (then recorded as the caller); none is also accepted
        registry.add("tollgate.webhook.client-auth", () -> "want");
        registry.add("spring.ssl.bundle.pem.webhook.truststore.certificate", () -> "file:" + WebhookCertificates.DIR.resolve("client-ca.crt"));
        registry.add("spring.ssl.bundle.watch.file.quiet-period", () -> "200ms");
        // the ledger: keys generated into the build directory, checkpoints published to a directory
        registry.add("tollgate.signing.dir", () -> SIGNING_DIR.toString());
        registry.add("tollgate.audit.origin", () -> ORIGIN);
        registry.add("tollgate.audit.publish-dir", () -> CHECKPOINT_DIR.toString());
        // the decision stream: every committed decision to a collector (retried quickly) and as a JSON log line
        registry.add("tollgate.decision-stream.log", () -> "true");
        registry.add("tollgate.decision-stream.http.url", STREAM::url);
        registry.add("tollgate.decision-stream.http.flush-interval", () -> "100ms");
        registry.add("tollgate.decision-stream.http.max-attempts", () -> "1000");
        registry.add("tollgate.decision-stream.http.initial-backoff", () -> "20ms");
        registry.add("tollgate.decision-stream.http.max-backoff", () -> "100ms");
        // declared policies: a directory and a bundle signed with a key generated for this JVM, read every 200 ms
        registry.add("tollgate.policy-sources.directory", () -> PolicySourceFiles.DIRECTORY.toString());
        registry.add("tollgate.policy-sources.interval", () -> "200ms");
        registry.add("tollgate.policy-sources.bundles[0].name", () -> PolicySourceFiles.BUNDLE_SOURCE);
        registry.add("tollgate.policy-sources.bundles[0].file", () -> PolicySourceFiles.BUNDLE.toString());
        registry.add("tollgate.policy-sources.bundles[0].public-key", () -> PolicySourceFiles.KEY.toString());
        // and a bundle signed keyless, by a certificate for one identity under a root the test registers
        registry.add("tollgate.policy-sources.bundles[1].name", () -> PolicySourceFiles.KEYLESS_SOURCE);
        registry.add("tollgate.policy-sources.bundles[1].file", () -> PolicySourceFiles.KEYLESS_BUNDLE.toString());
        registry.add("tollgate.policy-sources.bundles[1].issuer", () -> PolicySourceFiles.KEYLESS_ISSUER);
        registry.add("tollgate.policy-sources.bundles[1].subject", () -> PolicySourceFiles.KEYLESS_SUBJECT);
        if (distribution != null) { // and an OCI artifact in the real registry, by tag, signed with the release key
            registry.add("tollgate.policy-sources.bundles[2].name", () -> PolicySourceFiles.OCI_SOURCE);
            // (through a proxy that counts what the server asks of the registry)
            registry.add("tollgate.policy-sources.bundles[2].oci", () -> distribution.counted().host() + "/"
                    + PolicySourceFiles.OCI_REPOSITORY + ":release");
            registry.add("tollgate.policy-sources.bundles[2].public-key", () -> PolicySourceFiles.KEY.toString());
            // and one signed keyless (cosign sign's signature over the manifest, for the keyless identity)
            registry.add("tollgate.policy-sources.bundles[3].name", () -> PolicySourceFiles.OCI_KEYLESS_SOURCE);
            registry.add("tollgate.policy-sources.bundles[3].oci", () -> distribution.counted().host() + "/"
                    + PolicySourceFiles.OCI_KEYLESS_REPOSITORY + ":release");
            registry.add("tollgate.policy-sources.bundles[3].issuer", () -> PolicySourceFiles.KEYLESS_ISSUER);
            registry.add("tollgate.policy-sources.bundles[3].subject", () -> PolicySourceFiles.KEYLESS_SUBJECT);
        }
        // the console's single sign-on, against a real OpenID provider on another loopback port
        OidcProvider sso = OidcProvider.get();
        registry.add("tollgate.console.oidc.issuer-uri", sso::issuer);
        registry.add("tollgate.console.oidc.client-id", () -> OidcProvider.CLIENT_ID);
        registry.add("tollgate.console.oidc.client-secret", () -> OidcProvider.CLIENT_SECRET);
        registry.add("tollgate.console.oidc.roles-claim", () -> "groups");
        registry.add("tollgate.console.oidc.role-mapping[" + OidcProvider.AUDITOR_GROUP + "]", () -> "auditor");
        registry.add("tollgate.console.oidc.role-mapping[" + OidcProvider.POLICY_ADMIN_GROUP + "]", () -> "policy-admin");
    }

    @BeforeEach
    void client() {
        api = new Api(port, json);
    }

    /** A token holding exactly this role (made once per test JVM through the API itself). */
    protected String tokenWith(String role) {
        return roleTokens.computeIfAbsent(role, r -> {
            Api.Response response = null;
            // on a starved machine the first request of a JVM may see the (short, test-only) body time-out
            for (int attempt = 0; attempt < 3 && (response == null || response.status() == 408); attempt++) {
                response = api.postJson("/v1/tokens", BOOTSTRAP_TOKEN,
                        Api.map("name", "test-" + r + "-" + Long.toHexString(System.nanoTime()), "roles", List.of(r)));
            }
            if (response.status() != 201) {
                throw new IllegalStateException("cannot create a token: " + response.body());
            }
            return response.json().get("token").asString();
        });
    }
}
