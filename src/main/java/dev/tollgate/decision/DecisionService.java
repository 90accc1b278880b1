package dev.tollgate.decision;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.audit.DecisionRecord;
import dev.tollgate.audit.StoredEvidence;
import dev.tollgate.db.Deadline;
import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.exceptions.PolicyException;
import dev.tollgate.exceptions.PolicyExceptions;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.evidence.MalformedEvidence;
import dev.tollgate.evidence.VerifiedEvidence;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicySelection;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.registry.RegistryEvidence;
import dev.tollgate.trust.TrustStore;
import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import dev.tollgate.digest.Digest;

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
    private final DecisionMetrics metrics;
    private final VerificationSummaries summaries;
    private final PolicyExceptions exceptions;
    private final Cache<String, Optional<EvidenceSubmission>> rereads = Caffeine.newBuilder().maximumSize(10_000).build();
    /** Prepares the decisions of one call at the same time: bounded threads, a bounded queue, then the caller's thread. */
    private final ExecutorService preparing;

    DecisionService(EvidenceVerifier verifier, TrustStore trust, PolicyCatalog policies, StoredEvidence stored, AuditLog audit,
            Clock clock, ObjectMapper json, DecisionProperties properties, RegistryEvidence registry, DecisionMetrics metrics,
            VerificationSummaries summaries, PolicyExceptions exceptions) {
        this.summaries = summaries;
        this.exceptions = exceptions;
        this.registry = registry;
        this.metrics = metrics;
        this.verifier = verifier;
        this.trust = trust;
        this.policies = policies;
        this.stored = stored;
        this.audit = audit;
        this.clock = clock;
        this.json = json;
        this.properties = properties;
        AtomicInteger threads = new AtomicInteger();
        this.preparing = new ThreadPoolExecutor(properties.prepareThreads(), properties.prepareThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "decision-prepare-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    @Override
    public Optional<ArtifactRef> resolveTag(String name, String tag, Instant deadline) {
        if (!registry.resolvesTags()) {
            return Optional.empty();
        }
        return registry.resolve(name, tag, deadline).map(digest -> new ArtifactRef(digest, name, tag));
    }

    @Override
    public List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin, Instant deadline) {
        return decideAll(requests, origin, deadline, null);
    }

    @Override
    public List<DecisionAnswer> decideAll(List<DecisionRequest> requests, Origin origin, Instant deadline,
            DecisionAnswer.BreakGlass glass) {
        long start = System.nanoTime();
        List<Prepared> prepared = requests.size() == 1
                ? List.of(inTime(requests.get(0), origin, deadline, prepare(requests.get(0), origin, deadline)))
                : prepareTogether(requests, origin, deadline);
        if (glass != null) {
            prepared = prepared.stream().map(p -> p.answer().allowed() ? p : brokenGlass(p, glass)).toList();
        }
        List<DecisionRecord.Written> written = audit.appendAll(prepared.stream().map(Prepared::record).toList());
        return metrics.recorded(recorded(prepared.stream().map(Prepared::answer).toList(), written), origin.source(),
                origin.dryRun(), start);
    }

    /** A decision made but not yet recorded. */
    private record Prepared(DecisionAnswer answer, DecisionRecord record) {
    }

    /** A refused decision admitted by break-glass, its record with it. */
    private static Prepared brokenGlass(Prepared refused, DecisionAnswer.BreakGlass glass) {
        DecisionAnswer admitted = refused.answer().brokenGlass(glass);
        return new Prepared(admitted, AnswerAssembly.brokenGlass(refused.record(), admitted));
    }

    private Prepared prepare(DecisionRequest request, Origin origin, Instant deadline) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        UUID id = UuidV7.at(now.toEpochMilli());
        List<Gathered> items = gather(request, deadline);
        Input input = AnswerAssembly.input(request.artifact(), request.context(), items, now);
        PolicySelection.Verdict verdict = PolicySelection.decide(request.policies(), policies::activePolicy,
                request.policies() == null ? policies.activePolicies() : List.of(), input, properties.denyWhenNoPolicyApplies(),
                () -> policies.activePolicies().stream().map(dev.tollgate.policy.ActivePolicy::name).toList());
        Map<String, PolicyException> applied = new LinkedHashMap<>();
        verdict = excepted(verdict, request.artifact(), now, applied);
        DecisionAnswer answer = AnswerAssembly.answer(id, now, request.artifact(), verdict, applied, items, origin.dryRun());
        return new Prepared(answer, AnswerAssembly.record(answer, request, items, origin, input));
    }

    /**
     * The verdict with the failures that governed exceptions waive at the decision time turned into
     * warnings (docs/exceptions.md); {@code applied} receives the exceptions that waived any. Asked
     * only when a rule failed; when the exceptions cannot be read, none applies.
     */
    private PolicySelection.Verdict excepted(PolicySelection.Verdict verdict, ArtifactRef artifact, Instant now,
            Map<String, PolicyException> applied) {
        if (!PolicySelection.hasWaivableFailures(verdict)) {
            return verdict;
        }
        return Waiving.waive(verdict, exceptions.applicable(artifact.digest(), artifact.name(), now), applied);
    }

    /**
     * The requests prepared at the same time on the bounded pool, each within the deadline and
     * the calling request's database deadline; each answered in order.
     */
    private List<Prepared> prepareTogether(List<DecisionRequest> requests, Origin origin, Instant deadline) {
        Deadline database = Deadline.current();
        List<Future<Prepared>> running = new ArrayList<>(requests.size());
        for (DecisionRequest request : requests) {
            Callable<Prepared> work = () -> prepare(request, origin, deadline);
            running.add(preparing.submit(database == null ? work : () -> database.run(work)));
        }
        List<Prepared> prepared = new ArrayList<>(requests.size());
        try {
            for (int i = 0; i < requests.size(); i++) {
                Future<Prepared> future = running.get(i);
                Prepared p;
                try {
                    p = deadline == null ? future.get()
                            : future.get(Math.max(0, Duration.between(clock.instant(), deadline).toNanos()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    future.cancel(true);
                    p = null;
                }
                prepared.add(inTime(requests.get(i), origin, deadline, p));
            }
            return prepared;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure; // MalformedEvidence, InvalidDecisionRequest, a database failure: the whole call fails
            }
            throw new IllegalStateException("preparing a decision failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing decisions", e);
        } finally {
            running.forEach(f -> f.cancel(true));
        }
    }

    /**
     * The prepared decision, or — when it was not ready by the deadline (its evidence may have
     * been cut short) — a refusal that says so, recorded like any decision. Fails closed.
     */
    private Prepared inTime(DecisionRequest request, Origin origin, Instant deadline, Prepared prepared) {
        if (deadline == null || (prepared != null && !clock.instant().isAfter(deadline))) {
            return prepared;
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        DecisionAnswer answer = AnswerAssembly.unprepared(UuidV7.at(now.toEpochMilli()), now, request.artifact(), NOT_IN_TIME,
                origin.dryRun());
        return new Prepared(answer, AnswerAssembly.record(answer, request, List.of(), origin));
    }

    /** The reason of a decision whose evidence could not be gathered and verified before its deadline. */
    public static final String NOT_IN_TIME = "not decided in time: the evidence could not be gathered and verified before the"
            + " deadline; nothing is admitted undecided";

    @PreDestroy
    void stop() {
        preparing.shutdownNow();
    }

    @Override
    public List<UUID> recordExempt(List<Exemption> images, Map<String, String> context, String reason, Origin origin) {
        long start = System.nanoTime();
        Map<String, String> checked = DecisionRequest.checkedContext(context); // the same limits as any request
        List<DecisionAnswer> unrecorded = new ArrayList<>(images.size());
        List<DecisionRecord> records = new ArrayList<>(images.size());
        for (Exemption image : images) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            DecisionAnswer answer = AnswerAssembly.exempt(UuidV7.at(now.toEpochMilli()), now, image, reason, origin.dryRun());
            unrecorded.add(answer);
            records.add(AnswerAssembly.exemptRecord(answer, checked, origin));
        }
        return metrics.recorded(recorded(unrecorded, audit.appendAll(records)), origin.source(), origin.dryRun(), start).stream()
                .map(DecisionAnswer::decisionId).toList();
    }

    /**
     * The answers as recorded: each at the place in the chain the audit log wrote it, with its
     * receipt, and its signed VSA (which names the log index, so it is made after the commit).
     */
    private List<DecisionAnswer> recorded(List<DecisionAnswer> unrecorded, List<DecisionRecord.Written> written) {
        List<DecisionAnswer> answers = new ArrayList<>(unrecorded.size());
        for (int i = 0; i < unrecorded.size(); i++) {
            DecisionRecord.Written w = written.get(i);
            answers.add(summaries.sign(unrecorded.get(i).recorded(w.sequence(),
                    new DecisionAnswer.Receipt(w.sequence(), w.leafIndex(), w.leafHash(), summaries.origin()))));
        }
        return answers;
    }

    // ---- the evidence ------------------------------------------------------------------------------

    @Override
    public List<Reevaluation> underActivePolicies(ArtifactRef artifact, List<Map<String, String>> contexts) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<Gathered> items = gather(new DecisionRequest(artifact, Map.of(), null, null, true), null, false);
        int verified = (int) items.stream().filter(i -> i.result().ok()).count();
        List<Reevaluation> verdicts = new ArrayList<>(contexts.size());
        for (Map<String, String> context : contexts) {
            Map<String, String> checked = DecisionRequest.checkedContext(context);
            Input input = AnswerAssembly.input(artifact, checked, items, now);
            PolicySelection.Verdict verdict = PolicySelection.decide(null, policies::activePolicy, policies.activePolicies(), input,
                    properties.denyWhenNoPolicyApplies(),
                    () -> policies.activePolicies().stream().map(dev.tollgate.policy.ActivePolicy::name).toList());
            DecisionAnswer answer = AnswerAssembly.answer(UuidV7.at(now.toEpochMilli()), now, artifact, verdict, items, false);
            verdicts.add(new Reevaluation(answer.allowed(), answer.outcome(), answer.refusals(), answer.warnings(),
                    answer.policies().stream().map(p -> new Reevaluation.Policy(p.name(), p.version(), p.mode(), p.outcome())).toList(),
                    items.size(), verified, now));
        }
        return verdicts;
    }

    /** The request's items, then the stored ones not already given, else (when there is none) the registry's. */
    private List<Gathered> gather(DecisionRequest request, Instant deadline) {
        return gather(request, deadline, true);
    }

    /** As {@link #gather(DecisionRequest, Instant)}; the registry only if {@code fromRegistry}. */
    private List<Gathered> gather(DecisionRequest request, Instant deadline, boolean fromRegistry) {
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
        if (fromRegistry && items.isEmpty() && registry.allowed(artifact.name())) {
            for (JsonNode fetched : registry.fetch(artifact.name(), artifact.digest(), deadline)) {
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
        String key = kept.bundleSha256() + "|" + (kept.payload() == null ? "-" : Digest.sha256(kept.payload()).hex());
        return rereads.get(key, k -> {
            try {
                return Optional.of(verifier.readKept(index, stored.bundle(digest, kept.signatureSha256()), kept.payload()));
            } catch (MalformedEvidence e) {
                return Optional.<EvidenceSubmission>empty(); // kept evidence that no longer parses is ignored
            }
        }).orElse(null);
    }
}
