package dev.tollgate.decision;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.DecisionRecord;
import dev.tollgate.audit.RecordingFailed;
import dev.tollgate.audit.StoredEvidence;
import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.evidence.MalformedEvidence;
import dev.tollgate.evidence.Signer;
import dev.tollgate.evidence.VerifiedEvidence;
import dev.tollgate.evidence.intoto.Provenance;
import dev.tollgate.evidence.intoto.Statement;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicyInputs;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.eval.EvidenceItem;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Mode;
import dev.tollgate.policy.eval.RuleResult;
import dev.tollgate.registry.RegistryEvidence;
import dev.tollgate.trust.TrustStore;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes a decision: verify the evidence (from the request, and kept for the digest), select and
 * evaluate the policies, and record it — the record is committed before the answer exists. It
 * orchestrates only: verification, evaluation and recording belong to their packages.
 */
@Service
public class DecisionService {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final EvidenceVerifier verifier;
    private final TrustStore trust;
    private final PolicyCatalog policies;
    private final StoredEvidence stored;
    private final AuditLog audit;
    private final Clock clock;
    private final ObjectMapper json;
    private final DecisionProperties properties;
    private final RegistryEvidence registry;
    private final com.github.benmanes.caffeine.cache.Cache<String, java.util.Optional<EvidenceSubmission>> rereads =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000).build();

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

    /** Where a decision came from, for the record. */
    public record Origin(String requester, String source, boolean dryRun) {
    }

    /** One evidence item in the decision's list. */
    record Item(int index, String source, EvidenceResult result, EvidenceSubmission submission, byte[] payload) {
    }

    /** {@code name:tag} resolved to a digest through an allow-listed registry, when tag resolution is enabled. */
    public Optional<ArtifactRef> resolveTag(String name, String tag) {
        if (!registry.resolvesTags()) {
            return Optional.empty();
        }
        return registry.resolve(name, tag).map(digest -> new ArtifactRef(digest, name, tag));
    }

    public Decision decide(DecisionRequest request, Origin origin) {
        return decideAll(List.of(request), origin).get(0);
    }

    /**
     * Several decisions recorded together (one commit for all, as for the images of one
     * admission review); answered only once all are recorded, and none if recording fails.
     */
    public List<Decision> decideAll(List<DecisionRequest> requests, Origin origin) {
        List<Prepared> prepared = new ArrayList<>(requests.size());
        for (DecisionRequest request : requests) {
            prepared.add(prepare(request, origin));
        }
        List<DecisionRecord.Written> written;
        try {
            written = audit.appendAll(prepared.stream().map(Prepared::record).toList());
        } catch (RecordingFailed e) {
            throw notRecorded(e);
        }
        List<Decision> decisions = new ArrayList<>(prepared.size());
        for (int i = 0; i < prepared.size(); i++) {
            Prepared p = prepared.get(i);
            p.response().put("sequence", written.get(i).sequence());
            decisions.add(new Decision(p.record().decisionId(), p.response(), p.verdict().allowed(), p.verdict().outcome(),
                    refusals(p.verdict()), p.verdict().warnings()));
        }
        return decisions;
    }

    private record Prepared(DecisionRecord record, ObjectNode response, PolicySelection.Verdict verdict) {
    }

    /** 503 when the audit log is unavailable (retry later); 400 when the record itself cannot be stored (retrying will not help). */
    private static ApiException notRecorded(RecordingFailed e) {
        if (e.unstorable()) {
            return new ApiException(ProblemType.BAD_REQUEST, "the decision cannot be recorded, so it was not made: " + e.getMessage());
        }
        return new ApiException(ProblemType.SERVICE_UNAVAILABLE, "the decision could not be recorded, so it was not made; retry later");
    }

    /** An image admitted without a decision because its namespace is exempt by configuration. */
    public record Exemption(String digest, String name, String tag) {
        public Exemption {
            if (digest != null && !ArtifactRef.DIGEST.matches(digest)) {
                throw new InvalidDecisionRequest("the digest must be sha256: followed by 64 lowercase hex digits");
            }
            InvalidDecisionRequest.checked(name, "the image name", ArtifactRef.MAX_LENGTH);
            InvalidDecisionRequest.checked(tag, "the image tag", ArtifactRef.MAX_LENGTH);
        }
    }

    /**
     * Records images admitted without policy (outcome {@code exempt}, allowed, no policy, the
     * reason), all in one commit, and answers their ids; like any decision, nothing is answered
     * unless it is recorded. An image given by tag only is recorded without a digest.
     */
    public List<UUID> recordExempt(List<Exemption> images, Map<String, String> context, String reason, Origin origin) {
        List<DecisionRecord> records = new ArrayList<>(images.size());
        ObjectNode requestRecord = NODES.objectNode();
        ObjectNode recordedContext = requestRecord.putObject("context");
        new java.util.TreeMap<>(DecisionRequest.checkedContext(context)).forEach(recordedContext::put); // the same limits
        requestRecord.putArray("evidence");
        for (Exemption image : images) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            UUID id = UuidV7.at(now.toEpochMilli());
            ObjectNode r = NODES.objectNode();
            r.put("decisionId", id.toString());
            r.put("allowed", true);
            r.put("outcome", "exempt");
            r.put("reason", reason);
            r.put("decidedAt", now.toString());
            ObjectNode a = r.putObject("artifact");
            if (image.digest() != null) {
                a.put("digest", image.digest());
            }
            if (image.name() != null) {
                a.put("name", image.name());
            }
            if (image.tag() != null) {
                a.put("tag", image.tag());
            }
            r.putArray("policies");
            r.putArray("evidence");
            r.putArray("warnings").add(reason);
            if (origin.dryRun()) {
                r.put("dryRun", true);
            }
            records.add(new DecisionRecord(id, now, origin.requester(), origin.source(), origin.dryRun(), image.digest(),
                    image.name(), image.tag(), true, "exempt", List.of(), NODES.arrayNode(), requestRecord.deepCopy(), r,
                    List.of()));
        }
        try {
            audit.appendAll(records);
        } catch (RecordingFailed e) {
            throw notRecorded(e);
        }
        return records.stream().map(DecisionRecord::decisionId).toList();
    }

    private Prepared prepare(DecisionRequest request, Origin origin) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        UUID id = UuidV7.at(now.toEpochMilli());
        ArtifactRef artifact = request.artifact();

        List<EvidenceSubmission> submissions;
        try {
            submissions = verifier.read(request.evidence());
        } catch (MalformedEvidence e) {
            throw new ApiException(ProblemType.BAD_REQUEST, e.getMessage(), Map.of("code", e.code(), "index", e.index()));
        }
        TrustStore.Snapshot held = trust.current();
        List<Item> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < submissions.size(); i++) {
            EvidenceSubmission s = submissions.get(i);
            EvidenceResult result = verifier.verify(s, artifact.digest(), held);
            items.add(new Item(i, "request", result, s, s.payload()));
            seen.add(signatureKey(result, s));
        }
        if (request.storedEvidence()) {
            for (StoredEvidence.Key kept : stored.keysForDigest(artifact.digest())) {
                if (seen.contains(kept.signatureSha256())) {
                    continue;
                }
                EvidenceSubmission s = reread(artifact.digest(), kept, items.size());
                EvidenceResult result = s == null ? null : verifier.verify(s, artifact.digest(), held);
                if (result == null) {
                    continue;
                }
                items.add(new Item(items.size(), "stored", result, s, kept.payload()));
                seen.add(kept.signatureSha256());
            }
        }

        if (items.isEmpty() && registry.allowed(artifact.name())) {
            List<JsonNode> fetched = registry.fetch(artifact.name(), artifact.digest());
            for (JsonNode item : fetched) {
                EvidenceSubmission s;
                try {
                    s = verifier.read(items.size(), item);
                } catch (MalformedEvidence e) {
                    continue; // what a registry serves is only material; unreadable material is no evidence
                }
                EvidenceResult result = verifier.verify(s, artifact.digest(), held);
                if (seen.add(signatureKey(result, s))) {
                    items.add(new Item(items.size(), "registry", result, s, s.payload()));
                }
            }
        }

        Input input = input(artifact, request.context(), items, now);
        PolicySelection.Verdict verdict = PolicySelection.decide(request.policies(), policies::activePolicy,
                request.policies() == null ? policies.activePolicies() : List.of(), input, properties.denyWhenNoPolicyApplies(),
                () -> policies.activePolicies().stream().map(dev.tollgate.policy.ActivePolicy::name).toList());

        ObjectNode response = response(id, now, artifact, verdict, items);
        if (origin.dryRun()) {
            response.put("dryRun", true);
        }
        DecisionRecord record = new DecisionRecord(id, now, origin.requester(), origin.source(), origin.dryRun(),
                artifact.digest(), artifact.name(), artifact.tag(), verdict.allowed(), verdict.outcome(),
                verdict.policies().stream().map(c -> c.policy().name()).distinct().toList(), impact(items),
                requestRecord(request, items), response, origin.dryRun() ? List.of() : newEvidence(items));
        return new Prepared(record, response, verdict);
    }

    private static String signatureKey(EvidenceResult result, EvidenceSubmission s) {
        VerifiedEvidence facts = result.verified() != null ? result.verified() : result.observed();
        return facts != null ? facts.signatureSha256() : "bundle:" + s.bundleSha256();
    }

    /** A kept bundle, read again (parsed once per bundle and payload, then from memory). */
    private EvidenceSubmission reread(String digest, StoredEvidence.Key kept, int index) {
        String key = kept.bundleSha256() + "|" + (kept.payload() == null ? "-" : sha256Hex(kept.payload()));
        return rereads.get(key, k -> {
            ObjectNode item = NODES.objectNode();
            item.set("bundle", json.readTree(stored.bundle(digest, kept.signatureSha256())));
            if (kept.payload() != null) {
                item.put("payload", Base64.getEncoder().encodeToString(kept.payload()));
            }
            try {
                return java.util.Optional.of(verifier.read(index, item));
            } catch (MalformedEvidence e) {
                return java.util.Optional.<EvidenceSubmission>empty(); // kept evidence that no longer parses is ignored
            }
        }).orElse(null);
    }

    // ---- the policy input ------------------------------------------------------------------------

    static Input input(ArtifactRef artifact, Map<String, String> context, List<Item> items, Instant now) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("digest", artifact.digest());
        if (artifact.name() != null) {
            a.put("name", artifact.name());
        }
        if (artifact.tag() != null) {
            a.put("tag", artifact.tag());
        }
        List<Object> signatures = new ArrayList<>();
        List<Object> attestations = new ArrayList<>();
        for (Item item : items) {
            VerifiedEvidence v = item.result().verified();
            if (v == null) {
                continue;
            }
            if (v.isAttestation()) {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("predicateType", v.predicateType());
                facts.put("predicate", PolicyInputs.value(v.predicate()));
                facts.put("signer", signer(v.signer()));
                List<Object> subjects = new ArrayList<>();
                for (Statement.Subject subject : v.subjects()) {
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("name", subject.name());
                    if (subject.sha256() != null) {
                        s.put("digest", subject.sha256());
                    }
                    subjects.add(s);
                }
                facts.put("subjects", subjects);
                attestations.add(new EvidenceItem(facts, item.index()));
            } else {
                signatures.add(new EvidenceItem(signer(v.signer()), item.index()));
            }
        }
        return new Input(a, new LinkedHashMap<>(context), signatures, attestations, now);
    }

    private static Map<String, Object> signer(Signer s) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("kind", s.kind());
        putIfPresent(facts, "issuer", s.issuer());
        putIfPresent(facts, "subject", s.subject());
        putIfPresent(facts, "key", s.key());
        facts.put("trustRoot", s.trustRoot());
        facts.put("trustRoots", List.copyOf(s.trustRoots()));
        if (s.integratedTime() != null) {
            facts.put("integratedTime", s.integratedTime());
        }
        if (s.cert() != null) {
            facts.put("cert", Map.copyOf(s.cert()));
        }
        facts.put("timestampedBy", List.copyOf(s.timestampedBy()));
        facts.put("transparencyLog", s.transparencyLog());
        return facts;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    // ---- the answer and the record -----------------------------------------------------------------

    static ObjectNode response(UUID id, Instant now, ArtifactRef artifact, PolicySelection.Verdict verdict, List<Item> items) {
        ObjectNode r = NODES.objectNode();
        r.put("decisionId", id.toString());
        r.put("allowed", verdict.allowed());
        r.put("outcome", verdict.outcome());
        if (verdict.reason() != null) {
            r.put("reason", verdict.reason());
        }
        r.put("decidedAt", now.toString());
        ObjectNode a = r.putObject("artifact");
        a.put("digest", artifact.digest());
        if (artifact.name() != null) {
            a.put("name", artifact.name());
        }
        if (artifact.tag() != null) {
            a.put("tag", artifact.tag());
        }
        ArrayNode list = r.putArray("policies");
        for (PolicySelection.Considered c : verdict.policies()) {
            ObjectNode p = list.addObject();
            p.put("name", c.policy().name());
            p.put("version", c.policy().version());
            p.put("sha256", c.policy().sha256());
            p.put("mode", c.mode().id());
            p.put("outcome", c.outcome().id());
            if (c.reason() != null) {
                p.put("reason", c.reason());
            }
            ArrayNode rules = p.putArray("rules");
            for (RuleResult rule : c.result().rules()) {
                ObjectNode n = rules.addObject();
                n.put("name", rule.name());
                n.put("outcome", rule.outcome());
                if (!rule.evidence().isEmpty()) {
                    ArrayNode e = n.putArray("evidence");
                    rule.evidence().forEach(e::add);
                }
                if (rule.message() != null) {
                    n.put("message", rule.message());
                }
                if (rule.reason() != null) {
                    n.put("reason", rule.reason());
                }
                if (rule.effective() != null) {
                    n.put("effective", rule.effective().toString());
                }
            }
        }
        ArrayNode evidence = r.putArray("evidence");
        for (Item item : items) {
            evidence.add(evidenceEntry(item));
        }
        ArrayNode warnings = r.putArray("warnings");
        verdict.warnings().forEach(warnings::add);
        return r;
    }

    private static ObjectNode evidenceEntry(Item item) {
        ObjectNode e = NODES.objectNode();
        e.put("index", item.index());
        e.put("source", item.source());
        EvidenceResult result = item.result();
        e.put("verified", result.ok());
        e.put("bundleSha256", result.bundleSha256());
        VerifiedEvidence facts = result.ok() ? result.verified() : result.observed();
        if (facts != null) {
            describe(e, facts);
        }
        if (!result.ok()) {
            e.put("code", result.failure().code());
            e.put("reason", result.failure().detail());
        }
        if (!result.trace().isEmpty()) {
            ArrayNode trace = e.putArray("trace");
            for (EvidenceResult.Trace step : result.trace()) {
                ObjectNode t = trace.addObject().put("material", step.material()).put("outcome", step.outcome());
                if (step.code() != null) {
                    t.put("code", step.code());
                }
                if (step.reason() != null) {
                    t.put("reason", step.reason());
                }
            }
        }
        return e;
    }

    private static void describe(ObjectNode e, VerifiedEvidence facts) {
        e.put("kind", facts.kind());
        ObjectNode identity = e.putObject("identity");
        Signer s = facts.signer();
        identity.put("kind", s.kind());
        if (s.issuer() != null) {
            identity.put("issuer", s.issuer());
        }
        if (s.subject() != null) {
            identity.put("subject", s.subject());
        }
        if (s.key() != null) {
            identity.put("key", s.key());
        }
        ArrayNode roots = e.putArray("trustRoots");
        s.trustRoots().forEach(roots::add);
        if (s.integratedTime() != null) {
            e.put("integratedTime", s.integratedTime().toString());
        }
        if (facts.predicateType() != null) {
            e.put("predicateType", facts.predicateType());
        }
        String builder = Provenance.builderId(facts.predicateType(), facts.predicate());
        if (builder != null) {
            e.put("builderId", builder);
        }
        if (s.cert() != null && s.cert().get("sourceRepositoryUri") != null) {
            e.put("sourceRepository", s.cert().get("sourceRepositoryUri"));
        }
        ArrayNode trustUsed = e.putArray("trust");
        for (VerifiedEvidence.TrustUse use : facts.trust()) {
            ObjectNode t = trustUsed.addObject();
            t.put("name", use.name());
            t.put("kind", use.kind());
            t.put("sha256", use.sha256());
        }
    }

    /** For the impact queries: one object per verified item used, whether or not a rule used it. */
    private static ArrayNode impact(List<Item> items) {
        ArrayNode impact = NODES.arrayNode();
        for (Item item : items) {
            VerifiedEvidence v = item.result().verified();
            if (v == null) {
                continue;
            }
            ObjectNode i = impact.addObject();
            Signer s = v.signer();
            if (s.subject() != null) {
                i.put("subject", s.subject());
            }
            if (s.issuer() != null) {
                i.put("issuer", s.issuer());
            }
            if (s.key() != null) {
                i.put("key", s.key());
            }
            String builder = Provenance.builderId(v.predicateType(), v.predicate());
            if (builder != null) {
                i.put("builderId", builder);
            }
            if (s.cert() != null && s.cert().get("sourceRepositoryUri") != null) {
                i.put("sourceRepository", s.cert().get("sourceRepositoryUri"));
            }
        }
        return impact;
    }

    private ObjectNode requestRecord(DecisionRequest request, List<Item> items) {
        ObjectNode r = NODES.objectNode();
        ObjectNode context = r.putObject("context");
        request.context().forEach(context::put);
        if (request.policies() != null) {
            ArrayNode named = r.putArray("policies");
            request.policies().forEach(named::add);
        }
        r.put("storedEvidence", request.storedEvidence());
        ArrayNode evidence = r.putArray("evidence");
        for (Item item : items) {
            ObjectNode e = evidence.addObject();
            e.put("index", item.index());
            e.put("source", item.source());
            e.put("bundleSha256", item.result().bundleSha256());
            if (item.payload() != null) {
                e.put("payloadSha256", sha256Hex(item.payload()));
            }
            e.put("verified", item.result().ok());
            if (!item.result().ok()) {
                e.put("code", item.result().failure().code());
            }
        }
        return r;
    }

    private List<DecisionRecord.NewEvidence> newEvidence(List<Item> items) {
        List<DecisionRecord.NewEvidence> fresh = new ArrayList<>();
        for (Item item : items) {
            VerifiedEvidence v = item.result().verified();
            if (v == null || "stored".equals(item.source())) {
                continue;
            }
            ObjectNode facts = NODES.objectNode();
            describe(facts, v);
            if (v.isAttestation()) {
                ArrayNode subjects = facts.putArray("subjects");
                v.subjects().forEach(s -> subjects.addObject().put("name", s.name()).put("digest", s.sha256()));
            }
            fresh.add(new DecisionRecord.NewEvidence(v.signatureSha256(), item.result().bundleSha256(),
                    item.submission().bundleJson(), item.payload(), v.kind(), facts, facts.get("trust")));
        }
        return fresh;
    }

    static List<String> refusals(PolicySelection.Verdict verdict) {
        List<String> refusals = new ArrayList<>();
        if (verdict.reason() != null) {
            refusals.add(verdict.reason());
        }
        for (PolicySelection.Considered c : verdict.policies()) {
            if (c.mode() != Mode.ENFORCE || c.outcome() != dev.tollgate.policy.eval.Outcome.DENY) {
                continue;
            }
            if (c.reason() != null) {
                refusals.add(PolicySelection.singleLine(c.policy().name() + ": " + c.reason()));
            }
            for (RuleResult rule : c.result().rules()) {
                if (rule.enforcedFailure()) {
                    refusals.add(PolicySelection.singleLine(c.policy().name() + "/" + rule.name() + ": "
                            + (rule.message() != null ? rule.message() : rule.reason())));
                }
            }
        }
        return refusals;
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
