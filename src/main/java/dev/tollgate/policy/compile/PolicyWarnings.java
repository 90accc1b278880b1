package dev.tollgate.policy.compile;

import java.util.ArrayList;
import java.util.List;

import dev.tollgate.policy.dsl.Ast;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.dsl.PolicyParser;

/**
 * Warnings about a policy that compiles but likely does not mean what it says: returned with an
 * upload and by {@code tollgate lint}, never refusing anything.
 * <ul>
 * <li>{@value #ANCHORED_PATTERN}: a {@code matches} pattern that starts with {@code ^} or ends with
 * {@code $}. Patterns match the whole value already, so {@code "^prod-"} matches only the value
 * {@code prod-} — an {@code applies when} written so silently never applies.</li>
 * <li>{@value #NEVER_APPLIES}: an {@code applies when} that is the constant {@code false}.</li>
 * <li>{@value #NEVER_FAILS}: a rule that cannot fail ({@code require true}, {@code deny if false}).</li>
 * <li>{@value #TYPE_MISMATCH}: {@code ==}, {@code !=} or {@code in} between values whose declared types differ
 * ({@code s.integratedTime == "2026-01-01"}, {@code context.replicas == 3}): always false (or true), whatever the input.</li>
 * </ul>
 */
public final class PolicyWarnings {

    public static final String ANCHORED_PATTERN = "policy_anchored_pattern";
    public static final String NEVER_APPLIES = "policy_never_applies";
    public static final String NEVER_FAILS = "policy_rule_never_fails";
    public static final String TYPE_MISMATCH = "policy_comparison_type_mismatch";

    private PolicyWarnings() {
    }

    /** The warnings of a source, sorted by position; none for a source that does not parse. */
    public static List<Diagnostic> of(String source) {
        PolicyParser.ParseResult parsed = PolicyParser.parse(source);
        if (parsed.policy() == null) {
            return List.of();
        }
        List<Diagnostic> warnings = new ArrayList<>();
        Ast.Policy policy = parsed.policy();
        if (policy.applies() != null) {
            walk(policy.applies(), warnings);
            if (constant(policy.applies()) == Boolean.FALSE) {
                warnings.add(Diagnostic.at(policy.applies().span(), NEVER_APPLIES,
                        "'applies when' is always false: this policy never applies"));
            }
        }
        policy.lets().forEach(let -> walk(let.value(), warnings));
        for (Ast.Rule rule : policy.rules()) {
            walk(rule.condition(), warnings);
            Boolean value = constant(rule.condition());
            if (value != null && value != rule.denyIf()) {
                warnings.add(Diagnostic.at(rule.condition().span(), NEVER_FAILS, "rule '" + rule.name() + "' can never fail: its "
                        + (rule.denyIf() ? "'deny if'" : "'require'") + " condition is always " + value));
            }
        }
        Checker checker = new Checker(policy, parsed.deferred(), dev.tollgate.policy.dsl.Deadline.NONE,
                dev.tollgate.policy.eval.Budget.Limits.DEFAULT);
        if (checker.compile().ok()) {
            warnings.addAll(checker.warnings);
        }
        warnings.sort(null);
        return List.copyOf(warnings);
    }

    private static Boolean constant(Ast.Expr e) {
        if (e instanceof Ast.Group g) {
            return constant(g.inner());
        }
        if (e instanceof Ast.BoolLit b) {
            return b.value();
        }
        return null;
    }

    private static void walk(Ast.Expr e, List<Diagnostic> warnings) {
        if (e instanceof Ast.Binary b) {
            if (b.operator().equals("matches") && b.right() instanceof Ast.StringLit pattern) {
                anchored(pattern, warnings);
            }
            walk(b.left(), warnings);
            walk(b.right(), warnings);
        } else if (e instanceof Ast.Group g) {
            walk(g.inner(), warnings);
        } else if (e instanceof Ast.Not n) {
            walk(n.operand(), warnings);
        } else if (e instanceof Ast.Call c) {
            c.arguments().forEach(a -> walk(a, warnings));
        } else if (e instanceof Ast.CountForm c) {
            walk(c.list(), warnings);
            walk(c.body(), warnings);
        } else if (e instanceof Ast.Quantifier q) {
            walk(q.list(), warnings);
            walk(q.body(), warnings);
        } else if (e instanceof Ast.Field f) {
            walk(f.target(), warnings);
        } else if (e instanceof Ast.Index i) {
            walk(i.target(), warnings);
            walk(i.index(), warnings);
        } else if (e instanceof Ast.ListLit l) {
            l.elements().forEach(x -> walk(x, warnings));
        }
    }

    private static void anchored(Ast.StringLit pattern, List<Diagnostic> warnings) {
        String raw = pattern.raw();
        boolean starts = raw.startsWith("\"^");
        boolean ends = raw.endsWith("$\"") && !raw.endsWith("\\$\"");
        if (!starts && !ends) {
            return;
        }
        String where = starts && ends ? "starts with '^' and ends with '$'" : starts ? "starts with '^'" : "ends with '$'";
        String advice = starts && ends ? "the anchors are redundant"
                : starts ? "it matches only values that are exactly its text after '^'; end it with '.*' to match a prefix"
                        : "it matches only values that are exactly its text before '$'; start it with '.*' to match a suffix";
        warnings.add(Diagnostic.at(pattern.span(), ANCHORED_PATTERN, "the pattern " + raw + " " + where
                + ": patterns always match the whole value (anchoring is implicit), so " + advice));
    }
}
