package dev.tollgate.decision;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.tollgate.audit.DecisionInputs;
import dev.tollgate.audit.StoredEvidence;
import dev.tollgate.evidence.EvidenceResult;
import dev.tollgate.evidence.EvidenceSubmission;
import dev.tollgate.evidence.EvidenceVerifier;
import dev.tollgate.evidence.MalformedEvidence;
import dev.tollgate.exceptions.PolicyException;
import dev.tollgate.exceptions.PolicyExceptions;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustStore;
import dev.tollgate.policy.ActivePolicy;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicyVersionInfo;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Mode;
import dev.tollgate.policy.eval.Outcome;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.policy.eval.RuleResult;
import dev.tollgate.web.ApiException;
import jakarta.annotation.PreDestroy;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import dev.tollgate.digest.Digest;

/**
 * Replay over history (docs/policy-authoring.md, "Replay"): the recorded decisions in which a
 * policy took part, re-evaluated from the policy input each was made on (kept since V21) with a
 * candidate version of that policy in place of the one that decided — the other policies of each
 * decision keep their recorded outcomes, and the decision's outcome is combined again by §6.
 * The decisions that selected their policies without this one (it was not active, or its
 * {@code applies when} was false) are evaluated too, and reported when the candidate applies to
 * them ({@code newlyApplies}). The governed exceptions in force at each decision's time waive
 * the candidate's failures as in a live decision ({@link Waiving}). With {@code trust}, the kept
 * bundles a decision used are verified again against the trust held now (less the materials
 * named), and the input is built from what still verifies.
 * Nothing is written. A replay is bounded by its window, its count and
 * {@code tollgate.replay.max-duration}, and stops when its client goes away.
 */
@Service
public class Replays {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Why a decision recorded before inputs were kept cannot be replayed. */
    static final String BEFORE_INPUTS = "recorded before policy inputs were kept (schema V21)";
    static final String NOT_EVALUATED = "no policy input: the decision evaluated no policy";

    private final DecisionInputs inputs;
    private final PolicyCatalog catalog;
    private final ReplayProperties properties;
    private final DecisionProperties decisions;
    private final Clock clock;
    /** Decisions re-evaluated by every replay of this process (a test watches it stop when the client goes away). */
    final AtomicLong evaluated = new AtomicLong();
    /** A test's hook, run before each decision is replayed. */
    volatile Runnable beforeEach;

    private final tools.jackson.databind.ObjectMapper json;
    /** Null in the benchmark (built without Spring): no exceptions, no trust replay. */
    private final PolicyExceptions exceptions;
    private final StoredEvidence stored;
    private final EvidenceVerifier verifier;
    private final TrustStore trust;

    Replays(DecisionInputs inputs, PolicyCatalog catalog, ReplayProperties properties, DecisionProperties decisions, Clock clock,
            tools.jackson.databind.ObjectMapper json) {
        this(inputs, catalog, properties, decisions, clock, json, null, null, null, null);
    }

    @Autowired
    Replays(DecisionInputs inputs, PolicyCatalog catalog, ReplayProperties properties, DecisionProperties decisions, Clock clock,
            tools.jackson.databind.ObjectMapper json, PolicyExceptions exceptions, StoredEvidence stored, EvidenceVerifier verifier,
            TrustStore trust) {
        this.exceptions = exceptions;
        this.stored = stored;
        this.verifier = verifier;
        this.trust = trust;
        this.json = json;
        this.inputs = inputs;
        this.catalog = catalog;
        this.properties = properties;
        this.decisions = decisions;
        this.clock = clock;
    }

    /** A replay asked for and checked: the candidate compiled, the window and the count within their bounds. */
    public record Plan(String policy, Program candidate, String sha256, Integer version, Instant since, Instant until, int limit,
            Instant asOf, boolean changedOnly, TrustChange trust) {

        /** A replay from the kept inputs, the trust of their time. */
        public Plan(String policy, Program candidate, String sha256, Integer version, Instant since, Instant until, int limit,
                Instant asOf, boolean changedOnly) {
            this(policy, candidate, sha256, version, since, until, limit, asOf, changedOnly, null);
        }
    }

