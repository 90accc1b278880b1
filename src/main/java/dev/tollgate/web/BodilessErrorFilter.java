package dev.tollgate.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Some handlers outside Tollgate's own (actuator's health groups: an unknown group is a bare 404)
 * answer an error with a status and no body. Such an answer becomes a problem document too, so a
 * client never has to handle a second error shape.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class BodilessErrorFilter extends OncePerRequestFilter {

    private final ProblemResponses problems;

    BodilessErrorFilter(ProblemResponses problems) {
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/actuator/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, response);
        int status = response.getStatus();
        if (status >= 400 && !response.isCommitted() && response.getContentType() == null) {
            ProblemType type = ProblemType.forStatus(status);
            problems.write(response, type, status, type.title().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
