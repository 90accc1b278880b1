package dev.tollgate.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.policy.dsl.Ast;
import dev.tollgate.policy.dsl.PolicyParser;

/**
 * Who can satisfy a policy: for each rule, the signer issuers, subjects, keys, trust roots, OpenPGP
 * fingerprints, predicate types and builder ids its condition compares with, read from the policy's
 * syntax tree (the source the server compiled). A read-only view for reviews of the trust chain
 * ("who can sign, under what conditions, and where are those conditions enforced"); deciding never
 * uses it.
 *
 * <p>A comparison counts when one side is a path into a signature or attestation (a variable of
 * {@code any}/{@code all}/{@code count} over {@code signatures}, {@code attestations} or a signer's
 * lists, or those roots indexed) ending in one of the fields above, and the other side is a string,
 * a list of strings, or a {@code let} naming one. Anything else on the other side (a context value,
 * a computed string) is shown as its source text. Under {@code not}, {@code !=} or a {@code deny if}
 * rule the comparison names what the rule <em>refuses</em>, and says so.
 *
 * @param rules one entry per rule, in source order (a rule that compares none of these fields has an
 *              empty list)
 */
public record PolicyRequirements(String policy, int version, List<Rule> rules) {

    public PolicyRequirements {
        rules = List.copyOf(rules);
    }

    /** A rule and the identities it compares with. */
    public record Rule(String name, boolean denyIf, List<Accepted> accepted) {
        public Rule {
            accepted = List.copyOf(accepted);
        }
    }

    /**
     * One comparison: {@code attribute} is {@code issuer}, {@code subject}, {@code key},
     * {@code trustRoot}, {@code fingerprint}, {@code predicateType}, {@code builderId} or
     * {@code timestampedBy}; {@code operator} the policy's ({@code ==}, {@code in}, {@code matches},
     * {@code glob}, {@code startsWith}, {@code endsWith}, {@code contains}); {@code values} the
     * constants compared with, or the source text of what is compared with when it is not constant;
     * {@code accepts} false when the rule refuses what matches; {@code on} the evidence it is about
     * ({@code signatures} or {@code attestations}).
     */
    public record Accepted(String attribute, String operator, List<String> values, boolean constant, boolean accepts,
            String on) {
        public Accepted {
            values = List.copyOf(values);
        }
    }

    private static final Set<String> OPERATORS = Set.of("==", "!=", "in", "matches", "glob", "startsWith", "endsWith",
            "contains");

    /** The requirements of a policy source that compiles; a source that does not parse has no rules here. */
    public static PolicyRequirements of(String policy, int version, String source) {
        PolicyParser.ParseResult parsed = PolicyParser.parse(source);
        if (parsed.policy() == null) {
            return new PolicyRequirements(policy, version, List.of());
        }
        Map<String, Ast.Expr> lets = new HashMap<>();
        for (Ast.Let let : parsed.policy().lets()) {
            lets.put(let.name(), let.value());
        }
        List<Rule> rules = new ArrayList<>();
        for (Ast.Rule rule : parsed.policy().rules()) {
            Walk walk = new Walk(lets);
            walk.expr(rule.condition(), !rule.denyIf(), Map.of());
            rules.add(new Rule(rule.name(), rule.denyIf(), walk.found));
        }
        return new PolicyRequirements(policy, version, rules);
    }

    /** The attribute a path names, or null: {@code s.issuer}, {@code a.signer.key}, {@code a.predicate.runDetails.builder.id}. */
    static String attribute(List<String> path) {
        if (path.isEmpty()) {
            return null;
        }
        String last = path.get(path.size() - 1);
        if (path.size() >= 2 && last.equals("id") && path.get(path.size() - 2).equals("builder")) {
            return "builderId";
        }
        return switch (last) {
            case "issuer", "subject", "key", "fingerprint", "predicateType", "timestampedBy" -> last;
            case "trustRoot", "trustRoots" -> "trustRoot";
            default -> null;
        };
    }

    private static final class Walk {

        private final Map<String, Ast.Expr> lets;
        final List<Accepted> found = new ArrayList<>();

        Walk(Map<String, Ast.Expr> lets) {
            this.lets = lets;
        }

