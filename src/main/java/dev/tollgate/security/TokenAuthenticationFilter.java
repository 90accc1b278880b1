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

    static final String ADMISSION = "/v1/admission";
    private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    private final Tokens tokens;
    private final ProblemResponses problems;
    private final java.util.Set<String> admissionClients;

    TokenAuthenticationFilter(Tokens tokens, ProblemResponses problems, SecurityProperties properties) {
        this.tokens = tokens;
        this.problems = problems;
        this.admissionClients = properties.admissionClientSubjects().stream().filter(s -> !s.isBlank())
                .map(s -> new javax.security.auth.x500.X500Principal(s).getName()).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * The admission webhook's caller by client certificate: the TLS layer verified the chain, this
     * checks that its subject is one configured for admission.
     */
    Optional<Requester> byClientCertificate(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (!ADMISSION.equals(path) || !(request.getAttribute(CERTIFICATES) instanceof java.security.cert.X509Certificate[] chain)
                || chain.length == 0) {
            return Optional.empty();
        }
        String subject = chain[0].getSubjectX500Principal().getName();
        return admissionClients.contains(subject)
                ? Optional.of(new Requester("certificate:" + subject, java.util.Set.of(Role.DECIDER))) : Optional.empty();
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
        if (header == null) {
            Optional<Requester> client = byClientCertificate(request);
            if (client.isPresent()) {
                request.setAttribute(Requester.ATTRIBUTE, client.get());
                chain.doFilter(request, response);
                return;
            }
        }
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
