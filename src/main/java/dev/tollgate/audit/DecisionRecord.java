package dev.tollgate.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A decision as it is recorded: the filterable facts as columns, the request and the response
 * as JSON, and the verified evidence to keep for the artifact. Written in one transaction.
 */
public record DecisionRecord(UUID decisionId, Instant decidedAt, String requester, String source, boolean dryRun,
        String artifactDigest, String artifactName, String artifactTag, boolean allowed, String outcome,
        List<String> policyNames, ArrayNode impact, JsonNode request, ObjectNode response,
        List<NewEvidence> newEvidence) {

    public DecisionRecord {
        policyNames = List.copyOf(policyNames);
        newEvidence = List.copyOf(newEvidence);
    }

    /** Evidence verified for the first time by this decision, kept for later decisions on the digest. */
    public record NewEvidence(String signatureSha256, String bundleSha256, String bundle, byte[] payload, String kind,
            JsonNode facts, JsonNode trust) {
    }

    /** Where the record landed in the chain. */
    public record Written(long sequence, String previousHash, String hash) {
    }
}
