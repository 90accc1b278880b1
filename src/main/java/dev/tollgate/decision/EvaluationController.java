package dev.tollgate.decision;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.evidence.MalformedEvidence;
import dev.tollgate.exceptions.PolicyExceptions;
import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.trust.TrustStore;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import dev.tollgate.digest.Digest;

/**
 * {@code POST /v1/decisions:evaluate}: a decision's body (plus an optional candidate
 * {@code source}) verified against the trust held and evaluated by the active policies — or the
 * candidate in place of its active namesake — and answered with the policy input built from the
 * evidence. Nothing is written: no decision, no evidence kept. Only the request's own evidence
 * is used (not the evidence kept for the digest, nor a registry's). The governed exceptions in
 * force now waive what they cover, as in a live decision, and the answer names them.
 */
@RestController
class EvaluationController {

    private final EvidenceVerifier verifier;
    private final TrustStore trust;
    private final PolicyCatalog catalog;
    private final DecisionProperties properties;
    private final Clock clock;
    private final tools.jackson.databind.ObjectMapper json;
    private final PolicyExceptions exceptions;

    EvaluationController(EvidenceVerifier verifier, TrustStore trust, PolicyCatalog catalog, DecisionProperties properties,
            Clock clock, tools.jackson.databind.ObjectMapper json, PolicyExceptions exceptions) {
        this.exceptions = exceptions;
        this.json = json;
        this.verifier = verifier;
        this.trust = trust;
        this.catalog = catalog;
        this.properties = properties;
        this.clock = clock;
    }

    @PostMapping("/v1/decisions:evaluate")
    ObjectNode evaluate(@RequestBody JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        ObjectNode decisionBody = ((ObjectNode) body).deepCopy();
        JsonNode source = decisionBody.remove("source");
        if (source != null && !source.isString()) {
            throw ApiException.badRequest("source must be the candidate policy's text, as a string");
        }
        DecisionRequest request = DecisionRequest.parse(decisionBody);
        List<EvidenceSubmission> submissions;
        try {
            submissions = verifier.read(request.evidence());
        } catch (MalformedEvidence e) {
            throw new ApiException(ProblemType.BAD_REQUEST, e.getMessage(), Map.of("code", e.code(), "index", e.index()));
        }
        List<ActivePolicy> policies = new ArrayList<>(catalog.activePolicies());
        ActivePolicy candidate = null;
        if (source != null) {
            Program program = catalog.compileOrThrow(source.stringValue());
            candidate = new ActivePolicy(program.name(), 0, Digest.sha256(source.stringValue()).hex(), program);
            String name = program.name();
            policies.removeIf(p -> p.name().equals(name));
            policies.add(candidate);
        }
        List<String> named = request.policies();
        if (named == null && candidate != null) {
            named = List.of(candidate.name());
        }
        java.time.Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        // the governed exceptions in force now, as a live decision would ask for them (none when they cannot be read)
        OfflineDecisions.Offline result = new OfflineDecisions(verifier, trust.current()).decide(request.artifact(),
                request.context(), submissions, named, policies, properties.denyWhenNoPolicyApplies(), now,
                exceptions.applicable(request.artifact().digest(), request.artifact().name(), now));
        ObjectNode answer = result.json(json);
        answer.put("recorded", false);
        if (candidate != null) {
            answer.putObject("candidate").put("name", candidate.name()).put("sha256", candidate.sha256());
        }
        answer.set("input", OfflineDecisions.inputJson(result.input()));
        return answer;
    }
}
