package dev.tollgate.decision;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.DecisionRecord;
import dev.tollgate.audit.StoredEvidence;
import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.evidence.MalformedEvidence;
import dev.tollgate.evidence.VerifiedEvidence;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.registry.RegistryEvidence;
import dev.tollgate.trust.TrustStore;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes a decision: gather and verify the evidence (from the request, kept for the digest, or
 * from an allow-listed registry), select and evaluate the policies, record it, and answer — the
 * record is committed before the answer exists, and the answer is the recorded value at its place
 * in the chain. It orchestrates only: verification, evaluation and recording belong to their
 * packages, and the values a decision is made of are built by {@link AnswerAssembly}.
 * <p>
 * Failures are the modules' own exceptions: {@code MalformedEvidence} and
 * {@link InvalidDecisionRequest} (the request is at fault), {@code RecordingFailed} (nothing was
 * decided).
 */
@Service
public class DecisionService implements Decisions {

    private final EvidenceVerifier verifier;
    private final TrustStore trust;
    private final PolicyCatalog policies;
    private final StoredEvidence stored;
    private final AuditLog audit;
    private final Clock clock;
    private final ObjectMapper json;
    private final DecisionProperties properties;
    private final RegistryEvidence registry;
    private final Cache<String, Optional<EvidenceSubmission>> rereads = Caffeine.newBuilder().maximumSize(10_000).build();

    DecisionService(EvidenceVerifier verifier, TrustStore trust, PolicyCatalog policies, StoredEvidence stored, AuditLog audit,
            Clock clock, ObjectMapper json, DecisionProperties properties, RegistryEvidence registry) {
        this.registry = registry;
        this.verifier = verifier;
        this.trust = trust;
        this.policies = policies;
        this.stored = stored;
        this.audit = audit;
        this.clock = clock;
        this.json = json;
        this.properties = properties;
    }

    @Override
    public Optional<ArtifactRef> resolveTag(String name, String tag) {
        if (!registry.resolvesTags()) {
            return Optional.empty();
        }
        return registry.resolve(name, tag).map(digest -> new ArtifactRef(digest, name, tag));
    }

    @Override
    public List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin) {
        List<DecisionAnswer> unrecorded = new ArrayList<>(requests.size());
        List<DecisionRecord> records = new ArrayList<>(requests.size());
        for (DecisionRequest request : requests) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            UUID id = UuidV7.at(now.toEpochMilli());
            List<Gathered> items = gather(request);
            Input input = AnswerAssembly.input(request.artifact(), request.context(), items, now);
            PolicySelection.Verdict verdict = PolicySelection.decide(request.policies(), policies::activePolicy,
                    request.policies() == null ? policies.activePolicies() : List.of(), input,
                    properties.denyWhenNoPolicyApplies(),
                    () -> policies.activePolicies().stream().map(dev.tollgate.policy.ActivePolicy::name).toList());
            DecisionAnswer answer = AnswerAssembly.answer(id, now, request.artifact(), verdict, items, origin.dryRun());
            unrecorded.add(answer);
            records.add(AnswerAssembly.record(answer, request, items, origin));
        }
        return recorded(unrecorded, audit.appendAll(records));
    }

    @Override
    public List<UUID> recordExempt(List<Exemption> images, Map<String, String> context, String reason, Origin origin) {
        Map<String, String> checked = DecisionRequest.checkedContext(context); // the same limits as any request
        List<DecisionAnswer> unrecorded = new ArrayList<>(images.size());
        List<DecisionRecord> records = new ArrayList<>(images.size());
        for (Exemption image : images) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            DecisionAnswer answer = AnswerAssembly.exempt(UuidV7.at(now.toEpochMilli()), now, image, reason, origin.dryRun());
            unrecorded.add(answer);
            records.add(AnswerAssembly.exemptRecord(answer, checked, origin));
        }
        return recorded(unrecorded, audit.appendAll(records)).stream().map(DecisionAnswer::decisionId).toList();
    }

    /** The answers as recorded: each at the place in the chain the audit log wrote it. */
    private static List<DecisionAnswer> recorded(List<DecisionAnswer> unrecorded, List<DecisionRecord.Written> written) {
        List<DecisionAnswer> answers = new ArrayList<>(unrecorded.size());
        for (int i = 0; i < unrecorded.size(); i++) {
            answers.add(unrecorded.get(i).recorded(written.get(i).sequence()));
        }
        return answers;
    }

    // ---- the evidence ------------------------------------------------------------------------------

    /** The request's items, then the stored ones not already given, else (when there is none) the registry's. */
    private List<Gathered> gather(DecisionRequest request) {
        ArtifactRef artifact = request.artifact();
        List<EvidenceSubmission> submissions = verifier.read(request.evidence()); // MalformedEvidence: a 400
        TrustStore.Snapshot held = trust.current();
        List<Gathered> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < submissions.size(); i++) {
            EvidenceSubmission s = submissions.get(i);
            EvidenceResult result = verifier.verify(s, artifact.digest(), held);
            items.add(new Gathered(i, "request", result, s, s.payload()));
            seen.add(signatureKey(result, s));
        }
        if (request.storedEvidence()) {
            for (StoredEvidence.Key kept : stored.keysForDigest(artifact.digest())) {
                if (seen.contains(kept.signatureSha256())) {
                    continue;
                }
                EvidenceSubmission s = reread(artifact.digest(), kept, items.size());
                if (s == null) {
                    continue;
                }
                items.add(new Gathered(items.size(), "stored", verifier.verify(s, artifact.digest(), held), s, kept.payload()));
                seen.add(kept.signatureSha256());
            }
        }
        if (items.isEmpty() && registry.allowed(artifact.name())) {
            for (JsonNode fetched : registry.fetch(artifact.name(), artifact.digest())) {
                EvidenceSubmission s;
                try {
                    s = verifier.read(items.size(), fetched);
                } catch (MalformedEvidence e) {
                    continue; // what a registry serves is only material; unreadable material is no evidence
                }
                EvidenceResult result = verifier.verify(s, artifact.digest(), held);
                if (seen.add(signatureKey(result, s))) {
                    items.add(new Gathered(items.size(), "registry", result, s, s.payload()));
                }
            }
        }
        return items;
    }

    private static String signatureKey(EvidenceResult result, EvidenceSubmission s) {
        VerifiedEvidence facts = result.verified() != null ? result.verified() : result.observed();
        return facts != null ? facts.signatureSha256() : "bundle:" + s.bundleSha256();
    }

    /** A kept bundle, read again (parsed once per bundle and payload, then from memory). */
    private EvidenceSubmission reread(String digest, StoredEvidence.Key kept, int index) {
        String key = kept.bundleSha256() + "|" + (kept.payload() == null ? "-" : sha256Hex(kept.payload()));
        return rereads.get(key, k -> {
            ObjectNode item = JsonNodeFactory.instance.objectNode();
            item.set("bundle", json.readTree(stored.bundle(digest, kept.signatureSha256())));
            if (kept.payload() != null) {
                item.put("payload", Base64.getEncoder().encodeToString(kept.payload()));
            }
            try {
                return Optional.of(verifier.read(index, item));
            } catch (MalformedEvidence e) {
                return Optional.<EvidenceSubmission>empty(); // kept evidence that no longer parses is ignored
            }
        }).orElse(null);
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
