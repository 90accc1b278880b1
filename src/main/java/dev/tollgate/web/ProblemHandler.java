package dev.tollgate.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one exception handler: every error leaves as an RFC 9457 problem with a stable
 * {@link ProblemType} URI, a readable detail and never a class name or stack trace.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler({CannotGetJdbcConnectionException.class, CannotCreateTransactionException.class,
            DataAccessResourceFailureException.class, QueryTimeoutException.class})
    ResponseEntity<Object> databaseUnavailable(Exception ex, WebRequest request) {
        log.warn("database unavailable: {}", ex.getMessage());
        ProblemDetail problem = problem(ProblemType.SERVICE_UNAVAILABLE,
                "the database is unavailable; nothing was decided or changed, retry later");
        return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex, WebRequest request) {
        log.error("unexpected error", ex);
        ProblemDetail problem = problem(ProblemType.INTERNAL, "an unexpected error occurred");
        return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyLimitFilter.BodyTooLargeException tooLarge) {
                ProblemDetail problem = problem(ProblemType.PAYLOAD_TOO_LARGE, tooLarge.getMessage());
                return handleExceptionInternal(ex, problem, headers, HttpStatusCode.valueOf(problem.getStatus()), request);
            }
        }
        ProblemDetail problem = problem(ProblemType.MALFORMED_JSON, "the request body is not valid JSON of the expected shape");
        return handleExceptionInternal(ex, problem, headers, HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
            WebRequest request) {
        if (body instanceof ProblemDetail problem) {
            decorate(problem, statusCode.value());
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    static ProblemDetail problem(ProblemType type, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
        problem.setType(type.uri());
        problem.setTitle(type.title());
        return problem;
    }

    /** Gives Spring's own problems (405, 415, ...) our stable type URIs and titles. */
    private static void decorate(ProblemDetail problem, int status) {
        if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
            ProblemType type = ProblemType.forStatus(status);
            problem.setType(type.uri());
            problem.setTitle(type.title());
        }
        problem.setInstance(null);
    }
}
