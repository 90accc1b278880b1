package dev.tollgate.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.tollgate.support.Api;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The AdmissionReview webhook with the fixtures of ../shared/fixtures/admission and an end-to-end pipeline → admission flow. */
class AdmissionIntegrationTests extends IntegrationTest {

    /** How long the API server waits for the webhook (helm/tollgate/values.yaml, webhook.timeoutSeconds). */
    static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(10);

    static final String BCR_DIGEST = "sha256:06ce330900a7d6403bc8d88e5dfad6aeeb8ae40179f66bb89e69c8bf6f6b1a0b";
    static final String GATE = """
            policy "admission-gate" {
              rule built-from-rules-lint {
                require any a in attestations:
                      a.predicateType == "https://slsa.dev/provenance/v1"
                  and a.signer.cert.sourceRepositoryUri == "https://github.com/aspect-build/rules_lint"
                message "needs SLSA provenance from aspect-build/rules_lint"
              }
            }
            """;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void onlyTheGate() {
        String admin = tokenWith("policy-admin");
        for (JsonNode p : api.get("/v1/policies", admin).json().get("items")) {
            api.delete("/v1/policies/" + p.get("name").asString(), admin);
        }
        assertThat(api.sendText("PUT", "/v1/policies/admission-gate", admin, GATE).status()).isIn(200, 201);
    }

    JsonNode fixture(String name) throws Exception {
        JsonNode node = json.readTree(Files.readString(Path.of("src/test/resources/admission/" + name)));
        if (name.startsWith("kubewarden/")) {
            ObjectNode review = json.createObjectNode();
            review.put("apiVersion", "admission.k8s.io/v1");
            review.put("kind", "AdmissionReview");
            review.set("request", node);
            return review;
        }
        return node;
    }

    JsonNode admit(JsonNode review) {
        return admit(api, review);
    }

    JsonNode admit(Api client, JsonNode review) {
        Api.Response response = client.postJson("/v1/admission", tokenWith("decider"), review);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode answer = response.json();
        assertThat(answer.get("kind").asString()).isEqualTo("AdmissionReview");
        assertThat(answer.get("apiVersion").asString()).isEqualTo(review.path("apiVersion").asString("admission.k8s.io/v1"));
        if (review.path("request").has("uid")) {
            assertThat(answer.get("response").get("uid").asString()).isEqualTo(review.get("request").get("uid").asString());
        }
        return answer.get("response");
    }

    @Test
    void tagOnlyImagesAreRefusedByNameForEveryKind() throws Exception {
        String[][] cases = {
            {"connaisseur/01_deployment.json", "securesystemsengineering/alice-image:test"},
            {"connaisseur/03_replicaset.json", "securesystemsengineering/sample-san-sama:hai"},
            {"connaisseur/04_cronjob.json", "busybox"},
            {"connaisseur/05_replication_controller.json", "nginx"},
            {"connaisseur/07_statefulset.json", "registry.k8s.io/nginx-slim:0.8"},
            {"connaisseur/08_job.json", "perl:5.34.0"},
            {"connaisseur/09_dply_multi_image.json", "busybox:1.32", "redis:alpine", "mysql:8"},
            {"connaisseur/19_pod_initcontainer.json", "nginx"},
            {"connaisseur/20_pod_ephemeralcontainer.json", "nginx"},
            {"kubewarden/cronjob_creation_signed.json", "ghcr.io/kubewarden/test-verify-image-signatures:signed"},
            {"kubewarden/daemonset_creation_signed.json", "ghcr.io/kubewarden/test-verify-image-signatures:signed"},
            {"kubewarden/deployment_creation_signed.json", "ghcr.io/kubewarden/test-verify-image-signatures:signed"},
            {"kubewarden/job_creation_signed.json", "ghcr.io/kubewarden/test-verify-image-signatures:signed"},
            {"kubewarden/pod_creation_signed.json", "ghcr.io/kubewarden/test-verify-image-signatures:signed"},
            {"kubewarden/replicaset_creation_signed.json", "ghcr.io/kubewarden/test-verify-image-signatures:signed"},
            {"kubewarden/statefulset_creation_signed.json", "ghcr.io/kubewarden/test-verify-image-signatures:signed"},
            {"kubewarden/pod_creation_with_init_container.json", "init", "nginx"},
        };
        for (String[] c : cases) {
            JsonNode response = admit(fixture(c[0]));
            assertThat(response.get("allowed").asBoolean()).as(c[0]).isFalse();
            assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
            String message = response.get("status").get("message").asString();
            for (int i = 1; i < c.length; i++) {
                assertThat(message).as(c[0]).contains(c[i] + ": pin the image by digest");
            }
            assertThat(message).doesNotContain("\n");
        }
    }

