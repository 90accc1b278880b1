package dev.tollgate.policy.compile;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.google.re2j.Pattern;
import dev.tollgate.name.ResourceName;
import dev.tollgate.policy.dsl.Ast;
import dev.tollgate.policy.dsl.Ast.Expr;
import dev.tollgate.policy.dsl.Diagnostic;
import dev.tollgate.policy.dsl.Diagnostic.Codes;
import dev.tollgate.policy.dsl.Span;
import dev.tollgate.policy.eval.Functions;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.Mode;
import dev.tollgate.policy.eval.Nil;
import dev.tollgate.policy.eval.Node;
import dev.tollgate.policy.eval.Nodes;
import dev.tollgate.policy.eval.Operators;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.policy.eval.Values;
import dev.tollgate.policy.eval.Roots;
import dev.tollgate.policy.eval.Type;
import dev.tollgate.policy.eval.Type.Kind;

/**
 * Checks a parsed policy (names, scopes, fields, types, constants) and builds its eval nodes.
 * Every problem becomes a diagnostic; a program is built only when there is none.
 */
final class Checker {

    /** Longest number literal, as Jackson bounds the numbers of JSON input. */
    static final int MAX_NUMBER_LENGTH = 1000;
    private static final Set<String> KEYWORDS = Set.of("policy", "description", "mode", "enforce", "warn", "audit",
            "applies", "when", "let", "rule", "require", "deny", "if", "message", "any", "all", "in", "not", "and", "or",
            "matches", "glob", "startsWith", "endsWith", "contains", "count", "true", "false", "null");
    private static final Map<String, Type> ROOT_TYPES = Roots.TYPES;
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=", "in", "matches", "glob",
            "startsWith", "endsWith", "contains");
    private static final Set<String> ORDERINGS = Set.of("<", "<=", ">", ">=");
    private static final Set<Kind> ORDERED = Set.of(Kind.NUMBER, Kind.STRING, Kind.TIMESTAMP, Kind.DURATION, Kind.VERSION);

    private record Constant(String value, Span span) {
    }

    private record Typed(Node node, Type type, Constant constant) {
        Typed(Node node, Type type) {
            this(node, type, null);
        }
    }

    private record Var(String name, int slot, Type type) {
    }

    private static final class LetInfo {
        final int index;
        final Ast.Let ast;
        Type type = Type.ANY;
        Constant constant;
        boolean ready;

        LetInfo(int index, Ast.Let ast) {
            this.index = index;
            this.ast = ast;
        }
    }

    private final Ast.Policy policy;
    private final List<Diagnostic> errors = new ArrayList<>();
    /** Warnings found on the way (read by {@link PolicyWarnings}; they never stop a compilation). */
    final List<Diagnostic> warnings = new ArrayList<>();
    private final Map<String, LetInfo> lets = new LinkedHashMap<>();
    /** Each distinct pattern is compiled once per policy, however often it is used. */
    private final Map<String, Patterns.Compiled> regexes = new java.util.HashMap<>();
    private final Map<String, Patterns.Compiled> globs = new java.util.HashMap<>();
    private int slots = Input.ROOTS.size();
    /** Edit-distance cells computed for suggestions so far; bounded by {@link #MAX_SUGGESTION_WORK}. */
    private long suggestionWork;
    private static final long MAX_SUGGESTION_WORK = 10_000_000;

    private final dev.tollgate.policy.dsl.Deadline deadline;
    private final dev.tollgate.policy.eval.Budget.Limits evaluation;

    Checker(Ast.Policy policy, List<Diagnostic> deferred, dev.tollgate.policy.dsl.Deadline deadline,
            dev.tollgate.policy.eval.Budget.Limits evaluation) {
        this.policy = policy;
        this.errors.addAll(deferred);
        this.deadline = deadline;
        this.evaluation = evaluation;
    }

    CompileResult compile() {
        String name = decode(policy.rawName(), policy.nameSpan());
        if (name != null && !ResourceName.isValid(name)) {
            error(policy.nameSpan(), Codes.INVALID_NAME,
                    "invalid policy name '" + name + "': lowercase letters, digits and hyphens, at most 63 characters");
        }
        String description = policy.rawDescription() == null ? null : decode(policy.rawDescription(), policy.descriptionSpan());

        List<Node> letNodes = new ArrayList<>();
        for (int i = 0; i < policy.lets().size(); i++) {
            Ast.Let let = policy.lets().get(i);
            LetInfo info = new LetInfo(i, let);
            checkLetName(let);
            lets.putIfAbsent(let.name(), info);
        }
        for (int i = 0; i < policy.lets().size(); i++) {
            Ast.Let let = policy.lets().get(i);
            LetInfo info = lets.get(let.name());
            Typed value = expr(let.value(), List.of());
            if (info.index == i) {
                info.type = value.type();
                info.constant = value.constant();
                info.ready = true;
            }
            letNodes.add(value.node());
        }

        Node applies = null;
        if (policy.applies() != null) {
            Typed typed = expr(policy.applies(), List.of());
            expectCondition(typed, policy.applies(), "the applies-when condition");
            applies = typed.node();
        }

        List<Program.Rule> rules = new ArrayList<>();
        Set<String> ruleNames = new HashSet<>();
        for (Ast.Rule rule : policy.rules()) {
            if (!ruleNames.add(rule.name())) {
                error(rule.keywordSpan(), Codes.DUPLICATE_RULE, "duplicate rule name '" + rule.name() + "'");
            }
            Typed condition = expr(rule.condition(), List.of());
            expectCondition(condition, rule.condition(), "the condition of rule '" + rule.name() + "'");
            String message = rule.rawMessage() == null ? null : decode(rule.rawMessage(), rule.messageSpan());
            java.time.Instant effective = null;
            if (rule.rawEffective() != null) {
                String text = decode(rule.rawEffective(), rule.effectiveSpan());
                try {
                    effective = java.time.OffsetDateTime.parse(text).toInstant();
                } catch (RuntimeException e) {
                    error(rule.effectiveSpan(), Codes.BAD_EFFECTIVE_TIME, "the effective time of rule '" + rule.name()
                            + "' must be an RFC 3339 time with an offset, such as \"2027-01-01T00:00:00Z\"");
                }
            }
            rules.add(new Program.Rule(rule.name(), rule.denyIf(), condition.node(), message, effective));
        }

        List<String> levels = new ArrayList<>();
        for (Ast.Level level : policy.levels()) {
            String text = decode(level.raw(), level.span());
            if (text != null && (!LEVEL.matcher(text).matches() || text.equals("FAILED"))) {
                error(level.span(), Codes.BAD_LEVEL, "a level is upper-case letters, digits and '_', such as"
                        + " \"SLSA_BUILD_LEVEL_3\" (at most 64 characters, not FAILED)");
            } else if (text != null && levels.contains(text)) {
                error(level.span(), Codes.BAD_LEVEL, "the level \"" + text + "\" is declared twice");
            } else if (text != null) {
                levels.add(text);
            }
        }

        if (!errors.isEmpty()) {
            Collections.sort(errors);
            return new CompileResult(null, name, policy.nameSpan(), errors);
        }
        Program program = new Program(name, description, Mode.of(policy.mode()), applies, letNodes, rules, slots,
                evaluation, levels);
        return new CompileResult(program, name, policy.nameSpan(), List.of());
    }

    /** A SLSA level name of a {@code levels} declaration (VSA {@code verifiedLevels}). */
    private static final Pattern LEVEL = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

    // ---- names -------------------------------------------------------------------------------

    private void checkLetName(Ast.Let let) {
        String name = let.name();
        if (let.nameIsKeyword() || KEYWORDS.contains(name)) {
            error(let.nameSpan(), Codes.FORBIDDEN_NAME, "'" + name + "' is a keyword and cannot name a let");
        } else if (ROOT_TYPES.containsKey(name)) {
            error(let.nameSpan(), Codes.FORBIDDEN_NAME, "'" + name + "' is a root and cannot name a let");
        } else if (Functions.TABLE.containsKey(name)) {
            error(let.nameSpan(), Codes.FORBIDDEN_NAME, "'" + name + "' is a function and cannot name a let");
        } else if (lets.containsKey(name)) {
            error(let.keywordSpan(), Codes.DUPLICATE_LET, "duplicate let name '" + name + "'");
        }
    }

    /** Whether a quantifier variable's name is allowed (else a diagnostic). */
    private boolean checkVariableName(String name, Span span, List<Var> scope) {
        int before = errors.size();
        if (ROOT_TYPES.containsKey(name)) {
            error(span, Codes.FORBIDDEN_NAME, "'" + name + "' is a root and cannot name a quantifier variable");
        } else if (Functions.TABLE.containsKey(name)) {
            error(span, Codes.FORBIDDEN_NAME, "'" + name + "' is a function and cannot name a quantifier variable");
        } else if (lets.containsKey(name)) {
            error(span, Codes.FORBIDDEN_NAME, "'" + name + "' is a let and cannot name a quantifier variable");
        } else if (scope.stream().anyMatch(v -> v.name().equals(name))) {
            error(span, Codes.FORBIDDEN_NAME, "'" + name + "' is already the variable of an enclosing quantifier");
        }
        return errors.size() == before;
    }

    private Typed name(Ast.Name e, List<Var> scope) {
        for (int i = scope.size() - 1; i >= 0; i--) {
            Var var = scope.get(i);
            if (var.name().equals(e.name())) {
                return new Typed(new Nodes.Slot(text(e), var.slot()), var.type());
            }
        }
        LetInfo let = lets.get(e.name());
        if (let != null) {
            if (!let.ready) {
                error(e.span(), Codes.USED_BEFORE_DEFINITION, "'" + e.name() + "' is used before its definition at line "
                        + let.ast.keywordSpan().line());
                return new Typed(new Nodes.Const(text(e), Values.undefined("error")), Type.ANY);
            }
            return new Typed(new Nodes.LetRef(text(e), let.index), let.type, let.constant);
        }
        int root = Input.ROOTS.indexOf(e.name());
        if (root >= 0) {
            return new Typed(new Nodes.Slot(text(e), root), ROOT_TYPES.get(e.name()));
        }
        Iterable<String> candidates = () -> java.util.stream.Stream.of(Input.ROOTS.stream(),
                scope.stream().map(Var::name), lets.keySet().stream()).flatMap(names -> names).iterator();
        error(e.span(), Codes.UNKNOWN_IDENTIFIER, "unknown identifier '" + e.name() + "'" + suggest(e.name(), candidates));
        return new Typed(new Nodes.Const(text(e), Values.undefined("error")), Type.ANY);
    }

    // ---- expressions -------------------------------------------------------------------------

    private Typed expr(Expr e, List<Var> scope) {
        deadline.check();
        if (e instanceof Ast.StringLit s) {
            String value = decode(s.raw(), s.span());
            return new Typed(new Nodes.Const(text(e), value == null ? "" : value), Type.STRING,
                    new Constant(value, s.span()));
        }
        if (e instanceof Ast.NumberLit n) {
            if (n.literal().length() > MAX_NUMBER_LENGTH) {
                // decimal parsing is quadratic in the digits; JSON numbers have the same bound
                error(n.span(), Codes.NUMBER_TOO_LONG, "number literal longer than " + MAX_NUMBER_LENGTH + " characters");
                return new Typed(new Nodes.Const(text(e), Values.undefined("error")), Type.NUMBER);
            }
            return new Typed(new Nodes.Const(text(e), new BigDecimal(n.literal())), Type.NUMBER);
        }
        if (e instanceof Ast.DurationLit d) {
            return new Typed(new Nodes.Const(text(e), duration(d)), Type.DURATION);
        }
        if (e instanceof Ast.BadNumberLit b) {
            error(b.span(), Codes.BAD_DURATION, "bad duration literal '" + b.literal()
                    + "': write a whole number followed by s, m, h or d (e.g. 90m)");
            return new Typed(new Nodes.Const(text(e), Values.undefined("error")), Type.ANY);
        }
        if (e instanceof Ast.BoolLit b) {
            return new Typed(new Nodes.Const(text(e), b.value()), Type.BOOLEAN);
        }
        if (e instanceof Ast.NullLit) {
            return new Typed(new Nodes.Const(text(e), Nil.NULL), Type.NULL);
        }
        if (e instanceof Ast.ListLit l) {
            List<Node> elements = new ArrayList<>();
            for (Expr element : l.elements()) {
                elements.add(expr(element, scope).node());
            }
            return new Typed(new Nodes.ListLiteral(text(e), elements), Type.LIST);
        }
        if (e instanceof Ast.Name n) {
            return name(n, scope);
        }
        if (e instanceof Ast.Call c) {
            return call(c, scope);
        }
        if (e instanceof Ast.CountForm c) {
            Typed list = expr(c.list(), scope);
            expectList(list, c.list());
            Type element = checkVariableName(c.variable(), c.variableSpan(), scope) ? list.type().elementType() : Type.ANY;
            int slot = slots++;
            Typed body = expr(c.body(), with(scope, new Var(c.variable(), slot, element)));
            expectBoolean(body, c.body().span(), "the body of count");
            return new Typed(new Nodes.Count(text(e), slot, list.node(), body.node()), Type.NUMBER);
        }
        if (e instanceof Ast.Quantifier q) {
            Typed list = expr(q.list(), scope);
            expectList(list, q.list());
            Type element = checkVariableName(q.variable(), q.variableSpan(), scope) ? list.type().elementType() : Type.ANY;
            int slot = slots++;
            Typed body = expr(q.body(), with(scope, new Var(q.variable(), slot, element)));
            expectBoolean(body, q.body().span(), "the body of " + (q.all() ? "all" : "any"));
            String noun = null;
            if (q.list() instanceof Ast.Name n && !isVariable(n.name(), scope) && !lets.containsKey(n.name())) {
                noun = n.name().equals("signatures") ? "signature" : n.name().equals("attestations") ? "attestation" : null;
            }
            return new Typed(new Nodes.Quantifier(text(e), q.all(), slot, list.node(), body.node(), noun), Type.BOOLEAN);
        }
        if (e instanceof Ast.Field || e instanceof Ast.Index) {
            return path(e, scope);
        }
        if (e instanceof Ast.Not n) {
            Typed operand = expr(n.operand(), scope);
            if (operand.type().known() && !operand.type().is(Kind.BOOLEAN)) {
                error(n.span(), Codes.TYPE_ERROR, "'not' needs a boolean, not " + operand.type().label());
            }
            return new Typed(new Nodes.Not(text(e), operand.node()), Type.BOOLEAN);
        }
        if (e instanceof Ast.Binary b) {
            return binary(b, scope);
        }
        return expr(((Ast.Group) e).inner(), scope);
    }

    private boolean isVariable(String name, List<Var> scope) {
        return scope.stream().anyMatch(v -> v.name().equals(name));
    }

    private static List<Var> with(List<Var> scope, Var var) {
        List<Var> inner = new ArrayList<>(scope);
        inner.add(var);
        return inner;
    }

    private Typed call(Ast.Call c, List<Var> scope) {
        Functions.Builtin builtin = Functions.TABLE.get(c.function());
        List<Typed> arguments = new ArrayList<>();
        for (Expr argument : c.arguments()) {
            arguments.add(expr(argument, scope));
        }
        if (builtin == null) {
            error(c.span(), Codes.UNKNOWN_FUNCTION, "unknown function '" + c.function() + "'"
                    + suggest(c.function(), Functions.TABLE.keySet()));
            return new Typed(new Nodes.Const(text(c), Values.undefined("error")), Type.ANY);
        }
        int arity = builtin.arguments().size();
        if (arguments.size() != arity) {
            error(c.span(), Codes.ARGUMENT_COUNT, "'" + c.function() + "' takes " + arity + " argument"
                    + (arity == 1 ? "" : "s") + ", not " + arguments.size());
            return new Typed(new Nodes.Const(text(c), Values.undefined("error")), Type.ANY);
        }
        for (int i = 0; i < arity; i++) {
            Functions.Argument wanted = builtin.arguments().get(i);
            if (!wanted.kinds().isEmpty()) {
                accept(c, arguments.get(i).type(), wanted.kinds(), wanted.wanted());
            }
        }
        List<Node> nodes = arguments.stream().map(Typed::node).toList();
        return new Typed(new Nodes.Call(text(c), builtin.implementation(), nodes), builtin.result());
    }

    private void accept(Ast.Call c, Type argument, Set<Kind> kinds, String wanted) {
        if (argument.known() && !kinds.contains(argument.kind())) {
            error(c.span(), Codes.TYPE_ERROR, "'" + c.function() + "' takes " + wanted + ", not " + argument.label());
        }
    }

    /** {@code x.a["b"][0]}: flattened into one path node, fields of known shapes checked. */
    private Typed path(Expr e, List<Var> scope) {
        List<Expr> chain = new ArrayList<>();
        Expr current = e;
        while (current instanceof Ast.Field || current instanceof Ast.Index) {
            chain.add(current);
            current = current instanceof Ast.Field f ? f.target() : ((Ast.Index) current).target();
        }
        Collections.reverse(chain);
        Typed base = expr(current, scope);
        Type type = base.type();
        List<Nodes.Step> steps = new ArrayList<>();
        for (Expr link : chain) {
            if (link instanceof Ast.Field f) {
                type = field(type, f.field(), f.fieldSpan());
                steps.add(new Nodes.Step(f.field(), null, text(f)));
            } else {
                Ast.Index i = (Ast.Index) link;
                Typed index = expr(i.index(), scope);
                if (index.constant() != null && index.constant().value() != null && type.fields() != null) {
                    type = field(type, index.constant().value(), i.index().span());
                } else if (type.is(Kind.LIST)) {
                    type = type.elementType();
                } else if (type.is(Kind.MAP) && type.element() != null && type.declared() == null) {
                    type = type.element();
                } else {
                    type = Type.ANY;
                }
                steps.add(new Nodes.Step(null, index.node(), text(i)));
            }
        }
        return new Typed(new Nodes.Path(text(e), base.node(), steps), type);
    }

    private Type field(Type type, String field, Span span) {
        Type result = type.field(field);
        if (result == null) {
            error(span, Codes.UNKNOWN_FIELD, "unknown field '" + field + "' of " + type.label()
                    + suggest(field, type.fields().keySet()));
            return Type.ANY;
        }
        return result;
    }

    private Typed binary(Ast.Binary b, List<Var> scope) {
        String op = b.operator();
        if (op.equals("and") || op.equals("or")) {
            return logic(b, scope);
        }
        int level = level(op);
        List<Ast.Binary> links = new ArrayList<>();
        Expr current = b;
        while (current instanceof Ast.Binary link && level(link.operator()) == level) {
            links.add(link);
            current = link.left();
        }
        Collections.reverse(links);
        Typed first = expr(current, scope);
        Type type = first.type();
        List<Nodes.Operator> operators = new ArrayList<>();
        List<Node> operands = new ArrayList<>();
        List<Supplier<String>> texts = new ArrayList<>();
        for (Ast.Binary link : links) {
            Typed right = expr(link.right(), scope);
            operators.add(operator(link, right));
            operands.add(right.node());
            texts.add(text(link));
            type = resultType(link, type, right.type());
        }
        return new Typed(new Nodes.Fold(text(b), first.node(), operators, operands, texts), type);
    }

    private static int level(String op) {
        if (COMPARISONS.contains(op)) {
            return 4;
        }
        return switch (op) {
            case "??" -> 5;
            case "+", "-" -> 6;
            default -> 0;
        };
    }

    private Nodes.Operator operator(Ast.Binary link, Typed right) {
        String op = link.operator();
        if (op.equals("matches") || op.equals("glob")) {
            if (right.constant() == null) {
                error(link.right().span(), Codes.PATTERN_NOT_CONSTANT, "the pattern of '" + op
                        + "' must be a constant string: a literal, or a let bound to one");
                return (l, r, t, env) -> Values.undefined("error");
            }
            Constant pattern = right.constant();
            if (pattern.value() == null) {
                return (l, r, t, env) -> Values.undefined("error"); // its bad escape is reported already
            }
            boolean glob = op.equals("glob");
            Patterns.Compiled compiled = (glob ? globs : regexes).computeIfAbsent(pattern.value(),
                    glob ? Patterns::glob : Patterns::regex);
            if (compiled.error() != null) {
                error(pattern.span(), glob ? Codes.INVALID_GLOB : Codes.INVALID_REGEX,
                        (glob ? "invalid glob: " : "invalid regular expression: ") + compiled.error());
                return (l, r, t, env) -> Values.undefined("error");
            }
            return glob ? Operators.glob(compiled.pattern()) : Operators.matches(compiled.pattern());
        }
        return Operators.of(op);
    }

    private Type resultType(Ast.Binary link, Type left, Type right) {
        String op = link.operator();
        boolean known = left.known() && right.known();
        switch (op) {
            case "==", "!=":
                if (known && !left.is(Kind.NULL) && !right.is(Kind.NULL) && differ(left, right)) {
                    warnings.add(Diagnostic.at(link.operatorSpan(), PolicyWarnings.TYPE_MISMATCH, "comparing " + left.label()
                            + " with " + right.label() + " using '" + op + "' is always " + op.equals("!=")
                            + ": values of different types are never equal"));
                }
                return Type.BOOLEAN;
            case "in":
                if (known && right.is(Kind.LIST) && right.element() != null && right.element().known() && !left.is(Kind.NULL)
                        && differ(left, right.element())) {
                    warnings.add(Diagnostic.at(link.operatorSpan(), PolicyWarnings.TYPE_MISMATCH, "'in' looks for "
                            + left.label() + " in a list whose elements are " + right.element().label() + ": it is always false"));
                }
                return Type.BOOLEAN;
            case "??":
                if (left.is(Kind.NULL)) {
                    return right;
                }
                return left.kind() == right.kind() && left.known() ? left : Type.ANY;
            case "matches", "glob":
                if (left.known() && !left.is(Kind.STRING)) {
                    typeError(link, "'" + op + "' needs a string, not " + left.label());
                }
                return Type.BOOLEAN;
            case "startsWith", "endsWith":
                if (known && !(left.is(Kind.STRING) && right.is(Kind.STRING))) {
                    typeError(link, "'" + op + "' needs two strings, not " + left.label() + " and " + right.label());
                }
                return Type.BOOLEAN;
            case "contains":
                if (known && !left.is(Kind.LIST) && !(left.is(Kind.STRING) && right.is(Kind.STRING))) {
                    typeError(link, "'contains' needs a list, or two strings, not " + left.label() + " and " + right.label());
                }
                return Type.BOOLEAN;
            case "+", "-":
                return arithmetic(link, left, right);
            default:
                if (ORDERINGS.contains(op) && known && !(left.kind() == right.kind() && ORDERED.contains(left.kind()))) {
                    typeError(link, "cannot compare " + left.label() + " with " + right.label() + " using '" + op + "'");
                }
                return Type.BOOLEAN;
        }
    }

    private Type arithmetic(Ast.Binary link, Type left, Type right) {
        String op = link.operator();
        Kind l = left.kind();
        Kind r = right.kind();
        if (l == Kind.NUMBER && r == Kind.NUMBER) {
            return Type.NUMBER;
        }
        if (l == Kind.TIMESTAMP && r == Kind.DURATION) {
            return Type.TIMESTAMP;
        }
        if (l == Kind.DURATION && r == Kind.DURATION) {
            return Type.DURATION;
        }
        if (op.equals("-") && l == Kind.TIMESTAMP && r == Kind.TIMESTAMP) {
            return Type.DURATION;
        }
        if (left.known() && right.known()) {
            typeError(link, "cannot " + (op.equals("+") ? "add " : "subtract ") + right.label()
                    + (op.equals("+") ? " to " : " from ") + left.label());
            return Type.ANY;
        }
        return Type.ANY;
    }

    /** Two known types whose values are never equal (versions are left out: they compare with what they parse). */
    private static boolean differ(Type a, Type b) {
        return a.kind() != b.kind() && !a.is(Kind.VERSION) && !b.is(Kind.VERSION);
    }

    private void typeError(Ast.Binary link, String message) {
        error(link.operatorSpan(), Codes.TYPE_ERROR, message);
    }

    /** and/or chains, flattened; with all operand types known, each must be boolean. */
    private Typed logic(Ast.Binary b, List<Var> scope) {
        String op = b.operator();
        List<Ast.Binary> links = new ArrayList<>();
        Expr current = b;
        while (current instanceof Ast.Binary link && link.operator().equals(op)) {
            links.add(link);
            current = link.left();
        }
        Collections.reverse(links);
        List<Typed> operands = new ArrayList<>();
        operands.add(expr(current, scope));
        for (Ast.Binary link : links) {
            operands.add(expr(link.right(), scope));
        }
        for (int i = 0; i < operands.size(); i++) {
            Type type = operands.get(i).type();
            boolean pairKnown = i >= 2 || operands.get(0).type().known() && operands.get(1).type().known();
            if (pairKnown && type.known() && !type.is(Kind.BOOLEAN)) {
                Ast.Binary link = links.get(Math.max(0, i - 1));
                typeError(link, "'" + op + "' needs booleans, not " + type.label());
            }
        }
        List<Node> nodes = operands.stream().map(Typed::node).toList();
        return new Typed(op.equals("and") ? new Nodes.And(text(b), nodes) : new Nodes.Or(text(b), nodes), Type.BOOLEAN);
    }

    // ---- checks and literals -------------------------------------------------------------------

    private void expectCondition(Typed typed, Expr expr, String what) {
        if (typed.type().known() && !typed.type().is(Kind.BOOLEAN)) {
            error(expr.span(), Codes.NOT_BOOLEAN, what + " is " + typed.type().label() + ", not a boolean");
        }
    }

    private void expectBoolean(Typed typed, Span span, String what) {
        if (typed.type().known() && !typed.type().is(Kind.BOOLEAN)) {
            error(span, Codes.TYPE_ERROR, what + " is " + typed.type().label() + ", not a boolean");
        }
    }

    private void expectList(Typed typed, Expr expr) {
        if (typed.type().known() && !typed.type().is(Kind.LIST)) {
            error(expr.span(), Codes.TYPE_ERROR, "a quantifier ranges over a list, not " + typed.type().label());
        }
    }

    private Duration duration(Ast.DurationLit d) {
        String text = d.literal();
        char unit = text.charAt(text.length() - 1);
        try {
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (unit) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            error(d.span(), Codes.BAD_DURATION, "bad duration literal '" + text + "': out of range");
            return Duration.ZERO;
        }
    }

    /** The value of a string literal, or null (and a diagnostic) for an unknown escape. */
    private String decode(String raw, Span span) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 1; i < raw.length() - 1; i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = raw.charAt(++i);
            switch (next) {
                case '\\' -> out.append('\\');
                case '"' -> out.append('"');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                default -> {
                    String escape = "\\" + new String(Character.toChars(raw.codePointAt(i)));
                    error(span, Codes.UNKNOWN_ESCAPE, "unknown escape '" + escape + "'; write '\\" + escape
                            + "' in a regular expression");
                    return null;
                }
            }
        }
        return out.toString();
    }

    private static Supplier<String> text(Expr e) {
        return e.range()::text;
    }

    private void error(Span span, String code, String message) {
        errors.add(Diagnostic.at(span, code, message));
    }

    /**
     * " (did you mean 'x'?)" for the nearest candidate within a small edit distance (the first by
     * name among equals), else "". Suggestions share a budget of work per policy, so that many
     * unknown names among many lets cannot make checking quadratic; past it there are none.
     */
    String suggest(String name, Iterable<String> candidates) {
        if (suggestionWork > MAX_SUGGESTION_WORK || name.length() > 64) {
            return "";
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            suggestionWork += 1 + (Math.abs(candidate.length() - name.length()) > 3 ? 0
                    : (long) name.length() * candidate.length());
            int distance = distance(lower, candidate.toLowerCase(java.util.Locale.ROOT));
            if (distance < bestDistance || distance == bestDistance && distance != Integer.MAX_VALUE
                    && candidate.compareTo(best) < 0) {
                best = candidate;
                bestDistance = distance;
            }
            if (suggestionWork > MAX_SUGGESTION_WORK) {
                return "";
            }
        }
        int allowed = Math.max(1, Math.min(3, name.length() / 3));
        return best != null && bestDistance <= allowed ? " (did you mean '" + best + "'?)" : "";
    }

    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
