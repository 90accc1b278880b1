package dev.tollgate.web;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds the memory that large request bodies can take at once: a request whose body is larger than
 * {@code tollgate.http.large-body} (or of unknown length) is processed only with one of
 * {@code tollgate.http.max-concurrent-large-bodies} permits, waits at most
 * {@code tollgate.http.large-body-wait} for one, and is otherwise answered 503 with {@code Retry-After}.
 * Smaller bodies never wait here, so large requests cannot make a small decision fail. Runs after
 * authentication (order 0): a request without a valid token never takes a permit.
 */
@Component
@org.springframework.core.annotation.Order(0)
class LargeBodyGate extends OncePerRequestFilter {

    private final long largeBody;
    private final long waitNanos;
    private final Semaphore permits;
    private final ProblemResponses problems;

    LargeBodyGate(HttpProperties properties, ProblemResponses problems) {
        this.largeBody = properties.largeBody().toBytes();
        this.waitNanos = properties.largeBodyWait().toNanos();
        this.permits = new Semaphore(Math.max(1, properties.maxConcurrentLargeBodies()), true);
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!isLarge(request)) {
            chain.doFilter(request, response);
            return;
        }
        boolean acquired;
        try {
            acquired = permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            response.setHeader(HttpHeaders.CONNECTION, "close");
            problems.write(response, ProblemType.SERVER_BUSY,
                    "too many large requests are being processed; retry after the time in Retry-After");
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            permits.release();
        }
    }

    private boolean isLarge(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        return length > largeBody || (length < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null);
    }

    /** Permits free now. */
    int available() {
        return permits.availablePermits();
    }
}
