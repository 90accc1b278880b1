package dev.tollgate.policy.dsl;

/**
 * When a compilation must stop: checked by the lexer, the parser, the AST builder and the checker
 * as they go, so that a compilation past its time stops by itself soon after (the caller has
 * already answered). {@link #NONE} never expires.
 */
public final class Deadline {

    public static final Deadline NONE = new Deadline(Long.MAX_VALUE, false);

    private final long nanos;
    private final boolean bounded;
    private volatile boolean cancelled;
    private int calls;

    private Deadline(long nanos, boolean bounded) {
        this.nanos = nanos;
        this.bounded = bounded;
    }

    /** A deadline {@code timeoutNanos} from now. */
    public static Deadline in(long timeoutNanos) {
        return new Deadline(System.nanoTime() + timeoutNanos, true);
    }

    /** Makes the next {@link #check()} throw, whatever the time. */
    public void cancel() {
        cancelled = true;
    }

    /** Throws {@link Expired} once the deadline has passed or it was cancelled; reads the clock every 256 calls. */
    public void check() {
        if (!bounded) {
            return;
        }
        if (cancelled || (++calls & 0xff) == 0 && System.nanoTime() - nanos > 0) {
            throw new Expired();
        }
    }

    /** The compilation ran out of time. */
    public static final class Expired extends RuntimeException {
        Expired() {
            super("policy compilation deadline passed", null, false, false);
        }
    }
}
