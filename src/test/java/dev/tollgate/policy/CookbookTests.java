package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.tollgate.policy.eval.Mode;
import dev.tollgate.policy.eval.Outcome;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.policy.eval.RuleResult;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/** Every ```policy block of docs/policy-language.md compiles and behaves as its cookbook inputs say. */
class CookbookTests {

    private static final Pattern BLOCK = Pattern.compile("(?s)```policy\\n(.*?)```");

    static List<String> cookbook() throws IOException {
        String doc = Files.readString(Path.of("docs/policy-language.md"));
        List<String> policies = new ArrayList<>();
        Matcher m = BLOCK.matcher(doc);
        while (m.find()) {
            policies.add(m.group(1));
        }
        return policies;
    }

    @TestFactory
    Stream<DynamicTest> cookbookPolicies() throws IOException {
        JsonNode cases = PolicyTestSupport.resource("policy/cookbook.yaml");
        List<String> policies = cookbook();
        assertThat(policies).hasSize(10);
        List<DynamicTest> tests = new ArrayList<>();
        for (String source : policies) {
            Program program = PolicyTestSupport.compile(source);
            JsonNode c = cases.get(program.name());
            assertThat(c).as("cookbook.yaml has inputs for " + program.name()).isNotNull();
            tests.add(DynamicTest.dynamicTest(program.name() + " passes", () -> {
                PolicyResult result = program.evaluate(PolicyTestSupport.input(c.get("pass")));
                assertThat(result.applicable()).isTrue();
                assertThat(result.rules()).as(result.toString()).allMatch(RuleResult::passed);
                assertThat(result.outcome()).isEqualTo(Outcome.ALLOW);
            }));
            for (JsonNode failure : c.get("fail")) {
                String rule = failure.get("rule").asString();
                tests.add(DynamicTest.dynamicTest(program.name() + " fails " + rule, () -> {
                    PolicyResult result = program.evaluate(PolicyTestSupport.input(failure.get("input")));
                    assertThat(result.outcome()).isEqualTo(Outcome.DENY);
                    assertThat(result.rules()).filteredOn(r -> r.name().equals(rule)).singleElement()
                            .satisfies(r -> {
                                assertThat(r.passed()).isFalse();
                                assertThat(r.message()).isNotBlank();
                                assertThat(r.reason()).isNotBlank();
                            });
                }));
            }
        }
        // the "rolling out a new rule" entry is the one in warn mode
        assertThat(policies.stream().map(PolicyTestSupport::compile).filter(p -> p.mode() == Mode.WARN).toList()).hasSize(1);
        return tests.stream();
    }
}
