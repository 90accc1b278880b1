package dev.tollgate.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.exceptions.PolicyException;
import dev.tollgate.exceptions.PolicyExceptions;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.security.Requester;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.PageLimit;
import dev.tollgate.web.QueryParameters;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Governed exceptions (docs/exceptions.md) through {@link PolicyExceptions}, exactly as
 * {@code /v1/exceptions} has them: the list by status and policy (the API's filters), one exception
 * with its history, and the forms to request, approve (by another token) and revoke one.
 */
@Controller
class ExceptionPages extends ConsolePage {

    private static final List<String> FILTERS = List.of("status", "policy");
    private static final List<String> FIELDS = List.of("digest", "name", "policy", "rules", "reason", "ticket", "expiresAt");
    /** The expiry the request form proposes, when the longest allowed is not shorter. */
    private static final Duration PROPOSED = Duration.ofDays(7);

    private final PolicyExceptions exceptions;
    private final PolicyCatalog catalog;
    private final Clock clock;

    ExceptionPages(ConsoleAccess access, PolicyExceptions exceptions, PolicyCatalog catalog, Clock clock) {
        super(access);
        this.exceptions = exceptions;
        this.catalog = catalog;
        this.clock = clock;
    }

    @GetMapping("/ui/exceptions")
    String list(@RequestParam MultiValueMap<String, String> query, Model model) {
        Map<String, String> q = QueryParameters.single(DecisionPages.withoutEmpty(query), Set.of("status", "policy", "limit"));
        show(q, blankForm(), model);
        return "exceptions";
    }

    private void show(Map<String, String> q, Map<String, String> form, Model model) {
        List<PolicyException> items = exceptions.list(new PolicyExceptions.Query(q.get("status"), q.get("policy"),
                PageLimit.of(q.get("limit"))));
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : FILTERS) {
            filters.put(name, q.getOrDefault(name, ""));
        }
        model.addAttribute("filters", filters);
        model.addAttribute("statuses", List.of(PolicyException.PENDING, PolicyException.ACTIVE, PolicyException.EXPIRED,
                PolicyException.REVOKED));
        model.addAttribute("items", items);
        model.addAttribute("policies", catalog.listActive());
        model.addAttribute("form", form);
        model.addAttribute("maxDays", exceptions.maxDuration().toDays());
        model.addAttribute("canRequest", access.allows("POST", "/ui/exceptions"));
    }

    private Map<String, String> blankForm() {
        Map<String, String> form = new LinkedHashMap<>();
        FIELDS.forEach(f -> form.put(f, ""));
        Duration ahead = PROPOSED.compareTo(exceptions.maxDuration()) < 0 ? PROPOSED : exceptions.maxDuration();
        form.put("expiresAt", clock.instant().plus(ahead).truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(1)).toString());
        return form;
    }

    @GetMapping("/ui/exceptions/{id}")
    String one(@PathVariable String id, Requester requester, Model model) {
        PolicyException exception = exceptions.find(id).orElseThrow(() -> ApiException.notFound("no exception " + id));
        model.addAttribute("e", exception);
        model.addAttribute("history", exceptions.history(id));
        model.addAttribute("ownRequest", exception.requestedBy().equals(requester.name()));
        model.addAttribute("canApprove", PolicyException.PENDING.equals(exception.status())
                && access.allows("POST", "/ui/exceptions/" + id + "/approve"));
        model.addAttribute("canRevoke", exception.revokedAt() == null && access.allows("POST", "/ui/exceptions/" + id + "/revoke"));
        return "exception";
    }

    /**
     * A request from the form: the fields by the API's names ({@code rules} as a list separated by
     * commas or spaces, empty for every rule). A refused request shows the form again, filled in,
     * with the service's reason and status; nothing is recorded.
     */
    @PostMapping("/ui/exceptions")
    String request(@RequestParam MultiValueMap<String, String> given, Requester requester, Model model,
            HttpServletResponse response, RedirectAttributes redirect) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String field : FIELDS) {
            List<String> values = given.get(field);
            form.put(field, values == null || values.isEmpty() ? "" : values.get(0));
        }
        try {
            for (String field : given.keySet()) {
                if (!FIELDS.contains(field) && !field.equals("_csrf")) {
                    throw ApiException.badRequest("unknown field '" + field + "'");
                }
                if (given.get(field).size() != 1) {
                    throw ApiException.badRequest("'" + field + "' may be given once");
                }
            }
            List<String> rules = form.get("rules").isBlank() ? null
                    : Arrays.stream(form.get("rules").trim().split("[\\s,]+")).toList();
            PolicyException created = exceptions.request(new PolicyExceptions.Request(new PolicyExceptions.Request.Scope(
                    blankAsNull(form.get("digest")), blankAsNull(form.get("name")), blankAsNull(form.get("policy")), rules),
                    blankAsNull(form.get("reason")), blankAsNull(form.get("ticket")), blankAsNull(form.get("expiresAt"))), requester);
            redirect.addFlashAttribute("notice", "Exception requested. It applies to nothing until another policy admin approves it.");
            return "redirect:/ui/exceptions/" + created.id();
        } catch (ApiException e) {
            response.setStatus(e.getStatusCode().value());
            model.addAttribute("formError", e.getBody().getDetail());
            show(Map.of(), form, model);
            return "exceptions";
        }
    }

    @PostMapping("/ui/exceptions/{id}/approve")
    String approve(@PathVariable String id, Requester requester, RedirectAttributes redirect) {
        PolicyException approved = exceptions.approve(id, requester);
        redirect.addFlashAttribute("notice", "Approved: the exception applies until " + approved.expiresAt() + ".");
        return "redirect:/ui/exceptions/" + approved.id();
    }

    @PostMapping("/ui/exceptions/{id}/revoke")
    String revoke(@PathVariable String id, @RequestParam(required = false) String reason, Requester requester,
            RedirectAttributes redirect) {
        PolicyException revoked = exceptions.revoke(id, blankAsNull(reason), requester);
        redirect.addFlashAttribute("notice", "Revoked: the exception applies to no decision from now on.");
        return "redirect:/ui/exceptions/" + revoked.id();
    }

    private static String blankAsNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
