package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Undefined;
import dev.tollgate.policy.eval.Values;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * The expression table (src/test/resources/policy/expressions.yaml): three-valued logic, every
 * operator and function on defined, undefined, null and wrongly typed operands, paths.
 */
class ExpressionTests {

    private static final Input INPUT = PolicyTestSupport.input(PolicyTestSupport.resource("policy/expression-input.json"));

    static Object evaluate(String expression) {
        String source = """
                policy "t" {
                  let p = attestations[0].predicate
                  let U = p.missing
                  let N = p.nul
                  let v =
                %s
                  rule r { require true }
                }
                """.formatted(expression);
        return PolicyTestSupport.compile(source).letValue(3, INPUT);
    }

    @TestFactory
    Stream<DynamicTest> expressionTable() {
        JsonNode cases = PolicyTestSupport.resource("policy/expressions.yaml");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String expr = c.get("expr").asString();
            String expect = c.get("expect").asString();
            tests.add(DynamicTest.dynamicTest(expr.replace('\n', ' ') + "  ⇒  " + expect, () -> {
                Object actual = evaluate(expr);
                if (expect.equals("undefined")) {
                    assertThat(actual).as("%s", expr).isInstanceOf(Undefined.class);
                    if (c.has("reason")) {
                        assertThat(((Undefined) actual).reason()).contains(c.get("reason").asString());
                    }
                } else {
                    Object expected = evaluate(expect);
                    assertThat(actual).as("%s is %s", expr, actual).isNotInstanceOf(Undefined.class);
                    assertThat(Values.kind(actual)).as(expr).isEqualTo(Values.kind(expected));
                    assertThat(Values.equal(actual, expected)).as("%s is %s, expected %s", expr, actual, expected).isTrue();
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThan(200);
        return tests.stream();
    }
}
