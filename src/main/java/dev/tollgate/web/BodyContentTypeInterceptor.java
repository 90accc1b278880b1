package dev.tollgate.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The Content-Type of every handler that reads a body, checked before the body is read and after the
 * role check (it runs last of the interceptors): a handler that binds JSON (a record, a {@code JsonNode})
 * takes exactly {@code application/json} (no parameter but {@code charset=utf-8}); a handler that takes
 * the raw bytes checks its own types with {@link ContentTypes#require}, and never receives form data or
 * multipart bodies, which Spring would otherwise decode as parameters before the handler sees them.
 */
class BodyContentTypeInterceptor implements HandlerInterceptor {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)) {
            return true;
        }
        for (MethodParameter parameter : method.getMethodParameters()) {
            if (!parameter.hasParameterAnnotation(RequestBody.class)) {
                continue;
            }
            String header = request.getHeader(HttpHeaders.CONTENT_TYPE);
            Class<?> type = parameter.getParameterType();
            if (type == byte[].class || type == String.class) {
                MediaType given = ContentTypes.parse(header);
                if (header != null && (given == null || MediaType.APPLICATION_FORM_URLENCODED.equalsTypeAndSubtype(given)
                        || "multipart".equalsIgnoreCase(given.getType()))) {
                    throw new ApiException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "this endpoint does not take " + header);
                }
            } else {
                ContentTypes.require(header, MediaType.APPLICATION_JSON);
            }
        }
        return true;
    }
}
