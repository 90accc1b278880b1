package dev.tollgate.support;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Records, for every request the test suite makes, the endpoint (method and path pattern) and
 * the status it answered — also when a filter refused the request before Spring MVC mapped it — ;
 * the OpenAPI contract test then checks each one is documented.
 */
@TestConfiguration(proxyBeanMethods = false)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class StatusRecorder extends OncePerRequestFilter {

    public record Seen(String method, String pattern, int status) {
    }

    public static final Set<Seen> SEEN = ConcurrentHashMap.newKeySet();

    private final ObjectProvider<RequestMappingHandlerMapping> mappings;

    public StatusRecorder(@Qualifier("requestMappingHandlerMapping") ObjectProvider<RequestMappingHandlerMapping> mappings) {
        this.mappings = mappings;
    }

    /** The endpoint pattern this request would have been mapped to, when there is one for its method and path. */
    private Object mappedPattern(HttpServletRequest request) {
        RequestMappingHandlerMapping mapping = mappings.getIfAvailable();
        if (mapping == null || !request.getRequestURI().startsWith("/v1")) {
            return null;
        }
        try {
            return mapping.getHandler(request) == null ? null
                    : request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        } catch (Exception e) {
            return null; // no endpoint for this method, path or media type
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } finally {
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            if (pattern == null) {
                pattern = mappedPattern(request); // refused before Spring MVC mapped it (a filter, the edge checks)
            }
            if (pattern != null && pattern.toString().startsWith("/v1")) {
                SEEN.add(new Seen(request.getMethod(), pattern.toString(), response.getStatus()));
            }
        }
    }
}
