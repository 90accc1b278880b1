package dev.tollgate.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.springframework.util.MultiValueMap;

/**
 * The query string of an endpoint that takes only named, single-valued parameters: anything else
 * (an unknown name, a name given twice, a control character in a value) is a 400 problem, not
 * silently ignored. The one place the API's endpoints check that.
 */
public final class QueryParameters {

    private QueryParameters() {
    }

    /** Each parameter's one value, in the order given; only {@code allowed} names. */
    public static Map<String, String> single(MultiValueMap<String, String> query, Set<String> allowed) {
        Map<String, String> single = new LinkedHashMap<>();
        for (var parameter : query.entrySet()) {
            String name = parameter.getKey();
            if (!allowed.contains(name)) {
                throw ApiException.badRequest("unknown parameter '" + name + "'");
            }
            if (parameter.getValue().size() != 1) {
                throw ApiException.badRequest("'" + name + "' may be given once");
            }
            String value = parameter.getValue().get(0);
            if (value != null && value.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw ApiException.badRequest("'" + name + "' holds a control character");
            }
            single.put(name, value);
        }
        return single;
    }
}
