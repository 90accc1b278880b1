package dev.tollgate.security;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * When a token cannot be checked because the token store is unreachable, Spring Security's bearer
 * filter rethrows the {@link AuthenticationServiceException}; this answers it with 503 instead of
 * letting the container turn it into a 500. Nothing is allowed either way.
 */
final class AuthenticationUnavailableFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AuthenticationUnavailableFilter.class);

    private final SecurityProblems problems;

    AuthenticationUnavailableFilter(SecurityProblems problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (AuthenticationServiceException e) {
            log.warn("cannot check a token: {}", e.getMessage());
            problems.unavailable(response);
        }
    }
}
