package dev.tollgate.audit;

import dev.tollgate.web.DomainException;
import dev.tollgate.web.ProblemType;

/**
 * The decision could not be recorded: it must not be answered as made. {@link #unstorable()}
 * says the record itself holds what the database cannot store (retrying will not help); otherwise
 * the audit log or the database is unavailable for now. The message is for the log; a client reads
 * {@link #detail()}: the decision was not made, and whether retrying may help (503) or not (400).
 */
public final class RecordingFailed extends DomainException {

    private final boolean unstorable;

    RecordingFailed(String message, Throwable cause) {
        this(message, cause, false);
    }

    private RecordingFailed(String message, Throwable cause, boolean unstorable) {
        super(message, cause);
        this.unstorable = unstorable;
    }

    @Override
    public ProblemType problemType() {
        return unstorable ? ProblemType.BAD_REQUEST : ProblemType.SERVICE_UNAVAILABLE;
    }

    @Override
    public String detail() {
        return unstorable ? "the decision cannot be recorded, so it was not made: " + getMessage()
                : "the decision could not be recorded, so it was not made; retry later";
    }

    static RecordingFailed unstorable(String message, Throwable cause) {
        return new RecordingFailed(message, cause, true);
    }

    /** The record cannot be stored as it is (U+0000, an unpaired surrogate): a fault of its content. */
    public boolean unstorable() {
        return unstorable;
    }
}
