package dev.tollgate.policy.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static types, as far as they are known at upload: the kinds of value, and the shapes of §4 of
 * the language, whose fields are checked. A shape declares its fields in order, each with the
 * accessor of the verified evidence it is read from ({@link Roots#view}).
 */
public record Type(Kind kind, Type element, List<Field> declared, String shape) {

    public enum Kind { ANY, BOOLEAN, NUMBER, STRING, TIMESTAMP, DURATION, VERSION, LIST, MAP, NULL }

    /** A field of a shape: its name, its type and the accessor of the evidence value it is read from. */
    public record Field(String name, Type type, String accessor) {
        /** A field read from the accessor of the same name. */
        public static Field of(String name, Type type) {
            return new Field(name, type, name);
        }

        /** The same field read from another accessor. */
        public Field from(String accessorName) {
            return new Field(name, type, accessorName);
        }
    }

    public static final Type ANY = simple(Kind.ANY);
    public static final Type BOOLEAN = simple(Kind.BOOLEAN);
    public static final Type NUMBER = simple(Kind.NUMBER);
    public static final Type STRING = simple(Kind.STRING);
    public static final Type TIMESTAMP = simple(Kind.TIMESTAMP);
    public static final Type DURATION = simple(Kind.DURATION);
    public static final Type VERSION = simple(Kind.VERSION);
    public static final Type NULL = simple(Kind.NULL);
    public static final Type MAP = simple(Kind.MAP);
    public static final Type LIST = listOf(ANY);

    public Type {
        declared = declared == null ? null : List.copyOf(declared);
    }

    public static Type simple(Kind kind) {
        return new Type(kind, null, null, null);
    }

    public static Type listOf(Type element) {
        return new Type(Kind.LIST, element, null, null);
    }

    /** A map whose every entry is of type {@code element}, named {@code name} in messages. */
    public static Type mapOf(String name, Type element) {
        return new Type(Kind.MAP, element, null, name);
    }

    /** A shape: exactly these fields. */
    public static Type shape(String name, Field... fields) {
        return new Type(Kind.MAP, null, List.of(fields), name);
    }

    /** A shape whose fields are checked, though the value may have others of type {@code element} (the cert). */
    public static Type openShape(String name, Type element, Field... fields) {
        return new Type(Kind.MAP, element, List.of(fields), name);
    }

    /** The declared fields by name (null when this is not a shape). */
    public Map<String, Type> fields() {
        if (declared == null) {
            return null;
        }
        Map<String, Type> byName = new LinkedHashMap<>();
        declared.forEach(f -> byName.put(f.name(), f.type()));
        return byName;
    }

    public boolean known() {
        return kind != Kind.ANY;
    }

    public boolean is(Kind k) {
        return kind == k;
    }

    /** The type of {@code this.field}: checked for shapes, free for other maps, unknown otherwise. */
    public Type field(String name) {
        if (declared != null) {
            for (Field f : declared) {
                if (f.name().equals(name)) {
                    return f.type();
                }
            }
            return null;
        }
        if (kind == Kind.MAP && element != null) {
            return element;
        }
        return ANY;
    }

    public Type elementType() {
        return kind == Kind.LIST && element != null ? element : ANY;
    }

    public String label() {
        if (shape != null) {
            return ("aeiou".indexOf(shape.charAt(0)) >= 0 ? "an " : "a ") + shape;
        }
        return switch (kind) {
            case ANY -> "a value";
            case NULL -> "null";
            default -> "a " + kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