    @Test
    void pinnedImagesWithoutEvidenceAreDecidedAndRefusedByTheRule() throws Exception {
        for (String name : new String[] {"connaisseur/02_pod.json", "connaisseur/23_alice_digest_dpl.json",
            "connaisseur/24_alice_tag_digest_dpl.json", "kubewarden/pod_creation_with_digest.json", "connaisseur/10_update.json"}) {
            JsonNode response = admit(fixture(name));
            assertThat(response.get("allowed").asBoolean()).as(name).isFalse();
            assertThat(response.get("status").get("message").asString()).as(name)
                    .contains("admission-gate/built-from-rules-lint: needs SLSA provenance from aspect-build/rules_lint");
            assertThat(response.get("auditAnnotations").get("decisions").asString()).isNotBlank();
        }
        // tag and digest: the digest is decided, the tag kept for the record
        JsonNode response = admit(fixture("connaisseur/24_alice_tag_digest_dpl.json"));
        String id = response.get("auditAnnotations").get("decisions").asString();
        JsonNode record = api.get("/v1/decisions/" + id, tokenWith("auditor")).json();
        assertThat(record.get("artifact").get("name").asString()).isEqualTo("securesystemsengineering/alice-image");
        assertThat(record.get("artifact").get("tag").asString()).isEqualTo("test");
        assertThat(record.get("source").asString()).isEqualTo("admission");
        assertThat(record.get("request").get("context").get("kind").asString()).isEqualTo("Deployment");
        assertThat(record.get("request").get("context").get("operation").asString()).isEqualTo("CREATE");
        assertThat(record.get("request").get("context").has("username")).isTrue();
    }

    @Test
    void kindsWithoutPodTemplatesDeletesAndObjectsBeingDeletedPass() throws Exception {
        assertThat(admit(fixture("connaisseur/11_role.json")).get("allowed").asBoolean()).isTrue();
        assertThat(admit(fixture("connaisseur/28_deleted_deployment_updated.json")).get("allowed").asBoolean()).isTrue();
        ObjectNode delete = (ObjectNode) fixture("connaisseur/01_deployment.json");
        ((ObjectNode) delete.get("request")).put("operation", "DELETE");
        assertThat(admit(delete).get("allowed").asBoolean()).isTrue();
    }

