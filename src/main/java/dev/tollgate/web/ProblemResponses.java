package dev.tollgate.web;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Writes problem documents where Spring MVC's exception handling does not reach: servlet
 * filters (authentication, body limit), the container's error page and Tomcat's error report.
 */
@Component
public class ProblemResponses {

    private final ObjectMapper json;

    ProblemResponses(ObjectMapper json) {
        this.json = json;
    }

    public void write(HttpServletResponse response, ProblemType type, String detail) throws IOException {
        write(response, type, type.status().value(), detail);
    }

    void write(HttpServletResponse response, ProblemType type, int status, String detail) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (type == ProblemType.UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"tollgate\"");
        }
        json.writeValue(response.getOutputStream(), body(type, status, detail));
    }

    /** The problem document as JSON text (for Tomcat's error report, which writes through its own writer). */
    String render(ProblemType type, int status, String detail) {
        return json.writeValueAsString(body(type, status, detail));
    }

    private static Map<String, Object> body(ProblemType type, int status, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri().toString());
        body.put("title", type.title());
        body.put("status", status);
        body.put("detail", detail);
        return body;
    }
}
