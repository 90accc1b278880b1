package dev.tollgate.audit;

/**
 * The decision could not be recorded: it must not be answered as made. {@link #unstorable()}
 * says the record itself holds what the database cannot store (retrying will not help); otherwise
 * the audit log or the database is unavailable for now.
 */
public final class RecordingFailed extends RuntimeException {

    private final boolean unstorable;

    RecordingFailed(String message, Throwable cause) {
        this(message, cause, false);
    }

    private RecordingFailed(String message, Throwable cause, boolean unstorable) {
        super(message, cause, false, false);
        this.unstorable = unstorable;
    }

    static RecordingFailed unstorable(String message, Throwable cause) {
        return new RecordingFailed(message, cause, true);
    }

    /** The record cannot be stored as it is (U+0000, an unpaired surrogate): a fault of its content. */
    public boolean unstorable() {
        return unstorable;
    }
}
