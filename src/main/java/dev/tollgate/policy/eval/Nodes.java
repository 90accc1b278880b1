package dev.tollgate.policy.eval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The eval nodes the compiler builds. Each is immutable; all state lives in {@link Env}. */
public final class Nodes {

    private Nodes() {
    }

    abstract static class Base implements Node {
        private final Supplier<String> text;
        private final long weight;

        Base(Supplier<String> text, long weight) {
            this.text = text;
            this.weight = weight;
        }

        @Override
        public String text() {
            return text.get();
        }

        @Override
        public long weight() {
            return weight;
        }
    }

    /** One plus the weights of the nodes. */
    static long sum(Node... nodes) {
        long weight = 1;
        for (Node node : nodes) {
            if (node != null) {
                weight += node.weight();
            }
        }
        return weight;
    }

    /** Steps for reading a string of this length: one per 64 characters. */
    static long cost(String s) {
        return s.length() >>> 6;
    }

    /** A value as a truth value, or null for undefined and non-boolean values. */
    static Boolean truth(Object value) {
        return value instanceof Boolean b ? b : null;
    }

    /** Why a value that is not a boolean counts as undefined. */
    static Undefined asUndefined(Object value, Node node) {
        if (value instanceof Undefined u) {
            return u;
        }
        return Values.undefined(node.text() + " is " + article(Values.kind(value)) + ", not a boolean");
    }

    static String article(Values.Kind kind) {
        return switch (kind) {
            case NULL -> "null";
            case UNDEFINED -> "undefined";
            default -> "a " + kind.label();
        };
    }

    public static final class Const extends Base {
        private final Object value;

        public Const(Supplier<String> text, Object value) {
            super(text, 1);
            this.value = value;
        }

        public Object value() {
            return value;
        }

        @Override
        public Object eval(Env env) {
            return value;
        }
    }

    /** A root or a quantifier variable. */
    public static final class Slot extends Base {
        private final int index;

        public Slot(Supplier<String> text, int index) {
            super(text, 1);
            this.index = index;
        }

        @Override
        public Object eval(Env env) {
            return env.slots[index];
        }
    }

    public static final class LetRef extends Base {
        private final int index;

        public LetRef(Supplier<String> text, int index) {
            super(text, 1);
            this.index = index;
        }

        @Override
        public Object eval(Env env) {
            return env.let(index);
        }
    }

    /** One step of a path: {@code .field} or {@code [index]}; {@code text} is the path up to and including it. */
    public record Step(String field, Node index, Supplier<String> text) {
    }

    /** {@code target.a["b"][0]...}: a missing field, an index out of range or a wrong container is undefined. */
    public static final class Path extends Base {
        private final Node target;
        private final Step[] steps;

        public Path(Supplier<String> text, Node target, List<Step> steps) {
            super(text, sum(target) + steps.size() + steps.stream().filter(s -> s.index() != null)
                    .mapToLong(s -> s.index().weight()).sum());
            this.target = target;
            this.steps = steps.toArray(Step[]::new);
        }

        @Override
        public Object eval(Env env) {
            Object value = target.eval(env);
            Supplier<String> before = target::text;
            for (Step step : steps) {
                if (value instanceof Undefined) {
                    return value;
                }
                Object key = step.field != null ? step.field : step.index.eval(env);
                if (key instanceof Undefined) {
                    return key;
                }
                value = access(value, key, before, step);
                before = step.text;
            }
            return value;
        }

        private static Object access(Object container, Object key, Supplier<String> before, Step step) {
            if (container instanceof Map<?, ?> map) {
                if (!(key instanceof String name)) {
                    return Values.undefined(before.get() + " is a map; index it with a string, not " + Values.show(key));
                }
                Object value = map.get(name);
                return value != null ? value : Values.undefined(step.text.get() + " is undefined");
            }
            if (container instanceof List<?> list) {
                if (key instanceof BigDecimal number) {
                    int index = intIndex(number);
                    if (index >= 0 && index < list.size()) {
                        return list.get(index);
                    }
                    return Values.undefined(step.text.get() + " is undefined (" + before.get() + " has " + list.size()
                            + " elements)");
                }
                return Values.undefined(before.get() + " is a list; index it with a number, not " + Values.show(key));
            }
            return Values.undefined(before.get() + " is " + article(Values.kind(container)) + ", so "
                    + step.text.get() + " is undefined");
        }

