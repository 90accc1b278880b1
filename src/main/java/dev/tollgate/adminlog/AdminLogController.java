package dev.tollgate.adminlog;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.web.ApiException;
import dev.tollgate.web.PageLimit;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/audit/admin-events}: who changed what, newest first, for auditors. */
@RestController
class AdminLogController {

    private static final Set<String> FILTERS = Set.of("since", "until", "actor", "action", "target", "limit", "cursor");

    private final AdminLog log;

    AdminLogController(AdminLog log) {
        this.log = log;
    }

    @GetMapping("/v1/audit/admin-events")
    Map<String, Object> list(@RequestParam Map<String, String> query) {
        for (String name : query.keySet()) {
            if (!FILTERS.contains(name)) {
                throw ApiException.badRequest("unknown filter '" + name + "'");
            }
        }
        int limit = PageLimit.of(query.get("limit"));
        Long before = query.containsKey("cursor")
                ? (long) number(query.get("cursor"), "cursor is the nextCursor of a previous page") : null;
        List<AdminEvent> items = log.page(new AdminLog.Query(time(query.get("since"), "since"), time(query.get("until"), "until"),
                query.get("actor"), query.get("action"), query.get("target"), before, limit));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", items);
        answer.put("nextCursor", items.size() == limit ? String.valueOf(items.get(items.size() - 1).sequence()) : null);
        return answer;
    }

    private static int number(String text, String problem) {
        try {
            int value = Integer.parseInt(text);
            if (value < 0) {
                throw ApiException.badRequest(problem);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(problem);
        }
    }

    private static Instant time(String text, String what) {
        return dev.tollgate.web.Rfc3339.parameter(text, what);
    }
}
