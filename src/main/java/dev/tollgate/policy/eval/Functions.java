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
import dev.tollgate.versions.EcosystemVersion;
import dev.tollgate.versions.PackageUrl;

/** The built-in functions. {@code count} and the quantifiers are special forms, not functions. */
public final class Functions {

    /** RFC 3339 date-time, exactly: T and Z may be lower case, 1-9 fraction digits. */
    private static final Pattern RFC3339 = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    /** Name → number of arguments. */
    public static final Map<String, Integer> ARITY = Map.of(
            "size", 1, "lower", 1, "upper", 1, "time", 1, "exists", 1, "semver", 1,
            // extensions (docs/policy-language.md, "Package versions"): ecosystem versions, purls, vers ranges
            "version", 2, "purl", 1, "inRange", 2);

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
            case "version" -> Functions::version;
            case "purl" -> Functions::purl;
            case "inRange" -> Functions::inRange;
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

    private static Object version(Object[] a, Supplier<String> text) {
        if (a[1] instanceof Undefined || !(a[1] instanceof String eco)) {
            return wrongType(a[1], text, "an ecosystem name");
        }
        if (!EcosystemVersion.ECOSYSTEMS.contains(eco)) {
            return Values.undefined(text.get() + " is undefined: " + Values.show(eco) + " is not one of "
                    + String.join(", ", EcosystemVersion.ECOSYSTEMS));
        }
        Object x = a[0];
        if (x instanceof EcosystemVersion v) {
            x = v.text();
        }
        if (x instanceof String s) {
            EcosystemVersion v = EcosystemVersion.parse(s, eco);
            return v != null ? v : Values.undefined(text.get() + " is undefined: " + Values.show(s) + " is not a " + eco + " version");
        }
        return wrongType(x, text, "a string");
    }

    private static Object purl(Object[] a, Supplier<String> text) {
        if (!(a[0] instanceof String s)) {
            return wrongType(a[0], text, "a string");
        }
        PackageUrl p = PackageUrl.parse(s);
        if (p == null) {
            return Values.undefined(text.get() + " is undefined: " + Values.show(s) + " is not a package URL");
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("type", p.type());
        out.put("namespace", p.namespace() == null ? Nil.NULL : p.namespace());
        out.put("name", p.name());
        out.put("version", p.version() == null ? Nil.NULL : p.version());
        out.put("qualifiers", Map.copyOf(p.qualifiers()));
        out.put("subpath", p.subpath() == null ? Nil.NULL : p.subpath());
        out.put("base", p.base());
        return java.util.Collections.unmodifiableMap(out);
    }

    private static Object inRange(Object[] a, Supplier<String> text) {
        if (!(a[1] instanceof String vers)) {
            return wrongType(a[1], text, "a vers range");
        }
        Object x = a[0];
        if (x instanceof EcosystemVersion v) {
            x = v.text();
        }
        if (!(x instanceof String s)) {
            return wrongType(x, text, "a string or a version(...)");
        }
        Boolean in = EcosystemVersion.inRange(s, vers);
        return in != null ? in
                : Values.undefined(text.get() + " is undefined: " + Values.show(s) + " cannot be placed in " + Values.show(vers));
    }

    private static Object wrongType(Object x, Supplier<String> text, String wanted) {
        if (x instanceof Undefined) {
            return x;
        }
        return Values.undefined(text.get() + " is undefined: it needs " + wanted + ", not " + Nodes.article(Values.kind(x)));
    }
}
