package dev.tollgate.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.decision.ArtifactRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import dev.tollgate.digest.Digest;

/**
 * A policy test file (docs/policy-authoring.md): the policies under test, the trust material,
 * and cases, each with an artifact, context, evidence files, a decision time and the expected
 * outcome — of the decision, per policy, per rule and per evidence item. Paths are relative to
 * the test file. Every field is checked: an unknown or mistyped one is an error, never ignored.
 */
record PolicyTestFile(Path file, List<Path> policies, Path trustDir, boolean publicGood, List<Case> cases) {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> FILE_FIELDS = Set.of("policy", "policies", "trust", "now", "exceptions", "cases");
    private static final Set<String> TRUST_FIELDS = Set.of("dir", "publicGood");
    private static final Set<String> CASE_FIELDS = Set.of("name", "artifact", "context", "evidence", "policies", "select",
            "now", "exceptions", "expect");
    private static final Set<String> EXPECT_FIELDS = Set.of("allowed", "outcome", "rules", "policies", "evidence", "reason");
    private static final Set<String> POLICY_EXPECT_FIELDS = Set.of("outcome", "rules");
    private static final Set<String> RULE_OUTCOMES = Set.of("pass", "fail", "warn");

    /** One evidence item: a bundle file, and for a message-signature bundle the file it signed. */
    record Evidence(Path bundle, Path payload) {
    }

    /** What a case expects; null fields are not checked. */
    record Expect(Boolean allowed, String outcome, String reason, Map<String, String> rules,
            Map<String, PolicyExpect> policies, List<String> evidence) {
    }

    record PolicyExpect(String outcome, Map<String, String> rules) {
    }

    /**
     * One case. {@code named} null: the policies are selected by their {@code applies when}, as
     * for a request that names none; else the policies named (by default all of the file's).
     * {@code exceptions}: the files of governed exceptions (as {@code GET /v1/exceptions} answers
     * them) that may waive its failures — the file's and the case's own.
     */
    record Case(String name, ArtifactRef artifact, Map<String, String> context, List<Evidence> evidence, List<String> named,
            Instant now, List<Path> exceptions, Expect expect) {
    }

