package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.tollgate.policy.compile.PolicyWarnings;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.policy.eval.RuleResult;
import org.junit.jupiter.api.Test;

/** Effective dates, reasons that name the closest candidate, "did you mean" for policies, warnings. */
class AuthorFeedbackTests {

    private static final String DIGEST = "\"sha256:1111111111111111111111111111111111111111111111111111111111111111\"";

    private static final String GATE = """
            policy "gate" {
              rule from-github {
                require any s in signatures: s.kind == "keyless" and s.issuer == "https://token.actions.githubusercontent.com"
                  and s.subject startsWith "https://github.com/acme/"
              }
              rule pinned effective "2027-01-01T00:00:00Z" {
                require any s in signatures: s.subject == "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1"
                message "from 2027, only the release workflow"
              }
            }
            """;

    private static PolicyResult run(String source, String signatures, String now) {
        Program program = PolicyTestSupport.compile(source);
        return program.evaluate(PolicyTestSupport.input(PolicyTestSupport.JSON.readTree(
                "{\"artifact\": {\"digest\": " + DIGEST + "}, \"now\": \"" + now + "\", \"signatures\": " + signatures + "}")));
    }

    private static RuleResult rule(PolicyResult result, String name) {
        return result.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aRuleBeforeItsEffectiveTimeWarnsAndFromItEnforces() {
        String sigs = "[{\"kind\": \"keyless\", \"issuer\": \"https://token.actions.githubusercontent.com\","
                + " \"subject\": \"https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main\", \"trustRoot\": \"public-good\"}]";
        PolicyResult before = run(GATE, sigs, "2026-12-31T23:59:59.999Z");
        assertThat(before.outcome().id()).isEqualTo("allow");
        RuleResult pending = rule(before, "pinned");
        assertThat(pending.outcome()).isEqualTo("warn");
        assertThat(pending.effective()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(pending.enforcedFailure()).isFalse();

        PolicySelection.Verdict verdict = PolicySelection.decide(List.of("gate"),
                n -> Optional.of(new ActivePolicy("gate", 1, "x", PolicyTestSupport.compile(GATE))), List.of(),
                PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("{\"artifact\": {\"digest\": " + DIGEST
                        + "}, \"now\": \"2026-06-01T00:00:00Z\", \"signatures\": " + sigs + "}")), true);
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.outcome()).isEqualTo("warn");
        assertThat(verdict.warnings()).containsExactly(
                "gate/pinned: from 2027, only the release workflow (not enforced before 2027-01-01T00:00:00Z)");

        PolicyResult after = run(GATE, sigs, "2027-01-01T00:00:00Z");
        assertThat(after.outcome().id()).isEqualTo("deny");
        assertThat(rule(after, "pinned").outcome()).isEqualTo("fail");
        assertThat(rule(after, "pinned").effective()).isNull();
    }

    @Test
    void aQuantifierThatFindsNothingNamesTheClosestCandidateAndTheComparisonThatFailed() {
        // the cosign / gh mismatch: signed, but by another issuer
        String sigs = "[{\"kind\": \"key\", \"key\": \"old\", \"trustRoot\": \"old\"},"
                + " {\"kind\": \"keyless\", \"issuer\": \"https://token.actions.githubusercontent.com/hammer-time\","
                + " \"subject\": \"https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1\", \"trustRoot\": \"public-good\"}]";
        RuleResult failed = rule(run(GATE, sigs, "2026-01-01T00:00:00Z"), "from-github");
        assertThat(failed.reason()).isEqualTo("no signature satisfied the condition; closest: signatures[1]: "
                + "s.issuer == \"https://token.actions.githubusercontent.com\" is false"
                + " (s.issuer is \"https://token.actions.githubusercontent.com/hammer-time\")");
    }

    @Test
    void anUnknownPolicyNameGetsDidYouMean() {
        ActivePolicy gate = new ActivePolicy("release-gate", 1, "x", PolicyTestSupport.compile(GATE.replace("\"gate\"", "\"release-gate\"")));
        PolicySelection.Verdict verdict = PolicySelection.decide(List.of("relase-gate"), n -> Optional.empty(), List.of(gate),
                PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("{\"artifact\": {\"digest\": " + DIGEST + "}}")), true);
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.reason()).isEqualTo("unknown policy 'relase-gate' (did you mean 'release-gate'?)");
        PolicySelection.Verdict far = PolicySelection.decide(List.of("other"), n -> Optional.empty(), List.of(gate),
                PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("{\"artifact\": {\"digest\": " + DIGEST + "}}")), true);
        assertThat(far.reason()).isEqualTo("unknown policy 'other'");
    }

    @Test
    void warningsNameAnchoredPatternsConstantConditionsAndNothingElse() {
        List<Diagnostic> warnings = PolicyWarnings.of("""
                policy "w" {
                  applies when false
                  rule a {
                    require context.env matches "prod$" and context.ns matches "^prod-.*$"
                  }
                  rule b {
                    deny if (false)
                  }
                  rule c {
                    require context.ns matches "prod-.*" and context.x matches "a\\\\$"
                  }
                }
                """);
        assertThat(warnings).extracting(Diagnostic::code).containsExactly("policy_never_applies", "policy_anchored_pattern",
                "policy_anchored_pattern", "policy_rule_never_fails");
        assertThat(warnings.get(1).message()).contains("\"prod$\" ends with '$'");
        assertThat(warnings.get(2).message()).contains("the anchors are redundant");
        assertThat(PolicyWarnings.of(GATE)).isEmpty();
    }

    @Test
    void aComparisonBetweenDeclaredTypesThatDifferIsAWarning() {
        List<Diagnostic> warnings = PolicyWarnings.of("""
                policy "typed" {
                  rule logged {
                    require any s in signatures: s.transparencyLog == "true"
                  }
                  rule recent {
                    require any s in signatures: s.integratedTime != "2026-01-01T00:00:00Z"
                  }
                  rule replicas {
                    require context.replicas == 3 and context.ns in signatures
                  }
                  rule fine {
                    require context.ns == "prod" and any a in attestations: a.predicate.n == 3 and a.signer.issuer != null
                  }
                }
                """);
        assertThat(warnings).extracting(Diagnostic::code).containsOnly(PolicyWarnings.TYPE_MISMATCH);
        assertThat(warnings).hasSize(4);
        assertThat(warnings.get(0).message()).isEqualTo(
                "comparing a boolean with a string using '==' is always false: values of different types are never equal");
        assertThat(warnings.get(0).line()).isEqualTo(3);
        assertThat(warnings.get(1).message()).contains("timestamp with a string using '!=' is always true");
        assertThat(warnings.get(2).message()).contains("a string with a number");
        assertThat(warnings.get(3).message()).isEqualTo("'in' looks for a string in a list whose elements are a signature: it is always false");
    }
}