    /**
     * A replay that verifies the kept evidence again: against {@code snapshot}, the trust held when
     * the replay was asked for less the roots and keys named in {@code without}.
     */
    public record TrustChange(TrustStore.Snapshot snapshot, List<String> without) {
    }

    /** Reads and checks a replay request; every fault is a 400 (a stored version that does not exist a 404). */
    public Plan plan(String name, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        for (String field : body.propertyNames()) {
            if (!List.of("source", "version", "since", "until", "limit", "asOf", "changedOnly", "trust").contains(field)) {
                throw ApiException.badRequest("unknown field '" + field + "'; a replay takes source or version, since, until,"
                        + " limit, asOf, changedOnly, trust");
            }
        }
        TrustChange trustChange = body.has("trust") ? trustChange(body.get("trust")) : null;
        JsonNode source = body.get("source");
        JsonNode version = body.get("version");
        if (source != null && version != null || source == null && version == null && trustChange == null) {
            throw ApiException.badRequest("a replay takes either source (the candidate's text) or version (a stored version);"
                    + " with trust, neither replays the active version");
        }
        Program candidate;
        String sha256;
        Integer stored = null;
        if (source != null) {
            if (!source.isString()) {
                throw ApiException.badRequest("source must be the candidate policy's text, as a string");
            }
            candidate = catalog.compileOrThrow(source.stringValue());
            sha256 = Digest.sha256(source.stringValue()).hex();
        } else if (version == null) {
            ActivePolicy active = catalog.activePolicy(name)
                    .orElseThrow(() -> ApiException.notFound("no active policy '" + name + "' to replay under a trust change"));
            candidate = active.program();
            sha256 = active.sha256();
            stored = active.version();
        } else {
            if (!version.isInt() || version.intValue() < 1) {
                throw ApiException.badRequest("version must be a stored version's number");
            }
            PolicyVersionInfo info = catalog.version(name, version.intValue()); // 404 if it does not exist
            candidate = catalog.compileOrThrow(info.source());
            sha256 = info.sha256();
            stored = info.version();
        }
        if (!candidate.name().equals(name)) {
            throw ApiException.badRequest("the candidate is policy '" + candidate.name() + "', not '" + name + "'");
        }
        Instant until = body.has("until") ? time(body.get("until"), "until") : clock.instant();
        Instant since = body.has("since") ? time(body.get("since"), "since") : until.minus(properties.defaultWindow());
        if (!since.isBefore(until)) {
            throw ApiException.badRequest("since must be before until");
        }
        if (Duration.between(since, until).compareTo(properties.maxWindow()) > 0) {
            throw ApiException.badRequest("the window may be at most " + properties.maxWindow().toDays() + " days"
                    + " (tollgate.replay.max-window)");
        }
        int limit = properties.defaultLimit();
        if (body.has("limit")) {
            JsonNode l = body.get("limit");
            if (!l.isInt() || l.intValue() < 1 || l.intValue() > properties.maxLimit()) {
                throw ApiException.badRequest("limit must be a whole number from 1 to " + properties.maxLimit());
            }
            limit = l.intValue();
        }
        Instant asOf = body.has("asOf") ? time(body.get("asOf"), "asOf") : null;
        boolean changedOnly = false;
        if (body.has("changedOnly")) {
            if (!body.get("changedOnly").isBoolean()) {
                throw ApiException.badRequest("changedOnly must be true or false");
            }
            changedOnly = body.get("changedOnly").booleanValue();
        }
        return new Plan(name, candidate, sha256, stored, since, until, limit, asOf, changedOnly, trustChange);
    }