        private static int intIndex(BigDecimal number) {
            try {
                return number.intValueExact();
            } catch (ArithmeticException e) {
                return -1;
            }
        }
    }

    public static final class Not extends Base {
        private final Node operand;

        public Not(Supplier<String> text, Node operand) {
            super(text, sum(operand));
            this.operand = operand;
        }

        @Override
        public Object eval(Env env) {
            Object value = operand.eval(env);
            Boolean b = truth(value);
            return b == null ? asUndefined(value, operand) : !b;
        }

        @Override
        public String whyFalse(Env env) {
            return operand.whyTrue(env);
        }

        @Override
        public String whyTrue(Env env) {
            return operand.whyFalse(env);
        }
    }

    /**
     * Three-valued {@code and} ({@code decisive} false) and {@code or} ({@code decisive} true): the
     * decisive value if any operand has it, else the first undefined, else the other value.
     */
    private static Object junction(Node[] operands, Env env, boolean decisive) {
        Undefined undefined = null;
        for (Node operand : operands) {
            Object value = operand.eval(env);
            Boolean b = truth(value);
            if (b == null) {
                if (undefined == null) {
                    undefined = asUndefined(value, operand);
                }
            } else if (b == decisive) {
                return b;
            }
        }
        return undefined != null ? undefined : Boolean.valueOf(!decisive);
    }

    /** {@code a and b and ...}: false if any is false, else undefined if any is, else true. */
    public static final class And extends Base {
        private final Node[] operands;

        public And(Supplier<String> text, List<Node> operands) {
            super(text, sum(operands.toArray(Node[]::new)));
            this.operands = operands.toArray(Node[]::new);
        }

        @Override
        public Object eval(Env env) {
            return junction(operands, env, false);
        }

        @Override
        public String whyFalse(Env env) {
            for (Node operand : operands) {
                if (Boolean.FALSE.equals(operand.eval(env))) {
                    return operand.whyFalse(env);
                }
            }
            return super.whyFalse(env);
        }
    }

    /** {@code a or b or ...}: true if any is true, else undefined if any is, else false. */
    public static final class Or extends Base {
        private final Node[] operands;

        public Or(Supplier<String> text, List<Node> operands) {
            super(text, sum(operands.toArray(Node[]::new)));
            this.operands = operands.toArray(Node[]::new);
        }

        @Override
        public Object eval(Env env) {
            return junction(operands, env, true);
        }

        @Override
        public String whyFalse(Env env) {
            List<String> reasons = new ArrayList<>();
            for (Node operand : operands) {
                reasons.add(operand.whyFalse(env));
            }
            return String.join("; and ", reasons);
        }

        @Override
        public String whyTrue(Env env) {
            for (Node operand : operands) {
                if (Boolean.TRUE.equals(operand.eval(env))) {
                    return operand.whyTrue(env);
                }
            }
            return super.whyTrue(env);
        }
    }

    /** A binary operator's meaning; it charges {@code env} for work on data beyond one step. */
    public interface Operator {
        Object apply(Object left, Object right, Supplier<String> text, Env env);
    }

    /**
     * A left-associative chain of operators of one precedence level, {@code a op b op c}, folded
     * without recursion so that long chains cannot exhaust the stack.
     */
    public static final class Fold extends Base {
        private final Node first;
        private final Operator[] operators;
        private final Node[] operands;
        private final List<Supplier<String>> texts;

        public Fold(Supplier<String> text, Node first, List<Operator> operators, List<Node> operands,
                List<Supplier<String>> texts) {
            super(text, sum(first) + operands.stream().mapToLong(Node::weight).sum());
            this.first = first;
            this.operators = operators.toArray(Operator[]::new);
            this.operands = operands.toArray(Node[]::new);
            this.texts = List.copyOf(texts);
        }

        @Override
        public Object eval(Env env) {
            Object value = first.eval(env);
            for (int i = 0; i < operators.length; i++) {
                value = operators[i].apply(value, operands[i].eval(env), texts.get(i), env);
            }
            return value;
        }

        @Override
        public String whyFalse(Env env) {
            return explain(env, "false");
        }

