package dev.tollgate.admission;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingRequestWrapper;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The webhook answers an AdmissionReview whatever fails on the server's side: when anything on
 * the way to or in the reviewer answers 5xx (the database is unavailable while the token is
 * checked, an unexpected fault), the review is refused with {@code allowed: false} and the
 * reason, as HTTP 200 — never a problem document, which the API server could only report as a
 * webhook failure. Client errors (401, 403, 413, 400 for a body that is not a JSON object) stay
 * problems. Placed after the body limit and before authentication.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
class AdmissionFailureFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AdmissionFailureFilter.class);

    private final ObjectMapper json;

    AdmissionFailureFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !"POST".equals(request.getMethod()) || !path.equals("/v1/admission");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ContentCachingRequestWrapper cached = new ContentCachingRequestWrapper(request, Integer.MAX_VALUE);
        ServerFailure guarded = new ServerFailure(response);
        try {
            chain.doFilter(cached, guarded);
        } catch (IOException | ServletException | RuntimeException e) {
            if (response.isCommitted()) {
                throw e;
            }
            log.warn("admission review failed: {}", e.getMessage());
            guarded.status = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
        }
        if (guarded.status < 500) {
            return;
        }
        JsonNode review = review(cached);
        String apiVersion = review.path("apiVersion").isString()
                && review.path("apiVersion").stringValue().equals(AdmissionReviewer.V1BETA1) ? AdmissionReviewer.V1BETA1 : AdmissionReviewer.V1;
        String uid = review.path("request").path("uid").isString() ? review.path("request").path("uid").stringValue() : "";
        String reason = guarded.status == HttpServletResponse.SC_SERVICE_UNAVAILABLE
                ? "no decision could be made and recorded (the database is unavailable); nothing is admitted until it is back"
                : "the review could not be decided (an unexpected fault in Tollgate); nothing is admitted";
        response.resetBuffer();
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        json.writeValue(response.getOutputStream(), AdmissionReviewer.answer(apiVersion, uid, false, reason, List.of(), List.of()));
    }

    /** The review as sent: what the reviewer read of it, or else what is left to read (within the body limit). */
    private JsonNode review(ContentCachingRequestWrapper request) {
        try {
            byte[] read = request.getContentAsByteArray();
            if (read.length == 0) {
                try (InputStream in = request.getInputStream()) {
                    read = in.readAllBytes();
                }
            }
            JsonNode review = json.readTree(read);
            return review == null ? json.createObjectNode() : review;
        } catch (IOException | RuntimeException e) {
            return json.createObjectNode();
        }
    }

    /** Passes everything through until a 5xx status is set; from then on the body is discarded. */
    private static final class ServerFailure extends HttpServletResponseWrapper {
        int status = HttpServletResponse.SC_OK;
        private final ServletOutputStream discard = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                // never written
            }

            @Override
            public void write(int b) {
                // discarded: replaced by an AdmissionReview answer
            }
        };

        ServerFailure(HttpServletResponse response) {
            super(response);
        }

        private boolean failed() {
            return status >= 500;
        }

        @Override
        public void setStatus(int sc) {
            status = sc;
            if (!failed()) {
                super.setStatus(sc);
            }
        }

        @Override
        public void sendError(int sc) throws IOException {
            sendError(sc, null);
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            status = sc;
            if (!failed()) {
                super.sendError(sc, msg);
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            return failed() ? discard : super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            return failed() ? new PrintWriter(discard, false, StandardCharsets.UTF_8) : super.getWriter();
        }

        @Override
        public boolean isCommitted() {
            return !failed() && super.isCommitted();
        }

        @Override
        public void setContentType(String type) {
            if (!failed()) {
                super.setContentType(type);
            }
        }

        @Override
        public void setHeader(String name, String value) {
            if (!failed()) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!failed()) {
                super.addHeader(name, value);
            }
        }
    }
}
