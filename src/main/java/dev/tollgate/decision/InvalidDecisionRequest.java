package dev.tollgate.decision;

import dev.tollgate.web.DomainException;
import dev.tollgate.web.ProblemType;

/**
 * A decision request that cannot be decided as it is: a value too long, too many context
 * entries, or text the audit record cannot hold (U+0000, an unpaired surrogate). Thrown by the
 * constructors of {@link ArtifactRef} and {@link DecisionRequest}, so every entry point meets the
 * same limits: the API answers 400, admission refuses the review with the message (a sentence
 * about the request, written for its sender).
 */
public final class InvalidDecisionRequest extends DomainException {

    InvalidDecisionRequest(String message) {
        super(message, null);
    }

    @Override
    public ProblemType problemType() {
        return ProblemType.BAD_REQUEST;
    }

    /** Refuses what PostgreSQL's {@code text} and {@code jsonb} cannot store, and overlong values. */
    public static String checked(String value, String what, int max) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw new InvalidDecisionRequest(what + " must be at most " + max + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new InvalidDecisionRequest(what + " must not contain U+0000 (NUL)");
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw new InvalidDecisionRequest(what + " must be Unicode text (it has an unpaired surrogate)");
                }
                i++;
            }
        }
        return value;
    }
}