        /**
         * @param accepts whether a true comparison here lets the artifact through
         * @param vars    quantifier variables in scope → the evidence they range over
         */
        void expr(Ast.Expr e, boolean accepts, Map<String, String> vars) {
            if (e instanceof Ast.Group g) {
                expr(g.inner(), accepts, vars);
            } else if (e instanceof Ast.Not n) {
                expr(n.operand(), !accepts, vars);
            } else if (e instanceof Ast.Quantifier q) {
                expr(q.list(), accepts, vars);
                expr(q.body(), accepts, bind(vars, q.variable(), q.list()));
            } else if (e instanceof Ast.CountForm c) {
                expr(c.list(), accepts, vars);
                expr(c.body(), accepts, bind(vars, c.variable(), c.list()));
            } else if (e instanceof Ast.Binary b) {
                if (OPERATORS.contains(b.operator()) && comparison(b, accepts, vars)) {
                    return;
                }
                expr(b.left(), accepts, vars);
                expr(b.right(), accepts, vars);
            } else if (e instanceof Ast.Call c) {
                c.arguments().forEach(a -> expr(a, accepts, vars));
            } else if (e instanceof Ast.ListLit l) {
                l.elements().forEach(a -> expr(a, accepts, vars));
            }
            // literals, names, paths: nothing compared
        }

        private Map<String, String> bind(Map<String, String> vars, String variable, Ast.Expr list) {
            Map<String, String> inner = new HashMap<>(vars);
            Evidence over = evidence(list, vars);
            if (over != null) {
                // a variable over a signer's list (t in s.timestampedBy) stands for the field itself
                inner.put(variable, over.on() + (over.path().isEmpty() ? "" : "." + String.join(".", over.path())));
            } else {
                inner.remove(variable);
            }
            return inner;
        }

        private boolean comparison(Ast.Binary b, boolean accepts, Map<String, String> vars) {
            boolean positive = b.operator().equals("!=") ? !accepts : accepts;
            String operator = b.operator().equals("!=") ? "==" : b.operator();
            Evidence left = evidence(b.left(), vars);
            String leftAttribute = left == null ? null : attribute(left.path());
            if (leftAttribute != null) {
                add(leftAttribute, operator, b.right(), positive, left.on());
                return true;
            }
            // "name" in s.trustRoots, x contains ...: the path on the right
            Evidence right = evidence(b.right(), vars);
            String rightAttribute = right == null ? null : attribute(right.path());
            if (rightAttribute != null && (operator.equals("in") || operator.equals("=="))) {
                add(rightAttribute, operator.equals("in") ? "contains" : operator, b.left(), positive, right.on());
                return true;
            }
            return false;
        }

        private void add(String attribute, String operator, Ast.Expr other, boolean accepts, String on) {
            List<String> values = constants(other, new HashSet<>());
            boolean constant = values != null;
            found.add(new Accepted(attribute, operator, constant ? values : List.of(other.text()), constant, accepts, on));
        }

        /** The strings an expression always is, or null when it is not a constant string or list of strings. */
        private List<String> constants(Ast.Expr e, Set<String> seen) {
            if (e instanceof Ast.StringLit s) {
                return List.of(decode(s.raw()));
            }
            if (e instanceof Ast.Group g) {
                return constants(g.inner(), seen);
            }
            if (e instanceof Ast.ListLit l) {
                List<String> all = new ArrayList<>();
                for (Ast.Expr element : l.elements()) {
                    List<String> values = constants(element, seen);
                    if (values == null) {
                        return null;
                    }
                    all.addAll(values);
                }
                return all;
            }
            if (e instanceof Ast.Name n && lets.containsKey(n.name()) && seen.add(n.name())) {
                return constants(lets.get(n.name()), seen);
            }
            return null;
        }

        private record Evidence(String on, List<String> path) {
        }

        /** A path into a signature or attestation: which evidence, and the fields after it; else null. */
        private Evidence evidence(Ast.Expr e, Map<String, String> vars) {
            List<String> fields = new ArrayList<>();
            Ast.Expr at = e;
            while (true) {
                if (at instanceof Ast.Field f) {
                    fields.add(0, f.field());
                    at = f.target();
                } else if (at instanceof Ast.Index i) {
                    at = i.target();
                } else if (at instanceof Ast.Group g) {
                    at = g.inner();
                } else {
                    break;
                }
            }
            if (!(at instanceof Ast.Name root)) {
                return null;
            }
            String bound = vars.get(root.name());
            if (bound != null) {
                int dot = bound.indexOf('.');
                List<String> path = new ArrayList<>(dot < 0 ? List.of() : List.of(bound.substring(dot + 1).split("\\.")));
                path.addAll(fields);
                return new Evidence(dot < 0 ? bound : bound.substring(0, dot), path);
            }
            if (root.name().equals("signatures") || root.name().equals("attestations")) {
                return new Evidence(root.name(), fields);
            }
            return null;
        }

        /** A string literal's value; the server compiled this source, so its escapes are valid. */
        private static String decode(String raw) {
            StringBuilder out = new StringBuilder(raw.length());
            for (int i = 1; i < raw.length() - 1; i++) {
                char c = raw.charAt(i);
                if (c == '\\' && i + 1 < raw.length() - 1) {
                    char next = raw.charAt(++i);
                    out.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> next;
                    });
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }
}
