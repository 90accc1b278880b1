package dev.tollgate.policy.eval;

import static dev.tollgate.policy.eval.Type.Field.of;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import dev.tollgate.policy.eval.Type.Field;

/**
 * The roots of the language and the shapes of their facts (§4), declared once. From this
 * declaration come the checker's static types ({@link #TYPES}), the playground's input parser
 * ({@code policy.PolicyInputs}) and the runtime view of verified evidence ({@link #view}): adding
 * a fact is one line here (and the accessor of the evidence that carries it).
 */
public final class Roots {

    public static final List<String> CERT_FIELDS = List.of("buildSignerUri", "buildSignerDigest", "runnerEnvironment",
            "sourceRepositoryUri", "sourceRepositoryDigest", "sourceRepositoryRef", "sourceRepositoryIdentifier",
            "sourceRepositoryOwnerUri", "sourceRepositoryOwnerIdentifier", "buildConfigUri", "buildConfigDigest",
            "buildTrigger", "runInvocationUri", "sourceRepositoryVisibilityAtSigning",
            "githubWorkflowTrigger", "githubWorkflowSha", "githubWorkflowName", "githubWorkflowRepository", "githubWorkflowRef");

    /** Fulcio's certificate extensions; every entry is a string. */
    public static final Type CERT = Type.openShape("cert", Type.STRING,
            CERT_FIELDS.stream().map(f -> of(f, Type.STRING)).toArray(Field[]::new));
    public static final Type SIGNATURE = Type.shape("signature",
            of("kind", Type.STRING), of("issuer", Type.STRING), of("subject", Type.STRING), of("key", Type.STRING),
            of("trustRoot", Type.STRING), of("trustRoots", Type.listOf(Type.STRING)), of("integratedTime", Type.TIMESTAMP),
            of("cert", CERT), of("timestampedBy", Type.listOf(Type.STRING)), of("transparencyLog", Type.BOOLEAN),
            of("fingerprint", Type.STRING), of("userIds", Type.listOf(Type.STRING)));
    /** A statement's subject; its digest is the one shown (sha256, else sha512). */
    public static final Type SUBJECT = Type.shape("subject", of("name", Type.STRING), of("digest", Type.STRING).from("shown"));
    public static final Type ATTESTATION = Type.shape("attestation", of("predicateType", Type.STRING),
            of("predicate", Type.ANY), of("signer", SIGNATURE), of("subjects", Type.listOf(SUBJECT)));
    public static final Type ARTIFACT = Type.shape("artifact", of("digest", Type.STRING), of("name", Type.STRING),
            of("tag", Type.STRING));
    /** context: a map whose every entry is a string. */
    public static final Type CONTEXT = Type.mapOf("context", Type.STRING);

    /** The roots in slot order, with their types. */
    public static final Map<String, Type> TYPES = Collections.unmodifiableMap(roots());
    public static final List<String> NAMES = List.copyOf(TYPES.keySet());

    private static final Map<Class<?>, Map<String, Method>> ACCESSORS = new ConcurrentHashMap<>();

    private Roots() {
    }

    private static Map<String, Type> roots() {
        Map<String, Type> roots = new LinkedHashMap<>();
        roots.put("artifact", ARTIFACT);
        roots.put("context", CONTEXT);
        roots.put("signatures", Type.listOf(SIGNATURE));
        roots.put("attestations", Type.listOf(ATTESTATION));
        roots.put("now", Type.TIMESTAMP);
        return roots;
    }

    /**
     * The facts of {@code source} (verified evidence: a record or any object with public
     * accessors) as {@code shape} declares them, in declaration order: each field read from its
     * accessor, an absent (null) one left out, nested shapes and lists of them viewed in turn,
     * and a value of type {@link Type#ANY} (a predicate) converted by {@code any}, null included.
     */
    public static Map<String, Object> view(Type shape, Object source, UnaryOperator<Object> any) {
        Map<String, Method> accessors = ACCESSORS.computeIfAbsent(source.getClass(), c -> new ConcurrentHashMap<>());
        Map<String, Object> facts = new LinkedHashMap<>();
        for (Field field : shape.declared()) {
            Method accessor = accessors.computeIfAbsent(field.accessor(), name -> accessor(source.getClass(), name));
            Object value;
            try {
                value = accessor.invoke(source);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + field.accessor() + " of " + source.getClass().getName(), e);
            }
            if (field.type().kind() == Type.Kind.ANY) {
                facts.put(field.name(), any.apply(value));
            } else if (value != null) {
                facts.put(field.name(), value(field.type(), value, any));
            }
        }
        return facts;
    }

    private static Object value(Type type, Object value, UnaryOperator<Object> any) {
        if (type.declared() != null && !(value instanceof Map)) {
            return view(type, value, any);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object element : list) {
                out.add(value(type.elementType(), element, any));
            }
            return List.copyOf(out);
        }
        if (value instanceof Map<?, ?> map) {
            return Map.copyOf(map);
        }
        return value;
    }

    private static Method accessor(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type.getName() + " has no accessor " + name + "() for a declared fact", e);
        }
    }
}
