package dev.tollgate.decision;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.tollgate.audit.DecisionHistory;
import dev.tollgate.audit.DecisionIds;
import dev.tollgate.audit.StoredEvidence;
import dev.tollgate.digest.Digest;
import dev.tollgate.exceptions.PolicyException;
import dev.tollgate.exceptions.PolicyExceptions;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicyVersionInfo;
import dev.tollgate.web.ApiException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/decisions/{decisionId}/test-case}: a recorded decision as a policy test file
 * (docs/policy-authoring.md, "Recorded decisions as test cases") — the policy versions that
 * decided it, the evidence bundles kept for its artifact that it verified, its context, its
 * decision time as {@code now}, and what it decided as {@code expect} — with the files the test
 * names. The governed exceptions that waived a failure of the decision go with it, each as it
 * stands now ({@code exceptions/<id>.json}, as {@code GET /v1/exceptions/{id}} answers it): the
 * case is decided at the recorded time, so one that has expired since still waives, and one that
 * has been revoked waives nothing (a revocation ends it for every decision) — then the case does not
 * reproduce the decision, and {@code omitted} says so. {@code tollgate test --record ID --server URL}
 * writes them out (the test file as YAML) and runs it. What cannot be carried is said in {@code omitted}.
 */
@RestController
class TestCaseController {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final DecisionHistory history;
    private final StoredEvidence stored;
    private final PolicyCatalog catalog;
    private final PolicyExceptions exceptions;
    private final tools.jackson.databind.ObjectMapper json;

    TestCaseController(DecisionHistory history, StoredEvidence stored, PolicyCatalog catalog, PolicyExceptions exceptions,
            tools.jackson.databind.ObjectMapper json) {
        this.history = history;
        this.stored = stored;
        this.catalog = catalog;
        this.exceptions = exceptions;
        this.json = json;
    }

