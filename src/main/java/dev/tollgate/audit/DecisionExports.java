package dev.tollgate.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemResponses;
import dev.tollgate.web.ProblemType;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Streams exports on their own bounded pool ({@code tollgate.audit.export-threads}), so that slow
 * or stalled export clients can never take the threads other endpoints need. One more export than
 * the pool holds is refused at once with 503 and {@code Retry-After}. Each export writes without
 * blocking (servlet non-blocking output): it waits for its client at most
 * {@code export-write-timeout} at a time and {@code export-max-duration} in all, then it is ended
 * (the client sees a truncated stream) and its thread and connection are free again.
 */
@Component
public class DecisionExports {

    private static final Logger log = LoggerFactory.getLogger(DecisionExports.class);
    static final String RETRY_AFTER_SECONDS = "10";

    public enum Format {
        NDJSON("application/x-ndjson"), CSV("text/csv; charset=utf-8");

        final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }
    }

    private final DecisionHistory history;
    private final AuditProperties properties;
    private final ProblemResponses problems;
    private final Semaphore slots;
    private final ExecutorService pool;

    DecisionExports(DecisionHistory history, AuditProperties properties, ProblemResponses problems) {
        this.history = history;
        this.properties = properties;
        this.problems = problems;
        this.slots = new Semaphore(properties.exportThreads());
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(properties.exportThreads(), r -> {
            Thread thread = new Thread(r, "decision-export-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }

    /** What a stream writes: it may throw {@link UncheckedIOException} (the client is gone) and it stops on {@code Ended}. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out);
    }

    /** Starts the export on the pool (the request goes asynchronous), or refuses it with 503 when the pool is busy. */
    public void start(HttpServletRequest request, HttpServletResponse response, Format format, DecisionHistory.Filter filter) {
        start(request, response, format.contentType, format == Format.CSV ? "decisions.csv" : null,
                format == Format.CSV ? out -> history.exportCsv(filter, out) : out -> history.exportNdjson(filter, out));
    }

    /**
     * Streams {@code body} on the export pool, with the exports' bounds (their write time-out and
     * longest duration), or refuses with 503 when the pool is busy. Used by exports and by policy
     * replay: a client that goes away ends the stream at the next write.
     */
    public void start(HttpServletRequest request, HttpServletResponse response, String contentType, String attachment,
            Body body) {
        if (!slots.tryAcquire()) {
            ApiException busy = new ApiException(ProblemType.SERVICE_UNAVAILABLE, properties.exportThreads()
                    + " exports are running, the most that may run at once; retry later");
            busy.getHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
            throw busy;
        }
        try {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(contentType);
            if (attachment != null) {
                response.setHeader("Content-Disposition", "attachment; filename=\"" + attachment + "\"");
            }
            AsyncContext async = request.startAsync();
            async.setTimeout(properties.exportMaxDuration().plus(properties.exportWriteTimeout()).toMillis());
            Export export = new Export(async, response, body);
            async.addListener(export);
            pool.execute(export);
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    /** The export was ended: its client stopped reading, it ran too long, or the connection failed. */
    public static final class Ended extends RuntimeException {
        Ended(String message) {
            super(message, null, false, false);
        }
    }

    /** One export: the database cursor read on a pool thread, written as fast as the client takes it, no faster. */
    private final class Export extends OutputStream implements Runnable, WriteListener, AsyncListener {
        private final AsyncContext async;
        private final HttpServletResponse response;
        private final Body body;
        private final long endNanos;
        private final Object lock = new Object();
        private ServletOutputStream out;
        private boolean writable; // guarded by lock: the container said the stream can take data again
        private String ended;     // guarded by lock: why the export must stop

        Export(AsyncContext async, HttpServletResponse response, Body body) {
            this.async = async;
            this.response = response;
            this.body = body;
            this.endNanos = System.nanoTime() + properties.exportMaxDuration().toNanos();
        }

        @Override
        public void run() {
            boolean complete = false;
            try {
                body.write(this);
                if (out != null) {
                    awaitWritable(); // everything handed to the container has left
                }
                complete = true;
            } catch (Ended | UncheckedIOException e) {
                log.info("export ended early: {}", e.getMessage());
            } catch (RuntimeException | Error e) {
                log.warn("export failed: {}", e.toString());
                if (out == null && !response.isCommitted()) {
                    try {
                        problems.write(response, ProblemType.SERVICE_UNAVAILABLE, "the export could not be read; retry later");
                        complete = true;
                    } catch (IOException | RuntimeException ignored) {
                        // the client is gone
                    }
                }
            } finally {
                slots.release();
                if (complete) {
                    try {
                        async.complete();
                    } catch (RuntimeException ignored) {
                        // already completed (time-out or error)
                    }
                } else {
                    // an export that did not finish must not look finished: it is not completed (which would end
                    // the response properly); the container closes the connection at the next write event (see
                    // onWritePossible), at its write time-out, or at the asynchronous time-out
                    end("ended early");
                }
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (out == null) {
                out = response.getOutputStream();
                out.setWriteListener(this); // non-blocking from here on
            }
            awaitWritable();
            out.write(bytes, offset, length);
        }

        /** Sends what is buffered (a long stream shows progress, and a client that went away is noticed). */
        @Override
        public void flush() throws IOException {
            if (out != null) {
                awaitWritable();
                out.flush();
            }
        }

        /** Waits until the container can take more data, at most the write time-out and the export's end. */
        private void awaitWritable() {
            synchronized (lock) {
                writable = false;
            }
            if (out.isReady()) {
                return;
            }
            long writeEnd = System.nanoTime() + properties.exportWriteTimeout().toNanos();
            synchronized (lock) {
                while (!writable && ended == null) {
                    long now = System.nanoTime();
                    long wait = Math.min(writeEnd, endNanos) - now;
                    if (wait <= 0) {
                        ended = now - endNanos >= 0 ? "the export ran longer than " + properties.exportMaxDuration()
                                : "the client took no data for " + properties.exportWriteTimeout();
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, wait / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        ended = "shutting down";
                    }
                }
                if (ended != null) {
                    throw new Ended(ended);
                }
            }
            if (System.nanoTime() - endNanos >= 0) {
                throw new Ended("the export ran longer than " + properties.exportMaxDuration());
            }
        }

        private void end(String why) {
            synchronized (lock) {
                if (ended == null) {
                    ended = why;
                }
                lock.notifyAll();
            }
        }

        @Override
        public void onWritePossible() throws IOException {
            synchronized (lock) {
                if (ended != null) {
                    // thrown on the container's thread, this makes it close the connection at once
                    throw new IOException("the export was ended: " + ended);
                }
                writable = true;
                lock.notifyAll();
            }
        }

        @Override
        public void onError(Throwable t) {
            end("the connection failed: " + t.getMessage());
        }

        @Override
        public void onComplete(AsyncEvent event) {
            end("completed");
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // not completed here: the container then closes the connection of the committed response
            end("the export ran longer than " + properties.exportMaxDuration());
        }

        @Override
        public void onError(AsyncEvent event) {
            end("the connection failed");
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }
    }
}