    /** {@code {"without": [names…]}} (or {@code {}}): the trust held now, less the roots and keys named. */
    private TrustChange trustChange(JsonNode t) {
        if (trust == null || stored == null || verifier == null) {
            throw ApiException.badRequest("replaying a trust change is not available here");
        }
        if (!t.isObject()) {
            throw ApiException.badRequest("trust must be an object: {} (the trust held now) or {\"without\": [names of roots"
                    + " or keys]}");
        }
        for (String field : t.propertyNames()) {
            if (!field.equals("without")) {
                throw ApiException.badRequest("unknown field 'trust." + field + "'; trust takes without (names of the trusted roots"
                        + " and keys to leave out); to try a new root or key, add it and replay without the old one");
            }
        }
        TrustStore.Snapshot held = trust.current();
        List<String> without = new ArrayList<>();
        JsonNode w = t.get("without");
        if (w != null) {
            if (!w.isArray() || w.size() > 100) {
                throw ApiException.badRequest("trust.without must be an array of at most 100 names of trusted roots or keys");
            }
            for (JsonNode n : w) {
                if (!n.isString() || held.find(n.stringValue()).isEmpty()) {
                    throw ApiException.badRequest("trust.without names the trusted roots and keys held: no root or key named "
                            + n);
                }
                if (!without.contains(n.stringValue())) {
                    without.add(n.stringValue());
                }
            }
        }
        List<TrustMaterial> kept = held.materials().stream().filter(m -> !without.contains(m.name())).toList();
        return new TrustChange(without.isEmpty() ? held : TrustStore.Snapshot.of(kept), List.copyOf(without));
    }

    private static Instant time(JsonNode node, String field) {
        if (!node.isString()) {
            throw ApiException.badRequest(field + " must be an RFC 3339 date-time string");
        }
        return dev.tollgate.web.Rfc3339.parameter(node.stringValue(), field);
    }

    /**
     * Runs the plan: one line per decision to {@code emit} (all, or only the changed ones), then the
     * summary, which it also returns. Stops early when {@code cancelled} says so, at the count, or
     * past {@code max-duration}; the summary says which.
     */
    /**
     * The candidate of {@code plan} against one recorded decision, on its kept policy input, as one
     * replay line (the plan's window and limit are not used; the exceptions are those in force at the
     * decision's time, or at {@code asOf}); empty when the policy took no part in that decision and
     * the candidate does not apply to it either. No such decision: 404.
     */
    public Optional<ObjectNode> against(Plan plan, UUID decisionId) {
        DecisionInputs.Recorded recorded = inputs.find(decisionId)
                .orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
        ActivePolicy candidate = new ActivePolicy(plan.policy(), plan.version() == null ? 0 : plan.version(), plan.sha256(),
                plan.candidate());
        List<PolicyException> waivers = exceptions == null ? List.of()
                : exceptions.approvedFor(plan.policy(), plan.asOf() != null ? plan.asOf() : recorded.decidedAt());
        return Optional.ofNullable(replay(recorded, new Run(candidate, plan.asOf(), waivers, null), new Tally()));
    }

