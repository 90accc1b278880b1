package dev.tollgate.decision;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.ledger.Attestations;
import dev.tollgate.policy.PolicySelection;

/**
 * The answer to a decision request (api.md, "Response 200"), built once per decision and
 * serialised by the application's one {@code ObjectMapper}; absent members are left out.
 * <p>
 * It is made in two steps. {@link DecisionService} assembles it unrecorded ({@code sequence}
 * null) and hands it to the audit log, which stores it with its place in the chain; after the
 * commit, {@link #recorded(long, Receipt)} composes the answer returned: the {@code response}
 * column and the answer are the same value, followed by what is learnt only from the commit —
 * the {@code receipt} (the record's leaf hash, computed over the stored response, so it cannot be
 * inside it) and the signed {@code vsa} (it names the log index) — the components after
 * {@code sequence}, recomputable from the stored record.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecisionAnswer(UUID decisionId, boolean allowed, String outcome, String reason, Instant decidedAt,
        Artifact artifact, List<PolicyOutcome> policies, List<EvidenceEntry> evidence, List<String> warnings,
        BreakGlass breakGlass, Boolean dryRun, Long sequence, Receipt receipt, Attestations.Bundle vsa) {

    /** Name of the member the audit log adds when it records an answer (its place in the chain). */
    public static final String SEQUENCE = "sequence";

    public DecisionAnswer {
        policies = List.copyOf(policies);
        evidence = List.copyOf(evidence);
        warnings = List.copyOf(warnings);
        dryRun = Boolean.TRUE.equals(dryRun) ? Boolean.TRUE : null;
    }

    /** An answer not yet recorded: no place in the chain, no receipt, no VSA. */
    public DecisionAnswer(UUID decisionId, boolean allowed, String outcome, String reason, Instant decidedAt, Artifact artifact,
            List<PolicyOutcome> policies, List<EvidenceEntry> evidence, List<String> warnings, Boolean dryRun, Long sequence) {
        this(decisionId, allowed, outcome, reason, decidedAt, artifact, policies, evidence, warnings, null, dryRun, sequence, null,
                null);
    }

    /**
     * The break-glass that admitted a decision its policies refused (outcome {@code break-glass}):
     * the reason written on the workload and the Kubernetes user who asked for it.
     */
    public record BreakGlass(String reason, String user) {
    }

    /**
     * This unrecorded answer, refused by its policies, admitted by break-glass: allowed, outcome
     * {@code break-glass}, the policies' outcomes kept as they were evaluated (they show what was
     * bypassed), their refusals turned into warnings after the break-glass warning.
     */
    public DecisionAnswer brokenGlass(BreakGlass glass) {
        List<String> warned = new ArrayList<>();
        warned.add(singleLine("admitted by break-glass (requested by '" + glass.user() + "'): " + glass.reason()));
        refusals().forEach(r -> warned.add(singleLine("bypassed: " + r)));
        warned.addAll(warnings);
        return new DecisionAnswer(decisionId, true, "break-glass", "admitted by break-glass: " + glass.reason(), decidedAt, artifact,
                policies, evidence, warned, glass, dryRun, sequence, receipt, vsa);
    }

    /**
     * The record's receipt (docs/audit.md, "Receipts"): its place in the chain, its leaf in the
     * decision ledger and the ledger's origin. Not part of the stored response — the leaf hash is
     * computed over it — but recomputable from the stored record alone.
     */
    public record Receipt(long sequence, long leafIndex, String leafHash, String origin) {
    }

    /** The artifact as the caller named it; an exempt image given by tag has no digest. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Artifact(String digest, String name, String tag) {
        static Artifact of(ArtifactRef ref) {
            return new Artifact(ref.digest(), ref.name(), ref.tag());
        }
    }

    /** This answer at its place in the audit chain: the response as the audit log stored it. */
    public DecisionAnswer recorded(long sequence) {
        return new DecisionAnswer(decisionId, allowed, outcome, reason, decidedAt, artifact, policies, evidence, warnings, breakGlass,
                dryRun, sequence, null, null);
    }

    /**
     * What the caller receives once it is committed: the stored response ({@link #recorded(long)}),
     * then the receipt learnt from the commit.
     */
    public DecisionAnswer recorded(long sequence, Receipt receipt) {
        return new DecisionAnswer(decisionId, allowed, outcome, reason, decidedAt, artifact, policies, evidence, warnings, breakGlass,
                dryRun, sequence, receipt, null);
    }

    /** This recorded answer with its signed verification summary (a Sigstore bundle), made after the commit. */
    public DecisionAnswer withVsa(Attestations.Bundle bundle) {
        return new DecisionAnswer(decisionId, allowed, outcome, reason, decidedAt, artifact, policies, evidence, warnings, breakGlass,
                dryRun, sequence, receipt, bundle);
    }

    /** The stored response this answer was composed from: without what is added after the commit. */
    public DecisionAnswer stored() {
        return recorded(sequence);
    }

    /** Line breaks become spaces: refusals, warnings and admission messages are single-line fields. */
    public static String singleLine(String text) {
        return PolicySelection.singleLine(text);
    }

    /**
     * Why it refuses, one single-line sentence each (for callers that summarise, such as the
     * admission webhook): the decision's own reason, then per enforce-mode policy that denies its
     * reason or each failing rule's message (else its reason).
     */
    public List<String> refusals() {
        List<String> refusals = new ArrayList<>();
        if (reason != null) {
            refusals.add(reason);
        }
        for (PolicyOutcome p : policies) {
            if (!p.mode().equals("enforce") || !p.outcome().equals("deny")) {
                continue;
            }
            if (p.reason() != null) {
                refusals.add(PolicySelection.singleLine(p.name() + ": " + p.reason()));
            }
            for (RuleOutcome rule : p.rules()) {
                if ("fail".equals(rule.outcome())) { // a rule before its effective time only warns
                    refusals.add(PolicySelection.singleLine(p.name() + "/" + rule.name() + ": "
                            + (rule.message() != null ? rule.message() : rule.reason())));
                }
            }
        }
        return List.copyOf(refusals);
    }
}
