package dev.tollgate.web;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
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
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;

/**
 * The one exception handler: every error leaves as an RFC 9457 problem with a stable
 * {@link ProblemType} URI, a readable detail and never a class name or stack trace.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    /** SQLSTATEs of PostgreSQL data exceptions caused by a value: 22001, 22003, 22008, 22021, 22P05. */
    private static final Set<String> VALUE_STATES = Set.of("22001", "22003", "22008", "22021", "22P05");

    @ExceptionHandler({CannotGetJdbcConnectionException.class, CannotCreateTransactionException.class,
            DataAccessResourceFailureException.class, QueryTimeoutException.class})
    ResponseEntity<Object> databaseUnavailable(Exception ex, WebRequest request) {
        log.warn("database unavailable: {}", ex.getMessage());
        ProblemDetail problem = problem(ProblemType.SERVICE_UNAVAILABLE,
                "the database is unavailable; nothing was decided or changed, retry later");
        return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    /**
     * PostgreSQL refusing a value the request carried (a timestamp beyond its range, a NUL character, a
     * number out of range, text too long for its column): the request is at fault, nothing was changed.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> valueRefusedByStore(DataIntegrityViolationException ex, WebRequest request) {
        if (ex.getMostSpecificCause() instanceof SQLException sql && sql.getSQLState() != null
                && VALUE_STATES.contains(sql.getSQLState())) {
            log.info("a request value was refused by the database: {}", sql.getMessage());
            ProblemDetail problem = problem(ProblemType.BAD_REQUEST,
                    "a value in the request is outside the range Tollgate can store or search for");
            return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatusCode.valueOf(problem.getStatus()), request);
        }
        return unexpected(ex, request);
    }

    /** A feature's failure: its problem type, its sentence and its extension members. */
    @ExceptionHandler(DomainException.class)
    ResponseEntity<Object> domain(DomainException ex, WebRequest request) {
        ProblemDetail problem = problem(ex.problemType(), ex.detail());
        ex.properties().forEach(problem::setProperty);
        if (ex.problemType().status().is5xxServerError()) {
            log.warn("{}: {}", ex.getClass().getSimpleName(), ex.getMessage());
        }
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
            if (cause instanceof BodyLimitFilter.BodyTimeoutException || cause instanceof SocketTimeoutException) {
                ProblemDetail problem = problem(ProblemType.REQUEST_TIMEOUT, cause instanceof SocketTimeoutException
                        ? "the request body stopped arriving" : cause.getMessage());
                HttpHeaders close = new HttpHeaders();
                close.putAll(headers);
                close.set(HttpHeaders.CONNECTION, "close");
                return handleExceptionInternal(ex, problem, close, HttpStatusCode.valueOf(problem.getStatus()), request);
            }
        }
        ProblemDetail problem = problem(ProblemType.MALFORMED_JSON, malformed(ex));
        return handleExceptionInternal(ex, problem, headers, HttpStatusCode.valueOf(problem.getStatus()), request);
    }

    /** Why the body was refused, in words that name no class: which limit or check, when it is one of ours. */
    private static String malformed(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamConstraintsException) {
                return "the JSON document exceeds a parse limit (tokens, nesting depth, or length of a string, "
                        + "name or number; see tollgate.json.* in the configuration)";
            }
            if (cause instanceof StrictJsonFactory.NotUtf8Exception notUtf8) {
                return notUtf8.getMessage();
            }
            if (cause instanceof StreamReadException read && read.getOriginalMessage() != null
                    && read.getOriginalMessage().contains("unpaired UTF-16 surrogate")) {
                return read.getOriginalMessage();
            }
            if (cause instanceof StreamReadException read && read.getOriginalMessage() != null
                    && read.getOriginalMessage().startsWith("Duplicate Object property")) {
                return "the JSON document names a property twice in one object";
            }
        }
        return "the request body is not valid JSON of the expected shape";
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
