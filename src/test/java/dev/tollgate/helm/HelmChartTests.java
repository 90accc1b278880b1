package dev.tollgate.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** helm/tollgate is linted strictly and rendered; the webhook configuration and the workload are asserted. */
class HelmChartTests {

    private static final Path CHART = Path.of("helm/tollgate");

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
    void valuesAreCheckedAgainstTheSchema() {
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("webhook.failurePolicy", "Maybe")))
                .hasMessageContaining("failurePolicy");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("replicaCount", 0))).hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> render(new Helm(CHART).template().set("webhook.timeoutSeconds", 60)))
                .hasMessageContaining("timeoutSeconds");
    }
}
