package dev.tollgate.support;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Records, for every request the test suite makes, the endpoint (method and path pattern) and
 * the status it answered; the OpenAPI contract test then checks each one is documented.
 */
@TestConfiguration(proxyBeanMethods = false)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class StatusRecorder extends OncePerRequestFilter {

    public record Seen(String method, String pattern, int status) {
    }

    public static final Set<Seen> SEEN = ConcurrentHashMap.newKeySet();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } finally {
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            if (pattern != null && pattern.toString().startsWith("/v1")) {
                SEEN.add(new Seen(request.getMethod(), pattern.toString(), response.getStatus()));
            }
        }
    }
}