    public ObjectNode run(Plan plan, Consumer<ObjectNode> emit, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        long end = start + properties.maxDuration().toNanos();
        Tally tally = new Tally();
        String[] stoppedBy = {null};
        ActivePolicy candidate = new ActivePolicy(plan.policy(), plan.version() == null ? 0 : plan.version(), plan.sha256(),
                plan.candidate());
        // the exceptions that may apply in the window (each decision takes those in force at its time)
        List<PolicyException> waivers = exceptions == null ? List.of()
                : exceptions.approvedFor(plan.policy(), plan.asOf() != null ? plan.asOf() : plan.since());
        Run run = new Run(candidate, plan.asOf(), waivers, plan.trust());
        // two stages: this thread walks the cursor (the database, the rows' JSON) and emits; the pool reads
        // the inputs back and evaluates them, a batch at a time, at most PIPELINE batches ahead
        ArrayDeque<Future<Done>> pending = new ArrayDeque<>();
        List<DecisionInputs.Recorded> batch = new ArrayList<>(BATCH);
        long[] batchStart = {0};
        Consumer<Done> drain = done -> {
            tally.add(done.tally());
            for (ObjectNode line : done.lines()) {
                if (line == null) {
                    continue; // read, and the candidate does not apply to it either
                }
                if (!plan.changedOnly() || line.path("changed").asBoolean(false)) {
                    emit.accept(line);
                }
            }
        };
        try {
            inputs.forPolicy(plan.policy(), plan.since(), plan.until(), plan.limit(),
                    new DecisionInputs.Walk(true, plan.trust() != null), recorded -> {
                if (cancelled.getAsBoolean()) {
                    stoppedBy[0] = "client";
                    return false;
                }
                if (System.nanoTime() - end > 0) {
                    stoppedBy[0] = "time";
                    return false;
                }
                Runnable hook = beforeEach;
                if (hook != null) {
                    hook.run();
                }
                if (batch.isEmpty()) {
                    batchStart[0] = System.nanoTime();
                }
                batch.add(recorded);
                if (batch.size() >= BATCH || System.nanoTime() - batchStart[0] > BATCH_NANOS) {
                    pending.add(submit(List.copyOf(batch), run));
                    batch.clear();
                }
                while (pending.size() > PIPELINE || (!pending.isEmpty() && pending.peek().isDone())) {
                    drain.accept(result(pending.poll()));
                }
                return true;
            });
            if (!batch.isEmpty()) {
                pending.add(submit(List.copyOf(batch), run));
            }
            while (!pending.isEmpty()) {
                drain.accept(result(pending.poll()));
            }
        } finally {
            pending.forEach(f -> f.cancel(true));
        }
        if (stoppedBy[0] == null && tally.read >= plan.limit()) {
            stoppedBy[0] = "limit";
        }
        ObjectNode summary = NODES.objectNode();
        ObjectNode s = summary.putObject("summary");
        s.put("policy", plan.policy());
        ObjectNode c = s.putObject("candidate").put("sha256", plan.sha256()).put("mode", plan.candidate().mode().id());
        if (plan.version() != null) {
            c.put("version", plan.version());
        }
        s.put("since", plan.since().toString()).put("until", plan.until().toString());
        if (plan.asOf() != null) {
            s.put("asOf", plan.asOf().toString());
        }
        if (plan.trust() != null) {
            ObjectNode t = s.putObject("trust").put("fingerprint", plan.trust().snapshot().fingerprint());
            ArrayNode without = t.putArray("without");
            plan.trust().without().forEach(without::add);
            t.put("evidenceNoLongerVerifying", tally.noLongerVerifying).put("evidenceNowVerifying", tally.nowVerifying);
        }
        s.put("read", tally.read).put("decisions", tally.seen).put("replayed", tally.replayed).put("allowToDeny", tally.allowToDeny)
                .put("denyToAllow", tally.denyToAllow).put("unchanged", tally.unchanged)
                .put("otherChanges", tally.replayed - tally.allowToDeny - tally.denyToAllow - tally.unchanged);
        s.putObject("newlyApplies").put("count", tally.newly).put("allowToDeny", tally.newlyAllowToDeny)
                .put("denyToAllow", tally.newlyDenyToAllow).put("unchanged", tally.newlyUnchanged);
        s.put("stillNotApplicable", tally.stillNotApplicable);
        s.put("exceptionsApplied", tally.excepted);
        ObjectNode not = s.putObject("notReplayable").put("count", tally.notReplayable);
        ObjectNode reasons = not.putObject("reasons");
        tally.reasons.forEach(reasons::put);
        s.put("complete", stoppedBy[0] == null);
        if (stoppedBy[0] != null) {
            s.put("stoppedBy", stoppedBy[0]);
        }
        s.put("elapsedMs", (System.nanoTime() - start) / 1_000_000);
        return summary;
    }

    /** Decisions evaluated together by the pool; a batch is also sent when it is older than BATCH_NANOS. */
    private static final int BATCH = 256;
    private static final long BATCH_NANOS = 20_000_000L;
    /** Batches evaluated ahead of the one being emitted. */
    private static final int PIPELINE = 3;

