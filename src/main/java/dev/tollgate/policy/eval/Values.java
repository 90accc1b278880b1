package dev.tollgate.policy.eval;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import dev.tollgate.versions.EcosystemVersion;

/**
 * The value model of the language: {@link Nil}, Boolean, BigDecimal, String, List, Map (string
 * keys), Instant (timestamp), Duration, {@link Version}, and the non-value {@link Undefined}.
 */
public final class Values {

    /** The kinds of value, for messages and dispatch. */
    public enum Kind {
        NULL("null"), BOOLEAN("boolean"), NUMBER("number"), STRING("string"), LIST("list"), MAP("map"),
        TIMESTAMP("timestamp"), DURATION("duration"), VERSION("version"), UNDEFINED("undefined");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private Values() {
    }

    public static Undefined undefined(String reason) {
        return new Undefined(reason);
    }

    public static boolean isUndefined(Object value) {
        return value instanceof Undefined;
    }

    public static Kind kind(Object value) {
        if (value instanceof Undefined) {
            return Kind.UNDEFINED;
        }
        if (value == Nil.NULL || value == null) {
            return Kind.NULL;
        }
        if (value instanceof Boolean) {
            return Kind.BOOLEAN;
        }
        if (value instanceof BigDecimal) {
            return Kind.NUMBER;
        }
        if (value instanceof String) {
            return Kind.STRING;
        }
        if (value instanceof List) {
            return Kind.LIST;
        }
        if (value instanceof Map) {
            return Kind.MAP;
        }
        if (value instanceof Instant) {
            return Kind.TIMESTAMP;
        }
        if (value instanceof Duration) {
            return Kind.DURATION;
        }
        if (value instanceof Version || value instanceof EcosystemVersion) {
            return Kind.VERSION;
        }
        throw new IllegalArgumentException("not a policy value: " + value.getClass().getName());
    }

    /**
     * Equality of two defined values: same kind and value; numbers by numeric value, timestamps as
     * instants, durations by length, versions by precedence, lists element-wise, maps by entries.
     */
    public static boolean equal(Object a, Object b) {
        return equal(a, b, null);
    }

    /** {@link #equal(Object, Object)}, charging {@code env} (when not null) per element and per 64 characters compared. */
    static boolean equal(Object a, Object b, Env env) {
        Kind kind = kind(a);
        if (kind != kind(b)) {
            return false;
        }
        switch (kind) {
            case NULL:
                return true;
            case NUMBER:
                return ((BigDecimal) a).compareTo((BigDecimal) b) == 0;
            case LIST: {
                List<?> x = (List<?>) a;
                List<?> y = (List<?>) b;
                if (x.size() != y.size()) {
                    return false;
                }
                Iterator<?> i = x.iterator();
                Iterator<?> j = y.iterator();
                while (i.hasNext()) {
                    if (env != null) {
                        env.charge(1);
                    }
                    if (!equal(i.next(), j.next(), env)) {
                        return false;
                    }
                }
                return true;
            }
            case MAP: {
                Map<?, ?> x = (Map<?, ?>) a;
                Map<?, ?> y = (Map<?, ?>) b;
                if (x.size() != y.size()) {
                    return false;
                }
                for (Map.Entry<?, ?> e : x.entrySet()) {
                    if (env != null) {
                        env.charge(1);
                    }
                    Object other = y.get(e.getKey());
                    if (other == null && !y.containsKey(e.getKey())) {
                        return false;
                    }
                    if (!equal(e.getValue(), other, env)) {
                        return false;
                    }
                }
                return true;
            }
            case STRING:
                if (env != null) {
                    env.charge(Nodes.cost((String) a));
                }
                return a.equals(b);
            default:
                return a.equals(b);
        }
    }

    /** Order of two values of an ordered kind, or null when they are not comparable. */
    public static Integer compare(Object a, Object b) {
        Kind kind = kind(a);
        if (kind != kind(b)) {
            return null;
        }
        return switch (kind) {
            case NUMBER -> ((BigDecimal) a).compareTo((BigDecimal) b);
            case STRING -> compareCodePoints((String) a, (String) b);
            case TIMESTAMP -> ((Instant) a).compareTo((Instant) b);
            case DURATION -> ((Duration) a).compareTo((Duration) b);
            case VERSION -> compareVersions(a, b);
            default -> null;
        };
    }

    /** semver with semver, ecosystem versions within their ecosystem (extension: {@code version(s, eco)}); else not comparable. */
    private static Integer compareVersions(Object a, Object b) {
        if (a instanceof Version x && b instanceof Version y) {
            return x.compareTo(y);
        }
        if (a instanceof EcosystemVersion x && b instanceof EcosystemVersion y && x.comparableWith(y)) {
            return x.compareTo(y);
        }
        return null;
    }

    /** Strings ordered by Unicode code point (not UTF-16 unit). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** A value as a reason shows it: short, quoted strings, kinds for containers. */
    public static String show(Object value) {
        return switch (kind(value)) {
            case UNDEFINED -> "undefined";
            case NULL -> "null";
            case STRING -> quote((String) value);
            case LIST -> "a list of " + ((List<?>) value).size();
            case MAP -> "a map of " + ((Map<?, ?>) value).size();
            case NUMBER -> showNumber((BigDecimal) value);
            case DURATION -> showDuration((Duration) value);
            default -> value.toString();
        };
    }

    /** Plain digits, unless that would be long (1e999999999 has a billion): then scientific notation. */
    static String showNumber(BigDecimal number) {
        return number.scale() < -100 || number.scale() > 1100 ? number.toString() : number.toPlainString();
    }

    static String quote(String s) {
        String shown = s.length() > 80 ? s.substring(0, Character.isHighSurrogate(s.charAt(79)) ? 79 : 80) + "…" : s;
        StringBuilder out = new StringBuilder(shown.length() + 2).append('"');
        shown.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(cp) || Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    static String showDuration(Duration d) {
        if (d.getNano() == 0) {
            long s = d.getSeconds();
            if (s % 86_400 == 0) {
                return s / 86_400 + "d";
            }
            if (s % 3600 == 0) {
                return s / 3600 + "h";
            }
            if (s % 60 == 0) {
                return s / 60 + "m";
            }
            return s + "s";
        }
        return d.toString();
    }
}
