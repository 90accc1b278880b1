package dev.tollgate.policy.eval;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The roots a policy sees: {@code artifact}, {@code context}, {@code signatures},
 * {@code attestations} (lists of {@link EvidenceItem}) and {@code now}, truncated to milliseconds.
 */
public record Input(Map<String, Object> artifact, Map<String, Object> context, List<Object> signatures,
        List<Object> attestations, Instant now) {

    /** The roots in slot order, as {@link Roots} declares them. */
    public static final List<String> ROOTS = Roots.NAMES;

    public Input {
        artifact = Map.copyOf(artifact);
        context = Map.copyOf(context);
        signatures = List.copyOf(signatures);
        attestations = List.copyOf(attestations);
        now = now.truncatedTo(ChronoUnit.MILLIS);
    }

    Object root(int index) {
        return switch (index) {
            case 0 -> artifact;
            case 1 -> context;
            case 2 -> signatures;
            case 3 -> attestations;
            case 4 -> now;
            default -> throw new IllegalArgumentException("no root " + index);
        };
    }
}