    @Test
    void malformedReviewsAreRefusedWithAReasonNeverAnError() throws Exception {
        JsonNode broken = admit(fixture("connaisseur/21_broken_admission_request.json"));
        assertThat(broken.get("allowed").asBoolean()).isFalse();
        assertThat(broken.get("status").get("message").asString()).isNotBlank();
        String[] odd = {
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}",
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": 5}",
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u1\", \"operation\": \"CREATE\", \"kind\": {\"kind\": \"Pod\", \"group\": \"\"}}}",
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u2\", \"operation\": \"CREATE\", \"kind\": {\"kind\": \"Pod\", \"group\": \"\"}, \"object\": {\"spec\": {\"containers\": [{\"name\": \"x\"}]}}}}",
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u3\", \"operation\": \"PATCH\", \"kind\": {\"kind\": \"Pod\", \"group\": \"\"}, \"object\": {}}}",
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"Something\", \"request\": {\"uid\": \"u4\"}}",
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u5\", \"operation\": \"CREATE\", \"kind\": {\"kind\": \"Deployment\", \"group\": \"apps\"}, \"object\": {\"spec\": {}}}}",
        };
        for (String review : odd) {
            JsonNode response = admit(json.readTree(review));
            assertThat(response.get("allowed").asBoolean()).as(review).isFalse();
            assertThat(response.get("status").get("message").asString()).as(review).isNotBlank();
        }
        Api.Response nothing = api.send("POST", "/v1/admission", tokenWith("decider"), "application/json", "null".getBytes());
        assertThat(nothing.status()).isEqualTo(400);
        Api.Response list = api.send("POST", "/v1/admission", tokenWith("decider"), "application/json", "[]".getBytes());
        assertThat(list.status()).isEqualTo(400);
    }

    @Test
    void aPipelineDecisionLetsAdmissionDecideOnTheDigestAloneAndWarnModeWarns() throws Exception {
        String bundle = Files.readString(Path.of("src/test/resources/attestations/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl")).strip();
        String pipeline = "{\"artifact\": {\"digest\": \"" + BCR_DIGEST + "\"}, \"evidence\": [{\"bundle\": " + bundle + "}]}";
        Api.Response decided = api.postJson("/v1/decisions", tokenWith("decider"), pipeline);
        assertThat(decided.json().get("allowed").asBoolean()).as(decided.body()).isTrue();

        String pod = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "e2e-1", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                   "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "payments", "operation": "CREATE",
                   "userInfo": {"username": "alice"},
                   "object": {"metadata": {"name": "module"}, "spec": {"containers": [{"name": "a", "image": "registry.example/bcr/module@%s"}]}}}}
                """.formatted(BCR_DIGEST);
        JsonNode allowed = admit(json.readTree(pod));
        assertThat(allowed.get("allowed").asBoolean()).as(allowed.toString()).isTrue();
        assertThat(allowed.has("warnings")).isFalse();

        JsonNode other = admit(json.readTree(pod.replace(BCR_DIGEST, "sha256:" + "9".repeat(64))));
        assertThat(other.get("allowed").asBoolean()).isFalse();
        assertThat(other.get("status").get("message").asString()).contains("registry.example/bcr/module@sha256:9999");

        String warn = """
                policy "signing-rollout" {
                  mode warn
                  rule signed {
                    require size(signatures) > 0
                    message "unsigned image:
                signing becomes mandatory"
                  }
                }
                """.replace(":\nsigning", ":\\nsigning");
        assertThat(api.sendText("PUT", "/v1/policies/signing-rollout", tokenWith("policy-admin"), warn).status()).isEqualTo(201);
        JsonNode warned = admit(json.readTree(pod));
        assertThat(warned.get("allowed").asBoolean()).isTrue();
        assertThat(warned.get("warnings").get(0).asString())
                .isEqualTo("registry.example/bcr/module@" + BCR_DIGEST + ": signing-rollout/signed: unsigned image: signing becomes mandatory");

        ObjectNode dry = (ObjectNode) json.readTree(pod);
        ((ObjectNode) dry.get("request")).put("dryRun", true);
        JsonNode dryAnswer = admit(dry);
        String id = dryAnswer.get("auditAnnotations").get("decisions").asString();
        assertThat(api.get("/v1/decisions/" + id, tokenWith("auditor")).json().get("dryRun").asBoolean()).isTrue();
    }

    @Test
    void aReviewThatRunsOutOfItsDeadlineRefusesTheImagesNotDecidedInTimeAndRecordsWhy() throws Exception {
        // the stalled registry answers after 20 s, its client gives up after 3 s, the review's deadline is 2 s
        String slow = REGISTRY.host() + "/slow/module@sha256:" + "5".repeat(64);
        String other = REGISTRY.host() + "/slow/other@sha256:" + "6".repeat(64);
        String pod = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "late-1", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "payments",
                   "operation": "CREATE", "object": {"spec": {
                     "containers": [{"name": "app", "image": "%s"}, {"name": "side", "image": "%s"}]}}}}
                """.formatted(slow, other);
        JsonNode refused = admit(json.readTree(pod));
        assertThat(refused.get("allowed").asBoolean()).isFalse();
        assertThat(refused.get("status").get("message").asString())
                .contains(slow + ": " + dev.tollgate.decision.DecisionService.NOT_IN_TIME)
                .contains(other + ": " + dev.tollgate.decision.DecisionService.NOT_IN_TIME);
        String[] ids = refused.get("auditAnnotations").get("decisions").asString().split(",");
        assertThat(ids).hasSize(2);
        for (String id : ids) {
            JsonNode record = api.get("/v1/decisions/" + id, tokenWith("auditor")).json();
            assertThat(record.get("allowed").asBoolean()).isFalse();
            assertThat(record.get("outcome").asString()).isEqualTo("deny");
            assertThat(record.get("reason").asString()).isEqualTo(dev.tollgate.decision.DecisionService.NOT_IN_TIME);
            assertThat(record.get("source").asString()).isEqualTo("admission");
        }
    }

    @Test
    void theImagesOfAReviewAreRecordedTogetherAndAllRefusedWhenTheDatabaseIsGone() throws Exception {
        String bundle = Files.readString(Path.of("src/test/resources/attestations/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl")).strip();
        String pipeline = "{\"artifact\": {\"digest\": \"" + BCR_DIGEST + "\"}, \"evidence\": [{\"bundle\": " + bundle + "}]}";
        assertThat(api.postJson("/v1/decisions", tokenWith("decider"), pipeline).json().get("allowed").asBoolean()).isTrue();
        String pod = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "three-1", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "namespace": "payments",
                   "operation": "CREATE", "object": {"spec": {
                     "initContainers": [{"name": "migrate", "image": "registry.example/payments/migrate@%1$s"}],
                     "containers": [{"name": "app", "image": "registry.example/payments/app@%1$s"},
                                    {"name": "proxy", "image": "registry.example/mesh/proxy@%1$s"}]}}}}
                """.formatted(BCR_DIGEST);
        JsonNode allowed = admit(json.readTree(pod));
        assertThat(allowed.get("allowed").asBoolean()).as(allowed.toString()).isTrue();
        String[] ids = allowed.get("auditAnnotations").get("decisions").asString().split(",");
        assertThat(ids).hasSize(3);
        long[] sequences = new long[3];
        for (int i = 0; i < 3; i++) {
            JsonNode record = api.get("/v1/decisions/" + ids[i], tokenWith("auditor")).json();
            assertThat(record.get("source").asString()).isEqualTo("admission");
            sequences[i] = record.get("sequence").asLong();
        }
        assertThat(sequences[1]).isEqualTo(sequences[0] + 1);
        assertThat(sequences[2]).isEqualTo(sequences[1] + 1);

        TestDatabase.get().proxy().cut();
        JsonNode refused;
        try {
            // the API server waits timeoutSeconds (10 s, the chart's default) and no longer: the refusal must come first
            refused = admit(api.waitingAtMost(WEBHOOK_TIMEOUT), json.readTree(pod.replace("three-1", "three-2")));
        } finally {
            TestDatabase.get().proxy().restore();
        }
        assertThat(refused.get("allowed").asBoolean()).isFalse();
        assertThat(refused.get("status").get("message").asString())
                .contains("registry.example/payments/migrate@" + BCR_DIGEST + ": no decision could be made")
                .contains("registry.example/payments/app@" + BCR_DIGEST + ": no decision could be made")
                .contains("registry.example/mesh/proxy@" + BCR_DIGEST + ": no decision could be made");
    }

    @Test
    void nothingIsExemptByDefaultAndAnExemptNamespaceIsRecordedAndWarned() throws Exception {
        // kube-system is not exempt unless configured: its DaemonSet is decided like any other workload
        JsonNode kubeSystem = admit(fixture("connaisseur/06_daemonset.json"));
        assertThat(kubeSystem.get("allowed").asBoolean()).isFalse();
        assertThat(kubeSystem.get("status").get("message").asString())
                .contains("quay.io/fluentd_elasticsearch/fluentd:v2.5.2: pin the image by digest");

        ObjectNode exempt = (ObjectNode) fixture("connaisseur/09_dply_multi_image.json");
        ((ObjectNode) exempt.get("request")).put("namespace", EXEMPT_NAMESPACE);
        JsonNode answer = admit(exempt);
        assertThat(answer.get("allowed").asBoolean()).isTrue();
        assertThat(answer.get("warnings").get(0).asString())
                .isEqualTo("namespace '" + EXEMPT_NAMESPACE + "' is exempt by configuration: admitted without policy");
        String[] ids = answer.get("auditAnnotations").get("decisions").asString().split(",");
        assertThat(ids).hasSize(3); // busybox:1.32, redis:alpine, mysql:8
        String auditor = tokenWith("auditor");
        for (String id : ids) {
            JsonNode record = api.get("/v1/decisions/" + id, auditor).json();
            assertThat(record.get("outcome").asString()).isEqualTo("exempt");
            assertThat(record.get("allowed").asBoolean()).isTrue();
            assertThat(record.get("policies")).isEmpty();
            assertThat(record.get("reason").asString()).isEqualTo("namespace '" + EXEMPT_NAMESPACE + "' is exempt by configuration");
            assertThat(record.get("source").asString()).isEqualTo("admission");
            assertThat(record.get("request").get("context").get("namespace").asString()).isEqualTo(EXEMPT_NAMESPACE);
            assertThat(record.get("artifact").has("digest")).as("given by tag: no digest").isFalse();
        }
        JsonNode first = api.get("/v1/decisions/" + ids[0], auditor).json();
        assertThat(first.get("artifact").get("name").asString()).isEqualTo("busybox");
        assertThat(first.get("artifact").get("tag").asString()).isEqualTo("1.32");
        JsonNode listed = api.get("/v1/decisions?outcome=exempt&limit=500", auditor).json();
        assertThat(listed.get("items").valueStream().map(i -> i.get("decisionId").asString())).contains(ids);
        assertThat(api.get("/v1/audit/verify", auditor).json().get("valid").asBoolean()).isTrue();

        // a pinned image in an exempt namespace keeps its digest in the record
        ObjectNode pinned = (ObjectNode) fixture("connaisseur/23_alice_digest_dpl.json");
        ((ObjectNode) pinned.get("request")).put("namespace", EXEMPT_NAMESPACE);
        JsonNode pinnedAnswer = admit(pinned);
        assertThat(pinnedAnswer.get("allowed").asBoolean()).isTrue();
        JsonNode pinnedRecord = api.get("/v1/decisions/" + pinnedAnswer.get("auditAnnotations").get("decisions").asString(), auditor)
                .json();
        assertThat(pinnedRecord.get("artifact").get("digest").asString()).startsWith("sha256:");
        assertThat(pinnedRecord.get("outcome").asString()).isEqualTo("exempt");

        // kinds without a pod template are allowed as before, with nothing to record
        ObjectNode role = (ObjectNode) fixture("connaisseur/11_role.json");
        ((ObjectNode) role.get("request")).put("namespace", EXEMPT_NAMESPACE);
        JsonNode roleAnswer = admit(role);
        assertThat(roleAnswer.get("allowed").asBoolean()).isTrue();
        assertThat(roleAnswer.has("auditAnnotations")).isFalse();
    }

    @Test
    void v1beta1ReviewsAreAnsweredInV1beta1() throws Exception {
        JsonNode beta = fixture("connaisseur/01_deployment.json");
        assertThat(beta.get("apiVersion").asString()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(admit(beta).get("allowed").asBoolean()).isFalse();
    }
}
