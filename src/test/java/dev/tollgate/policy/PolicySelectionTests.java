package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Outcome;
import org.junit.jupiter.api.Test;

/** Section 6 of the language: selection and combination of policies. */
class PolicySelectionTests {

    private static final Input PROD = PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("""
            {"artifact": {"digest": "sha256:%s", "name": "app"}, "context": {"environment": "prod"}}
            """.formatted("a".repeat(64))));

    private static ActivePolicy policy(String name, String mode, String applies, String condition) {
        String source = "policy \"" + name + "\" {\n mode " + mode + "\n" + (applies == null ? "" : " applies when " + applies + "\n")
                + " rule r {\n require " + condition + "\n message \"rule r of " + name + "\\nsecond line\"\n }\n}";
        return new ActivePolicy(name, 1, "x", PolicyTestSupport.compile(source));
    }

    private static final ActivePolicy PASS = policy("pass", "enforce", null, "true");
    private static final ActivePolicy FAIL = policy("fail", "enforce", null, "false");
    private static final ActivePolicy WARN_FAIL = policy("warn-fail", "warn", null, "false");
    private static final ActivePolicy AUDIT_FAIL = policy("audit-fail", "audit", null, "false");
    private static final ActivePolicy DEV_ONLY = policy("dev-only", "enforce", "context.environment == \"dev\"", "false");

    private static PolicySelection.Verdict decide(List<String> named, List<ActivePolicy> active) {
        Map<String, ActivePolicy> byName = active.stream().collect(Collectors.toMap(ActivePolicy::name, Function.identity()));
        return PolicySelection.decide(named, n -> Optional.ofNullable(byName.get(n)), active, PROD, true);
    }

    @Test
    void allActivePoliciesWhenNoneNamedAndAllPass() {
        var verdict = decide(null, List.of(PASS, DEV_ONLY));
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.outcome()).isEqualTo("allow");
        assertThat(verdict.policies()).extracting(c -> c.policy().name()).containsExactly("pass");
    }

    @Test
    void anEnforcingDenyDenies() {
        var verdict = decide(null, List.of(PASS, FAIL));
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.outcome()).isEqualTo("deny");
        assertThat(verdict.reason()).isNull();
    }

    @Test
    void noApplicableEnforcingPolicyDeniesButWarnAndAuditAreStillEvaluated() {
        var verdict = decide(null, List.of(DEV_ONLY, WARN_FAIL, AUDIT_FAIL));
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.reason()).isEqualTo("no applicable policy");
        assertThat(verdict.policies()).extracting(c -> c.policy().name()).containsExactly("warn-fail", "audit-fail");
        assertThat(decide(null, List.of()).reason()).isEqualTo("no applicable policy");
    }

    @Test
    void warnModeFailureAllowsWithSingleLineWarnings() {
        var verdict = decide(null, List.of(PASS, WARN_FAIL));
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.outcome()).isEqualTo("warn");
        assertThat(verdict.warnings()).containsExactly("warn-fail/r: rule r of warn-fail second line");
    }

    @Test
    void auditModeFailureOnlyRecords() {
        var verdict = decide(null, List.of(PASS, AUDIT_FAIL));
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.outcome()).isEqualTo("allow");
        assertThat(verdict.warnings()).isEmpty();
        assertThat(verdict.policies()).filteredOn(c -> c.policy().name().equals("audit-fail"))
                .singleElement().satisfies(c -> assertThat(c.outcome()).isEqualTo(Outcome.DENY));
    }

    @Test
    void unknownNamedPolicyDeniesAndTheOthersAreStillEvaluated() {
        var verdict = decide(List.of("pass", "nope", "pass"), List.of(PASS));
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.reason()).isEqualTo("unknown policy 'nope'");
        assertThat(verdict.policies()).extracting(c -> c.policy().name()).containsExactly("pass");
    }

    @Test
    void namedPolicyThatDoesNotApplyDeniesInItsOwnMode() {
        var verdict = decide(List.of("dev-only"), List.of(DEV_ONLY, PASS));
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.policies()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.DENY);
            assertThat(c.reason()).isEqualTo("not applicable");
        });
    }

    @Test
    void namedPoliciesNeedNoEnforcingOneToAllow() {
        var verdict = decide(List.of("warn-fail"), List.of(WARN_FAIL, FAIL));
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.outcome()).isEqualTo("warn");
        assertThat(verdict.policies()).extracting(c -> c.policy().name()).containsExactly("warn-fail");
    }

    @Test
    void failOpenOnlyWhenConfigured() {
        var verdict = PolicySelection.decide(null, n -> Optional.empty(), List.of(DEV_ONLY), PROD, false);
        assertThat(verdict.allowed()).isTrue();
        assertThat(verdict.reason()).isNull();
    }
    @Test
    void aWaivedFailureWarnsAndNoLongerDenies() {
        var verdict = decide(null, List.of(PASS, FAIL));
        assertThat(PolicySelection.hasWaivableFailures(verdict)).isTrue();
        var waived = PolicySelection.waive(verdict, (policy, rule) -> policy.name().equals("fail") ? "exc-1" : null);
        assertThat(waived.allowed()).isTrue();
        assertThat(waived.outcome()).isEqualTo("warn");
        var failed = waived.policies().get(1);
        assertThat(failed.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(failed.result().rules().get(0).outcome()).isEqualTo("warn");
        assertThat(failed.result().rules().get(0).waiver()).isEqualTo("exc-1");
        assertThat(waived.warnings()).containsExactly("fail/r: rule r of fail second line (excepted by exception exc-1)");
        assertThat(PolicySelection.hasWaivableFailures(waived)).isFalse();
    }

    @Test
    void nothingWaivedLeavesTheVerdictAndReasonsOutsideTheRulesAreNeverWaived() {
        var verdict = decide(null, List.of(PASS, FAIL));
        var unchanged = PolicySelection.waive(verdict, (policy, rule) -> null);
        assertThat(unchanged.allowed()).isFalse();
        assertThat(unchanged.policies()).isEqualTo(verdict.policies());

        var unknown = decide(List.of("fail", "no-such"), List.of(FAIL));
        var waivedUnknown = PolicySelection.waive(unknown, (policy, rule) -> "exc-1");
        assertThat(waivedUnknown.allowed()).isFalse();
        assertThat(waivedUnknown.reason()).startsWith("unknown policy 'no-such'");

        var notApplicable = decide(List.of("dev-only"), List.of(DEV_ONLY));
        assertThat(PolicySelection.hasWaivableFailures(notApplicable)).isFalse();
        assertThat(PolicySelection.waive(notApplicable, (policy, rule) -> "exc-1").allowed()).isFalse();
    }

    @Test
    void aWaivedFailureOfAWarnModePolicyNoLongerWarnsAsAFailure() {
        var verdict = decide(null, List.of(PASS, WARN_FAIL));
        var waived = PolicySelection.waive(verdict, (policy, rule) -> "exc-2");
        assertThat(waived.allowed()).isTrue();
        assertThat(waived.outcome()).isEqualTo("warn");
        assertThat(waived.warnings()).containsExactly("warn-fail/r: rule r of warn-fail second line (excepted by exception exc-2)");
    }
}
