package dev.tollgate.policy.eval;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

    /** What an argument may be: the kinds the checker accepts (none: any value) and how a message names them. */
    public record Argument(Set<Type.Kind> kinds, String wanted) {
        public Argument {
            kinds = Set.copyOf(kinds);
        }

        static Argument any() {
            return new Argument(Set.of(), "a value");
        }
    }

    /** A built-in function: its name, its arguments, its result type and its implementation. */
    public record Builtin(String name, List<Argument> arguments, Type result, Function implementation) {
        public Builtin {
            arguments = List.copyOf(arguments);
        }
    }

    private static final Argument STRING = new Argument(Set.of(Type.Kind.STRING), "a string");

    /**
     * The built-ins by name, read by the checker (names, argument count and kinds, result type)
     * and by the evaluator (the implementation): adding a function is one entry here.
     */
    public static final Map<String, Builtin> TABLE = table(
            new Builtin("size", List.of(new Argument(Set.of(Type.Kind.STRING, Type.Kind.LIST, Type.Kind.MAP),
                    "a string, list or map")), Type.NUMBER, Functions::size),
            new Builtin("lower", List.of(STRING), Type.STRING, (a, t) -> string(a[0], t, s -> s.toLowerCase(Locale.ROOT))),
            new Builtin("upper", List.of(STRING), Type.STRING, (a, t) -> string(a[0], t, s -> s.toUpperCase(Locale.ROOT))),
            new Builtin("time", List.of(new Argument(Set.of(Type.Kind.STRING, Type.Kind.TIMESTAMP), "a string")),
                    Type.TIMESTAMP, Functions::time),
            new Builtin("exists", List.of(Argument.any()), Type.BOOLEAN,
                    (a, t) -> !(a[0] instanceof Undefined) && a[0] != Nil.NULL),
            new Builtin("semver", List.of(new Argument(Set.of(Type.Kind.STRING, Type.Kind.VERSION), "a string")),
                    Type.VERSION, Functions::semver),
            // extensions (docs/policy-language.md, "Package versions"): ecosystem versions, purls, vers ranges
            new Builtin("version", List.of(new Argument(Set.of(Type.Kind.STRING, Type.Kind.VERSION), "a string"),
                    new Argument(Set.of(Type.Kind.STRING), "an ecosystem name as its second argument")),
                    Type.VERSION, Functions::version),
            new Builtin("purl", List.of(STRING), Type.MAP, Functions::purl),
            new Builtin("inRange", List.of(new Argument(Set.of(Type.Kind.STRING, Type.Kind.VERSION), "a string or a version"),
                    new Argument(Set.of(Type.Kind.STRING), "a vers range as its second argument")),
                    Type.BOOLEAN, Functions::inRange));

    private Functions() {
    }

    private static Map<String, Builtin> table(Builtin... builtins) {
        Map<String, Builtin> byName = new java.util.LinkedHashMap<>();
        for (Builtin b : builtins) {
            byName.put(b.name(), b);
        }
        return java.util.Collections.unmodifiableMap(byName);
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
