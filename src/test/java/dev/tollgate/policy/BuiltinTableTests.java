package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.eval.Functions;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Roots;
import dev.tollgate.policy.eval.Type;
import org.junit.jupiter.api.Test;

/**
 * The checker and the evaluator read the one table of built-ins ({@link Functions#TABLE}) and the
 * one declaration of the roots ({@link Roots}): every entry is accepted by the checker with its
 * declared argument kinds and evaluates to its declared result, a kind outside the entry is
 * refused by the checker in the entry's own words, and a name not in the table is unknown to both.
 */
class BuiltinTableTests {

    private static final Input INPUT = PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("""
            {"artifact": {"digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111", "name": "app"},
             "context": {"env": "prod"},
             "signatures": [{"kind": "keyless", "issuer": "https://issuer", "subject": "me", "trustRoot": "public-good",
               "integratedTime": "2026-01-01T00:00:00Z", "cert": {"buildTrigger": "push"}, "transparencyLog": true}],
             "attestations": [{"predicateType": "https://slsa.dev/provenance/v1", "predicate": {"v": 1},
               "signer": {"kind": "key", "key": "k", "trustRoot": "k"},
               "subjects": [{"name": "app", "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111"}]}]}
            """));

    /** One call per built-in, with the value it must give: a new entry in the table needs a line here. */
    private static final Map<String, String> EXAMPLES = new TreeMap<>(Map.of(
            "size", "size(artifact.name) == 3",
            "lower", "lower(\"ABC\") == \"abc\"",
            "upper", "upper(context.env) == \"PROD\"",
            "time", "time(\"2026-01-01T00:00:00Z\") == signatures[0].integratedTime",
            "exists", "exists(signatures[0].cert.buildTrigger)",
            "semver", "semver(\"1.2.3\") < semver(\"1.10.0\")",
            "version", "version(\"1.0.0a1\", \"pypi\") < version(\"1.0.0\", \"pypi\")",
            "purl", "purl(\"pkg:npm/lodash@4.17.20\").name == \"lodash\"",
            "inRange", "inRange(\"2.14.1\", \"vers:maven/<2.17.1\")"));

    @Test
    void everyBuiltinIsCheckedAndEvaluatedFromTheTable() {
        assertThat(EXAMPLES.keySet()).as("an example for every entry of the table").isEqualTo(Functions.TABLE.keySet());
        for (Map.Entry<String, String> example : EXAMPLES.entrySet()) {
            assertThat(letValue("let v = " + example.getValue())).as(example.getValue()).isEqualTo(Boolean.TRUE);
        }
    }

    @Test
    void theCheckerRefusesAKindOutsideAnEntryInTheEntrysWords() {
        for (Functions.Builtin builtin : Functions.TABLE.values()) {
            for (int i = 0; i < builtin.arguments().size(); i++) {
                Functions.Argument argument = builtin.arguments().get(i);
                if (argument.kinds().isEmpty() || argument.kinds().contains(Type.Kind.BOOLEAN)) {
                    continue;
                }
                StringBuilder call = new StringBuilder(builtin.name()).append('(');
                for (int j = 0; j < builtin.arguments().size(); j++) {
                    call.append(j > 0 ? ", " : "").append(j == i ? "true" : "\"x\"");
                }
                String source = policy("let v = " + call.append(')'));
                CompileResult result = PolicyTestSupport.COMPILER.compile(source);
                assertThat(result.diagnostics()).as(call.toString()).extracting(Diagnostic::code, Diagnostic::message)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(Diagnostic.Codes.TYPE_ERROR,
                                "'" + builtin.name() + "' takes " + argument.wanted() + ", not a boolean"));
            }
            String tooMany = policy("let v = " + builtin.name() + "(" + "\"x\", ".repeat(builtin.arguments().size()) + "\"x\")");
            assertThat(PolicyTestSupport.COMPILER.compile(tooMany).diagnostics()).extracting(Diagnostic::code)
                    .containsExactly(Diagnostic.Codes.ARGUMENT_COUNT);
        }
    }

    @Test
    void aFunctionOutsideTheTableIsUnknown() {
        assertThat(Functions.TABLE).doesNotContainKey("sha256");
        CompileResult result = PolicyTestSupport.COMPILER.compile(policy("let v = sha256(\"x\")"));
        assertThat(result.ok()).isFalse();
        assertThat(result.diagnostics()).extracting(Diagnostic::code).containsExactly(Diagnostic.Codes.UNKNOWN_FUNCTION);
        assertThat(PolicyTestSupport.COMPILER.compile(policy("let v = lowr(\"x\")")).diagnostics())
                .extracting(Diagnostic::message).containsExactly("unknown function 'lowr' (did you mean 'lower'?)");
    }

    @Test
    void theRootsOfTheCheckerAreTheRootsOfTheInput() {
        assertThat(Roots.NAMES).isEqualTo(Input.ROOTS).containsExactly("artifact", "context", "signatures", "attestations", "now");
        for (Map.Entry<String, Type> field : Roots.SIGNATURE.fields().entrySet()) {
            // every declared signature fact is a known field to the checker
            assertThat(PolicyTestSupport.COMPILER.compile(policy("let v = signatures[0]." + field.getKey())).ok())
                    .as(field.getKey()).isTrue();
        }
        assertThat(PolicyTestSupport.COMPILER.compile(policy("let v = signatures[0].nope")).diagnostics())
                .extracting(Diagnostic::code).containsExactly(Diagnostic.Codes.UNKNOWN_FIELD);
        assertThat(letValue("let v = attestations[0].subjects[0].digest == artifact.digest")).isEqualTo(Boolean.TRUE);
        assertThat(letValue("let v = signatures[0].trustRoots == [\"public-good\"]")).isEqualTo(Boolean.TRUE);
    }

    private static Object letValue(String let) {
        return PolicyTestSupport.compile(policy(let)).letValue(0, INPUT);
    }

    private static String policy(String let) {
        return """
                policy "t" {
                  %s
                  rule r { require true }
                }
                """.formatted(let);
    }
}
