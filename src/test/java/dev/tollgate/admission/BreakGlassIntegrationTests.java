package dev.tollgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Break-glass through the real webhook endpoint, the real decision service and the real audit
 * log: on only where configured ({@link IntegrationTest#BREAK_GLASS_NAMESPACE}), a refused pod
 * admitted and recorded with outcome {@code break-glass}, its reason and user, a warning, and the
 * counter; elsewhere, or without a valid reason, evaluated as usual.
 */
class BreakGlassIntegrationTests extends IntegrationTest {

    static final String USER = "system:serviceaccount:kube-system:replicaset-controller"; // the fixture's userInfo
    static final String RULE = "admission-gate/built-from-rules-lint: needs SLSA provenance from aspect-build/rules_lint";
    private static final Pattern COUNTER = Pattern.compile(
            "(?m)^tollgate_break_glass_total\\{(?:[^}]*,)?workload_namespace=\"" + Pattern.quote(BREAK_GLASS_NAMESPACE) + "\"[^}]*\\} (\\S+)$");

    @BeforeEach
    void onlyTheGate() {
        String admin = tokenWith("policy-admin");
        for (JsonNode p : api.get("/v1/policies", admin).json().get("items")) {
            api.delete("/v1/policies/" + p.get("name").asString(), admin);
        }
        assertThat(api.sendText("PUT", "/v1/policies/admission-gate", admin, AdmissionIntegrationTests.GATE).status())
                .isIn(200, 201);
    }

    /** The pinned pod of the fixtures (refused by the gate: no provenance), in {@code namespace}, annotated when {@code reason} is given. */
    ObjectNode pod(String namespace, String reason) throws Exception {
        ObjectNode review = (ObjectNode) json.readTree(Files.readString(Path.of("src/test/resources/admission/connaisseur/02_pod.json")));
        ObjectNode request = (ObjectNode) review.get("request");
        request.put("namespace", namespace);
        request.put("uid", java.util.UUID.randomUUID().toString());
        if (reason != null) {
            ((ObjectNode) request.get("object").get("metadata").get("annotations")).put(AdmissionReviewer.BREAK_GLASS, reason);
        }
        return review;
    }

    JsonNode admit(JsonNode review) {
        Api.Response response = api.postJson("/v1/admission", tokenWith("decider"), review);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("response");
    }

    double counted() {
        String scrape = api.get("/actuator/prometheus", null).body();
        // no label named "namespace" of its own: Prometheus would rename it exported_namespace under a ServiceMonitor
        assertThat(scrape).doesNotContainPattern("(?m)^tollgate_break_glass_total\\{(?:[^}]*,)?namespace=");
        Matcher m = COUNTER.matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aRefusedPodIsAdmittedByBreakGlassWhereEnabledAndRecordedWithReasonUserWarningAndCounter() throws Exception {
        double before = counted();
        JsonNode answer = admit(pod(BREAK_GLASS_NAMESPACE, "  INC-4711: payment outage, hotfix image  "));
        assertThat(answer.get("allowed").asBoolean()).as(answer.toString()).isTrue();
        assertThat(answer.has("status")).isFalse();
        assertThat(answer.get("warnings").valueStream().map(JsonNode::asString))
                .anyMatch(w -> w.endsWith("admitted by break-glass (requested by '" + USER + "'): INC-4711: payment outage, hotfix image"))
                .anyMatch(w -> w.endsWith("bypassed: " + RULE));
        assertThat(counted()).isEqualTo(before + 1);

        String id = answer.get("auditAnnotations").get("decisions").asString();
        String auditor = tokenWith("auditor");
        JsonNode record = api.get("/v1/decisions/" + id, auditor).json();
        assertThat(record.get("outcome").asString()).isEqualTo("break-glass");
        assertThat(record.get("allowed").asBoolean()).isTrue();
        assertThat(record.get("breakGlass").get("reason").asString()).isEqualTo("INC-4711: payment outage, hotfix image");
        assertThat(record.get("breakGlass").get("user").asString()).isEqualTo(USER);
        assertThat(record.get("reason").asString()).isEqualTo("admitted by break-glass: INC-4711: payment outage, hotfix image");
        // what was bypassed stays in the record: the policy as it was evaluated
        assertThat(record.get("policies").get(0).get("name").asString()).isEqualTo("admission-gate");
        assertThat(record.get("policies").get(0).get("outcome").asString()).isEqualTo("deny");
        assertThat(record.get("artifact").get("digest").asString()).startsWith("sha256:");
        assertThat(record.get("request").get("context").get("username").asString()).isEqualTo(USER);

        // the console's decision page shows the outcome, the reason and the user
        dev.tollgate.support.ConsoleSession.Response page = dev.tollgate.support.ConsoleSession.signIn(port, auditor)
                .get("/ui/decisions/" + id);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("badge o-break-glass").contains("id=\"break-glass\"")
                .contains("INC-4711: payment outage, hotfix image").contains(USER);

        JsonNode listed = api.get("/v1/decisions?outcome=break-glass&limit=500", auditor).json();
        assertThat(listed.get("items").valueStream().map(i -> i.get("decisionId").asString())).contains(id);
        assertThat(api.get("/v1/audit/verify", auditor).json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void withoutTheAnnotationTheEnabledNamespaceIsEvaluatedAsUsual() throws Exception {
        double before = counted();
        JsonNode answer = admit(pod(BREAK_GLASS_NAMESPACE, null));
        assertThat(answer.get("allowed").asBoolean()).isFalse();
        assertThat(answer.get("status").get("message").asString()).contains(RULE);
        assertThat(answer.has("warnings")).isFalse();
        assertThat(counted()).isEqualTo(before);
    }

    @Test
    void theAnnotationInANamespaceWhereBreakGlassIsNotEnabledIsWarnedAndEvaluatedAsUsual() throws Exception {
        double before = counted();
        JsonNode answer = admit(pod("shop", "INC-1: let me in"));
        assertThat(answer.get("allowed").asBoolean()).isFalse();
        assertThat(answer.get("status").get("message").asString()).contains(RULE);
        assertThat(answer.get("warnings").get(0).asString())
                .isEqualTo("tollgate.dev/break-glass is ignored: break-glass is not enabled in namespace 'shop'; the workload is"
                        + " evaluated as usual");
        String id = answer.get("auditAnnotations").get("decisions").asString();
        JsonNode record = api.get("/v1/decisions/" + id, tokenWith("auditor")).json();
        assertThat(record.get("outcome").asString()).isEqualTo("deny");
        assertThat(record.has("breakGlass")).isFalse();
        assertThat(counted()).isEqualTo(before);
    }

    @Test
    void aMissingOverlongOrControlCharacterReasonIsIgnoredWithAWarning() throws Exception {
        String[][] cases = {
            {"   ", "the reason (the annotation's value) is required"},
            {"x".repeat(AdmissionReviewer.MAX_REASON + 1), "the reason is longer than 512 characters"},
            {"INC-2\nforged: line", "the reason contains control characters"},
            {"INC-3\u202Ereversed", "the reason contains control characters"},
        };
        for (String[] c : cases) {
            JsonNode answer = admit(pod(BREAK_GLASS_NAMESPACE, c[0]));
            assertThat(answer.get("allowed").asBoolean()).as(c[1]).isFalse();
            assertThat(answer.get("warnings").get(0).asString()).as(c[1])
                    .isEqualTo("tollgate.dev/break-glass is ignored: " + c[1] + "; the workload is evaluated as usual");
        }
        // at the bound, the reason is taken
        assertThat(admit(pod(BREAK_GLASS_NAMESPACE, "y".repeat(AdmissionReviewer.MAX_REASON))).get("allowed").asBoolean()).isTrue();
    }

    @Test
    void anAnnotationOnThePodTemplateAppliesToTheWorkload() throws Exception {
        ObjectNode review = (ObjectNode) json.readTree(
                Files.readString(Path.of("src/test/resources/admission/connaisseur/23_alice_digest_dpl.json")));
        ObjectNode request = (ObjectNode) review.get("request");
        request.put("namespace", BREAK_GLASS_NAMESPACE);
        ObjectNode metadata = (ObjectNode) request.get("object").get("spec").get("template").withObjectProperty("metadata");
        metadata.withObjectProperty("annotations").put(AdmissionReviewer.BREAK_GLASS, "INC-5: rollout");
        JsonNode answer = admit(review);
        assertThat(answer.get("allowed").asBoolean()).as(answer.toString()).isTrue();
        JsonNode record = api.get("/v1/decisions/" + answer.get("auditAnnotations").get("decisions").asString().split(",")[0],
                tokenWith("auditor")).json();
        assertThat(record.get("outcome").asString()).isEqualTo("break-glass");
        assertThat(record.get("breakGlass").get("reason").asString()).isEqualTo("INC-5: rollout");
    }
}
