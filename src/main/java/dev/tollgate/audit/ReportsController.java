package dev.tollgate.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.tollgate.web.PageLimit;
import dev.tollgate.web.QueryParameters;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The reports over the decision record (docs/reports.md): {@code GET /v1/reports/weak-links}. */
@RestController
class ReportsController {

    private final WeakLinks weakLinks;

    ReportsController(WeakLinks weakLinks) {
        this.weakLinks = weakLinks;
    }

    @GetMapping("/v1/reports/weak-links")
    Map<String, Object> weakLinks(@RequestParam MultiValueMap<String, String> query) {
        QueryParameters.single(query, Set.of("days", "limit"));
        WeakLinks.Report report = weakLinks.lastDays(query.getFirst("days"), PageLimit.of(query.getFirst("limit")));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("days", report.days());
        answer.put("since", report.since().toString());
        answer.put("until", report.until().toString());
        answer.put("categories", report.categories().stream().map(f -> {
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
}
