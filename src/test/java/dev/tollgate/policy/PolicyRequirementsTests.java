package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.tollgate.policy.compile.PolicyCompiler;
import org.junit.jupiter.api.Test;

/** Who can satisfy a policy, read from policies that the compiler accepts. */
class PolicyRequirementsTests {

    private static PolicyRequirements of(String source) {
        assertThat(new PolicyCompiler().recompile(source).diagnostics()).as("the source compiles").isEmpty();
        return PolicyRequirements.of("p", 1, source);
    }

    @Test
    void issuersSubjectsKeysRootsAndBuilderIdsWithTheirOperatorsAndLetsResolved() {
        PolicyRequirements requirements = of("""
                policy "p" {
                  let githubIssuer = "https://token.actions.githubusercontent.com"
                  let maintainers = ["alice@example.com", "bob@example.com"]
                  rule keyless-release {
                    require any s in signatures: s.issuer == githubIssuer
                      and s.subject matches "https://github.com/acme/.+/\\\\.github/workflows/release\\\\.yml@refs/tags/v.*"
                  }
                  rule maintainers {
                    require count(s in signatures: s.kind == "keyless" and s.subject in maintainers) >= 2
                  }
                  rule provenance {
                    require any a in attestations: a.predicateType == "https://slsa.dev/provenance/v1"
                      and a.signer.key == "release-key"
                      and "public-good" in a.signer.trustRoots
                      and a.predicate.runDetails.builder.id startsWith "https://github.com/actions/runner"
                  }
                  rule digest-pinned { require artifact.digest startsWith "sha256:" }
                }
                """);
        assertThat(requirements.rules()).extracting(PolicyRequirements.Rule::name)
                .containsExactly("keyless-release", "maintainers", "provenance", "digest-pinned");
        assertThat(requirements.rules().get(0).accepted()).containsExactly(
                new PolicyRequirements.Accepted("issuer", "==", List.of("https://token.actions.githubusercontent.com"), true,
                        true, "signatures"),
                new PolicyRequirements.Accepted("subject", "matches",
                        List.of("https://github.com/acme/.+/\\.github/workflows/release\\.yml@refs/tags/v.*"), true, true,
                        "signatures"));
        assertThat(requirements.rules().get(1).accepted()).containsExactly(new PolicyRequirements.Accepted("subject", "in",
                List.of("alice@example.com", "bob@example.com"), true, true, "signatures"));
        assertThat(requirements.rules().get(2).accepted()).containsExactly(
                new PolicyRequirements.Accepted("predicateType", "==", List.of("https://slsa.dev/provenance/v1"), true, true,
                        "attestations"),
                new PolicyRequirements.Accepted("key", "==", List.of("release-key"), true, true, "attestations"),
                new PolicyRequirements.Accepted("trustRoot", "contains", List.of("public-good"), true, true, "attestations"),
                new PolicyRequirements.Accepted("builderId", "startsWith", List.of("https://github.com/actions/runner"), true,
                        true, "attestations"));
        assertThat(requirements.rules().get(3).accepted()).isEmpty();
    }

    @Test
    void denyRulesNegationsAndNonConstantsAreSaidAsSuch() {
        PolicyRequirements requirements = of("""
                policy "p" {
                  rule no-google {
                    deny if any s in signatures: s.issuer == "https://accounts.google.com"
                  }
                  rule not-staging {
                    require all s in signatures: not (s.subject endsWith "@staging.example.com") and s.key != "old-key"
                  }
                  rule issuer-from-context {
                    require any s in signatures: s.issuer == context.issuer
                  }
                  rule tsa {
                    require any s in signatures: any t in s.timestampedBy: t matches ".*O=GitHub.*"
                  }
                }
                """);
        assertThat(requirements.rules().get(0).denyIf()).isTrue();
        assertThat(requirements.rules().get(0).accepted()).containsExactly(new PolicyRequirements.Accepted("issuer", "==",
                List.of("https://accounts.google.com"), true, false, "signatures"));
        assertThat(requirements.rules().get(1).accepted()).containsExactly(
                new PolicyRequirements.Accepted("subject", "endsWith", List.of("@staging.example.com"), true, false,
                        "signatures"),
                new PolicyRequirements.Accepted("key", "==", List.of("old-key"), true, false, "signatures"));
        assertThat(requirements.rules().get(2).accepted()).containsExactly(new PolicyRequirements.Accepted("issuer", "==",
                List.of("context.issuer"), false, true, "signatures"));
        assertThat(requirements.rules().get(3).accepted()).containsExactly(new PolicyRequirements.Accepted("timestampedBy",
                "matches", List.of(".*O=GitHub.*"), true, true, "signatures"));
    }
}