    /** A file that cannot be read as a test file (the message says where). */
    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    static PolicyTestFile read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Workbench.read(file));
        } catch (RuntimeException e) {
            throw new Invalid(file + " is not YAML: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        object(root, "the test file", FILE_FIELDS);
        List<Path> policies = new ArrayList<>();
        if (root.has("policy")) {
            policies.add(dir.resolve(string(root.get("policy"), "policy")));
        }
        if (root.has("policies")) {
            for (JsonNode p : list(root.get("policies"), "policies")) {
                policies.add(dir.resolve(string(p, "policies[]")));
            }
        }
        if (policies.isEmpty()) {
            throw new Invalid("a test file names its policy (policy: FILE) or policies (policies: [FILE, ...])");
        }
        Path trustDir = null;
        boolean publicGood = true;
        if (root.has("trust")) {
            JsonNode trust = object(root.get("trust"), "trust", TRUST_FIELDS);
            if (trust.has("dir")) {
                trustDir = dir.resolve(string(trust.get("dir"), "trust.dir"));
            }
            if (trust.has("publicGood")) {
                publicGood = bool(trust.get("publicGood"), "trust.publicGood");
            }
        }
        Instant defaultNow = root.has("now") ? time(root.get("now"), "now") : null;
        List<Path> fileExceptions = root.has("exceptions") ? paths(root.get("exceptions"), "exceptions", dir) : List.of();
        List<Case> cases = new ArrayList<>();
        JsonNode list = list(root.get("cases"), "cases");
        if (list.isEmpty()) {
            throw new Invalid("cases must hold at least one case");
        }
        for (int i = 0; i < list.size(); i++) {
            cases.add(testCase(list.get(i), "cases[" + i + "]", dir, defaultNow, fileExceptions));
        }
        return new PolicyTestFile(file, List.copyOf(policies), trustDir, publicGood, List.copyOf(cases));
    }

    private static Case testCase(JsonNode c, String where, Path dir, Instant defaultNow, List<Path> fileExceptions) {
        object(c, where, CASE_FIELDS);
        String name = c.has("name") ? string(c.get("name"), where + ".name") : where;
        JsonNode a = object(c.get("artifact"), where + ".artifact", Set.of("digest", "name", "tag"));
        String digest = a.has("digest") ? string(a.get("digest"), where + ".artifact.digest") : null;
        if (!Digest.isWritten(digest)) {
            throw new Invalid(where + ".artifact.digest must be sha256: followed by 64 lowercase hex digits");
        }
        ArtifactRef artifact;
        try {
            artifact = new ArtifactRef(digest, a.has("name") ? string(a.get("name"), where + ".artifact.name") : null,
                    a.has("tag") ? string(a.get("tag"), where + ".artifact.tag") : null);
        } catch (RuntimeException e) {
            throw new Invalid(where + ".artifact: " + e.getMessage());
        }
        Map<String, String> context = new LinkedHashMap<>();
        if (c.has("context")) {
            JsonNode ctx = object(c.get("context"), where + ".context", null);
            ctx.properties().forEach(e -> context.put(e.getKey(), string(e.getValue(), where + ".context." + e.getKey())));
        }
        List<Evidence> evidence = new ArrayList<>();
        if (c.has("evidence")) {
            JsonNode items = list(c.get("evidence"), where + ".evidence");
            for (int i = 0; i < items.size(); i++) {
                JsonNode item = items.get(i);
                String at = where + ".evidence[" + i + "]";
                if (item.isString()) {
                    evidence.add(new Evidence(dir.resolve(item.stringValue()), null));
                } else {
                    object(item, at, Set.of("bundle", "payload"));
                    if (!item.has("bundle")) {
                        throw new Invalid(at + " needs a bundle (a file)");
                    }
                    evidence.add(new Evidence(dir.resolve(string(item.get("bundle"), at + ".bundle")),
                            item.has("payload") ? dir.resolve(string(item.get("payload"), at + ".payload")) : null));
                }
            }
        }
        boolean select = c.has("select") && bool(c.get("select"), where + ".select");
        List<String> named = null;
        if (c.has("policies")) {
            if (select) {
                throw new Invalid(where + ": select and policies exclude each other");
            }
            named = new ArrayList<>();
            for (JsonNode p : list(c.get("policies"), where + ".policies")) {
                named.add(string(p, where + ".policies[]"));
            }
        } else if (!select) {
            named = List.of(); // the file's policies, filled in by the runner
        }
        Instant now = c.has("now") ? time(c.get("now"), where + ".now") : defaultNow;
        if (!c.has("expect")) {
            throw new Invalid(where + " needs expect (allowed, outcome, rules, policies or evidence)");
        }
        List<Path> exceptions = new ArrayList<>(fileExceptions);
        if (c.has("exceptions")) {
            exceptions.addAll(paths(c.get("exceptions"), where + ".exceptions", dir));
        }
        return new Case(name, artifact, context, List.copyOf(evidence), named, now, List.copyOf(exceptions),
                expect(c.get("expect"), where + ".expect"));
    }

    private static List<Path> paths(JsonNode node, String where, Path dir) {
        List<Path> paths = new ArrayList<>();
        for (JsonNode p : list(node, where)) {
            paths.add(dir.resolve(string(p, where + "[]")));
        }
        return List.copyOf(paths);
    }

    private static Expect expect(JsonNode e, String where) {
        object(e, where, EXPECT_FIELDS);
        if (e.isEmpty()) {
            throw new Invalid(where + " expects nothing: give allowed, outcome, rules, policies or evidence");
        }
        Boolean allowed = e.has("allowed") ? bool(e.get("allowed"), where + ".allowed") : null;
        String outcome = e.has("outcome") ? oneOf(e.get("outcome"), where + ".outcome", Set.of("allow", "deny", "warn")) : null;
        String reason = e.has("reason") ? string(e.get("reason"), where + ".reason") : null;
        Map<String, String> rules = e.has("rules") ? rules(e.get("rules"), where + ".rules") : null;
        Map<String, PolicyExpect> policies = null;
        if (e.has("policies")) {
            policies = new LinkedHashMap<>();
            for (var entry : object(e.get("policies"), where + ".policies", null).properties()) {
                String at = where + ".policies." + entry.getKey();
                JsonNode p = object(entry.getValue(), at, POLICY_EXPECT_FIELDS);
                policies.put(entry.getKey(), new PolicyExpect(
                        p.has("outcome") ? oneOf(p.get("outcome"), at + ".outcome", Set.of("allow", "deny", "not-applicable")) : null,
                        p.has("rules") ? rules(p.get("rules"), at + ".rules") : null));
            }
        }
        List<String> evidence = null;
        if (e.has("evidence")) {
            evidence = new ArrayList<>();
            for (JsonNode item : list(e.get("evidence"), where + ".evidence")) {
                evidence.add(string(item, where + ".evidence[]"));
            }
        }
        return new Expect(allowed, outcome, reason, rules, policies, evidence);
    }

    private static Map<String, String> rules(JsonNode node, String where) {
        Map<String, String> rules = new LinkedHashMap<>();
        for (var entry : object(node, where, null).properties()) {
            rules.put(entry.getKey(), oneOf(entry.getValue(), where + "." + entry.getKey(), RULE_OUTCOMES));
        }
        return rules;
    }

    private static JsonNode object(JsonNode node, String where, Set<String> fields) {
        if (node == null || !node.isObject()) {
            throw new Invalid(where + " must be a mapping");
        }
        if (fields != null) {
            for (String field : node.propertyNames()) {
                if (!fields.contains(field)) {
                    throw new Invalid(where + " has no field '" + field + "' (the fields are " + String.join(", ",
                            new java.util.TreeSet<>(fields)) + ")");
                }
            }
        }
        return node;
    }

    private static JsonNode list(JsonNode node, String where) {
        if (node == null || !node.isArray()) {
            throw new Invalid(where + " must be a list");
        }
        return node;
    }

    private static String string(JsonNode node, String where) {
        if (node == null || !node.isString()) {
            throw new Invalid(where + " must be a string");
        }
        return node.stringValue();
    }

    private static boolean bool(JsonNode node, String where) {
        if (node == null || !node.isBoolean()) {
            throw new Invalid(where + " must be true or false");
        }
        return node.booleanValue();
    }

    private static String oneOf(JsonNode node, String where, Set<String> values) {
        String value = string(node, where);
        if (!values.contains(value)) {
            throw new Invalid(where + " must be one of " + String.join(", ", new java.util.TreeSet<>(values)) + ", not '" + value + "'");
        }
        return value;
    }

    private static Instant time(JsonNode node, String where) {
        String text = string(node, where);
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (RuntimeException e) {
            throw new Invalid(where + " must be an RFC 3339 time with an offset (quoted), not '" + text + "'");
        }
    }
}
