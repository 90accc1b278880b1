package dev.tollgate.security;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The console's role rules, once: the console's filter chain enforces them, and pages ask
 * {@link #allows} before they show a link or a button, so what a role sees is exactly what it may do.
 */
@Component
public class ConsoleAuthorization {

    private final AuthorizationManager<HttpServletRequest> rules = ConsoleSecurityConfiguration.rules();

    AuthorizationManager<HttpServletRequest> rules() {
        return rules;
    }

    /** Whether the signed-in caller of the current request may send {@code method path} (no query string). */
    public boolean allows(String method, String path) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes current)) {
            return false;
        }
        AuthorizationResult result = rules.authorize(() -> authentication, new Hypothetical(current.getRequest(), method, path));
        return result != null && result.isGranted();
    }

    /** A request that is only asked about: its own method, path and attributes, nothing of the current one's. */
    private static final class Hypothetical extends HttpServletRequestWrapper {

        private final String method;
        private final String path;
        private final Map<String, Object> attributes = new HashMap<>();

        Hypothetical(HttpServletRequest request, String method, String path) {
            super(request);
            this.method = method;
            this.path = path;
        }

        @Override
        public String getMethod() {
            return method;
        }

        @Override
        public String getRequestURI() {
            return path;
        }

        @Override
        public StringBuffer getRequestURL() {
            return new StringBuffer(path);
        }

        @Override
        public String getServletPath() {
            return path;
        }

        @Override
        public String getPathInfo() {
            return null;
        }

        @Override
        public String getContextPath() {
            return "";
        }

        @Override
        public String getQueryString() {
            return null;
        }

        @Override
        public DispatcherType getDispatcherType() {
            return DispatcherType.REQUEST;
        }

        @Override
        public Object getAttribute(String name) {
            return attributes.get(name);
        }

        @Override
        public Enumeration<String> getAttributeNames() {
            return Collections.enumeration(attributes.keySet());
        }

        @Override
        public void setAttribute(String name, Object value) {
            attributes.put(name, value);
        }

        @Override
        public void removeAttribute(String name) {
            attributes.remove(name);
        }
    }
}
