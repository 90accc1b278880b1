package dev.tollgate.policy.eval;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import com.google.re2j.Pattern;
import dev.tollgate.policy.eval.Nodes.Function;

/** The built-in functions. {@code count} and the quantifiers are special forms, not functions. */
public final class Functions {

    /** RFC 3339 date-time, exactly: T and Z may be lower case, 1-9 fraction digits. */
    private static final Pattern RFC3339 = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    /** Name → number of arguments. */
    public static final Map<String, Integer> ARITY = Map.of(
            "size", 1, "lower", 1, "upper", 1, "time", 1, "exists", 1, "semver", 1);

    private Functions() {
    }

    public static Function of(String name) {
        return switch (name) {
            case "size" -> Functions::size;
            case "lower" -> (a, t) -> string(a[0], t, s -> s.toLowerCase(Locale.ROOT));
            case "upper" -> (a, t) -> string(a[0], t, s -> s.toUpperCase(Locale.ROOT));
            case "time" -> Functions::time;
            case "exists" -> (a, t) -> !(a[0] instanceof Undefined) && a[0] != Nil.NULL;
            case "semver" -> Functions::semver;
            default -> null;
        };
    }

    /** The timestamp an RFC 3339 string spells, or null. */
    public static Instant parseTime(String text) {
        if (text.length() > 64 || !RFC3339.matches(text)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Object size(Object[] a, Supplier<String> text) {
        Object x = a[0];
        if (x instanceof String s) {
            return BigDecimal.valueOf(s.codePointCount(0, s.length()));
        }
        if (x instanceof List<?> l) {
            return BigDecimal.valueOf(l.size());
        }
        if (x instanceof Map<?, ?> m) {
            return BigDecimal.valueOf(m.size());
        }
        return wrongType(x, text, "a string, list or map");
    }

    private static Object string(Object x, Supplier<String> text, java.util.function.UnaryOperator<String> f) {
        return x instanceof String s ? f.apply(s) : wrongType(x, text, "a string");
    }

    private static Object time(Object[] a, Supplier<String> text) {
        Object x = a[0];
        if (x instanceof Instant) {
            return x;
        }
        if (x instanceof String s) {
            Instant instant = parseTime(s);
            return instant != null ? instant
                    : Values.undefined(text.get() + " is undefined: " + Values.show(s) + " is not an RFC 3339 timestamp");
        }
        return wrongType(x, text, "a string");
    }

    private static Object semver(Object[] a, Supplier<String> text) {
        Object x = a[0];
        if (x instanceof Version) {
            return x;
        }
        if (x instanceof String s) {
            Version version = Version.parse(s);
            return version != null ? version
                    : Values.undefined(text.get() + " is undefined: " + Values.show(s) + " is not a semantic version");
        }
        return wrongType(x, text, "a string");
    }

    private static Object wrongType(Object x, Supplier<String> text, String wanted) {
        if (x instanceof Undefined) {
            return x;
        }
        return Values.undefined(text.get() + " is undefined: it needs " + wanted + ", not " + Nodes.article(Values.kind(x)));
    }
}
