package dev.tollgate.db;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The moment by which the work of the current thread must be done with the database: a request's
 * arrival plus the budget, or a batch's latest caller deadline in the audit writer. Connections
 * borrowed while one is in force wait at most until then ({@link BoundedDataSource}).
 */
public final class Deadline {

    private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

    private final long nanos;

    private Deadline(long nanos) {
        this.nanos = nanos;
    }

    /** The deadline {@code after} from now. */
    public static Deadline in(Duration after) {
        return new Deadline(System.nanoTime() + after.toNanos());
    }

    /** The later of two deadlines. */
    public static Deadline later(Deadline a, Deadline b) {
        return a.nanos - b.nanos >= 0 ? a : b;
    }

    /** The deadline in force on this thread, or null. */
    public static Deadline current() {
        return CURRENT.get();
    }

    public long remainingNanos() {
        return nanos - System.nanoTime();
    }

    public long remainingMillis() {
        return Math.max(0, remainingNanos() / 1_000_000);
    }

    public boolean passed() {
        return remainingNanos() <= 0;
    }

    /** Runs {@code work} with this deadline in force on the current thread. */
    public <T> T run(Callable<T> work) throws Exception {
        Deadline outer = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.call();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    static void set(Deadline deadline) {
        CURRENT.set(deadline);
    }

    static void clear() {
        CURRENT.remove();
    }
}
