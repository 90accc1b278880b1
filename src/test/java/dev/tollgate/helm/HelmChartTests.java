package dev.tollgate.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * helm/tollgate is linted strictly and rendered; the webhook configuration, the workload and each
 * option are asserted, and every rendered manifest is read strictly into Kubernetes' API types.
 */
class HelmChartTests {

    private static final Path CHART = Path.of("helm/tollgate");
    /** The chart with its `helm test` hooks as plain manifests: helm-java renders no hooks. */
    static final Path CHART_WITH_TESTS = withTestsAsManifests();

    private static Path withTestsAsManifests() {
        try {
            Path copy = Files.createTempDirectory("tollgate-chart");
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path source : files.toList()) {
                    Path target = copy.resolve(CHART.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else if (source.startsWith(CHART.resolve("templates/tests"))) {
                        Files.writeString(target, Files.readString(source).replace("helm.sh/hook", "tollgate.test/helm-hook"));
                    } else {
                        Files.copy(source, target);
                    }
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> files = Files.walk(copy)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary directory
                }
            }));
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(TemplateCommand command) {
        String rendered = command.withName("gate").withNamespace("tollgate-system").withKubeVersion("1.31.0").call();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(rendered)) {
            if (doc instanceof Map<?, ?> map) {
                documents.add((Map<String, Object>) map);
            }
        }
        return documents;
    }

    static Map<String, Object> kind(List<Map<String, Object>> documents, String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            current = step instanceof Integer i ? ((List<Object>) current).get(i) : ((Map<String, Object>) current).get(step);
        }
        return (T) current;
    }

    @Test
    void theChartLintsStrictly() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theWebhookFailsClosedSkipsItsOwnNamespaceAndGetsItsCaFromCertManager() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template());
        Map<String, Object> webhook = kind(docs, "ValidatingWebhookConfiguration");
        Map<String, Object> hook = at(webhook, "webhooks", 0);
        assertThat(hook.get("failurePolicy")).isEqualTo("Fail");
        assertThat(hook.get("sideEffects")).isEqualTo("NoneOnDryRun");
        assertThat(hook.get("timeoutSeconds")).isEqualTo(10);
        assertThat(hook.get("admissionReviewVersions")).isEqualTo(List.of("v1", "v1beta1"));
        assertThat((String) at(hook, "clientConfig", "service", "path")).isEqualTo("/v1/admission");
        assertThat((String) at(hook, "clientConfig", "service", "namespace")).isEqualTo("tollgate-system");
        List<String> excluded = at(hook, "namespaceSelector", "matchExpressions", 0, "values");
        assertThat(excluded).containsExactly("tollgate-system", "kube-system");
        assertThat((String) at(hook, "namespaceSelector", "matchExpressions", 0, "operator")).isEqualTo("NotIn");
        List<Map<String, Object>> rules = at(hook, "rules");
        assertThat(rules).flatExtracting(r -> (List<Object>) r.get("resources")).contains("pods", "pods/ephemeralcontainers",
                "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "replicationcontrollers");
        assertThat((String) at(webhook, "metadata", "annotations", "cert-manager.io/inject-ca-from"))
                .isEqualTo("tollgate-system/gate-tollgate");
        assertThat(kind(docs, "Certificate")).isNotNull();
    }

    @Test
    void theWebhookCallsItsOwnTlsListenerWhichOnlyTheApiServerRangeMayReach() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template().set("clusterName", "prod-eu")
                .set("networkPolicy.enabled", true).set("networkPolicy.apiServerCIDRs[0]", "172.20.0.0/16"));
        Map<String, Object> hook = at(kind(docs, "ValidatingWebhookConfiguration"), "webhooks", 0);
        assertThat((Integer) at(hook, "clientConfig", "service", "port")).isEqualTo(9443);
        List<Map<String, Object>> ports = at(kind(docs, "Service"), "spec", "ports");
        assertThat(ports).anySatisfy(p -> {
            assertThat(p.get("name")).isEqualTo("webhook");
            assertThat(p.get("port")).isEqualTo(9443);
            assertThat(p.get("targetPort")).isEqualTo("webhook");
        });
        Map<String, Object> container = at(kind(docs, "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(container, "ports")).anySatisfy(p -> {
            assertThat(p.get("name")).isEqualTo("webhook");
            assertThat(p.get("containerPort")).isEqualTo(9443);
        });
        List<Map<String, Object>> env = at(container, "env");
        assertThat(env).anySatisfy(e -> assertThat(e).containsEntry("name", "TOLLGATE_WEBHOOK_PORT").containsEntry("value", "9443"));
        assertThat(env).anySatisfy(e -> assertThat(e).containsEntry("name", "TOLLGATE_WEBHOOK_CLUSTER").containsEntry("value", "prod-eu"));
        assertThat(env).anySatisfy(e -> assertThat(e).containsEntry("name", "SPRING_SSL_BUNDLE_PEM_WEBHOOK_RELOADONUPDATE")
                .containsEntry("value", "true"));
        List<Map<String, Object>> ingress = at(kind(docs, "NetworkPolicy"), "spec", "ingress");
        assertThat(ingress).anySatisfy(rule -> {
            assertThat((Integer) at(rule, "ports", 0, "port")).isEqualTo(9443);
            assertThat(at(rule, "from", 0, "ipBlock", "cidr").toString()).isEqualTo("172.20.0.0/16");
        });
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("networkPolicy.apiServerCIDRs[0]", "everyone")))
                .hasMessageContaining("apiServerCIDRs");
    }

    @Test
    void aProvidedCaBundleAndExtraExclusions() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template()
                .set("webhook.caBundle", "Q0E=").set("tls.certManager.enabled", false).set("tls.existingSecret", "my-tls")
                .set("webhook.excludeNamespaces[0]", "monitoring").set("webhook.timeoutSeconds", 25));
        Map<String, Object> hook = at(kind(docs, "ValidatingWebhookConfiguration"), "webhooks", 0);
        assertThat((String) at(hook, "clientConfig", "caBundle")).isEqualTo("Q0E=");
        assertThat(hook.get("timeoutSeconds")).isEqualTo(25);
        assertThat((List<String>) at(hook, "namespaceSelector", "matchExpressions", 0, "values")).contains("monitoring");
        assertThat(docs).noneMatch(d -> "Certificate".equals(d.get("kind")));
        Map<String, Object> deployment = kind(docs, "Deployment");
        List<Map<String, Object>> volumes = at(deployment, "spec", "template", "spec", "volumes");
        assertThat(volumes).anyMatch(v -> v.get("secret") instanceof Map<?, ?> secret && "my-tls".equals(secret.get("secretName")));
    }

    @Test
    void theServerRunsAsNonRootOnAReadOnlyFileSystemWithProbesAndSecrets() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template().set("bootstrapToken.value", "a-long-enough-secret-value"));
        Map<String, Object> pod = at(kind(docs, "Deployment"), "spec", "template", "spec");
        assertThat((Boolean) at(pod, "securityContext", "runAsNonRoot")).isTrue();
        Map<String, Object> container = at(pod, "containers", 0);
        assertThat((Boolean) at(container, "securityContext", "readOnlyRootFilesystem")).isTrue();
        assertThat((Boolean) at(container, "securityContext", "allowPrivilegeEscalation")).isFalse();
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat((String) at(container, "readinessProbe", "httpGet", "scheme")).isEqualTo("HTTPS");
        assertThat(container.get("resources")).isNotNull();
        List<Map<String, Object>> env = at(container, "env");
        assertThat(env).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("SPRING_DATASOURCE_PASSWORD");
            assertThat((String) at(e, "valueFrom", "secretKeyRef", "name")).isEqualTo("gate-tollgate-db");
        });
        assertThat(env).anySatisfy(e -> assertThat(e.get("name")).isEqualTo("TOLLGATE_BOOTSTRAP_TOKEN"));
        assertThat(docs.stream().filter(d -> "Secret".equals(d.get("kind"))).count()).isEqualTo(2);
        assertThat(at(kind(docs, "Service"), "spec", "ports", 0, "port").toString()).isEqualTo("443");
        assertThat(docs).noneMatch(d -> "ServiceMonitor".equals(d.get("kind")) || "NetworkPolicy".equals(d.get("kind")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyReplicaHoldsTheSameSigningKeysFromTheGivenSecret() {
        // a Secret of one's own: mounted read-only, no key generated in the pod
        List<Map<String, Object>> given = render(new Helm(CHART).template().set("signing.existingSecret", "tollgate-keys"));
        Map<String, Object> givenPod = at(kind(given, "Deployment"), "spec", "template", "spec");
        assertThat((List<Map<String, Object>>) at(givenPod, "volumes")).anySatisfy(v -> {
            assertThat(v.get("name")).isEqualTo("signing");
            assertThat((String) at(v, "secret", "secretName")).isEqualTo("tollgate-keys");
        });
        assertThat((List<Map<String, Object>>) at(givenPod, "containers", 0, "volumeMounts")).anySatisfy(m -> {
            assertThat(m.get("mountPath")).isEqualTo("/etc/tollgate/signing");
            assertThat(m.get("readOnly")).isEqualTo(true);
        });
        assertThat(signingOptions(givenPod)).contains("-Dtollgate.signing.dir=/etc/tollgate/signing", "-Dtollgate.signing.generate=false");

        // none: each pod makes its own keys (documented as one replica, tests only)
        Map<String, Object> own = at(kind(render(new Helm(CHART).template()), "Deployment"), "spec", "template", "spec");
        assertThat((List<Map<String, Object>>) at(own, "volumes")).noneMatch(v -> "signing".equals(v.get("name")));
        assertThat(signingOptions(own)).contains("-Dtollgate.signing.dir=/tmp/tollgate-signing").doesNotContain("generate=false");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theChartMakesTheSigningSecretFromKeysGivenInTheValues() throws Exception {
        String checkpoint = pem(java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded());
        var ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        String attestation = pem(ec.generateKeyPair().getPrivate().getEncoded());
        java.nio.file.Path values = java.nio.file.Files.createTempFile("signing-values", ".yaml");
        try {
            java.nio.file.Files.writeString(values, "signing:\n  create: true\n  checkpointKey: |\n" + indent(checkpoint)
                    + "  attestationKey: |\n" + indent(attestation));
            List<Map<String, Object>> docs = render(new Helm(CHART).template().withValuesFile(values));
            Map<String, Object> secret = docs.stream().filter(d -> "Secret".equals(d.get("kind"))
                    && ((String) at(d, "metadata", "name")).endsWith("-signing")).findFirst().orElseThrow();
            assertThat((String) at(secret, "stringData", "checkpoint-ed25519.pem")).isEqualTo(checkpoint);
            assertThat((String) at(secret, "stringData", "attestation-p256.pem")).isEqualTo(attestation);
            // mounted as a given Secret is: read-only, no key generated in the pod
            Map<String, Object> pod = at(kind(docs, "Deployment"), "spec", "template", "spec");
            assertThat((List<Map<String, Object>>) at(pod, "volumes")).anySatisfy(v -> {
                assertThat(v.get("name")).isEqualTo("signing");
                assertThat((String) at(v, "secret", "secretName")).isEqualTo((String) at(secret, "metadata", "name"));
            });
            assertThat(signingOptions(pod)).contains("-Dtollgate.signing.dir=/etc/tollgate/signing", "-Dtollgate.signing.generate=false");
            // a given Secret wins over create; no Secret is made then
            List<Map<String, Object>> given = render(new Helm(CHART).template().withValuesFile(values)
                    .set("signing.existingSecret", "tollgate-keys"));
            assertThat(given).noneMatch(d -> "Secret".equals(d.get("kind")) && ((String) at(d, "metadata", "name")).endsWith("-signing"));
            assertThat((List<Map<String, Object>>) at(kind(given, "Deployment"), "spec", "template", "spec", "volumes"))
                    .anySatisfy(v -> {
                        assertThat(v.get("name")).isEqualTo("signing");
                        assertThat((String) at(v, "secret", "secretName")).isEqualTo("tollgate-keys");
                    });
        } finally {
            java.nio.file.Files.delete(values);
        }
        // create without the keys is refused: the chart never makes keys up
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("signing.create", true)))
                .hasMessageContaining("signing.checkpointKey");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("signing.create", true).set("signing.checkpointKey", "x")))
                .hasMessageContaining("signing.attestationKey");
    }

    private static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static String indent(String text) {
        return text.lines().map(l -> "    " + l + "\n").collect(java.util.stream.Collectors.joining());
    }

    @SuppressWarnings("unchecked")
    private static String signingOptions(Map<String, Object> pod) {
        List<Map<String, Object>> env = at(pod, "containers", 0, "env");
        return env.stream().filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name"))).map(e -> (String) e.get("value")).findFirst()
                .orElseThrow();
    }

    @Test
    void breakGlassIsOffUnlessTheValuesNameNamespaces() {
        Map<String, Object> plain = at(kind(render(new Helm(CHART).template()), "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(plain, "env")).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_ADMISSION_BREAKGLASS_NAMESPACES");
            assertThat(e.get("value")).isEqualTo("");
        });
        Map<String, Object> on = at(kind(render(new Helm(CHART).template().set("admission.breakGlassNamespaces[0]", "payments")
                .set("admission.breakGlassNamespaces[1]", "shop")), "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(on, "env")).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_ADMISSION_BREAKGLASS_NAMESPACES");
            assertThat(e.get("value")).isEqualTo("payments,shop");
        });
    }

    @Test
    void nothingIsExemptFromAdmissionUnlessTheValuesSaySo() {
        Map<String, Object> plain = at(kind(render(new Helm(CHART).template()), "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(plain, "env")).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_ADMISSION_EXEMPTNAMESPACES");
            assertThat(e.get("value")).isEqualTo("");
        });
        Map<String, Object> exempt = at(kind(render(new Helm(CHART).template().set("admission.exemptNamespaces[0]", "sandbox")),
                "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(exempt, "env")).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_ADMISSION_EXEMPTNAMESPACES");
            assertThat(e.get("value")).isEqualTo("sandbox");
        });
    }

    @Test
    void serviceMonitorAndNetworkPolicyAreOptional() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template().set("serviceMonitor.enabled", true)
                .set("networkPolicy.enabled", true).set("networkPolicy.databaseCIDR", "10.0.5.0/24"));
        assertThat((String) at(kind(docs, "ServiceMonitor"), "spec", "endpoints", 0, "path")).isEqualTo("/actuator/prometheus");
        Map<String, Object> policy = kind(docs, "NetworkPolicy");
        assertThat((List<String>) at(policy, "spec", "policyTypes")).containsExactly("Ingress", "Egress");
    }

    @Test
    void registryEvidenceIsOffUntilRegistriesAreAllowed() {
        Map<String, Object> plain = at(kind(render(new Helm(CHART).template()), "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(plain, "env")).noneMatch(e -> "TOLLGATE_REGISTRY_ALLOWED".equals(e.get("name")));

        List<Map<String, Object>> docs = render(new Helm(CHART).template().set("registry.allowed[0]", "ghcr.io")
                .set("registry.allowed[1]", "registry.example:5000")
                .set("registry.credentialsSecret", "registry-creds").set("networkPolicy.enabled", true)
                .set("networkPolicy.databaseCIDR", "10.0.5.0/24").set("networkPolicy.registryCIDRs[0]", "140.82.112.0/20"));
        Map<String, Object> container = at(kind(docs, "Deployment"), "spec", "template", "spec", "containers", 0);
        List<Map<String, Object>> env = at(container, "env");
        assertThat(env).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_REGISTRY_ALLOWED");
            assertThat(e.get("value")).isEqualTo("ghcr.io,registry.example:5000");
        });
        assertThat(env).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("SPRING_CONFIG_IMPORT");
            assertThat(e.get("value")).isEqualTo("file:/etc/tollgate/registry/registries.yaml");
        });
        List<Map<String, Object>> egress = at(kind(docs, "NetworkPolicy"), "spec", "egress");
        assertThat(egress).anySatisfy(rule -> assertThat(at(rule, "to", 0, "ipBlock", "cidr").toString()).isEqualTo("140.82.112.0/20"));
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("registry.allowed[0]", "https://ghcr.io")))
                .hasMessageContaining("registry");
    }

    @Test
    void declaredPoliciesComeFromAConfigMapMountedAsTheDirectoryWithItsTrustFromAnother() {
        Map<String, Object> plain = at(kind(render(new Helm(CHART).template()), "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(plain, "env")).noneMatch(e -> "TOLLGATE_POLICYSOURCES_DIRECTORY".equals(e.get("name")));

        Map<String, Object> pod = at(kind(render(new Helm(CHART).template().set("policySources.configMap", "gate-policies")
                .set("policySources.trustConfigMap", "gate-policy-trust").set("policySources.interval", "10s")),
                "Deployment"), "spec", "template", "spec");
        Map<String, Object> container = at(pod, "containers", 0);
        List<Map<String, Object>> env = at(container, "env");
        assertThat(env).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_POLICYSOURCES_DIRECTORY");
            assertThat(e.get("value")).isEqualTo("/etc/tollgate/policies");
        });
        assertThat(env).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_POLICYSOURCES_TRUSTDIRECTORY");
            assertThat(e.get("value")).isEqualTo("/etc/tollgate/policy-trust");
        });
        assertThat(env).anySatisfy(e -> {
            assertThat(e.get("name")).isEqualTo("TOLLGATE_POLICYSOURCES_INTERVAL");
            assertThat(e.get("value")).isEqualTo("10s");
        });
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        assertThat(mounts).anySatisfy(m -> {
            assertThat(m.get("mountPath")).isEqualTo("/etc/tollgate/policies");
            assertThat(m.get("readOnly")).isEqualTo(true);
        });
        List<Map<String, Object>> volumes = at(pod, "volumes");
        assertThat(volumes.stream().filter(v -> v.get("configMap") != null).map(v -> at(v, "configMap", "name").toString()))
                .contains("gate-policies", "gate-policy-trust");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("policySources.configMap", "p")
                .set("policySources.interval", "soon"))).hasMessageContaining("interval");
    }

    @Test
    void anOciPolicyBundleIsConfiguredWithItsKeyFromASecretOrAKeylessIdentity() {
        Map<String, Object> plain = at(kind(render(new Helm(CHART).template()), "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat((List<Map<String, Object>>) at(plain, "env")).noneMatch(e -> e.get("name").toString().startsWith("TOLLGATE_POLICYSOURCES_BUNDLES"));

        String reference = "registry.acme.test/platform/policies:release";
        Map<String, Object> pod = at(kind(render(new Helm(CHART).template().set("registry.allowed[0]", "registry.acme.test")
                .set("policySources.oci.reference", reference).set("policySources.oci.publicKeySecret", "policy-release-key")
                .set("policySources.interval", "1m")), "Deployment"), "spec", "template", "spec");
        Map<String, Object> container = at(pod, "containers", 0);
        Map<String, Object> env = new java.util.HashMap<>();
        ((List<Map<String, Object>>) at(container, "env")).forEach(e -> env.put(e.get("name").toString(), e.get("value")));
        assertThat(env).containsEntry("TOLLGATE_POLICYSOURCES_BUNDLES_0_NAME", "oci")
                .containsEntry("TOLLGATE_POLICYSOURCES_BUNDLES_0_OCI", reference)
                .containsEntry("TOLLGATE_POLICYSOURCES_BUNDLES_0_PUBLICKEY", "/etc/tollgate/policy-bundle/cosign.pub")
                .containsEntry("TOLLGATE_POLICYSOURCES_INTERVAL", "1m")
                .doesNotContainKey("TOLLGATE_POLICYSOURCES_BUNDLES_0_ISSUER");
        assertThat((List<Map<String, Object>>) at(container, "volumeMounts")).anySatisfy(m -> {
            assertThat(m.get("mountPath")).isEqualTo("/etc/tollgate/policy-bundle");
            assertThat(m.get("readOnly")).isEqualTo(true);
        });
        assertThat(((List<Map<String, Object>>) at(pod, "volumes")).stream().filter(v -> v.get("secret") != null)
                .map(v -> at(v, "secret", "secretName").toString())).contains("policy-release-key");

        Map<String, Object> keyless = at(kind(render(new Helm(CHART).template().set("policySources.oci.reference",
                "registry.acme.test/platform/policies@sha256:" + "ab".repeat(32))
                .set("policySources.oci.issuer", "https://token.actions.githubusercontent.com")
                .set("policySources.oci.subject", "https://github.com/acme/policies/.github/workflows/release.yml@refs/heads/main")),
                "Deployment"), "spec", "template", "spec", "containers", 0);
        Map<String, Object> keylessEnv = new java.util.HashMap<>();
        ((List<Map<String, Object>>) at(keyless, "env")).forEach(e -> keylessEnv.put(e.get("name").toString(), e.get("value")));
        assertThat(keylessEnv).containsEntry("TOLLGATE_POLICYSOURCES_BUNDLES_0_ISSUER", "https://token.actions.githubusercontent.com")
                .doesNotContainKey("TOLLGATE_POLICYSOURCES_BUNDLES_0_PUBLICKEY");

        assertThatThrownBy(() -> render(new Helm(CHART).template().set("policySources.oci.reference", reference)))
                .hasMessageContaining("nothing could verify");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("policySources.oci.reference", "registry.acme.test/policies")
                .set("policySources.oci.publicKeySecret", "k"))).hasMessageContaining("reference");
    }

    @Test
    void valuesAreCheckedAgainstTheSchema() {
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("webhook.failurePolicy", "Maybe")))
                .hasMessageContaining("failurePolicy");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("replicaCount", 0))).hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("webhook.timeoutSeconds", 60)))
                .hasMessageContaining("timeoutSeconds");
    }

    static List<Map<String, Object>> kinds(List<Map<String, Object>> documents, String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    static Map<String, Object> pod(List<Map<String, Object>> documents) {
        return at(kind(documents, "Deployment"), "spec", "template", "spec");
    }

    /** Every option that renders something more, switched on at once. */
    static TemplateCommand everything() {
        return new Helm(CHART_WITH_TESTS).template().set("bootstrapToken.value", "a-long-enough-secret-value")
                .set("serviceMonitor.enabled", true).set("serviceMonitor.labels.release", "kube-prometheus-stack")
                .set("prometheusRule.enabled", true).set("prometheusRule.labels.release", "kube-prometheus-stack")
                .set("grafanaDashboard.enabled", true).set("grafanaDashboard.annotations.grafana_folder", "Security")
                .set("networkPolicy.enabled", true).set("networkPolicy.databaseCIDR", "10.0.5.0/24")
                .set("networkPolicy.registryCIDRs[0]", "140.82.112.0/20")
                .set("autoscaling.enabled", true).set("autoscaling.minReplicas", 3).set("autoscaling.maxReplicas", 9)
                .set("serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::123456789012:role/tollgate")
                .set("imagePullSecrets[0].name", "regcred").set("podAnnotations.example\\.com/team", "platform")
                .set("podLabels.team", "platform").set("priorityClassName", "system-cluster-critical")
                .set("nodeSelector.kubernetes\\.io/os", "linux")
                .set("tolerations[0].key", "dedicated").set("tolerations[0].operator", "Equal")
                .set("tolerations[0].value", "security").set("tolerations[0].effect", "NoSchedule")
                .set("topologySpreadConstraints[0].maxSkew", 1).set("topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/zone")
                .set("topologySpreadConstraints[0].whenUnsatisfiable", "ScheduleAnyway")
                .set("extraEnv[0].name", "SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE").set("extraEnv[0].value", "24")
                .set("admission.clientCASecret", "apiserver-client-ca").set("admission.clientCertificateSubjects[0]", "CN=kube-apiserver")
                .set("registry.allowed[0]", "ghcr.io").set("registry.credentialsSecret", "registry-creds").set("trust.configMap", "trust-roots")
                .set("policySources.configMap", "gate-policies").set("policySources.trustConfigMap", "gate-policy-trust");
    }

    @Test
    void everyRenderedManifestIsAValidObjectOfItsKubernetesType() {
        for (TemplateCommand command : List.of(new Helm(CHART).template(), everything(),
                new Helm(CHART).template().set("tls.certManager.enabled", false).set("tls.existingSecret", "my-tls")
                        .set("webhook.caBundle", "Q0E=").set("podDisruptionBudget.maxUnavailable", "50%")
                        .set("serviceAccount.create", false).set("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                                + ".nodeSelectorTerms[0].matchExpressions[0].key", "kubernetes.io/arch")
                        .set("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                                + ".matchExpressions[0].operator", "In")
                        .set("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                                + ".matchExpressions[0].values[0]", "amd64"))) {
            List<Map<String, Object>> docs = render(command);
            List<String> problems = new ArrayList<>();
            docs.forEach(d -> problems.addAll(KubernetesTypes.problems(d)));
            assertThat(problems).isEmpty();
            assertThat(docs).allSatisfy(d -> assertThat(KubernetesTypes.TYPES.containsKey(d.get("kind"))
                    || KubernetesTypes.UNCHECKED.contains(d.get("kind"))).as("%s", d.get("kind")).isTrue());
        }
        List<String> kinds = render(everything()).stream().map(d -> (String) d.get("kind")).distinct().toList();
        assertThat(kinds).contains("Deployment", "Service", "ServiceAccount", "Secret", "PodDisruptionBudget", "HorizontalPodAutoscaler",
                "ValidatingWebhookConfiguration", "NetworkPolicy", "ServiceMonitor", "PrometheusRule", "ConfigMap", "Pod");
    }

    @Test
    void theStrictReadingFindsUnknownFieldsWrongTypesAndWrongApiVersions() {
        Map<String, Object> service = kind(render(new Helm(CHART).template()), "Service");
        Map<String, Object> spec = at(service, "spec");
        spec.put("selectorr", Map.of("a", "b"));
        assertThat(KubernetesTypes.problems(service)).anyMatch(p -> p.contains("selectorr"));
        spec.remove("selectorr");
        Map<String, Object> port = at(service, "spec", "ports", 0);
        port.put("port", "443");
        assertThat(KubernetesTypes.problems(service)).isNotEmpty();
        port.put("port", 443);
        assertThat(KubernetesTypes.problems(service)).isEmpty();
        Map<String, Object> budget = kind(render(new Helm(CHART).template()), "PodDisruptionBudget");
        budget.put("apiVersion", "policy/v1beta1");
        assertThat(KubernetesTypes.problems(budget)).anyMatch(p -> p.contains("policy/v1beta1"));
    }

    @Test
    void twoReplicasSpreadOverNodesWithADisruptionBudgetOfOne() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template());
        assertThat(at(kind(docs, "Deployment"), "spec", "replicas").toString()).isEqualTo("2");
        Map<String, Object> budget = kind(docs, "PodDisruptionBudget");
        assertThat(at(budget, "spec", "minAvailable").toString()).isEqualTo("1");
        assertThat((Map<String, Object>) at(budget, "spec", "selector", "matchLabels"))
                .containsEntry("app.kubernetes.io/instance", "gate").containsEntry("app.kubernetes.io/name", "tollgate");
        Map<String, Object> term = at(pod(docs), "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", 0);
        assertThat((String) at(term, "podAffinityTerm", "topologyKey")).isEqualTo("kubernetes.io/hostname");
        assertThat((Map<String, Object>) at(term, "podAffinityTerm", "labelSelector", "matchLabels"))
                .isEqualTo(at(kind(docs, "Deployment"), "spec", "selector", "matchLabels"));
        assertThat(docs).noneMatch(d -> "HorizontalPodAutoscaler".equals(d.get("kind")));
    }

    @Test
    void oneReplicaHasNoDisruptionBudgetAndTheBudgetCanBeAPercentage() {
        assertThat(render(new Helm(CHART).template().set("replicaCount", 1))).noneMatch(d -> "PodDisruptionBudget".equals(d.get("kind")));
        assertThat(render(new Helm(CHART).template().set("podDisruptionBudget.enabled", false)))
                .noneMatch(d -> "PodDisruptionBudget".equals(d.get("kind")));
        Map<String, Object> spec = at(kind(render(new Helm(CHART).template().set("podDisruptionBudget.maxUnavailable", "50%")),
                "PodDisruptionBudget"), "spec");
        assertThat(spec).containsEntry("maxUnavailable", "50%").doesNotContainKey("minAvailable");
        spec = at(kind(render(new Helm(CHART).template().set("podDisruptionBudget.maxUnavailable", 1)), "PodDisruptionBudget"), "spec");
        assertThat(spec).containsEntry("maxUnavailable", 1).doesNotContainKey("minAvailable");
        // an autoscaler's minimum counts, not replicaCount
        assertThat(kinds(render(new Helm(CHART).template().set("replicaCount", 1).set("autoscaling.enabled", true)),
                "PodDisruptionBudget")).hasSize(1);
    }

    @Test
    void theAutoscalerReplacesTheReplicaCount() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template().set("autoscaling.enabled", true)
                .set("autoscaling.minReplicas", 3).set("autoscaling.maxReplicas", 9).set("autoscaling.targetCPUUtilizationPercentage", 60));
        Map<String, Object> hpa = kind(docs, "HorizontalPodAutoscaler");
        assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat((Map<String, Object>) at(hpa, "spec", "scaleTargetRef"))
                .containsEntry("kind", "Deployment").containsEntry("name", "gate-tollgate");
        assertThat((Map<String, Object>) at(hpa, "spec")).containsEntry("minReplicas", 3).containsEntry("maxReplicas", 9);
        assertThat(at(hpa, "spec", "metrics", 0, "resource", "target", "averageUtilization").toString()).isEqualTo("60");
        assertThat((Map<String, Object>) at(kind(docs, "Deployment"), "spec")).doesNotContainKey("replicas");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("autoscaling.enabled", true).set("autoscaling.minReplicas", 5)
                .set("autoscaling.maxReplicas", 2))).hasMessageContaining("maxReplicas");
    }

    @Test
    void theServiceAccountHasNoTokenAndCanBeGivenOrAnnotated() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template());
        Map<String, Object> account = kind(docs, "ServiceAccount");
        assertThat((String) at(account, "metadata", "name")).isEqualTo("gate-tollgate");
        assertThat(account.get("automountServiceAccountToken")).isEqualTo(false);
        assertThat(pod(docs)).containsEntry("serviceAccountName", "gate-tollgate").containsEntry("automountServiceAccountToken", false);

        docs = render(new Helm(CHART).template().set("serviceAccount.create", false).set("serviceAccount.name", "shared"));
        assertThat(docs).noneMatch(d -> "ServiceAccount".equals(d.get("kind")));
        assertThat(pod(docs)).containsEntry("serviceAccountName", "shared");
        assertThat(pod(render(new Helm(CHART).template().set("serviceAccount.create", false)))).containsEntry("serviceAccountName", "default");

        account = kind(render(new Helm(CHART).template().set("serviceAccount.annotations.iam\\.gke\\.io/gcp-service-account",
                "tollgate@example.iam.gserviceaccount.com")), "ServiceAccount");
        assertThat((Map<String, Object>) at(account, "metadata", "annotations"))
                .containsEntry("iam.gke.io/gcp-service-account", "tollgate@example.iam.gserviceaccount.com");
    }

    @Test
    void podPlacementAndMetadataOptions() {
        List<Map<String, Object>> docs = render(everything());
        Map<String, Object> template = at(kind(docs, "Deployment"), "spec", "template");
        assertThat((Map<String, Object>) at(template, "metadata", "labels")).containsEntry("team", "platform")
                .containsEntry("app.kubernetes.io/name", "tollgate");
        assertThat((Map<String, Object>) at(template, "metadata", "annotations")).containsEntry("example.com/team", "platform");
        assertThat((Map<String, Object>) at(kind(docs, "Deployment"), "spec", "selector", "matchLabels")).doesNotContainKey("team");
        Map<String, Object> pod = at(template, "spec");
        assertThat(pod).containsEntry("priorityClassName", "system-cluster-critical");
        assertThat((List<Object>) pod.get("imagePullSecrets")).containsExactly(Map.of("name", "regcred"));
        assertThat((Map<String, Object>) pod.get("nodeSelector")).containsEntry("kubernetes.io/os", "linux");
        assertThat((List<Map<String, Object>>) pod.get("tolerations")).singleElement()
                .satisfies(t -> assertThat(t).containsEntry("key", "dedicated").containsEntry("effect", "NoSchedule"));
        Map<String, Object> spread = at(pod, "topologySpreadConstraints", 0);
        assertThat(spread).containsEntry("topologyKey", "topology.kubernetes.io/zone").containsEntry("maxSkew", 1);
        assertThat((Map<String, Object>) at(spread, "labelSelector", "matchLabels")).containsEntry("app.kubernetes.io/instance", "gate");
        List<Map<String, Object>> env = at(pod, "containers", 0, "env");
        assertThat(env).anySatisfy(e -> assertThat(e).containsEntry("name", "SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE")
                .containsEntry("value", "24"));
        // the test pod pulls with the same secrets
        Map<String, Object> testPod = kinds(docs, "Pod").get(0);
        assertThat((List<Object>) at(testPod, "spec", "imagePullSecrets")).containsExactly(Map.of("name", "regcred"));

        // a given affinity replaces the default anti-affinity; a given labelSelector is kept
        Map<String, Object> custom = pod(render(new Helm(CHART).template()
                .set("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key",
                        "kubernetes.io/arch")
                .set("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator",
                        "In")
                .set("topologySpreadConstraints[0].maxSkew", 1).set("topologySpreadConstraints[0].topologyKey", "kubernetes.io/hostname")
                .set("topologySpreadConstraints[0].whenUnsatisfiable", "DoNotSchedule")
                .set("topologySpreadConstraints[0].labelSelector.matchLabels.app", "other")));
        assertThat((Map<String, Object>) custom.get("affinity")).containsOnlyKeys("nodeAffinity");
        assertThat((Map<String, Object>) at(custom, "topologySpreadConstraints", 0, "labelSelector", "matchLabels"))
                .containsExactly(Map.entry("app", "other"));
        Map<String, Object> plain = pod(render(new Helm(CHART).template()));
        assertThat(plain).doesNotContainKeys("priorityClassName", "imagePullSecrets", "nodeSelector", "tolerations",
                "topologySpreadConstraints");
    }

    @Test
    void resourcesAreTheValuesGiven() {
        Map<String, Object> container = at(pod(render(new Helm(CHART).template().set("resources.requests.cpu", "500m")
                .set("resources.requests.memory", "1Gi").set("resources.limits.memory", "2Gi"))), "containers", 0);
        assertThat((Map<String, Object>) at(container, "resources", "requests")).containsEntry("cpu", "500m").containsEntry("memory", "1Gi");
        assertThat((Map<String, Object>) at(container, "resources", "limits")).containsEntry("memory", "2Gi");
    }

    @Test
    void theHelmTestPodChecksReadinessAndDecidesWithTheBootstrapToken() {
        Map<String, Object> test = kind(render(new Helm(CHART_WITH_TESTS).template().set("bootstrapToken.value", "a-long-enough-secret-value")), "Pod");
        assertThat((Map<String, Object>) at(test, "metadata", "annotations")).containsEntry("tollgate.test/helm-hook", "test");
        assertThat((Map<String, Object>) at(test, "spec")).containsEntry("restartPolicy", "Never")
                .containsEntry("automountServiceAccountToken", false);
        assertThat((Boolean) at(test, "spec", "securityContext", "runAsNonRoot")).isTrue();
        Map<String, Object> container = at(test, "spec", "containers", 0);
        assertThat(container.get("image")).isEqualTo("curlimages/curl:8.11.1");
        assertThat((Boolean) at(container, "securityContext", "readOnlyRootFilesystem")).isTrue();
        assertThat((List<Map<String, Object>>) container.get("env")).anySatisfy(e -> assertThat(e)
                .containsEntry("name", "TOLLGATE_URL").containsEntry("value", "https://gate-tollgate.tollgate-system.svc:443"));
        assertThat((String) at(container, "args", 0)).contains("/actuator/health/readiness", "/v1/admission", "\"dryRun\": true");
        List<Map<String, Object>> volumes = at(test, "spec", "volumes");
        assertThat(volumes).anySatisfy(v -> assertThat((String) at(v, "secret", "secretName")).isEqualTo("gate-tollgate-bootstrap"));
        assertThat(volumes).anySatisfy(v -> assertThat((String) at(v, "secret", "secretName")).isEqualTo("gate-tollgate-tls"));

        Map<String, Object> withoutToken = kind(render(new Helm(CHART_WITH_TESTS).template()), "Pod");
        assertThat((List<Map<String, Object>>) at(withoutToken, "spec", "volumes")).noneMatch(v -> "token".equals(v.get("name")));
        Map<String, Object> existing = kind(render(new Helm(CHART_WITH_TESTS).template().set("bootstrapToken.existingSecret", "admin-token")), "Pod");
        assertThat((List<Map<String, Object>>) at(existing, "spec", "volumes"))
                .anySatisfy(v -> assertThat((String) at(v, "secret", "secretName")).isEqualTo("admin-token"));
    }

    @Test
    void theNotesSayHowToReachItWhereTheTokenIsAndHowToCheckReadiness() {
        String notes = new Helm(CHART).install().clientOnly().dryRun().withName("gate").withNamespace("tollgate-system")
                .withKubeVersion("1.31.0").set("bootstrapToken.value", "a-long-enough-secret-value").call().getOutput();
        assertThat(notes).contains("https://gate-tollgate.tollgate-system.svc:443",
                "kubectl -n tollgate-system port-forward svc/gate-tollgate 8443:443",
                "/actuator/health/readiness", "helm test gate -n tollgate-system",
                "get secret gate-tollgate-bootstrap -o jsonpath='{.data.token}'")
                .doesNotContain("WARNING");
        String bare = new Helm(CHART).install().clientOnly().dryRun().withName("gate").withNamespace("tollgate-system")
                .withKubeVersion("1.31.0").set("replicaCount", 1).set("webhook.failurePolicy", "Ignore").call().getOutput();
        assertThat(bare).contains("WARNING: no admin token is configured", "WARNING: one replica", "WARNING: failurePolicy Ignore");
    }

    @Test
    void theGrafanaDashboardIsAConfigMapForTheSidecar() {
        assertThat(render(new Helm(CHART).template())).noneMatch(d -> "ConfigMap".equals(d.get("kind")) || "PrometheusRule".equals(d.get("kind")));
        List<Map<String, Object>> docs = render(new Helm(CHART).template().set("grafanaDashboard.enabled", true)
                .set("grafanaDashboard.namespace", "monitoring").set("grafanaDashboard.annotations.grafana_folder", "Security"));
        Map<String, Object> map = kind(docs, "ConfigMap");
        assertThat((String) at(map, "metadata", "namespace")).isEqualTo("monitoring");
        assertThat((Map<String, Object>) at(map, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
        assertThat((Map<String, Object>) at(map, "metadata", "annotations")).containsEntry("grafana_folder", "Security");
        JsonNode dashboard = JsonMapper.builder().build().readTree((String) at(map, "data", "tollgate.json"));
        assertThat(dashboard.path("uid").asString()).isEqualTo("tollgate");
        assertThat(dashboard.path("panels").size()).isGreaterThan(10);
    }

    @Test
    void thePrometheusRuleHasTheFourAlertsOfTheRunbookScopedToTheRelease() {
        List<Map<String, Object>> docs = render(new Helm(CHART).template().set("prometheusRule.enabled", true)
                .set("prometheusRule.labels.release", "kube-prometheus-stack").set("prometheusRule.denialPercentage", 30));
        Map<String, Object> rule = kind(docs, "PrometheusRule");
        assertThat((Map<String, Object>) at(rule, "metadata", "labels")).containsEntry("release", "kube-prometheus-stack");
        List<Map<String, Object>> rules = at(rule, "spec", "groups", 0, "rules");
        assertThat(rules).extracting(r -> r.get("alert")).contains("TollgateNotReady", "TollgateDecisionsUnavailable",
                "TollgateDenialSpike", "TollgateCheckpointStale", "TollgateTrustRootExpiring");
        for (Map<String, Object> r : rules) {
            assertThat((String) r.get("expr")).contains("namespace=\"tollgate-system\"");
            assertThat((String) at(r, "annotations", "description")).contains("docs/operations.md");
            assertThat((String) at(r, "labels", "severity")).isIn("warning", "critical");
        }
        assertThat(rules).filteredOn(r -> "TollgateDenialSpike".equals(r.get("alert")))
                .singleElement().satisfies(r -> assertThat((String) r.get("expr")).contains("> 0.3"));
        assertThat(rules).filteredOn(r -> "TollgateTrustRootExpiring".equals(r.get("alert")))
                .singleElement().satisfies(r -> assertThat((String) at(r, "annotations", "summary")).contains("{{ $labels.name }}"));
    }
}
