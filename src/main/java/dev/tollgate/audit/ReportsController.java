package dev.tollgate.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.web.ApiException;
import dev.tollgate.web.PageLimit;
import dev.tollgate.web.QueryParameters;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The reports over the decision record (docs/reports.md): {@code GET /v1/reports/weak-links}. */
@RestController
class ReportsController {

    /** The window of the weak-links report, in days, when none is asked for. */
    static final int DEFAULT_DAYS = 30;
    /** The longest window of the weak-links report, in days (a year and a day). */
    static final int MAX_DAYS = 366;
    private static final String DAYS = "days is a whole number from 1 to " + MAX_DAYS;

    private final WeakLinks weakLinks;
    private final Clock clock;

    ReportsController(WeakLinks weakLinks, Clock clock) {
        this.weakLinks = weakLinks;
        this.clock = clock;
    }

    @GetMapping("/v1/reports/weak-links")
    Map<String, Object> weakLinks(@RequestParam MultiValueMap<String, String> query) {
        QueryParameters.single(query, Set.of("days", "limit"));
        int days = days(query.getFirst("days"));
        int limit = PageLimit.of(query.getFirst("limit"));
        Instant until = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant since = until.minus(Duration.ofDays(days));
        List<WeakLinks.Finding> findings = weakLinks.report(since, until.plusMillis(1), limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("days", days);
        answer.put("since", since.toString());
        answer.put("until", until.toString());
        answer.put("categories", findings.stream().map(f -> {
            Map<String, Object> category = new LinkedHashMap<>();
            category.put("category", f.category());
            category.put("decisions", f.decisions());
            category.put("artifacts", f.artifacts());
            category.put("truncated", f.truncated());
            category.put("items", f.items().stream().map(a -> {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("digest", a.digest());
                item.put("name", a.name());
                item.put("decisions", a.decisions());
                item.put("lastSeen", a.lastSeen().toString());
                item.put("exampleDecisionId", a.exampleDecisionId().toString());
                return item;
            }).toList());
            return category;
        }).toList());
        return answer;
    }

    static int days(String text) {
        if (text == null) {
            return DEFAULT_DAYS;
        }
        if (!text.matches("[0-9]{1,4}")) {
            throw ApiException.badRequest(DAYS);
        }
        int days = Integer.parseInt(text);
        if (days < 1 || days > MAX_DAYS) {
            throw ApiException.badRequest(DAYS);
        }
        return days;
    }
}
