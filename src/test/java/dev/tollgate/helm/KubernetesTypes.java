package dev.tollgate.helm;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

/**
 * A rendered manifest read strictly into fabric8's model of the Kubernetes API (generated from
 * Kubernetes' OpenAPI schema; the Prometheus Operator's types from its CRDs): the apiVersion must
 * be the type's, no scalar is coerced, and no field may be unknown. fabric8 keeps unknown fields in
 * {@code additionalProperties} instead of failing, so every object of the tree is walked for them.
 * cert-manager's types have no model on Maven Central: they are not checked here.
 */
final class KubernetesTypes {

    static final Map<String, Class<? extends HasMetadata>> TYPES = Map.ofEntries(
            Map.entry("Deployment", Deployment.class),
            Map.entry("Service", Service.class),
            Map.entry("Secret", Secret.class),
            Map.entry("ServiceAccount", ServiceAccount.class),
            Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Pod", Pod.class),
            Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("ValidatingWebhookConfiguration", ValidatingWebhookConfiguration.class),
            Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("ServiceMonitor", ServiceMonitor.class),
            Map.entry("PrometheusRule", PrometheusRule.class));

    /** Kinds of CRDs without a model here. */
    static final List<String> UNCHECKED = List.of("Certificate", "Issuer");

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private KubernetesTypes() {
    }

    /** What is wrong with this manifest; empty when it is a valid object of its kind. */
    static List<String> problems(Map<String, Object> manifest) {
        String kind = String.valueOf(manifest.get("kind"));
        String name = kind + " " + ((Map<?, ?>) manifest.getOrDefault("metadata", Map.of())).get("name");
        Class<? extends HasMetadata> type = TYPES.get(kind);
        if (type == null) {
            return UNCHECKED.contains(kind) ? List.of() : List.of(name + ": no Kubernetes type known for kind " + kind);
        }
        List<String> problems = new ArrayList<>();
        if (!HasMetadata.getApiVersion(type).equals(manifest.get("apiVersion"))) {
            problems.add(name + ": apiVersion " + manifest.get("apiVersion") + ", the type's is " + HasMetadata.getApiVersion(type));
        }
        Object object;
        try {
            object = STRICT.convertValue(manifest, type);
        } catch (IllegalArgumentException e) {
            problems.add(name + ": " + e.getMessage());
            return problems;
        }
        walk(object, name, problems);
        return problems;
    }

    private static void walk(Object node, String path, List<String> problems) {
        if (node == null) {
            return;
        }
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", problems);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> walk(value, path + "." + key, problems));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method method : node.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers()) || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = method.invoke(node);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (method.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown fields " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(method.getName().charAt(3)) + method.getName().substring(4);
            walk(value, path + "." + field, problems);
        }
    }
}
