package dev.tollgate.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses, before anything else reads them, requests that no endpoint can mean: an HTTP/0.9 request,
 * a method Tollgate does not serve (405 on every path: {@code CONNECT}, {@code TRACE}, {@code FOO}), a query
 * string that is not well-formed (400: bad percent-encoding, bytes that are not UTF-8, control characters,
 * too many or too long parameters, and under {@code /v1} a parameter given twice), and a {@code Content-Type} that is not one
 * concrete media type (415). Query parameters are decoded here by the same rules Tomcat uses, so a
 * request that passes reaches the handlers with exactly the values checked here.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class MalformedRequestFilter extends OncePerRequestFilter {

    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
    static final String ALLOW = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";
    static final int MAX_PARAMETERS = 64;
    /** Methods whose requests carry no body in Tollgate's API. */
    static final Set<String> BODILESS = Set.of("GET", "HEAD", "DELETE", "OPTIONS");

    private final ProblemResponses problems;
    private final int maxParameterLength;

    MalformedRequestFilter(ProblemResponses problems, HttpProperties properties) {
        this.problems = problems;
        this.maxParameterLength = properties.maxParameterLength();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String protocol = request.getProtocol();
        if (protocol == null || !(protocol.startsWith("HTTP/1.") || protocol.startsWith("HTTP/2"))) { // HTTP/0.9
            problems.write(response, ProblemType.HTTP_VERSION_NOT_SUPPORTED, "use HTTP/1.1");
            return;
        }
        if (!METHODS.contains(request.getMethod())) {
            response.setHeader(HttpHeaders.ALLOW, ALLOW);
            problems.write(response, ProblemType.METHOD_NOT_ALLOWED, "Tollgate does not serve the method " + printable(request.getMethod()));
            return;
        }
        String path = request.getRequestURI();
        boolean api = path.equals("/v1") || path.startsWith("/v1/");
        String query = queryProblem(request.getQueryString(), maxParameterLength, api);
        if (query != null) {
            problems.write(response, ProblemType.MALFORMED_QUERY, query);
            return;
        }
        if (contentTypeProblem(request)) {
            problems.write(response, ProblemType.UNSUPPORTED_MEDIA_TYPE, "the Content-Type header is not one concrete media type");
            return;
        }
        if (BODILESS.contains(request.getMethod()) && (request.getContentLengthLong() > 0
                || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null)) {
            // no endpoint reads it; refused rather than ignored, so no one can believe it was applied
            problems.write(response, ProblemType.BAD_REQUEST, request.getMethod() + " requests take no body");
            return;
        }
        List<String> accept;
        try {
            accept = accept(request);
        } catch (IllegalArgumentException e) { // InvalidMediaTypeException too
            problems.write(response, ProblemType.BAD_REQUEST, "the Accept header is not a list of media types");
            return;
        }
        chain.doFilter(accept == null ? request : new AcceptRequest(request, accept), response);
    }

    /**
     * The Accept header's elements, each checked to be a media type with a valid quality; null when it can
     * be passed on as it is. Empty list elements (which RFC 9110 allows, and which make Spring's actuator
     * fail) are dropped.
     */
    private static List<String> accept(HttpServletRequest request) {
        List<String> headers = Collections.list(request.getHeaders(HttpHeaders.ACCEPT));
        if (headers.isEmpty()) {
            return null;
        }
        List<String> elements = new ArrayList<>();
        boolean changed = headers.size() > 1;
        for (String header : headers) {
            for (String element : header.split(",", -1)) {
                if (element.isBlank()) {
                    changed = true;
                    continue;
                }
                MediaType type = MediaType.parseMediaType(element.trim());
                type.getQualityValue(); // throws on a quality that is not a number in [0, 1]
                elements.add(element.trim());
            }
        }
        return changed ? elements : null;
    }

    /** The request with its Accept header in the checked form (one header, no empty elements). */
    private static final class AcceptRequest extends HttpServletRequestWrapper {
        private final List<String> accept;

        AcceptRequest(HttpServletRequest request, List<String> accept) {
            super(request);
            this.accept = accept;
        }

        @Override
        public String getHeader(String name) {
            if (HttpHeaders.ACCEPT.equalsIgnoreCase(name)) {
                return accept.isEmpty() ? null : String.join(", ", accept);
            }
            return super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (HttpHeaders.ACCEPT.equalsIgnoreCase(name)) {
                return Collections.enumeration(accept.isEmpty() ? List.of() : List.of(String.join(", ", accept)));
            }
            return super.getHeaders(name);
        }
    }

    private static boolean contentTypeProblem(HttpServletRequest request) {
        var headers = Collections.list(request.getHeaders(HttpHeaders.CONTENT_TYPE));
        if (headers.isEmpty()) {
            return false;
        }
        if (headers.size() > 1) {
            return true;
        }
        try {
            MediaType type = MediaType.parseMediaType(headers.get(0));
            return type.isWildcardType() || type.isWildcardSubtype();
        } catch (InvalidMediaTypeException e) {
            return true;
        }
    }

    /**
     * Why this raw query string is refused, or null when it is well-formed. Under {@code /v1} every parameter
     * is single-valued, so a repeated one is refused too (elsewhere, e.g. Prometheus' {@code includedNames},
     * repeats are meaningful).
     */
    static String queryProblem(String query, int maxParameterLength, boolean singleValued) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        Set<String> names = new HashSet<>();
        int count = 0;
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            if (++count > MAX_PARAMETERS) {
                return "more than " + MAX_PARAMETERS + " query parameters";
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = decode(eq < 0 ? pair : pair.substring(0, eq));
                value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                return "the query string is not well-formed: " + e.getMessage();
            }
            if (name.isEmpty()) {
                return "a query parameter has no name";
            }
            if (name.length() > 64) {
                return "a query parameter name is longer than 64 characters";
            }
            if (value.length() > maxParameterLength) {
                return "query parameter '" + printable(name) + "' is longer than " + maxParameterLength + " characters";
            }
            if (hasControl(name) || hasControl(value)) {
                return "query parameter '" + printable(name) + "' holds a control character";
            }
            if (!names.add(name) && singleValued) {
                return "query parameter '" + printable(name) + "' is given more than once";
            }
        }
        return null;
    }

    /** Percent-decoding of application/x-www-form-urlencoded text; the bytes must be UTF-8. */
    private static String decode(String text) {
        ByteBuffer bytes = ByteBuffer.allocate(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("'%' must be followed by two hex digits");
                }
                bytes.put((byte) (Character.digit(text.charAt(i + 1), 16) << 4 | Character.digit(text.charAt(i + 2), 16)));
                i += 2;
            } else if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                throw new IllegalArgumentException("characters outside ASCII must be percent-encoded");
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the percent-encoded bytes are not UTF-8");
        }
    }

    private static boolean hasControl(String text) {
        return text.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f));
    }

    /** The text as it may appear in a problem's detail: printable ASCII, at most 64 characters. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(64).forEach(c -> out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return text.length() > 64 ? out + "..." : out.toString();
    }
}
