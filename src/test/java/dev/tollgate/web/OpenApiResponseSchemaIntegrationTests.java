package dev.tollgate.web;

import static dev.tollgate.support.DecisionFixtures.A_TXT;
import static dev.tollgate.support.DecisionFixtures.DSSE_BUNDLE;
import static dev.tollgate.support.DecisionFixtures.MESSAGE_BUNDLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.tollgate.sbom.SbomIndexer;
import dev.tollgate.support.Api;
import dev.tollgate.support.DecisionFixtures;
import dev.tollgate.support.IntegrationTest;
import dev.tollgate.support.PolicySourceFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real answers, over HTTP from the running server, validated against the schema openapi/tollgate.yaml
 * declares for their operation, status and media type: decisions allowed and denied with real
 * Sigstore bundles (keyless, by key, one that does not verify), the record, its proof, checkpoints,
 * keys, policies, trust, tokens, components, admin events, policy sources and problem documents.
 * The schemas are strict where the answer is fixed ({@code additionalProperties: false}, required
 * members), so a renamed, dropped or added field fails here; the last test checks that every JSON
 * answer the document declares was checked at least once.
 */
class OpenApiResponseSchemaIntegrationTests extends IntegrationTest {

    static final ResponseContract CONTRACT = new ResponseContract(Path.of("openapi/tollgate.yaml"));

    private static final String KEY = "contract-signer";
    private static final KeyPair SIGNER = PolicySourceFiles.ec();
    private static final String POLICY = "contract-keyless";
    private static final String KEY_POLICY = "contract-key";
    private static final String MISMATCH = DecisionFixtures.text(DecisionFixtures.CONFORMANCE + "signature-mismatch_fail/bundle.sigstore.json");
    private static boolean prepared;

    @Autowired
    SbomIndexer indexer;

    String admin;
    String policyAdmin;
    String auditor;
    String decider;

    @BeforeEach
    void prepare() throws Exception {
        admin = BOOTSTRAP_TOKEN;
        policyAdmin = tokenWith("policy-admin");
        auditor = tokenWith("auditor");
        decider = tokenWith("decider");
        if (!prepared) {
            conforms("PUT", "/v1/trust/keys/{name}", api.send("PUT", "/v1/trust/keys/" + KEY, policyAdmin, "application/x-pem-file",
                    pem(SIGNER).getBytes(StandardCharsets.UTF_8)), 201, 200);
            conforms("PUT", "/v1/policies/{name}", api.sendText("PUT", "/v1/policies/" + POLICY, policyAdmin, """
                    policy "contract-keyless" {
                      description "keyless signatures by the conformance beacon"
                      rule signed { require any s in signatures: s.kind == "keyless" }
                      rule prod { require context.environment == "prod" message "prod only" }
                    }
                    """), 201, 200);
            conforms("PUT", "/v1/policies/{name}", api.sendText("PUT", "/v1/policies/" + KEY_POLICY, policyAdmin, """
                    policy "contract-key" {
                      rule attested { require any a in attestations: a.predicateType == "https://example.com/contract" }
                    }
                    """), 201, 200);
            conforms("PUT", "/v1/policies/{name}", api.sendText("PUT", "/v1/policies/" + KEY_POLICY, policyAdmin, """
                    policy "contract-key" {
                      rule attested { require any a in attestations: a.predicateType == "https://example.com/contract" }
                    }
                    """), 200);
            conforms("PUT", "/v1/trust/keys/{name}", api.send("PUT", "/v1/trust/keys/" + KEY, policyAdmin, "application/x-pem-file",
                    pem(SIGNER).getBytes(StandardCharsets.UTF_8)), 200);
            prepared = true;
        }
    }

