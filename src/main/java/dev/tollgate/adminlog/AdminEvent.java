package dev.tollgate.adminlog;

import java.time.Instant;
import java.util.Map;

/** One change to what Tollgate trusts or who may call it: who, when, what, to which thing. */
public record AdminEvent(long sequence, Instant recordedAt, String actor, String action, String target,
        Map<String, Object> details) {

    public AdminEvent {
        details = Map.copyOf(details);
    }
}
