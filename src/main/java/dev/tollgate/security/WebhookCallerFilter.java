package dev.tollgate.security;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.web.ProblemResponses;
import dev.tollgate.web.ProblemType;
import dev.tollgate.web.WebhookListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requests on the webhook listener: only {@code POST /v1/admission} (anything else is 404, as if
 * the listener had no other path), at most the configured rate per source address (429), and
 * without a bearer token the caller is the API server: {@code kubernetes:<cluster>}, or
 * {@code certificate:<subject>} when it presented a client certificate (verified by the
 * listener's TLS). With a token, the token decides as on the main port. Requests on the main
 * port pass untouched: there, {@code /v1/admission} needs a token or a configured certificate.
 */
final class WebhookCallerFilter extends OncePerRequestFilter {

    static final String KUBERNETES_PREFIX = "kubernetes:";

    private final WebhookListener listener;
    private final ProblemResponses problems;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofMinutes(5)).build();

    WebhookCallerFilter(WebhookListener listener, ProblemResponses problems) {
        this.listener = listener;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!listener.carried(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (!"POST".equals(request.getMethod()) || !"/v1/admission".equals(request.getRequestURI())) {
            problems.write(response, ProblemType.NOT_FOUND, "the webhook listener serves POST /v1/admission only");
            return;
        }
        double rate = listener.properties().ratePerSecond();
        if (rate > 0 && !buckets.get(request.getRemoteAddr(), k -> new Bucket(rate)).take()) {
            response.setHeader("Retry-After", "1");
            problems.write(response, ProblemType.TOO_MANY_REQUESTS,
                    "more than " + rate + " admission reviews per second from this address; retry later");
            return;
        }
        if (request.getHeader("Authorization") == null) {
            Object attribute = request.getAttribute("jakarta.servlet.request.X509Certificate");
            String caller = attribute instanceof X509Certificate[] chainOf && chainOf.length > 0
                    ? Requesters.CERTIFICATE_PREFIX + chainOf[0].getSubjectX500Principal().getName()
                    : KUBERNETES_PREFIX + listener.properties().cluster();
            var user = User.withUsername(caller).password("")
                    .authorities(AuthorityUtils.createAuthorityList("ROLE_" + Authorities.ADMISSION_CLIENT)).build();
            var authentication = new PreAuthenticatedAuthenticationToken(user, null, user.getAuthorities());
            var context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(authentication);
            SecurityContextHolder.setContext(context);
            try {
                chain.doFilter(request, response);
            } finally {
                SecurityContextHolder.clearContext();
            }
            return;
        }
        chain.doFilter(request, response);
    }

    /** A token bucket: {@code rate} per second, bursts of twice as many. */
    private static final class Bucket {
        private final double rate;
        private final double capacity;
        private double tokens;
        private long last = System.nanoTime();

        Bucket(double rate) {
            this.rate = rate;
            this.capacity = Math.max(1, rate * 2);
            this.tokens = capacity;
        }

        synchronized boolean take() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
