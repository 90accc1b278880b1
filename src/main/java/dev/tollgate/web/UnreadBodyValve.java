package dev.tollgate.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.ApplicationBufferHandler;
import org.springframework.http.HttpHeaders;

/**
 * What happens to the part of a request body that was not read — after a 401, 403, 404, 408, 413, 415 or
 * 503, Tollgate answers without reading (all of) the body. Tomcat would then read and discard the rest ("swallow") on the worker
 * thread for as long as the client takes to send it: a client trickling a body one byte at a time after
 * its 401 held a thread indefinitely, and 220 of them made the server unavailable to everyone. This valve
 * (outermost, after the answer is complete) sends the answer, then discards only what of the body has
 * arrived within a second (never blocking on a read; at most 16 MiB or Tomcat's {@code maxSwallowSize},
 * and within the body's deadline); a body that has not ended then has its connection closed instead, so the thread is
 * free at once. Discarding a body that has already arrived keeps the connection alive and spares the client
 * a reset that could lose its answer. (Tomcat skips the swallow by itself only for some statuses, and not
 * at all when the answer says {@code Connection: close}.)
 */
class UnreadBodyValve extends ValveBase {

    /** The longest the discard may take (a chunked body can make a read wait for the rest of a chunk header). */
    private static final long DRAIN_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The most of a refused body discarded to keep its answer from being lost: closing a connection
     * while the client is still sending makes the kernel reset it, and the reset can destroy the
     * answer before the client reads it (a 413 for a declared 5 MB body was seen lost that way).
     */
    private static final long DRAIN_LIMIT = 16L << 20;

    private final long bodyTimeoutNanos;

    UnreadBodyValve(HttpProperties properties) {
        super(true);
        this.bodyTimeoutNanos = properties.bodyTimeoutNanos();
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        long deadline = System.nanoTime() + bodyTimeoutNanos;
        getNext().invoke(request, response);
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        if (request.isAsync() || !hasBody(request) || coyote.isFinished()) {
            return;
        }
        long maxSwallow = Math.max(DRAIN_LIMIT, request.getConnector().getProtocolHandler() instanceof AbstractHttp11Protocol<?> http
                ? http.getMaxSwallowSize() : 0);
        long length = coyote.getContentLengthLong();
        if (coyote.hasExpectation() || (length >= 0 && length - coyote.getBytesRead() > maxSwallow)) {
            closeAfterAnswer(coyote);
            return;
        }
        try {
            response.flushBuffer(); // the client has its answer while the rest of its body is discarded
            Discard discard = new Discard();
            long window = Math.min(deadline, System.nanoTime() + DRAIN_WINDOW_NANOS);
            long discarded = 0;
            while (!coyote.isFinished() && discarded <= maxSwallow && System.nanoTime() - window < 0) {
                coyote.action(ActionCode.AVAILABLE, Boolean.TRUE); // reads what has arrived, without waiting
                if (coyote.getAvailable() <= 0) {
                    pause(); // more may be on its way: look again within the window, never block on a read
                    continue;
                }
                int n = coyote.doRead(discard);
                if (n < 0) {
                    break;
                }
                discarded += n;
            }
        } catch (IOException e) {
            // the client went away: closed below
        }
        if (!coyote.isFinished()) {
            closeAfterAnswer(coyote);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean hasBody(Request request) {
        return request.getCoyoteRequest().getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    private static void closeAfterAnswer(org.apache.coyote.Request coyote) {
        coyote.action(ActionCode.DISABLE_SWALLOW_INPUT, null);
    }

    /** Receives the body's bytes from Tomcat's input filters, and drops them. */
    private static final class Discard implements ApplicationBufferHandler {
        private ByteBuffer buffer = ApplicationBufferHandler.EMPTY_BUFFER;

        @Override
        public void setByteBuffer(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getByteBuffer() {
            return buffer;
        }

        @Override
        public void expand(int size) {
            // nothing is kept
        }
    }
}
