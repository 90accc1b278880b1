package dev.tollgate.console;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.audit.WeakLinks;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.sbom.IncidentQuery;
import dev.tollgate.web.PageLimit;
import dev.tollgate.web.QueryParameters;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * What got in without proof: the weak-links report ({@code GET /v1/reports/weak-links}, docs/reports.md),
 * and the incident query over the SBOM index ({@code GET /v1/components}), as pages.
 */
@Controller
class ReportPages extends ConsolePage {

    /** What each category of the report means, in the report's order. */
    static final Map<String, String> CATEGORIES = Map.of(
            "warn-or-audit-mode", "A policy in warn or audit mode refused it: enforced, it would not have been admitted.",
            "exception", "A governed exception turned a rule's failure into a warning.",
            "break-glass", "Admitted by break-glass although its policies refused it.",
            "exempt-namespace", "Admitted without policy: its namespace is exempt by configuration.",
            "no-policy", "Allowed with no policy in enforce mode applying.");

    private final WeakLinks weakLinks;
    private final PolicyCatalog policies;
    private final IncidentQuery incidents;

    ReportPages(ConsoleAccess access, WeakLinks weakLinks, PolicyCatalog policies, IncidentQuery incidents) {
        super(access);
        this.weakLinks = weakLinks;
        this.policies = policies;
        this.incidents = incidents;
    }

    /** The query fields of the components page, as {@code GET /v1/components} names them. */
    static final List<String> COMPONENT_FILTERS = List.of("purl", "range", "name", "license");

    /**
     * The incident query ({@code GET /v1/components}, docs/sbom-index.md) as a page: which artifacts
     * hold a component, and where they were decided on and last allowed. An empty form asks nothing.
     */
    @GetMapping("/ui/components")
    String components(@RequestParam MultiValueMap<String, String> query, Model model) {
        MultiValueMap<String, String> given = DecisionPages.withoutEmpty(query);
        Map<String, String> q = QueryParameters.single(given, Set.of("purl", "range", "name", "license", "cursor", "limit"));
        Map<String, String> filters = new java.util.LinkedHashMap<>();
        for (String name : COMPONENT_FILTERS) {
            filters.put(name, q.getOrDefault(name, ""));
        }
        model.addAttribute("filters", filters);
        if (COMPONENT_FILTERS.stream().noneMatch(q::containsKey)) {
            model.addAttribute("answer", null);
            return "components";
        }
        Map<String, Object> answer = incidents.page(given);
        model.addAttribute("answer", answer);
        Object next = answer.get("nextCursor");
        if (next != null) {
            Map<String, String> withoutCursor = new java.util.LinkedHashMap<>(q);
            model.addAttribute("next", DecisionPages.link("/ui/components", withoutCursor, "cursor", String.valueOf(next)));
        }
        return "components";
    }

    @GetMapping("/ui/reports/weak-links")
    String weakLinks(@RequestParam MultiValueMap<String, String> query, Model model) {
        Map<String, String> q = QueryParameters.single(DecisionPages.withoutEmpty(query), Set.of("days", "limit"));
        WeakLinks.Report report = weakLinks.lastDays(q.get("days"), PageLimit.of(q.get("limit")));
        model.addAttribute("report", report);
        model.addAttribute("meanings", CATEGORIES);
        model.addAttribute("windows", List.of(1, 7, 30, 90));
        // the policies that let refusals through now: the warn/audit-mode category's causes, by name
        model.addAttribute("notEnforcing", policies.listActive().stream().filter(p -> !"enforce".equals(p.mode())).toList());
        return "weak-links";
    }
}
