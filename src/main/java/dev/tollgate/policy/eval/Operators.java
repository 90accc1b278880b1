package dev.tollgate.policy.eval;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.google.re2j.Pattern;
import dev.tollgate.policy.eval.Nodes.Operator;

/** The binary operators of the language, by their source spelling. */
public final class Operators {

    /** Numbers whose scales differ more than this are not added (a hostile 1e999999999 must not hang). */
    private static final int MAX_SCALE_GAP = 10_000;

    private Operators() {
    }

    /** The operator for a spelling other than and/or/matches/glob, or null. */
    public static Operator of(String spelling) {
        return switch (spelling) {
            case "==" -> Operators::equal;
            case "!=" -> Operators::notEqual;
            case "<" -> (l, r, t, env) -> order(l, r, t, env, c -> c < 0);
            case "<=" -> (l, r, t, env) -> order(l, r, t, env, c -> c <= 0);
            case ">" -> (l, r, t, env) -> order(l, r, t, env, c -> c > 0);
            case ">=" -> (l, r, t, env) -> order(l, r, t, env, c -> c >= 0);
            case "in" -> Operators::in;
            case "contains" -> Operators::contains;
            case "startsWith" -> (l, r, t, env) -> strings(l, r, t, env, String::startsWith);
            case "endsWith" -> (l, r, t, env) -> strings(l, r, t, env, String::endsWith);
            case "??" -> (l, r, t, env) -> l instanceof Undefined || l == Nil.NULL ? r : l;
            case "+" -> (l, r, t, env) -> plus(l, r, t);
            case "-" -> (l, r, t, env) -> minus(l, r, t);
            default -> null;
        };
    }

    /** {@code s matches r}: the whole string must match (RE2, anchored). */
    public static Operator matches(Pattern pattern) {
        return match(pattern, "matches");
    }

    /** {@code s glob g}, with the glob already compiled to an anchored RE2 pattern. */
    public static Operator glob(Pattern pattern) {
        return match(pattern, "glob");
    }

    /**
     * RE2J simulates the pattern's program over the string: at most (instructions × characters)
     * work, charged before it starts (one step per {@value #MATCH_UNITS_PER_STEP}).
     */
    private static Operator match(Pattern pattern, String operator) {
        long instructions = pattern.programSize();
        return (l, r, t, env) -> {
            if (l instanceof Undefined) {
                return l;
            }
            if (!(l instanceof String s)) {
                return Values.undefined(t.get() + ": " + operator + " needs a string, not " + Nodes.article(Values.kind(l)));
            }
            env.charge(1 + instructions * (s.length() + 1L) / MATCH_UNITS_PER_STEP);
            return pattern.matches(s);
        };
    }

    /** Instruction-characters of a pattern match per step. */
    static final long MATCH_UNITS_PER_STEP = 2;

    static Object equal(Object l, Object r, Supplier<String> text, Env env) {
        if (l == Nil.NULL && (r == Nil.NULL || r instanceof Undefined) || r == Nil.NULL && l instanceof Undefined) {
            return Boolean.TRUE;
        }
        if (l instanceof Undefined) {
            return l;
        }
        if (r instanceof Undefined) {
            return r;
        }
        return Values.equal(l, r, env);
    }

    static Object notEqual(Object l, Object r, Supplier<String> text, Env env) {
        Object equal = equal(l, r, text, env);
        return equal instanceof Boolean b ? !b : equal;
    }

    private interface Test {
        boolean test(int comparison);
    }

    private static Object order(Object l, Object r, Supplier<String> text, Env env, Test test) {
        if (l instanceof Undefined) {
            return l;
        }
        if (r instanceof Undefined) {
            return r;
        }
        if (l instanceof String a && r instanceof String b) {
            env.charge(Math.min(a.length(), b.length()) >>> 4); // compared code point by code point
        }
        Integer comparison = Values.compare(l, r);
        if (comparison == null) {
            return Values.undefined(text.get() + ": cannot order " + Nodes.article(Values.kind(l)) + " and "
                    + Nodes.article(Values.kind(r)));
        }
        return test.test(comparison);
    }

    static Object in(Object l, Object r, Supplier<String> text, Env env) {
        if (l instanceof Undefined) {
            return l;
        }
        if (!(r instanceof List<?> list)) {
            return r instanceof Undefined u ? u
                    : Values.undefined(text.get() + ": looks in " + Nodes.article(Values.kind(r)) + ", not a list");
        }
        for (Object element : list) {
            env.charge(1);
            if (Boolean.TRUE.equals(equal(l, element, text, env))) {
                return Boolean.TRUE;
            }
        }
        return Boolean.FALSE;
    }

    static Object contains(Object l, Object r, Supplier<String> text, Env env) {
        if (l instanceof List) {
            return in(r, l, text, env);
        }
        if (l instanceof Map) {
            return Values.undefined(text.get() + ": contains is not defined on a map");
        }
        if (l instanceof String a && r instanceof String b) {
            // a naive substring search: up to (haystack × needle) character comparisons
            env.charge((long) a.length() * b.length() >>> 6);
        }
        return strings(l, r, text, env, String::contains);
    }

    private interface StringTest {
        boolean test(String a, String b);
    }

    private static Object strings(Object l, Object r, Supplier<String> text, Env env, StringTest test) {
        if (l instanceof Undefined) {
            return l;
        }
        if (r instanceof Undefined) {
            return r;
        }
        if (l instanceof String a && r instanceof String b) {
            env.charge(b.length() >>> 4);
            return test.test(a, b);
        }
        return Values.undefined(text.get() + ": needs two strings, not " + Nodes.article(Values.kind(l)) + " and "
                + Nodes.article(Values.kind(r)));
    }

    static Object plus(Object l, Object r, Supplier<String> text) {
        if (l instanceof Undefined) {
            return l;
        }
        if (r instanceof Undefined) {
            return r;
        }
        try {
            if (l instanceof BigDecimal a && r instanceof BigDecimal b) {
                return Math.abs((long) a.scale() - b.scale()) > MAX_SCALE_GAP ? outOfRange(text) : a.add(b);
            }
            if (l instanceof Instant a && r instanceof Duration b) {
                return a.plus(b);
            }
            if (l instanceof Duration a && r instanceof Duration b) {
                return a.plus(b);
            }
        } catch (DateTimeException | ArithmeticException e) {
            return outOfRange(text);
        }
        return cannot("add", l, r, text);
    }

    static Object minus(Object l, Object r, Supplier<String> text) {
        if (l instanceof Undefined) {
            return l;
        }
        if (r instanceof Undefined) {
            return r;
        }
        try {
            if (l instanceof BigDecimal a && r instanceof BigDecimal b) {
                return Math.abs((long) a.scale() - b.scale()) > MAX_SCALE_GAP ? outOfRange(text) : a.subtract(b);
            }
            if (l instanceof Instant a && r instanceof Duration b) {
                return a.minus(b);
            }
            if (l instanceof Instant a && r instanceof Instant b) {
                return Duration.between(b, a);
            }
            if (l instanceof Duration a && r instanceof Duration b) {
                return a.minus(b);
            }
        } catch (DateTimeException | ArithmeticException e) {
            return outOfRange(text);
        }
        return cannot("subtract", l, r, text);
    }

    private static Undefined outOfRange(Supplier<String> text) {
        return Values.undefined(text.get() + " is out of range");
    }

    private static Undefined cannot(String verb, Object l, Object r, Supplier<String> text) {
        return Values.undefined(text.get() + ": cannot " + verb + " " + Nodes.article(Values.kind(l)) + " and "
                + Nodes.article(Values.kind(r)));
    }
}
