package dev.tollgate.console;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.adminlog.AdminEvent;
import dev.tollgate.adminlog.AdminLog;
import dev.tollgate.security.Requester;
import dev.tollgate.security.Tokens;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.Rfc3339;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The admin log (who changed what Tollgate trusts or who may call it) and the tokens (admin only). */
@Controller
class AdminPages extends ConsolePage {

    private static final List<String> EVENT_FILTERS = List.of("since", "until", "actor", "action", "target");

    private final AdminLog log;
    private final Tokens tokens;

    AdminPages(ConsoleAccess access, AdminLog log, Tokens tokens) {
        super(access);
        this.log = log;
        this.tokens = tokens;
    }

    @GetMapping("/ui/audit/admin-events")
    String events(@RequestParam MultiValueMap<String, String> query, Model model) {
        MultiValueMap<String, String> given = DecisionPages.withoutEmpty(query);
        Map<String, String> q = new LinkedHashMap<>();
        for (var entry : given.entrySet()) {
            if (!EVENT_FILTERS.contains(entry.getKey()) && !entry.getKey().equals("cursor")) {
                throw ApiException.badRequest("unknown filter '" + entry.getKey() + "'");
            }
            if (entry.getValue().size() != 1) {
                throw ApiException.badRequest("'" + entry.getKey() + "' may be given once");
            }
            q.put(entry.getKey(), entry.getValue().get(0));
        }
        Long before = null;
        if (q.containsKey("cursor")) {
            try {
                before = Long.parseLong(q.get("cursor"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("cursor is the next page's link");
            }
        }
        int limit = 50;
        List<AdminEvent> items = log.page(new AdminLog.Query(Rfc3339.parameter(q.get("since"), "since"),
                Rfc3339.parameter(q.get("until"), "until"), q.get("actor"), q.get("action"), q.get("target"), before, limit));
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : EVENT_FILTERS) {
            filters.put(name, q.getOrDefault(name, ""));
        }
        Map<String, String> current = new LinkedHashMap<>(q);
        current.remove("cursor");
        model.addAttribute("filters", filters);
        model.addAttribute("items", items);
        model.addAttribute("next", items.size() == limit
                ? DecisionPages.link("/ui/audit/admin-events", current, "cursor", String.valueOf(items.get(limit - 1).sequence()))
                : null);
        return "admin-events";
    }

    @GetMapping("/ui/tokens")
    String tokens(Model model) {
        model.addAttribute("tokens", tokens.list());
        model.addAttribute("roles", List.of("decider", "policy-admin", "auditor", "admin"));
        return "tokens";
    }

    @PostMapping("/ui/tokens")
    String create(@RequestParam String name, @RequestParam(required = false) List<String> roles, Requester requester,
            RedirectAttributes redirect) {
        Tokens.IssuedToken issued = tokens.issue(name, roles == null ? List.of() : roles, requester.name());
        redirect.addFlashAttribute("issued", issued); // shown once, on the page the redirect leads to
        return "redirect:/ui/tokens";
    }

    @PostMapping("/ui/tokens/{name}/revoke")
    String revoke(@PathVariable String name, Requester requester, RedirectAttributes redirect) {
        tokens.revoke(name, requester.name());
        redirect.addFlashAttribute("notice", "Token " + name + " is revoked.");
        return "redirect:/ui/tokens";
    }
}
