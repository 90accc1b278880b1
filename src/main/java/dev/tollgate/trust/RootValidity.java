package dev.tollgate.trust;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The validity windows a Sigstore trusted root declares ({@code validFor} of its certificate
 * authorities, transparency logs, CT logs and timestamp authorities), for the console's trust page
 * and its "expiring within 30 days". Read from the root as held; a root that does not parse lists
 * nothing (it was checked when it was stored).
 */
@Component
public class RootValidity {

    private final ObjectMapper json;

    /** One part of a root: its kind, what names it (a URI or the log id), and its window (end null: open). */
    public record Window(String root, String part, String name, Instant start, Instant end) {
    }

    RootValidity(ObjectMapper json) {
        this.json = json;
    }

    public List<Window> of(TrustMaterial root) {
        List<Window> windows = new ArrayList<>();
        if (root.kind() != TrustKind.ROOT) {
            return windows;
        }
        JsonNode tree;
        try {
            tree = json.readTree(root.content());
        } catch (JacksonException e) {
            return windows;
        }
        add(windows, root.name(), tree.path("certificateAuthorities"), "certificate authority", false);
        add(windows, root.name(), tree.path("tlogs"), "transparency log", true);
        add(windows, root.name(), tree.path("ctlogs"), "CT log", true);
        add(windows, root.name(), tree.path("timestampAuthorities"), "timestamp authority", false);
        return windows;
    }

    private static void add(List<Window> into, String root, JsonNode parts, String part, boolean log) {
        for (JsonNode p : parts) {
            JsonNode valid = log ? p.path("publicKey").path("validFor") : p.path("validFor");
            String name = p.path("baseUrl").asString(p.path("uri").asString(p.path("subject").path("organization").asString("")));
            into.add(new Window(root, part, name, time(valid.path("start")), time(valid.path("end"))));
        }
    }

    private static Instant time(JsonNode value) {
        if (!value.isString()) {
            return null;
        }
        try {
            return Instant.parse(value.asString());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
