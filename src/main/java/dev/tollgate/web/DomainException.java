package dev.tollgate.web;

import java.util.Map;

/**
 * A failure of a feature that a client is told about: it carries its {@link ProblemType} and the
 * sentence the client reads ({@link #detail()}), kept apart from the message for the log. Features
 * throw these, never HTTP types; {@code ProblemHandler} alone turns them into problem documents,
 * and callers that answer in their own format (admission) write their own sentences.
 */
public abstract class DomainException extends RuntimeException {

    protected DomainException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** The problem type a client receives. */
    public abstract ProblemType problemType();

    /** The sentence a client reads; by default the message. */
    public String detail() {
        return getMessage();
    }

    /** Extension members of the problem document (RFC 9457, section 3.2). */
    public Map<String, Object> properties() {
        return Map.of();
    }
}