    @GetMapping("/v1/decisions/{decisionId}/test-case")
    ObjectNode testCase(@PathVariable String decisionId) {
        UUID id = DecisionIds.parse(decisionId);
        ObjectNode record = history.find(id).orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
        ObjectNode answer = NODES.objectNode();
        answer.put("decisionId", decisionId);
        ObjectNode file = answer.putObject("testFile");
        ObjectNode files = answer.putObject("files");
        ArrayNode omitted = answer.putArray("omitted");
        JsonNode request = record.path("request");

        ArrayNode policies = file.putArray("policies");
        ObjectNode expectPolicies = NODES.objectNode();
        for (JsonNode p : record.path("policies")) {
            String name = p.path("name").asString();
            int version = p.path("version").asInt();
            PolicyVersionInfo info;
            try {
                info = catalog.version(name, version);
            } catch (RuntimeException e) {
                omitted.add("policy " + name + " v" + version + ": no longer stored");
                continue;
            }
            String path = "policies/" + name + ".v" + version + ".policy";
            policies.add(path);
            files.set(path, text(info.source()));
            ObjectNode expected = expectPolicies.putObject(name);
            expected.put("outcome", "not applicable".equals(p.path("reason").asString(null)) ? "not-applicable"
                    : p.path("outcome").asString());
            ObjectNode rules = expected.putObject("rules");
            for (JsonNode rule : p.path("rules")) {
                rules.put(rule.path("name").asString(), rule.path("outcome").asString());
            }
        }
        if (policies.isEmpty()) {
            throw ApiException.unprocessable("decision " + decisionId + " was decided by no stored policy version (an exemption,"
                    + " a refusal before evaluation, or its policies were deleted): it makes no test case");
        }
        file.putObject("trust").put("publicGood", true);

        ObjectNode c = file.putArray("cases").addObject();
        c.put("name", "recorded decision " + decisionId);
        ObjectNode artifact = c.putObject("artifact");
        JsonNode a = record.path("artifact");
        artifact.put("digest", a.path("digest").asString());
        if (a.hasNonNull("name")) {
            artifact.put("name", a.path("name").asString());
        }
        if (a.hasNonNull("tag")) {
            artifact.put("tag", a.path("tag").asString());
        }
        if (request.path("context").isObject() && !request.path("context").isEmpty()) {
            c.set("context", request.path("context"));
        }
        if (request.path("policies").isArray()) {
            c.set("policies", request.path("policies"));
        } else {
            c.put("select", true);
        }
        c.put("now", record.path("decidedAt").asString());

        List<StoredEvidence.Item> kept = stored.forDigest(a.path("digest").asString());
        ArrayNode evidence = NODES.arrayNode();
        for (JsonNode item : request.path("evidence")) {
            int index = item.path("index").asInt();
            if (!item.path("verified").asBoolean(false)) {
                omitted.add("evidence " + index + " (" + item.path("source").asString() + "): it did not verify ("
                        + item.path("code").asString("unknown") + "), so it was not kept");
                continue;
            }
            String bundleSha = item.path("bundleSha256").asString();
            String payloadSha = item.path("payloadSha256").asString(null);
            StoredEvidence.Item match = kept.stream().filter(k -> k.bundleSha256().equals(bundleSha)
                    && (payloadSha == null ? k.payload() == null : k.payload() != null && Digest.sha256(k.payload()).hex().equals(payloadSha)))
                    .findFirst().orElse(null);
            if (match == null) {
                omitted.add("evidence " + index + " (" + item.path("source").asString() + "): its bundle is not kept"
                        + (record.path("dryRun").asBoolean(false) ? " (a dry run keeps no evidence)" : ""));
                continue;
            }
            String bundlePath = "evidence/" + bundleSha + ".sigstore.json";
            files.set(bundlePath, text(match.bundle()));
            ObjectNode e = evidence.addObject().put("bundle", bundlePath);
            if (match.payload() != null) {
                String payloadPath = "evidence/" + payloadSha + ".payload";
                files.set(payloadPath, NODES.objectNode().put("base64", Base64.getEncoder().encodeToString(match.payload())));
                e.put("payload", payloadPath);
            }
        }
        if (!evidence.isEmpty()) {
            c.set("evidence", evidence);
        }
        ArrayNode carried = exceptions(record, c, files, omitted);
        if (!carried.isEmpty()) {
            answer.set("exceptions", carried);
        }
        ObjectNode expect = c.putObject("expect");
        expect.put("allowed", record.path("allowed").asBoolean());
        expect.put("outcome", record.path("outcome").asString());
        expect.set("policies", expectPolicies);
        if (!omitted.isEmpty()) {
            List<String> notes = new ArrayList<>();
            omitted.forEach(n -> notes.add(n.asString()));
            answer.put("note", "the case may not reproduce the decision: " + String.join("; ", notes));
        }
        return answer;
    }

    /**
     * The exceptions the decision names (its policies' {@code exceptions}), each written as it
     * stands now to {@code exceptions/<id>.json} and named by the case; a revoked one is noted in
     * {@code omitted} (it waives nothing offline either). @return {@code [{id, status, file}]}
     */
    private ArrayNode exceptions(ObjectNode record, ObjectNode c, ObjectNode files, ArrayNode omitted) {
        ArrayNode carried = NODES.arrayNode();
        ArrayNode named = NODES.arrayNode();
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (JsonNode p : record.path("policies")) {
            for (JsonNode e : p.path("exceptions")) {
                String id = e.path("id").asString("");
                if (id.isEmpty() || !seen.add(id)) {
                    continue;
                }
                PolicyException now = exceptions.find(id).orElse(null);
                if (now == null) {
                    omitted.add("exception " + id + ": no longer stored, so the case is decided without it");
                    continue;
                }
                String path = "exceptions/" + id + ".json";
                files.set(path, text(json.writerWithDefaultPrettyPrinter().writeValueAsString(now) + "\n"));
                named.add(path);
                carried.addObject().put("id", id).put("status", now.status()).put("file", path);
                if (now.revokedAt() != null) {
                    omitted.add("exception " + id + " waived this decision and was revoked since (at " + now.revokedAt()
                            + (now.revokedBy() != null ? " by " + now.revokedBy() : "") + "): a revoked exception waives no"
                            + " decision, so the case is decided without it");
                }
            }
        }
        if (!named.isEmpty()) {
            c.set("exceptions", named);
        }
        return carried;
    }

    /** A file's content: UTF-8 text as base64, like every file of the answer. */
    private static ObjectNode text(String content) {
        return NODES.objectNode().put("base64", Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8)));
    }
}
