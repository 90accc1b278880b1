package dev.tollgate.decision;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The decision metrics of docs/operations.md, read from the recorded answers (the contract's
 * fields, so that they do not depend on how a decision is made): decisions by outcome, source
 * and deciding policy, failing rules by policy and rule, evidence results by code, and the
 * decision latency. Labels are bounded: outcomes, sources, policy and rule names and failure
 * codes, never digests, names of images or identities. Dry runs are timed but not counted.
 */
@Component
public class DecisionMetrics {

    /** The decision latency's buckets (seconds), around the admission webhook's time-outs. */
    static final Duration[] SLO = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** The {@code policy} label when no policy applied. */
    public static final String NO_POLICY = "(none)";
    /** The {@code policy} label of an allowed decision to which several policies applied. */
    public static final String SEVERAL_POLICIES = "(several)";

    private final MeterRegistry registry;
    private final Timer latency;

    DecisionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("tollgate.decision")
                .description("time to decide, evidence verification and audit commit included")
                .serviceLevelObjectives(SLO)
                .register(registry);
    }

    /** Decisions recorded together (one request), started at {@code startNanos} ({@link System#nanoTime()}); answers them. */
    List<DecisionAnswer> recorded(List<DecisionAnswer> answers, String source, boolean dryRun, long startNanos) {
        long elapsed = System.nanoTime() - startNanos;
        for (int i = 0; i < answers.size(); i++) {
            latency.record(Duration.ofNanos(elapsed));
        }
        if (dryRun) {
            return answers;
        }
        for (DecisionAnswer answer : answers) {
            String outcome = answer.outcome() == null ? "unknown" : answer.outcome();
            Counter.builder("tollgate.decisions").description("decisions made and recorded")
                    .tag("outcome", outcome).tag("source", source).tag("policy", decidingPolicy(answer.policies(), outcome))
                    .register(registry).increment();
            for (PolicyOutcome policy : answer.policies()) {
                for (RuleOutcome rule : policy.rules()) {
                    if ("fail".equals(rule.outcome())) {
                        Counter.builder("tollgate.rule.failures").description("failing rules of recorded decisions")
                                .tag("policy", policy.name()).tag("rule", rule.name())
                                .register(registry).increment();
                    }
                }
            }
            for (PolicyOutcome policy : answer.policies()) {
                if (!policy.exceptions().isEmpty()) {
                    Counter.builder("tollgate.exceptions.applied")
                            .description("policies of recorded decisions whose rule failures governed exceptions waived")
                            .tag("policy", policy.name()).register(registry).increment();
                }
            }
            for (EvidenceEntry evidence : answer.evidence()) {
                Counter.builder("tollgate.evidence.verifications").description("evidence items judged in recorded decisions")
                        .tag("result", evidence.verified() ? "verified" : "failed")
                        .tag("code", evidence.verified() ? "" : evidence.code() == null ? "unknown" : evidence.code())
                        .register(registry).increment();
            }
        }
        return answers;
    }

    /**
     * The policy that decided: for a denial the first enforcing policy that denied, for a
     * warning the first warning policy that denied, otherwise the only policy, {@value #NO_POLICY}
     * or {@value #SEVERAL_POLICIES}.
     */
    static String decidingPolicy(List<PolicyOutcome> policies, String outcome) {
        if (policies.isEmpty()) {
            return NO_POLICY;
        }
        String mode = switch (outcome) {
            case "deny", "break-glass" -> "enforce";
            case "warn" -> "warn";
            default -> null;
        };
        if (mode != null) {
            for (PolicyOutcome policy : policies) {
                if (mode.equals(policy.mode()) && "deny".equals(policy.outcome())) {
                    return policy.name();
                }
            }
        }
        return policies.size() == 1 ? policies.get(0).name() : SEVERAL_POLICIES;
    }
}