    private final ExecutorService pool = Executors.newFixedThreadPool(2, runnable -> {
        Thread t = new Thread(runnable, "replay-evaluate");
        t.setDaemon(true);
        return t;
    });

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }

    private record Done(List<ObjectNode> lines, Tally tally) {
    }

    /**
     * What every decision of one replay is replayed with: the candidate, {@code asOf}, the exceptions
     * that may apply, the trust change; and, for a trust change, the kept evidence read and verified
     * once per digest and item (the trust is fixed for the run).
     */
    private record Run(ActivePolicy candidate, Instant asOf, List<PolicyException> waivers, TrustChange trust,
            Map<String, Map<String, StoredEvidence.Key>> keys, Map<String, Optional<Gathered>> verified) {
        Run(ActivePolicy candidate, Instant asOf, List<PolicyException> waivers, TrustChange trust) {
            this(candidate, asOf, waivers, trust, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }

    private Future<Done> submit(List<DecisionInputs.Recorded> batch, Run run) {
        return pool.submit(() -> {
            Tally t = new Tally();
            List<ObjectNode> lines = new ArrayList<>(batch.size());
            for (DecisionInputs.Recorded r : batch) {
                lines.add(replay(r, run, t));
            }
            return new Done(lines, t);
        });
    }

    private static Done result(Future<Done> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("replaying a batch failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying", e);
        }
    }

    private static final class Tally {
        void add(Tally other) {
            read += other.read;
            newly += other.newly;
            newlyAllowToDeny += other.newlyAllowToDeny;
            newlyDenyToAllow += other.newlyDenyToAllow;
            newlyUnchanged += other.newlyUnchanged;
            stillNotApplicable += other.stillNotApplicable;
            excepted += other.excepted;
            noLongerVerifying += other.noLongerVerifying;
            nowVerifying += other.nowVerifying;
            seen += other.seen;
            replayed += other.replayed;
            allowToDeny += other.allowToDeny;
            denyToAllow += other.denyToAllow;
            unchanged += other.unchanged;
            notReplayable += other.notReplayable;
            other.reasons.forEach((k, v) -> reasons.merge(k, v, Long::sum));
        }

        /** Every decision read; {@code seen}: those reported (the candidate's policy took part, or it newly applies). */
        long read;
        long newly;
        long newlyAllowToDeny;
        long newlyDenyToAllow;
        long newlyUnchanged;
        long stillNotApplicable;
        long excepted;
        long noLongerVerifying;
        long nowVerifying;
        long seen;
        long replayed;
        long allowToDeny;
        long denyToAllow;
        long unchanged;
        long notReplayable;
        final Map<String, Long> reasons = new TreeMap<>();

        /** One replayed decision's change, into the totals and, for a decision the candidate newly applies to, into {@code newly*}. */
        void count(Change change, boolean newlyApplies) {
            switch (change) {
                case ALLOW_TO_DENY -> allowToDeny++;
                case DENY_TO_ALLOW -> denyToAllow++;
                case UNCHANGED -> unchanged++;
                case OTHER -> { } // counted as otherChanges: replayed less the three
            }
            if (newlyApplies) {
                newly++;
                switch (change) {
                    case ALLOW_TO_DENY -> newlyAllowToDeny++;
                    case DENY_TO_ALLOW -> newlyDenyToAllow++;
                    case UNCHANGED -> newlyUnchanged++;
                    case OTHER -> { }
                }
            }
        }

        void notReplayable(String reason) {
            notReplayable++;
            reasons.merge(reason, 1L, Long::sum);
        }
    }

    /**
     * How a replayed decision differs from the recorded one: allowed then denied, denied then
     * allowed, the same allowed and outcome, or another change (the outcome only, e.g. allow → warn).
     */
    enum Change {
        ALLOW_TO_DENY, DENY_TO_ALLOW, UNCHANGED, OTHER;

        static Change of(boolean allowedBefore, String outcomeBefore, After after) {
            if (allowedBefore && !after.allowed()) {
                return ALLOW_TO_DENY;
            }
            if (!allowedBefore && after.allowed()) {
                return DENY_TO_ALLOW;
            }
            return after.outcome().equals(outcomeBefore) ? UNCHANGED : OTHER;
        }
    }

    /** One decision replayed: its line, or null when the policy did not take part and the candidate does not apply either. */
    private ObjectNode replay(DecisionInputs.Recorded recorded, Run run, Tally tally) {
        tally.read++;
        ActivePolicy candidate = run.candidate();
        boolean tookPart = recorded.tookPart(candidate.name());
        ObjectNode line = NODES.objectNode();
        line.put("decisionId", recorded.decisionId().toString());
        line.put("sequence", recorded.sequence());
        line.put("decidedAt", recorded.decidedAt().toString());
        ObjectNode artifact = line.putObject("artifact").put("digest", recorded.artifactDigest());
        if (recorded.artifactName() != null) {
            artifact.put("name", recorded.artifactName());
        }
        if (recorded.artifactTag() != null) {
            artifact.put("tag", recorded.artifactTag());
        }
        JsonNode policies = tree(recorded.policies());
        JsonNode before = tookPart ? recordedPolicy(policies, candidate.name()) : null;
        ObjectNode b = NODES.objectNode().put("allowed", recorded.allowed()).put("outcome", recorded.outcome());
        if (before != null) {
            b.put("policyOutcome", before.path("outcome").asString(null)).put("policyVersion", before.path("version").asInt());
        } else if (!tookPart) {
            b.put("policyOutcome", "not-applicable");
        }
        String why = recorded.input() != null ? null
                : recorded.omitted() != null ? recorded.omitted() : recorded.inputRow() ? NOT_EVALUATED : BEFORE_INPUTS;
        Input input = null;
        ArrayNode evidenceChanges = null;
        if (why == null) {
            try {
                JsonNode kept = json.readTree(recorded.input());
                if (run.trust() == null) {
                    input = RecordedInputs.read(kept, run.asOf());
                } else {
                    evidenceChanges = NODES.arrayNode();
                    input = reverified(recorded, kept, run, evidenceChanges);
                }
            } catch (NotReplayable e) {
                why = e.getMessage();
            } catch (RuntimeException e) {
                why = "the kept policy input could not be read: " + e.getMessage();
            }
        }
        if (why != null) {
            tally.seen++;
            tally.notReplayable(why);
            line.set("before", b);
            line.put("replayable", false).put("reason", why);
            return line;
        }
        PolicyResult result = candidate.program().evaluate(input);
        evaluated.incrementAndGet();
        if (!tookPart && !result.applicable()) {
            tally.stillNotApplicable++;
            return null;
        }
        tally.seen++;
        if (!tookPart) {
            line.put("newlyApplies", true);
        }
        line.set("before", b);
        Map<String, PolicyException> applied = new LinkedHashMap<>();
        if (!run.waivers().isEmpty() && result.applicable()) {
            List<PolicyException> inForce = PolicyException.applicable(run.waivers(), recorded.artifactDigest(),
                    recorded.artifactName(), input.now());
            result = Waiving.waive(candidate, result, inForce, applied);
        }
        After after = combine(tookPart ? tree(recorded.named()) : null, policies, recorded.reason(), candidate, result,
                decisions.denyWhenNoPolicyApplies());
        tally.replayed++;
        ObjectNode a = line.putObject("after").put("allowed", after.allowed()).put("outcome", after.outcome());
        a.put("policyOutcome", after.policyOutcome());
        if (after.reason() != null) {
            a.put("reason", after.reason());
        }
        if (!applied.isEmpty()) {
            tally.excepted++;
            ArrayNode ids = a.putArray("exceptions");
            applied.values().forEach(e -> {
                ObjectNode x = ids.addObject().put("id", e.id().toString()).put("reason", e.reason())
                        .put("expiresAt", e.expiresAt().toString());
                if (e.ticket() != null) {
                    x.put("ticket", e.ticket());
                }
            });
        }
        if (evidenceChanges != null && !evidenceChanges.isEmpty()) {
            line.set("evidence", evidenceChanges);
            for (JsonNode c : evidenceChanges) {
                if (c.path("before").asBoolean() && !c.path("after").asBoolean()) {
                    tally.noLongerVerifying++;
                } else if (!c.path("before").asBoolean() && c.path("after").asBoolean()) {
                    tally.nowVerifying++;
                }
            }
        }
        ArrayNode changed = line.putArray("changedRules");
        changedRules(before, result).forEach(changed::add);
        Change change = Change.of(recorded.allowed(), recorded.outcome(), after);
        tally.count(change, !tookPart);
        line.put("changed", change != Change.UNCHANGED || !changed.isEmpty() || !tookPart || line.has("evidence"));
        return line;
    }

    /** Why a decision cannot be replayed under a trust change (its message is the reason counted). */
    private static final class NotReplayable extends RuntimeException {
        NotReplayable(String reason) {
            super(reason, null, false, false);
        }
    }

    static final String EVIDENCE_NOT_KEPT = "evidence that verified then is not kept for the digest: it cannot be verified"
            + " again";
    static final String NO_EVIDENCE_LIST = "the record lists no evidence to verify again";

    /**
     * The decision's policy input built again from its evidence verified against the run's trust:
     * each item of the recorded evidence list whose bundle is kept for the digest is read and
     * verified again (once per run), at its recorded index; context and {@code now} are the kept
     * input's ({@code asOf} replaces {@code now}). An item that verified then and is not kept makes
     * the decision not replayable; one that did not verify then and is not kept stays out, as it did.
     * {@code changes} receives each item whose verification differs from the record.
     */
    private Input reverified(DecisionInputs.Recorded recorded, JsonNode kept, Run run, ArrayNode changes) {
        JsonNode evidence = tree(recorded.evidence());
        if (evidence == null || !evidence.isArray()) {
            throw new NotReplayable(NO_EVIDENCE_LIST);
        }
        String digest = recorded.artifactDigest();
        Map<String, StoredEvidence.Key> byBundle = run.keys().computeIfAbsent(digest, d -> {
            Map<String, StoredEvidence.Key> m = new LinkedHashMap<>();
            stored.keysForDigest(d).forEach(k -> m.putIfAbsent(k.bundleSha256(), k));
            return m;
        });
        List<Gathered> items = new ArrayList<>();
        for (JsonNode entry : evidence) {
            int index = entry.path("index").asInt();
            boolean before = entry.path("verified").asBoolean(false);
            StoredEvidence.Key key = byBundle.get(entry.path("bundleSha256").asString(""));
            if (key == null) {
                if (before) {
                    throw new NotReplayable(EVIDENCE_NOT_KEPT);
                }
                continue;
            }
            String source = entry.path("source").asString("stored");
            Gathered g = run.verified().computeIfAbsent(digest + "|" + key.signatureSha256() + "|" + index + "|" + source, k -> {
                try {
                    EvidenceSubmission s = verifier.readKept(index, stored.bundle(digest, key.signatureSha256()), key.payload());
                    EvidenceResult r = verifier.verify(s, digest, run.trust().snapshot());
                    return Optional.of(new Gathered(index, source, r, s, key.payload()));
                } catch (MalformedEvidence e) {
                    return Optional.empty();
                }
            }).orElseThrow(() -> new NotReplayable("kept evidence no longer reads as a bundle"));
            items.add(g);
            if (g.result().ok() != before) {
                ObjectNode c = changes.addObject().put("index", index).put("bundleSha256", key.bundleSha256())
                        .put("before", before).put("after", g.result().ok());
                if (!g.result().ok()) {
                    c.put("code", g.result().failure().code()).put("reason", g.result().failure().detail());
                }
            }
        }
        Map<String, String> context = new LinkedHashMap<>();
        for (var member : kept.path("context").properties()) {
            context.put(member.getKey(), member.getValue().asString());
        }
        Instant now = run.asOf() != null ? run.asOf() : Instant.parse(kept.path("now").asString());
        return AnswerAssembly.input(new ArtifactRef(digest, recorded.artifactName(), recorded.artifactTag()), context, items, now);
    }

    private JsonNode tree(String text) {
        return text == null ? null : json.readTree(text);
    }

    private static JsonNode recordedPolicy(JsonNode policies, String name) {
        if (policies != null) {
            for (JsonNode p : policies) {
                if (name.equals(p.path("name").asString(null))) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * The replayed decision's outcome: §6 again, over the other policies' recorded outcomes and
     * the candidate's new one. {@code policyOutcome} is the candidate's as the decision sees it
     * ({@code not-applicable} when it was selected and no longer applies).
     */
    record After(boolean allowed, String outcome, String reason, String policyOutcome) {
    }

    static After combine(JsonNode namedPolicies, JsonNode policies, String recordedReason, ActivePolicy candidate,
            PolicyResult result, boolean denyWhenNoneApplies) {
        boolean named = namedPolicies != null && namedPolicies.isArray();
        String reason = recordedReason != null && recordedReason.startsWith("unknown policy") ? recordedReason : null;
        boolean denies = false;
        boolean warns = false;
        boolean enforcing = false;
        if (policies != null) {
            for (JsonNode p : policies) {
                if (candidate.name().equals(p.path("name").asString(null))) {
                    continue;
                }
                String mode = p.path("mode").asString("enforce");
                boolean deny = "deny".equals(p.path("outcome").asString(""));
                enforcing |= "enforce".equals(mode);
                denies |= deny && "enforce".equals(mode);
                warns |= deny && "warn".equals(mode);
                if (!"audit".equals(mode)) {
                    for (JsonNode rule : p.path("rules")) {
                        warns |= "warn".equals(rule.path("outcome").asString(""));
                    }
                }
            }
        }
        Mode mode = candidate.mode();
        String policyOutcome;
        if (result.applicable() || named) {
            Outcome outcome = result.applicable() ? result.outcome() : Outcome.DENY;
            policyOutcome = result.applicable() ? outcome.id() : "deny";
            boolean deny = outcome == Outcome.DENY;
            enforcing |= mode == Mode.ENFORCE;
            denies |= deny && mode == Mode.ENFORCE;
            warns |= deny && mode == Mode.WARN;
            if (mode != Mode.AUDIT && result.applicable()) {
                for (RuleResult rule : result.rules()) {
                    warns |= !rule.passed() && (rule.effective() != null || rule.waiver() != null);
                }
            }
        } else {
            policyOutcome = "not-applicable";
        }
        if (!named && !enforcing && denyWhenNoneApplies && reason == null) {
            reason = "no applicable policy";
        }
        boolean allowed = reason == null && !denies;
        return new After(allowed, !allowed ? "deny" : warns ? "warn" : "allow", reason, policyOutcome);
    }

    /** Each rule whose outcome differs between the recorded policy and the candidate (added and removed rules too). */
    private static List<ObjectNode> changedRules(JsonNode before, PolicyResult result) {
        Map<String, String> was = new LinkedHashMap<>();
        if (before != null) {
            for (JsonNode rule : before.path("rules")) {
                was.put(rule.path("name").asString(""), rule.path("outcome").asString(null));
            }
        }
        List<ObjectNode> changed = new ArrayList<>();
        for (RuleResult rule : result.applicable() ? result.rules() : List.<RuleResult>of()) {
            String previous = was.remove(rule.name());
            if (!rule.outcome().equals(previous)) {
                ObjectNode c = NODES.objectNode().put("rule", rule.name());
                c.put("before", previous);
                c.put("after", rule.outcome());
                if (!rule.passed()) {
                    c.put("reason", rule.message() != null ? rule.message() : rule.reason());
                }
                changed.add(c);
            }
        }
        was.forEach((name, outcome) -> changed.add(NODES.objectNode().put("rule", name).put("before", outcome).putNull("after")));
        return changed;
    }
}
