package dev.tollgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyCompiler;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Program;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Compiling and evaluating policies in plain unit tests. */
public final class PolicyTestSupport {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final PolicyCompiler COMPILER = new PolicyCompiler(PolicyCompiler.Limits.DEFAULT.withoutTimeouts());
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    private PolicyTestSupport() {
    }

    public static Program compile(String source) {
        CompileResult result = COMPILER.compile(source);
        if (!result.ok()) {
            throw new AssertionError("does not compile: " + result.diagnostics() + "\n" + source);
        }
        return result.program();
    }

    public static JsonNode resource(String path) {
        try (InputStream in = PolicyTestSupport.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            if (path.endsWith(".yaml")) {
                // SnakeYAML resolves anchors, aliases and merge keys, which the cases use to share inputs
                Object loaded = new org.yaml.snakeyaml.Yaml().load(in);
                return JSON.valueToTree(loaded);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Input input(JsonNode json) {
        return PolicyInputs.playground(json, CLOCK);
    }
}
