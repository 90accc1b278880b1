package dev.tollgate.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over {@code tollgate.http.max-body} with 413: at once when the
 * Content-Length says so, and while reading when a chunked body grows past the limit. A body that has
 * not arrived {@code tollgate.http.body-timeout} after its first read is refused with 408 while reading,
 * so that a client trickling its body holds a worker thread for a bounded time only.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class BodyLimitFilter extends OncePerRequestFilter {

    private final long maxBody;
    private final long bodyTimeoutNanos;
    private final ProblemResponses problems;

    BodyLimitFilter(HttpProperties properties, ProblemResponses problems) {
        this.maxBody = properties.maxBody().toBytes();
        this.bodyTimeoutNanos = properties.bodyTimeoutNanos();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBody) {
            problems.write(response, ProblemType.PAYLOAD_TOO_LARGE, tooLarge());
            return;
        }
        try {
            chain.doFilter(new LimitedRequest(request, maxBody, tooLarge(), bodyTimeoutNanos, tooSlow()), response);
        } catch (BodyTooLargeException e) {
            problems.write(response, ProblemType.PAYLOAD_TOO_LARGE, e.getMessage());
        } catch (BodyTimeoutException e) {
            response.setHeader("Connection", "close");
            problems.write(response, ProblemType.REQUEST_TIMEOUT, e.getMessage());
        }
    }

    private String tooSlow() {
        return "the request body did not arrive within " + java.time.Duration.ofNanos(bodyTimeoutNanos).toMillis() + " ms";
    }

    private String tooLarge() {
        return "the request body is larger than the limit of " + maxBody + " bytes";
    }

    /** Thrown while reading a body past the limit; the problem handler turns it into 413. */
    static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(String message) {
            super(message);
        }
    }

    /** Thrown while reading a body past its deadline; the problem handler turns it into 408. */
    static final class BodyTimeoutException extends IOException {
        BodyTimeoutException(String message) {
            super(message);
        }
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private final String message;
        private final long timeoutNanos;
        private final String slowMessage;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit, String message, long timeoutNanos, String slowMessage) {
            super(request);
            this.limit = limit;
            this.message = message;
            this.timeoutNanos = timeoutNanos;
            this.slowMessage = slowMessage;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), limit, message, timeoutNanos, slowMessage);
            }
            return stream;
        }

        /** Through the same limits: a reader over the limited stream. */
        @Override
        public java.io.BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(),
                    encoding == null ? java.nio.charset.StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
        }
    }

    private static final class LimitedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long limit;
        private final String message;
        private final long timeoutNanos;
        private final String slowMessage;
        private long read;
        /** Set at the first read: time the server spent before reading (authentication, a busy CPU) is not the client's. */
        private long deadline;
        private boolean started;

        LimitedStream(ServletInputStream in, long limit, String message, long timeoutNanos, String slowMessage) {
            this.in = in;
            this.limit = limit;
            this.message = message;
            this.timeoutNanos = timeoutNanos;
            this.slowMessage = slowMessage;
        }

        @Override
        public int read() throws IOException {
            inTime();
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            inTime();
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        /** Each read waits for the client at most the connector's read time-out; the whole body at most until the deadline. */
        private void inTime() throws BodyTimeoutException {
            if (!started) {
                started = true;
                deadline = System.nanoTime() + timeoutNanos;
            }
            if (System.nanoTime() - deadline > 0 && !in.isFinished()) {
                throw new BodyTimeoutException(slowMessage);
            }
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > limit) {
                throw new BodyTooLargeException(message);
            }
            inTime();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
