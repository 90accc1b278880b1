package dev.tollgate.audit;

/** The decision could not be recorded: it must not be answered as made. */
public final class RecordingFailed extends RuntimeException {

    RecordingFailed(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