        @Override
        public String whyTrue(Env env) {
            return explain(env, "true");
        }

        private String explain(Env env, String outcome) {
            StringBuilder why = new StringBuilder(text()).append(" is ").append(outcome);
            List<String> shown = new ArrayList<>();
            for (Node operand : allOperands()) {
                if (!(operand instanceof Const)) {
                    shown.add(operand.text() + " is " + Values.show(operand.eval(env)));
                }
            }
            if (!shown.isEmpty()) {
                why.append(" (").append(String.join(", ", shown)).append(')');
            }
            return why.toString();
        }

        private List<Node> allOperands() {
            List<Node> all = new ArrayList<>(operands.length + 1);
            all.add(first);
            all.addAll(List.of(operands));
            return all;
        }
    }

    /** {@code any x in L: E} and {@code all x in L: E}. */
    public static final class Quantifier extends Base {
        private final boolean all;
        private final int slot;
        private final Node list;
        private final Node body;
        private final String noun;

        /** @param noun "signature" or "attestation" when L is that root, for readable reasons */
        private final long bodyWeight;

        public Quantifier(Supplier<String> text, boolean all, int slot, Node list, Node body, String noun) {
            super(text, sum(list));
            this.bodyWeight = body.weight();
            this.all = all;
            this.slot = slot;
            this.list = list;
            this.body = body;
            this.noun = noun;
        }

        @Override
        public Object eval(Env env) {
            Object value = list.eval(env);
            if (!(value instanceof List<?> elements)) {
                return notAList(value, list);
            }
            return all ? every(env, elements) : some(env, elements);
        }

        private Object some(Env env, List<?> elements) {
            boolean found = false;
            Undefined undefined = null;
            for (int i = 0; i < elements.size(); i++) {
                env.charge(bodyWeight);
                Object element = elements.get(i);
                env.slots[slot] = element;
                Object value = body.eval(env);
                Boolean b = truth(value);
                if (Boolean.TRUE.equals(b)) {
                    found = true;
                    if (element instanceof EvidenceItem item) {
                        env.satisfiedBy(item.index());
                    } else {
                        break;
                    }
                } else if (b == null && undefined == null) {
                    undefined = Values.undefined("for " + list.text() + "[" + i + "]: " + asUndefined(value, body).reason());
                }
            }
            if (found) {
                return Boolean.TRUE;
            }
            return undefined != null ? undefined : Boolean.FALSE;
        }

        private Object every(Env env, List<?> elements) {
            Undefined undefined = null;
            for (int i = 0; i < elements.size(); i++) {
                env.charge(bodyWeight);
                env.slots[slot] = elements.get(i);
                Object value = body.eval(env);
                Boolean b = truth(value);
                if (Boolean.FALSE.equals(b)) {
                    return Boolean.FALSE;
                }
                if (b == null && undefined == null) {
                    undefined = Values.undefined("for " + list.text() + "[" + i + "]: " + asUndefined(value, body).reason());
                }
            }
            return undefined != null ? undefined : Boolean.TRUE;
        }

        @Override
        public String whyFalse(Env env) {
            Object value = list.eval(env);
            if (!(value instanceof List<?> elements)) {
                return super.whyFalse(env);
            }
            if (all) {
                for (int i = 0; i < elements.size(); i++) {
                    env.charge(bodyWeight);
                env.slots[slot] = elements.get(i);
                    if (Boolean.FALSE.equals(body.eval(env))) {
                        return list.text() + "[" + i + "] does not satisfy the condition: " + body.whyFalse(env);
                    }
                }
                return super.whyFalse(env);
            }
            if (elements.isEmpty()) {
                return noun != null ? "there is no " + noun : list.text() + " is empty";
            }
            String none = noun != null ? "no " + noun + " satisfied the condition"
                    : "no element of " + list.text() + " satisfied the condition";
            // the closest candidate: the element that met most parts of the condition (the first on a tie),
            // and the first part it failed, with the values compared
            int closest = -1;
            int best = -1;
            for (int i = 0; i < elements.size(); i++) {
                env.charge(bodyWeight);
                env.slots[slot] = elements.get(i);
                int met = partsMet(body, env);
                if (met > best) {
                    best = met;
                    closest = i;
                }
            }
            env.charge(bodyWeight);
            env.slots[slot] = elements.get(closest);
            return none + "; closest: " + list.text() + "[" + closest + "]: " + body.whyFalse(env);
        }