    @Test
    void decisionsAllowedAndDeniedWithRealEvidence() throws Exception {
        // keyless: the conformance bundle; denied by a rule with a message; a DSSE bundle for another digest fails
        Api.Response denied = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + A_TXT
                + "\", \"name\": \"example.com/a\", \"tag\": \"v1\"}, \"context\": {\"environment\": \"test\"},"
                + " \"policies\": [\"" + POLICY + "\"], \"evidence\": [{\"bundle\": " + MESSAGE_BUNDLE + "}, {\"bundle\": " + MISMATCH + "},"
                + " {\"bundle\": " + DSSE_BUNDLE + "}]}");
        conforms("POST", "/v1/decisions", denied, 200);
        JsonNode answer = denied.json();
        assertThat(answer.get("allowed").asBoolean()).isFalse();
        assertThat(answer.at("/evidence/0/verified").asBoolean()).as(denied.body()).isTrue();
        assertThat(answer.at("/evidence/0/identity/kind").asString()).isEqualTo("keyless");
        assertThat(answer.at("/evidence/1/verified").asBoolean()).isFalse();
        assertThat(answer.at("/evidence/2/verified").asBoolean()).isTrue();

        Api.Response allowed = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"ref\": \"example.com/a:v1@" + A_TXT
                + "\"}, \"context\": {\"environment\": \"prod\"}, \"policies\": [\"" + POLICY + "\"],"
                + " \"evidence\": [{\"bundle\": " + MESSAGE_BUNDLE + "}]}");
        conforms("POST", "/v1/decisions", allowed, 200);
        assertThat(allowed.json().get("allowed").asBoolean()).as(allowed.body()).isTrue();

        // by key: a DSSE attestation signed here; an unknown policy is a deny with a reason
        String digest = sha256("contract-" + System.nanoTime());
        Api.Response attested = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + digest + "\"},"
                + " \"policies\": [\"" + KEY_POLICY + "\", \"contract-not-there\"], \"evidence\": [{\"bundle\": " + attestation(digest) + "}]}");
        conforms("POST", "/v1/decisions", attested, 200);
        assertThat(attested.json().at("/evidence/0/identity/kind").asString()).as(attested.body()).isEqualTo("key");

        Api.Response noPolicy = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + digest + "\"},"
                + " \"policies\": [\"contract-not-there\"]}");
        conforms("POST", "/v1/decisions", noPolicy, 200);

        // the same, evaluated without recording, with a candidate source
        Api.Response evaluated = api.postJson("/v1/decisions:evaluate", policyAdmin, "{\"artifact\": {\"digest\": \"" + A_TXT + "\"},"
                + " \"source\": \"policy \\\"contract-candidate\\\" { rule r { require any s in signatures: s.kind == \\\"keyless\\\" } }\","
                + " \"evidence\": [{\"bundle\": " + MESSAGE_BUNDLE + "}]}");
        conforms("POST", "/v1/decisions:evaluate", evaluated, 200);

        // the record, its proof, the history, the stored evidence
        String id = answer.get("decisionId").asString();
        conforms("GET", "/v1/decisions/{decisionId}", api.get("/v1/decisions/" + id, auditor), 200);
        conforms("GET", "/v1/decisions/{decisionId}", api.get("/v1/decisions/" + attested.json().get("decisionId").asString(), auditor), 200);
        Api.Response proof = api.get("/v1/decisions/" + id + "/proof?wait=true", decider);
        for (int attempt = 0; attempt < 10 && proof.status() == 409; attempt++) {
            proof = api.get("/v1/decisions/" + id + "/proof?wait=true", decider);
        }
        conforms("GET", "/v1/decisions/{decisionId}/proof", proof, 200);
        conforms("GET", "/v1/decisions", api.get("/v1/decisions?limit=5", auditor), 200);
        conforms("GET", "/v1/decisions", api.get("/v1/decisions?digest=" + A_TXT + "&limit=1", auditor), 200);
        conforms("GET", "/v1/artifacts/{digest}/evidence", api.get("/v1/artifacts/" + A_TXT + "/evidence", auditor), 200);
        conforms("GET", "/v1/artifacts/{digest}/evidence", api.get("/v1/artifacts/" + digest + "/evidence", auditor), 200);
        conforms("GET", "/v1/decisions/{decisionId}", api.get("/v1/decisions/00000000-0000-7000-8000-000000000000", auditor), 404);
        conforms("POST", "/v1/decisions", api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"sha256:short\"}}"), 400);
    }

    @Test
    void theLedgerAndTheAuditTrail() throws Exception {
        Api.Response decided = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + A_TXT + "\"}, \"policies\": [\"" + POLICY + "\"]}");
        assertThat(decided.status()).as(decided.body()).isEqualTo(200);
        conforms("GET", "/v1/audit/keys", api.get("/v1/audit/keys", null), 200);
        conforms("GET", "/v1/audit/verify", api.get("/v1/audit/verify?full=true", auditor), 200);
        conforms("GET", "/v1/audit/verify", api.get("/v1/audit/verify", auditor), 200);
        conforms("GET", "/v1/audit/verify", api.get("/v1/audit/verify?full=maybe", auditor), 400);
        String decisionId = decided.json().get("decisionId").asString();
        conforms("GET", "/v1/decisions/{decisionId}/vsa", api.get("/v1/decisions/" + decisionId + "/vsa", auditor), 200);
        conforms("GET", "/v1/decisions/{decisionId}/vsa", api.get("/v1/decisions/00000000-0000-7000-8000-000000000000/vsa", auditor), 404);
        Api.Response checkpoint = api.get("/v1/audit/checkpoints/latest", auditor);
        conforms("GET", "/v1/audit/checkpoints/latest", checkpoint, 200, 404);
        conforms("GET", "/v1/audit/consistency", api.get("/v1/audit/consistency?from=1", auditor), 200, 404);
        conforms("GET", "/v1/audit/admin-events", api.get("/v1/audit/admin-events?limit=50", auditor), 200);
        conforms("GET", "/v1/components", api.get("/v1/components?name=contract-nothing", auditor), 200);
        // an artifact with an indexed SBOM (CycloneDX, signed with the registered key), found by the incident query
        String component = "contract-component-" + Long.toHexString(System.nanoTime());
        String digest = sha256("sbom-" + component);
        String bom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[{\"type\":\"library\","
                + "\"name\":\"" + component + "\",\"version\":\"1.2.3\",\"purl\":\"pkg:npm/" + component + "@1.2.3\","
                + "\"licenses\":[{\"license\":{\"id\":\"MIT\"}}],\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"" + "ab".repeat(32) + "\"}]}]}";
        Api.Response sbom = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + digest + "\", \"name\": \"example.com/sbom\"},"
                + " \"context\": {\"environment\": \"prod\"}, \"policies\": [\"" + POLICY + "\"],"
                + " \"evidence\": [{\"bundle\": " + attestation(digest, "https://cyclonedx.org/bom", bom) + "}]}");
        conforms("POST", "/v1/decisions", sbom, 200);
        // the recorded decision as a policy test case (its input kept with the record)
        conforms("GET", "/v1/decisions/{decisionId}/test-case",
                api.get("/v1/decisions/" + sbom.json().get("decisionId").asString() + "/test-case", auditor), 200);
        indexer.indexPending();
        Api.Response found = api.get("/v1/components?name=" + component, auditor);
        conforms("GET", "/v1/components", found, 200);
        assertThat(found.json().at("/items/0/components/0/name").asString()).as(found.body()).isEqualTo(component);
        conforms("GET", "/v1/openapi.yaml", api.get("/v1/openapi.yaml", null), 200);
        conforms("GET", "/v1/reports/weak-links", api.get("/v1/reports/weak-links?days=1&limit=5", auditor), 200);
    }

    @Test
    void policies() {
        String name = "contract-versions";
        conforms("PUT", "/v1/policies/{name}", api.sendText("PUT", "/v1/policies/" + name, policyAdmin,
                "policy \"contract-versions\" { mode warn\n rule r { require context.environment == \"prod\" } }"), 201, 200);
        conforms("PUT", "/v1/policies/{name}", api.sendText("PUT", "/v1/policies/" + name + "?activate=false", policyAdmin,
                "policy \"contract-versions\" { mode warn\n rule r { require context.environment == \"prod\" }\n"
                        + " rule s { require artifact.name matches \"x\" } }"), 201, 200);
        conforms("PUT", "/v1/policies/{name}", api.sendText("PUT", "/v1/policies/" + name, policyAdmin, "policy \"contract-versions\" {"), 422);
        conforms("GET", "/v1/policies/{name}", api.get("/v1/policies/" + name, auditor), 200);
        conforms("GET", "/v1/policies", api.get("/v1/policies", auditor), 200);
        conforms("GET", "/v1/policies/{name}/versions", api.get("/v1/policies/" + name + "/versions", auditor), 200);
        conforms("GET", "/v1/policies/{name}/versions/{version}", api.get("/v1/policies/" + name + "/versions/1", auditor), 200);
        conforms("GET", "/v1/policies/{name}/versions/{from}/diff/{to}", api.get("/v1/policies/" + name + "/versions/1/diff/2", auditor), 200);
        conforms("POST", "/v1/policies/{name}/activate", api.postJson("/v1/policies/" + name + "/activate", policyAdmin, "{\"version\": 1}"), 200);
        conforms("POST", "/v1/policies/{name}/activate", api.postJson("/v1/policies/" + name + "/activate", policyAdmin, "{\"version\": 99}"), 404);
        conforms("POST", "/v1/policies:validate", api.sendText("POST", "/v1/policies:validate", auditor,
                "policy \"v\" { rule r { require artifact.name matches \"^a$\" } }"), 200);
        conforms("POST", "/v1/policies:validate", api.sendText("POST", "/v1/policies:validate", auditor, "policy \"v\" { rule }"), 422);
        String input = "{\"artifact\": {\"digest\": \"" + A_TXT + "\"}, \"context\": {\"environment\": \"prod\"}}";
        conforms("POST", "/v1/policies:evaluate", api.postJson("/v1/policies:evaluate", auditor,
                "{\"source\": \"policy \\\"e\\\" { rule r { require context.environment == \\\"dev\\\" message \\\"dev\\\" } }\", \"input\": " + input + "}"), 200);
        conforms("POST", "/v1/policies/{name}/evaluate", api.postJson("/v1/policies/" + name + "/evaluate", auditor, "{\"input\": " + input + "}"), 200);
        conforms("GET", "/v1/policy-sources", api.get("/v1/policy-sources", auditor), 200);
        conforms("DELETE", "/v1/policies/{name}", api.delete("/v1/policies/" + name, policyAdmin), 204);
        conforms("GET", "/v1/policies/{name}", api.get("/v1/policies/" + name, auditor), 404);
    }

    @Test
    void trustMaterial() throws Exception {
        byte[] root = Files.readAllBytes(Path.of("src/test/resources/trust-dir/conformance-rekor2.json"));
        conforms("PUT", "/v1/trust/roots/{name}", api.send("PUT", "/v1/trust/roots/contract-root?requireTransparencyLog=false", policyAdmin,
                "application/json", root), 201, 200);
        conforms("PUT", "/v1/trust/roots/{name}", api.send("PUT", "/v1/trust/roots/contract-root", policyAdmin, "application/json", root), 200);
        conforms("PUT", "/v1/trust/roots/{name}", api.send("PUT", "/v1/trust/roots/" + KEY, policyAdmin, "application/json", root), 409);
        conforms("PUT", "/v1/trust/roots/{name}", api.send("PUT", "/v1/trust/roots/contract-bad", policyAdmin, "application/json",
                "{\"mediaType\": \"nothing\"}".getBytes(StandardCharsets.UTF_8)), 422);
        conforms("GET", "/v1/trust/roots", api.get("/v1/trust/roots", auditor), 200);
        conforms("GET", "/v1/trust/roots/{name}", api.get("/v1/trust/roots/contract-root", auditor), 200);
        conforms("GET", "/v1/trust/roots/{name}", api.get("/v1/trust/roots/public-good", auditor), 200);
        conforms("PUT", "/v1/trust/keys/{name}", api.send("PUT", "/v1/trust/keys/contract-window?validFrom=2026-01-01T00:00:00Z", policyAdmin,
                "application/x-pem-file", pem(PolicySourceFiles.ec()).getBytes(StandardCharsets.UTF_8)), 201, 200);
        conforms("GET", "/v1/trust/keys", api.get("/v1/trust/keys", auditor), 200);
        conforms("GET", "/v1/trust/keys/{name}", api.get("/v1/trust/keys/contract-window", auditor), 200);
        conforms("DELETE", "/v1/trust/keys/{name}", api.delete("/v1/trust/keys/contract-window", policyAdmin), 204);
        conforms("DELETE", "/v1/trust/roots/{name}", api.delete("/v1/trust/roots/contract-root", policyAdmin), 204);
        conforms("GET", "/v1/trust/keys/{name}", api.get("/v1/trust/keys/contract-window", auditor), 404);
    }

    @Test
    void tokensAndAuthenticationFailures() {
        String name = "contract-" + Long.toHexString(System.nanoTime());
        conforms("POST", "/v1/tokens", api.postJson("/v1/tokens", admin, Api.map("name", name, "roles", List.of("auditor"))), 201);
        conforms("POST", "/v1/tokens", api.postJson("/v1/tokens", admin, Api.map("name", name, "roles", List.of("auditor"))), 422);
        conforms("GET", "/v1/tokens", api.get("/v1/tokens", admin), 200);
        conforms("DELETE", "/v1/tokens/{name}", api.delete("/v1/tokens/" + name, admin), 204);
        conforms("GET", "/v1/tokens", api.get("/v1/tokens", admin), 200); // a revoked one listed too
        conforms("GET", "/v1/tokens", api.get("/v1/tokens", null), 401);
        conforms("GET", "/v1/tokens", api.get("/v1/tokens", auditor), 403);
        conforms("GET", "/v1/decisions", api.get("/v1/decisions?limit=0", auditor), 400);
        // problem documents from the edge and the body readers: malformed JSON, a malformed bundle, a wrong media type
        conforms("POST", "/v1/decisions", api.postJson("/v1/decisions", decider, "{\"artifact\": "), 400);
        conforms("POST", "/v1/decisions", api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + A_TXT
                + "\"}, \"evidence\": [{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\"}}]}"), 400);
        conforms("POST", "/v1/decisions:evaluate", api.postJson("/v1/decisions:evaluate", policyAdmin, "{\"artifact\": {\"digest\": \"" + A_TXT
                + "\"}, \"evidence\": [{\"bundle\": {\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\"}}]}"), 400);
        conforms("PUT", "/v1/policies/{name}", api.send("PUT", "/v1/policies/contract-media", policyAdmin, "application/json",
                "{}".getBytes(StandardCharsets.UTF_8)), 415);
        conforms("GET", "/v1/policies/{name}", api.get("/v1/policies/Not_A_Name", auditor), 404);
    }

    @Test
    void admission() {
        String review = """
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "contract-1", "operation": "CREATE", "namespace": "default",
                   "kind": {"group": "", "version": "v1", "kind": "Pod"},
                   "object": {"spec": {"containers": [{"name": "a", "image": "example.com/a@%s"}]}}}}
                """.formatted(A_TXT);
        conforms("POST", "/v1/admission", api.postJson("/v1/admission", decider, review), 200);
        conforms("POST", "/v1/admission", api.postJson("/v1/admission", decider,
                "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}"), 200);
    }

    @Test
    void governedExceptionsAndTheDecisionsTheyWaive() throws Exception {
        String digest = sha256("contract-exception-" + System.nanoTime());
        String expires = java.time.Instant.now().plus(java.time.Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        Api.Response requested = api.postJson("/v1/exceptions", policyAdmin, Api.map("scope", Api.map("digest", digest, "policy", POLICY),
                "reason", "contract test", "ticket", "CONTRACT-1", "expiresAt", expires));
        conforms("POST", "/v1/exceptions", requested, 201);
        String id = requested.json().get("id").asString();
        conforms("GET", "/v1/exceptions", api.get("/v1/exceptions?policy=" + POLICY, auditor), 200);
        conforms("GET", "/v1/exceptions/{id}", api.get("/v1/exceptions/" + id, auditor), 200);
        conforms("POST", "/v1/exceptions/{id}/approve", api.postJson("/v1/exceptions/" + id + "/approve", admin, "{}"), 200);
        Api.Response waived = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + digest + "\"},"
                + " \"policies\": [\"" + POLICY + "\"]}");
        conforms("POST", "/v1/decisions", waived, 200);
        assertThat(waived.json().at("/policies/0/exceptions/0/id").asString()).as(waived.body()).isEqualTo(id);
        conforms("GET", "/v1/decisions/{decisionId}", api.get("/v1/decisions/" + waived.json().get("decisionId").asString(), auditor), 200);
        Api.Response testCase = api.get("/v1/decisions/" + waived.json().get("decisionId").asString() + "/test-case", auditor);
        conforms("GET", "/v1/decisions/{decisionId}/test-case", testCase, 200);
        assertThat(testCase.json().at("/exceptions/0/status").asString()).as(testCase.body()).isEqualTo("active");
        assertThat(drift("GET", "/v1/decisions/{decisionId}/test-case", testCase, "/exceptions/0", "status", "state")).isNotEmpty();
        conforms("POST", "/v1/exceptions/{id}/revoke", api.postJson("/v1/exceptions/" + id + "/revoke", policyAdmin,
                "{\"reason\": \"done\"}"), 200);
        Api.Response revokedCase = api.get("/v1/decisions/" + waived.json().get("decisionId").asString() + "/test-case", auditor);
        conforms("GET", "/v1/decisions/{decisionId}/test-case", revokedCase, 200);
        assertThat(revokedCase.json().at("/exceptions/0/status").asString()).as(revokedCase.body()).isEqualTo("revoked");
        assertThat(revokedCase.json().get("note").asString()).contains("revoked since");
        Api.Response read = api.get("/v1/exceptions/" + id, auditor);
        conforms("GET", "/v1/exceptions/{id}", read, 200);
        assertThat(drift("GET", "/v1/exceptions/{id}", read, "", "expiresAt", "expires")).isNotEmpty();
        assertThat(drift("GET", "/v1/exceptions/{id}", read, "/history/0", "actor", "by")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", waived, "/policies/0/exceptions/0", "rules", "waived")).isNotEmpty();
    }

    /** The validator finds what the schemas are strict about: a renamed, a missing and an extra member. */
    @Test
    void theSchemasCatchADrift() {
        Api.Response real = api.postJson("/v1/decisions", decider, "{\"artifact\": {\"digest\": \"" + A_TXT + "\"},"
                + " \"policies\": [\"" + POLICY + "\"], \"evidence\": [{\"bundle\": " + MESSAGE_BUNDLE + "}]}");
        conforms("POST", "/v1/decisions", real, 200);
        assertThat(drift("POST", "/v1/decisions", real, "/evidence/0/identity", "subject", "subjectName")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "", "decidedAt", "decided")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/artifact", "digest", "sha256")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/evidence/0", "trustRoots", "roots")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/policies/0/rules/0", "outcome", "result")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/receipt", "leafHash", "leaf")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/evidence/0/trust/0", "sha256", "digest")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/evidence/0/trace/0", "material", "root")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/vsa/dsseEnvelope", "payloadType", "type")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "", null, "requester")).isNotEmpty(); // a record's member, not an answer's
        assertThat(drift("POST", "/v1/decisions", real, "/evidence/0", null, "certificate")).isNotEmpty();
        assertThat(drift("POST", "/v1/decisions", real, "/policies/0", null, "priority")).isNotEmpty();

        Api.Response record = api.get("/v1/decisions/" + real.json().get("decisionId").asString(), auditor);
        conforms("GET", "/v1/decisions/{decisionId}", record, 200);
        assertThat(drift("GET", "/v1/decisions/{decisionId}", record, "", "previousHash", "prevHash")).isNotEmpty();
        assertThat(drift("GET", "/v1/decisions/{decisionId}", record, "/request", "context", "ctx")).isNotEmpty();
        assertThat(drift("GET", "/v1/decisions/{decisionId}", record, "", null, "vsaDigest")).isNotEmpty();

        Api.Response sources = api.get("/v1/policy-sources", auditor);
        assertThat(drift("GET", "/v1/policy-sources", sources, "/items/0", "location", "path")).isNotEmpty();
        Api.Response keys = api.get("/v1/trust/keys", auditor);
        assertThat(drift("GET", "/v1/trust/keys", keys, "/items/0", "sha256", "digest")).isNotEmpty();
        Api.Response problem = api.get("/v1/tokens", null);
        assertThat(drift("GET", "/v1/tokens", problem, "", "title", "name")).isNotEmpty();
    }

    /** Every JSON answer the document declares for a success was checked against its schema by a test above. */
    @AfterAll
    static void everyDeclaredJsonSuccessWasChecked() {
        Set<String> declared = new TreeSet<>();
        for (var path : CONTRACT.document().get("paths").properties()) {
            if (!path.getKey().startsWith("/v1")) {
                continue;
            }
            for (var operation : path.getValue().properties()) {
                for (var response : operation.getValue().path("responses").properties()) {
                    if (response.getKey().startsWith("2") && response.getValue().path("content").has("application/json")) {
                        declared.add(operation.getKey() + " " + path.getKey() + " " + response.getKey());
                    }
                }
            }
        }
        declared.removeAll(CONTRACT.checked);
        assertThat(declared).as("JSON answers declared in openapi/tollgate.yaml that no real answer was checked against").isEmpty();
    }

    private void conforms(String method, String pattern, Api.Response response, int... statuses) {
        List<Integer> expected = new ArrayList<>();
        for (int s : statuses) {
            expected.add(s);
        }
        assertThat(response.status()).as(method + " " + pattern + ": " + response.body()).isIn(expected);
        assertThat(CONTRACT.violations(method, pattern, response)).as(method + " " + pattern + " answered " + response.body()).isEmpty();
    }

    /**
     * The violations of the answer with one member of the object at {@code pointer} renamed (each names the
     * member no longer there or the one not declared), or, with {@code from} null, with a member {@code to} added.
     */
    private static List<String> drift(String method, String pattern, Api.Response response, String pointer, String from, String to) {
        ObjectNode changed = (ObjectNode) response.json().deepCopy();
        ObjectNode target = pointer.isEmpty() ? changed : (ObjectNode) changed.at(pointer);
        if (from == null) {
            target.put(to, "added");
        } else {
            assertThat(target.has(from)).as(pointer + "/" + from + " in " + response.body()).isTrue();
            target.set(to, target.remove(from));
        }
        List<String> found = CONTRACT.violations(method, pattern, response.status(), response.contentType(), changed.toString());
        assertThat(found).as("a drift at " + pointer + " (" + from + " -> " + to + ")")
                .anyMatch(v -> v.contains(to) || (from != null && v.contains(from)));
        return found;
    }

    private static String sha256(String seed) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
    }

    private static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** A DSSE bundle over an in-toto statement about the digest, signed with the registered key. */
    private static String attestation(String digest) throws Exception {
        return attestation(digest, "https://example.com/contract", "{\"k\":\"v\"}");
    }

    private static String attestation(String digest, String predicateType, String predicate) throws Exception {
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\""
                + digest.substring(7) + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":" + predicate + "}";
        byte[] payload = statement.getBytes(StandardCharsets.UTF_8);
        String type = "application/vnd.in-toto+json";
        byte[] pae = ("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ").getBytes(StandardCharsets.UTF_8);
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(SIGNER.getPrivate());
        signature.update(pae);
        signature.update(payload);
        return """
                {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
                 "verificationMaterial": {"publicKey": {"hint": "%s"}},
                 "dsseEnvelope": {"payload": "%s", "payloadType": "application/vnd.in-toto+json",
                                  "signatures": [{"sig": "%s", "keyid": ""}]}}
                """.formatted(KEY, Base64.getEncoder().encodeToString(payload), Base64.getEncoder().encodeToString(signature.sign()));
    }

}
