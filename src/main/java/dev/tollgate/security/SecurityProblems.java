package dev.tollgate.security;

import java.io.IOException;
import java.util.Set;

import dev.tollgate.web.ProblemResponses;
import dev.tollgate.web.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

/**
 * Spring Security's refusals as problem documents: 401 (no or no valid token), 403 (valid token,
 * wrong role), 400 (a path spelling the firewall refuses), 405 (a method Tollgate never serves).
 * None of them says whether the resource exists.
 */
@Component
class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

    private static final Logger log = LoggerFactory.getLogger(SecurityProblems.class);
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

    private final ProblemResponses problems;

    SecurityProblems(ProblemResponses problems) {
        this.problems = problems;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        problems.write(response, ProblemType.UNAUTHORIZED,
                header == null ? "a bearer token is required" : "the bearer token is not valid");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        problems.write(response, ProblemType.FORBIDDEN, "the caller lacks the role for this operation");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        log.debug("refused a request: {}", e.getMessage());
        if (!METHODS.contains(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, "GET, HEAD, POST, PUT, DELETE, OPTIONS");
            problems.write(response, ProblemType.METHOD_NOT_ALLOWED, "the method is not supported");
            return;
        }
        problems.write(response, ProblemType.BAD_REQUEST,
                "the request path is not in canonical form (no ';', '%', '//', '.' or '..' segments, control characters)");
    }

    /** A console request without a session that a browser would not follow to the sign-in page. */
    void signInRequired(HttpServletResponse response) throws IOException {
        problems.write(response, ProblemType.UNAUTHORIZED, "sign in at /ui/login");
    }

    /** The token store could not be asked: nothing is allowed, and the caller may retry. */
    void unavailable(HttpServletResponse response) throws IOException {
        problems.write(response, ProblemType.SERVICE_UNAVAILABLE, "the database is unavailable; retry later");
    }
}
