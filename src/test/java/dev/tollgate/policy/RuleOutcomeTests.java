package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.RuleResult;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/** src/test/resources/policy/rules.yaml: policy + input → applicability, outcome, and per rule outcome and reason. */
class RuleOutcomeTests {

    @TestFactory
    Stream<DynamicTest> ruleCases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : PolicyTestSupport.resource("policy/rules.yaml")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asString(), () -> check(c)));
        }
        return tests.stream();
    }

    static void check(JsonNode c) {
        PolicyResult result = PolicyTestSupport.compile(c.get("policy").asString())
                .evaluate(PolicyTestSupport.input(c.get("input")));
        JsonNode expect = c.get("expect");
        assertThat(result.applicable()).as("applicable").isEqualTo(expect.get("applicable").asBoolean());
        assertThat(result.outcome().id()).as("outcome").isEqualTo(expect.get("outcome").asString());
        if (!expect.has("rules")) {
            return;
        }
        assertThat(result.rules()).extracting(RuleResult::name)
                .containsExactlyElementsOf(expect.get("rules").valueStream().map(r -> r.get("name").asString()).toList());
        for (int i = 0; i < result.rules().size(); i++) {
            RuleResult actual = result.rules().get(i);
            JsonNode rule = expect.get("rules").get(i);
            String where = actual.name() + " " + actual;
            assertThat(actual.outcome()).as(where).isEqualTo(rule.get("outcome").asString());
            if (actual.passed()) {
                assertThat(actual.reason()).as(where).isNull();
                assertThat(actual.message()).as(where).isNull();
            } else {
                assertThat(actual.reason()).as(where).isNotBlank();
            }
            if (rule.has("reason")) {
                assertThat(actual.reason()).as(where).contains(rule.get("reason").asString());
            }
            if (rule.has("message")) {
                assertThat(actual.message()).as(where).isEqualTo(rule.get("message").asString());
            }
            if (rule.has("evidence")) {
                assertThat(actual.evidence()).as(where)
                        .containsExactlyElementsOf(rule.get("evidence").valueStream().map(JsonNode::asInt).toList());
            }
        }
    }
}
