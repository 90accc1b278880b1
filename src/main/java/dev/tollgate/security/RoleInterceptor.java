package dev.tollgate.security;

import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/** Checks {@link Roles} before a {@code /v1} handler runs; a handler without it is refused. */
class RoleInterceptor implements HandlerInterceptor {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)) {
            return true;
        }
        Object attribute = request.getAttribute(Requester.ATTRIBUTE);
        if (!(attribute instanceof Requester requester)) {
            return true; // not under /v1: the authentication filter did not run
        }
        Roles roles = method.getMethodAnnotation(Roles.class);
        if (roles == null) {
            roles = method.getBeanType().getAnnotation(Roles.class);
        }
        if (roles == null || !requester.mayActAs(roles.value())) {
            throw new ApiException(ProblemType.FORBIDDEN, "the token '" + requester.name() + "' lacks the role for this operation");
        }
        return true;
    }
}
