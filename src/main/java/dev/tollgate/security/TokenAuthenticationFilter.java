package dev.tollgate.security;

import java.io.IOException;
import java.util.Optional;

import dev.tollgate.web.ProblemResponses;
import dev.tollgate.web.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Everything under {@code /v1} needs a valid bearer token: without one the answer is 401,
 * whether or not the path exists.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class TokenAuthenticationFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(TokenAuthenticationFilter.class);
    private static final String BEARER = "Bearer ";

    private final Tokens tokens;
    private final ProblemResponses problems;

    TokenAuthenticationFilter(Tokens tokens, ProblemResponses problems) {
        this.tokens = tokens;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.equals("/v1") || path.startsWith("/v1/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            problems.write(response, ProblemType.UNAUTHORIZED, "a bearer token is required");
            return;
        }
        Optional<Requester> requester;
        try {
            requester = tokens.authenticate(header.substring(BEARER.length()).strip());
        } catch (DataAccessException | TransactionException e) {
            log.warn("cannot check a token, the database is unavailable: {}", e.getMessage());
            problems.write(response, ProblemType.SERVICE_UNAVAILABLE, "the database is unavailable; retry later");
            return;
        }
        if (requester.isEmpty()) {
            problems.write(response, ProblemType.UNAUTHORIZED, "the bearer token is not valid");
            return;
        }
        request.setAttribute(Requester.ATTRIBUTE, requester.get());
        chain.doFilter(request, response);
    }
}
