package dev.tollgate.web;

import java.io.PrintWriter;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.ExceptionUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Tomcat's error report — what a client gets when Tomcat refuses a request before the application sees
 * it (a malformed request line or header, headers too large, an unsupported HTTP version or transfer
 * coding, {@code CONNECT}) — as a problem document instead of Tomcat's HTML page. Installed in place of
 * {@link ErrorReportValve} by {@link TomcatEdgeConfiguration}. Errors inside the application are rendered
 * earlier, by {@link ProblemHandler} and {@link ProblemErrorController}; this writes only when nothing was.
 */
class ProblemReportValve extends ErrorReportValve {

    private final ProblemResponses problems;

    ProblemReportValve(ProblemResponses problems) {
        this.problems = problems;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String method = request.getMethod();
        if (method != null && !MalformedRequestFilter.METHODS.contains(method)) {
            status = 405; // CONNECT, which Tomcat refuses as 501: Tollgate answers every unserved method alike
            response.setStatus(status);
            response.setHeader(HttpHeaders.ALLOW, MalformedRequestFilter.ALLOW);
        }
        String detail = detail(status);
        if (status == 501 || status == 505) {
            // an unknown transfer coding or HTTP version: the request is at fault, and no input gets a 5xx
            status = 400;
            response.setStatus(status);
        }
        ProblemType type = ProblemType.forStatus(status);
        try {
            String body = problems.render(type, status, detail);
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (Throwable t) {
            ExceptionUtils.handleThrowable(t);
        }
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "the request is not well-formed HTTP/1.1 (request line, headers, their size or the body's framing)";
            case 405 -> "Tollgate does not serve this method";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request is too large";
            case 414 -> "the request target is too long";
            case 417 -> "the only expectation Tollgate meets is 100-continue";
            case 431 -> "the request headers are too large";
            case 501 -> "the request uses a transfer coding Tollgate does not implement (only chunked)";
            case 505 -> "the HTTP version is not supported: use HTTP/1.1";
            default -> status >= 500 ? "an unexpected error occurred" : "the request was refused";
        };
    }
}
