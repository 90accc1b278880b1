package dev.tollgate.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A decision as it is recorded: the filterable facts as columns, the request and the response
 * as JSON, and the verified evidence to keep for the artifact. Written in one transaction.
 * <p>
 * {@code impact}, {@code request} and {@code response} (and the facts of new evidence) are
 * immutable values that the application's {@code ObjectMapper} serialises (records, lists,
 * maps); nothing the caller keeps is changed. {@code response} serialises to an object without
 * a {@code sequence} member: the log adds that member when it numbers the record, so the stored
 * response is the answer at its place in the chain, which the caller composes from
 * {@link Written#sequence()} after the commit.
 * <p>
 * {@code input} is the policy input the decision was evaluated on (a JSON-serialisable value), kept
 * beside the record for replay (table {@code decision_input}); null for a decision that evaluated
 * nothing (an exemption, a refusal before evaluation).
 */
public record DecisionRecord(UUID decisionId, Instant decidedAt, String requester, String source, boolean dryRun,
        String artifactDigest, String artifactName, String artifactTag, boolean allowed, String outcome,
        List<String> policyNames, Object impact, Object request, Object response, List<NewEvidence> newEvidence,
        Object input) {

    /** A record without a policy input. */
    public DecisionRecord(UUID decisionId, Instant decidedAt, String requester, String source, boolean dryRun,
            String artifactDigest, String artifactName, String artifactTag, boolean allowed, String outcome,
            List<String> policyNames, Object impact, Object request, Object response, List<NewEvidence> newEvidence) {
        this(decisionId, decidedAt, requester, source, dryRun, artifactDigest, artifactName, artifactTag, allowed, outcome,
                policyNames, impact, request, response, newEvidence, null);
    }

    /** The member of the stored response that holds the record's place in the chain. */
    public static final String SEQUENCE = "sequence";

    public DecisionRecord {
        policyNames = List.copyOf(policyNames);
        newEvidence = List.copyOf(newEvidence);
    }

    /** Evidence verified for the first time by this decision, kept for later decisions on the digest. */
    public record NewEvidence(String signatureSha256, String bundleSha256, String bundle, byte[] payload, String kind,
            Object facts, Object trust) {

        public NewEvidence {
            payload = payload == null ? null : payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload == null ? null : payload.clone();
        }
    }

    /**
     * Where the record landed in the chain, and its Merkle leaf hash ({@code SHA-256(0x00 ‖ canonical text)},
     * lower-case hex): the receipt of docs/audit.md, known from the commit alone.
     */
    public record Written(long sequence, String previousHash, String hash, String leafHash) {

        /** The record's leaf index in the decision ledger: {@code sequence − 1}. */
        public long leafIndex() {
            return sequence - 1;
        }
    }
}
