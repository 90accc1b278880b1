package dev.tollgate.console;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.audit.WeakLinks;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.web.PageLimit;
import dev.tollgate.web.QueryParameters;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** What got in without proof: the weak-links report ({@code GET /v1/reports/weak-links}, docs/reports.md) as a page. */
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

    ReportPages(ConsoleAccess access, WeakLinks weakLinks, PolicyCatalog policies) {
        super(access);
        this.weakLinks = weakLinks;
        this.policies = policies;
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
