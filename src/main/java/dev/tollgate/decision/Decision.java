package dev.tollgate.decision;

import java.util.List;
import java.util.UUID;

import tools.jackson.databind.node.ObjectNode;

/**
 * A decision made and recorded: the answer as returned (and stored), and what callers such as
 * the admission webhook summarise: the refusals (single-line) and the warnings.
 */
public record Decision(UUID id, ObjectNode response, boolean allowed, String outcome, List<String> refusals,
        List<String> warnings) {

    public Decision {
        refusals = List.copyOf(refusals);
        warnings = List.copyOf(warnings);
    }
}
