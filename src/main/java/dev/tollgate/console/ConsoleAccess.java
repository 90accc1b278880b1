package dev.tollgate.console;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.tollgate.security.ConsoleAuthorization;
import org.springframework.stereotype.Component;

/**
 * Whether the signed-in caller may send a request, asked of the console's own authorisation rules:
 * a page shows a link or a button exactly when the filter chain would let its request through.
 */
@Component
class ConsoleAccess {

    private final ConsoleAuthorization authorization;

    ConsoleAccess(ConsoleAuthorization authorization) {
        this.authorization = authorization;
    }

    boolean allows(String method, String path) {
        return authorization.allows(method, path);
    }

    /** The pages of the navigation bar this caller may open. */
    Map<String, Boolean> navigation() {
        Map<String, Boolean> nav = new LinkedHashMap<>();
        nav.put("decisions", allows("GET", "/ui/decisions"));
        nav.put("policies", allows("GET", "/ui/policies"));
        nav.put("trust", allows("GET", "/ui/trust"));
        nav.put("exceptions", allows("GET", "/ui/exceptions"));
        nav.put("weakLinks", allows("GET", "/ui/reports/weak-links"));
        nav.put("components", allows("GET", "/ui/components"));
        nav.put("audit", allows("GET", "/ui/audit/admin-events"));
        nav.put("tokens", allows("GET", "/ui/tokens"));
        return nav;
    }
}
