package dev.tollgate.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's {@link StrictHttpFirewall} (no {@code ;}, no encoded {@code /}, {@code .} or
 * {@code %}, no NUL, no {@code //}, no dot segments, no control characters, standard methods only),
 * and in addition no percent-encoding in the path at all: every path Tollgate serves is plain ASCII
 * ({@code [a-z0-9-]} names, {@code sha256:} digests, UUIDs), so an encoded character can only be an
 * attempt to make the authorisation rules and the router read a path differently. Query strings
 * may be encoded as usual.
 */
final class PathFirewall implements HttpFirewall {

    private final StrictHttpFirewall strict = new StrictHttpFirewall();

    @Override
    public FirewalledRequest getFirewalledRequest(HttpServletRequest request) {
        FirewalledRequest firewalled = strict.getFirewalledRequest(request);
        String uri = request.getRequestURI();
        if (uri == null || uri.isEmpty() || uri.charAt(0) != '/') {
            throw new RequestRejectedException("The request was rejected because the path does not start with '/'.");
        }
        if (uri.indexOf('%') >= 0) {
            throw new RequestRejectedException("The request was rejected because the path is percent-encoded.");
        }
        return firewalled;
    }

    @Override
    public HttpServletResponse getFirewalledResponse(HttpServletResponse response) {
        return strict.getFirewalledResponse(response);
    }
}
