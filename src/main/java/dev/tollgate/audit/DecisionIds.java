package dev.tollgate.audit;

import java.util.UUID;

import dev.tollgate.web.ApiException;

/**
 * A decision id as it appears in a path: the UUID exactly as Tollgate gives it out (lower case,
 * hyphenated). Any other spelling names no decision (404), like an id that is not recorded.
 */
public final class DecisionIds {

    private DecisionIds() {
    }

    /** The id, or a 404 problem "no decision …". */
    public static UUID parse(String decisionId) {
        UUID id;
        try {
            id = UUID.fromString(decisionId);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no decision " + decisionId);
        }
        if (!id.toString().equals(decisionId)) {
            throw ApiException.notFound("no decision " + decisionId); // ids are given out in lower case
        }
        return id;
    }
}