        @Override
        public String whyTrue(Env env) {
            Object value = list.eval(env);
            if (!(value instanceof List<?> elements)) {
                return super.whyTrue(env);
            }
            if (all) {
                return elements.isEmpty() ? list.text() + " is empty" : "every element of " + list.text() + " satisfied the condition";
            }
            List<Integer> indices = new ArrayList<>();
            for (int i = 0; i < elements.size(); i++) {
                env.charge(bodyWeight);
                env.slots[slot] = elements.get(i);
                if (Boolean.TRUE.equals(body.eval(env))) {
                    indices.add(i);
                }
            }
            String which = indices.size() == 1 ? list.text() + "[" + indices.get(0) + "]"
                    : indices.stream().map(i -> list.text() + "[" + i + "]").reduce((a, b) -> a + ", " + b).orElse("");
            return "the condition holds for " + which;
        }
    }

    /** How many parts of a condition hold: the true operands of an {@code and}, else 0 (the ranking of closest candidates). */
    static int partsMet(Node condition, Env env) {
        if (condition instanceof And and) {
            int met = 0;
            for (Node operand : and.operands) {
                if (Boolean.TRUE.equals(operand.eval(env))) {
                    met++;
                }
            }
            return met;
        }
        return 0;
    }

    /** {@code count(x in L: E)}. */
    public static final class Count extends Base {
        private final int slot;
        private final Node list;
        private final Node body;

        private final long bodyWeight;

        public Count(Supplier<String> text, int slot, Node list, Node body) {
            super(text, sum(list));
            this.bodyWeight = body.weight();
            this.slot = slot;
            this.list = list;
            this.body = body;
        }

        @Override
        public Object eval(Env env) {
            Object value = list.eval(env);
            if (!(value instanceof List<?> elements)) {
                return notAList(value, list);
            }
            long count = 0;
            for (int i = 0; i < elements.size(); i++) {
                env.charge(bodyWeight);
                env.slots[slot] = elements.get(i);
                Object result = body.eval(env);
                Boolean b = truth(result);
                if (b == null) {
                    return Values.undefined("for " + list.text() + "[" + i + "]: " + asUndefined(result, body).reason());
                }
                if (b) {
                    count++;
                }
            }
            return BigDecimal.valueOf(count);
        }
    }

    static Undefined notAList(Object value, Node list) {
        if (value instanceof Undefined u) {
            return u;
        }
        return Values.undefined(list.text() + " is " + article(Values.kind(value)) + ", not a list");
    }

    /** {@code [a, b, ...]}: undefined as a whole if an element is. */
    public static final class ListLiteral extends Base {
        private final Node[] elements;

        public ListLiteral(Supplier<String> text, List<Node> elements) {
            super(text, sum(elements.toArray(Node[]::new)));
            this.elements = elements.toArray(Node[]::new);
        }

        @Override
        public Object eval(Env env) {
            List<Object> values = new ArrayList<>(elements.length);
            for (Node element : elements) {
                Object value = element.eval(env);
                if (value instanceof Undefined) {
                    return value;
                }
                values.add(value);
            }
            return java.util.Collections.unmodifiableList(values);
        }
    }

    /** A function's meaning, given its evaluated arguments. */
    public interface Function {
        Object apply(Object[] arguments, Supplier<String> text);
    }

    public static final class Call extends Base {
        private final Function function;
        private final Node[] arguments;

        public Call(Supplier<String> text, Function function, List<Node> arguments) {
            super(text, sum(arguments.toArray(Node[]::new)));
            this.function = function;
            this.arguments = arguments.toArray(Node[]::new);
        }

        @Override
        public Object eval(Env env) {
            Object[] values = new Object[arguments.length];
            for (int i = 0; i < arguments.length; i++) {
                values[i] = arguments[i].eval(env);
                if (values[i] instanceof String s) {
                    env.charge(s.length() >>> 4); // size, lower, upper read (and copy) the whole string
                }
            }
            return function.apply(values, this::text);
        }
    }
}
