package dev.tollgate.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.tollgate.web.ApiException;
import dev.tollgate.web.Rfc3339;
import org.springframework.util.MultiValueMap;
import dev.tollgate.digest.Digest;

/**
 * The one reader of the decision history's filters (api.md): the API's listing and export and the
 * console's decisions page take the same query parameters, with the same names and checks.
 */
public final class HistoryFilters {

    /** The filter parameters, in the order the console shows them. */
    public static final java.util.List<String> NAMES = java.util.List.of("digest", "name", "policy", "outcome", "since",
            "until", "signerSubject", "signerIssuer", "key", "builderId", "sourceRepository");
    public static final Set<String> FILTERS = Set.copyOf(NAMES);
    public static final java.util.List<String> OUTCOMES = java.util.List.of("allow", "deny", "warn", "exempt",
            "break-glass");

    private HistoryFilters() {
    }

    /** The query's parameters, each at most once, each a filter or one of {@code others}; anything else is 400. */
    public static Map<String, String> single(MultiValueMap<String, String> query, Set<String> others) {
        Map<String, String> single = new LinkedHashMap<>();
        for (var parameter : query.entrySet()) {
            String name = parameter.getKey();
            if (!FILTERS.contains(name) && !others.contains(name)) {
                throw ApiException.badRequest("unknown filter '" + name + "'");
            }
            if (parameter.getValue().size() != 1) {
                throw ApiException.badRequest("'" + name + "' may be given once");
            }
            single.put(name, parameter.getValue().get(0));
        }
        return single;
    }

    /** The filter these parameters describe; a malformed one is 400. */
    public static DecisionHistory.Filter filter(Map<String, String> q) {
        String digest = q.get("digest");
        if (digest != null && !Digest.isWritten(digest)) {
            throw ApiException.badRequest("digest must be " + Digest.FORM);
        }
        String outcome = q.get("outcome");
        if (outcome != null && !OUTCOMES.contains(outcome)) {
            throw ApiException.badRequest("outcome is allow, deny, warn, exempt or break-glass");
        }
        return new DecisionHistory.Filter(digest, q.get("name"), q.get("policy"), outcome,
                Rfc3339.parameter(q.get("since"), "since"), Rfc3339.parameter(q.get("until"), "until"), q.get("signerSubject"),
                q.get("signerIssuer"), q.get("key"), q.get("builderId"), q.get("sourceRepository"));
    }

    /** Whether this is a digest as the API spells it. */
    public static boolean isDigest(String text) {
        return Digest.isWritten(text);
    }
}
