package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Nil;
import dev.tollgate.policy.eval.Undefined;
import org.junit.jupiter.api.Test;

/** The extension functions version(s, eco), purl(s) and inRange(v, vers) in the language: three-valued, checked at upload. */
class PackageFunctionsTests {

    private static final Input INPUT = PolicyTestSupport.input(PolicyTestSupport.JSON.readTree("""
            {"artifact": {"digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111"},
             "attestations": [{"predicateType": "x", "signer": {"kind": "key", "key": "k", "trustRoot": "k"},
               "predicate": {"v": "2.14.1", "n": 3, "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}}]}
            """));

    static Object evaluate(String expression) {
        String source = """
                policy "t" {
                  let p = attestations[0].predicate
                  let U = p.missing
                  let N = p.nul
                  let v = %s
                  rule r { require true }
                }
                """.formatted(expression);
        return PolicyTestSupport.compile(source).letValue(3, INPUT);
    }

    @Test
    void versionsCompareByTheirEcosystem() {
        String[] truths = {
            "version(\"2.17.0-rc1\", \"maven\") < version(\"2.17.0\", \"maven\")",
            "version(p.v, \"maven\") < version(\"2.17.1\", \"maven\")",
            "version(\"1:2.3-4\", \"deb\") > version(\"9.9-1\", \"deb\")",
            "version(\"1.0.0a1\", \"pypi\") < version(\"1.0.0\", \"pypi\")",
            "version(\"v1.2.3\", \"golang\") == version(\"1.2.3\", \"golang\")",
            "version(\"v1.2.3\", \"semver\") == version(\"1.2.3\", \"npm\")",
            "version(\"1.10-1\", \"rpm\") > version(\"1.2-3.el8\", \"rpm\")",
            "version(\"1.0\", \"maven\") != version(\"1.0\", \"npm\")",
            "inRange(p.v, \"vers:maven/>=2.0|<2.17.1\")",
            "inRange(version(p.v, \"maven\"), \"vers:maven/<2.17.1\")",
            "not inRange(\"2.17.1\", \"vers:maven/<2.17.1\")",
            "purl(p.purl).base == \"pkg:maven/org.apache.logging.log4j/log4j-core\"",
            "purl(p.purl).version == \"2.14.1\"",
            "purl(p.purl).type == \"maven\"",
            "purl(\"pkg:npm/lodash@4.17.20\").namespace == null",
            "purl(\"pkg:deb/debian/curl@7.0?arch=amd64\").qualifiers.arch == \"amd64\"",
            "exists(purl(\"nonsense\")) == false",
        };
        for (String t : truths) {
            assertThat(evaluate(t)).as(t).isEqualTo(Boolean.TRUE);
        }
    }

    @Test
    void badInputIsUndefinedNeverAnError() {
        String[] undefined = {
            "version(\"not a deb\", \"deb\")",
            "version(\"1.0\", \"cobol\")",
            "version(U, \"maven\")",
            "version(\"1.0\", U)",
            "version(p.n, \"maven\")",
            "version(\"1.0\", \"maven\") < version(\"1.0\", \"npm\")",
            "version(\"1.0.0\", \"npm\") < semver(\"2.0.0\")",
            "purl(\"log4j\")",
            "purl(U)",
            "purl(p.n)",
            "purl(\"log4j\").name",
            "inRange(\"banana\", \"vers:pypi/<1\")",
            "inRange(\"1.0\", \"<1.0\")",
            "inRange(\"1.0\", \"vers:nosuch/<1\")",
            "inRange(U, \"vers:maven/<1\")",
            "inRange(\"1.0\", p.n)",
        };
        for (String u : undefined) {
            assertThat(evaluate(u)).as(u).isInstanceOf(Undefined.class);
        }
        assertThat(evaluate("purl(\"pkg:npm/lodash\")")).isInstanceOfSatisfying(Map.class,
                m -> assertThat(m.get("version")).isEqualTo(Nil.NULL));
    }

    @Test
    void wrongArgumentsAreUploadErrors() {
        for (String bad : new String[] {"version(\"1.0\")", "version(1, \"maven\")", "version(\"1.0\", 2)", "purl(1)",
            "inRange(\"1.0\")", "inRange(\"1\", 3)", "purl(\"a\", \"b\")"}) {
            CompileResult result = PolicyTestSupport.COMPILER.compile("policy \"t\" {\n  let v = " + bad + "\n  rule r { require true }\n}\n");
            assertThat(result.ok()).as(bad).isFalse();
        }
    }
}
