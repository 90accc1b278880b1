package dev.tollgate.console;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicyVersionInfo;
import dev.tollgate.security.Requester;
import dev.tollgate.trust.RootValidity;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustStore;
import dev.tollgate.web.ApiException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Policies (active versions, history, source, diff, the editor's diagnostics, activation) and trust material. */
@Controller
class PolicyPages extends ConsolePage {

    private final PolicyCatalog catalog;
    private final TrustStore trust;
    private final RootValidity validity;

    PolicyPages(ConsoleAccess access, PolicyCatalog catalog, TrustStore trust, RootValidity validity) {
        super(access);
        this.validity = validity;
        this.catalog = catalog;
        this.trust = trust;
    }

    @GetMapping("/ui/policies")
    String list(Model model) {
        model.addAttribute("policies", catalog.listActive());
        return "policies";
    }

    @GetMapping("/ui/policies/{name}")
    String one(@PathVariable String name, @RequestParam(required = false) String version,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to, Model model) {
        List<PolicyVersionInfo> versions = catalog.versions(name);
        int shown = version != null ? number(version)
                : versions.stream().filter(PolicyVersionInfo::active).mapToInt(PolicyVersionInfo::version).findFirst()
                        .orElse(versions.get(versions.size() - 1).version());
        PolicyVersionInfo current = catalog.version(name, shown);
        model.addAttribute("name", name);
        model.addAttribute("versions", versions);
        model.addAttribute("current", current);
        model.addAttribute("lines", PolicySource.lines(current.source()));
        model.addAttribute("canActivate", access.allows("POST", "/ui/policies/" + name + "/activate"));
        model.addAttribute("canReplay", access.allows("GET", "/ui/policies/" + name + "/replay"));
        if (from != null && to != null) {
            PolicyVersionInfo left = catalog.version(name, number(from));
            PolicyVersionInfo right = catalog.version(name, number(to));
            model.addAttribute("diff", PolicySource.diff(left.source(), right.source()));
            model.addAttribute("from", left.version());
            model.addAttribute("to", right.version());
        }
        return "policy";
    }

    @GetMapping("/ui/policies/{name}/editor")
    String editor(@PathVariable String name, @RequestParam(required = false) String version, Model model) {
        List<PolicyVersionInfo> versions = catalog.versions(name);
        int shown = version != null ? number(version) : versions.get(versions.size() - 1).version();
        model.addAttribute("name", name);
        model.addAttribute("current", catalog.version(name, shown));
        model.addAttribute("canEvaluate", access.allows("POST", "/ui/policies/" + name + "/evaluate"));
        return "editor";
    }

    /** The compiler's diagnostics for a source (as {@code POST /v1/policies:validate} gives them), for the editor. */
    @PostMapping("/ui/policies/diagnostics")
    @ResponseBody
    Map<String, Object> diagnostics(@RequestParam String source) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("errors", catalog.diagnostics(source.getBytes(StandardCharsets.UTF_8)));
        return answer;
    }

    @PostMapping("/ui/policies/{name}/activate")
    String activate(@PathVariable String name, @RequestParam String version, Requester requester,
            RedirectAttributes redirect) {
        PolicyVersionInfo active = catalog.activate(name, number(version), requester.name());
        redirect.addFlashAttribute("notice", "Version " + active.version() + " of " + name + " is now active.");
        return "redirect:/ui/policies/" + name;
    }

    @GetMapping("/ui/trust")
    String trust(Model model) {
        List<TrustMaterial> roots = trust.list(TrustKind.ROOT);
        model.addAttribute("roots", roots);
        model.addAttribute("rootWindows", roots.stream().flatMap(r -> validity.of(r).stream()).toList());
        model.addAttribute("keys", trust.list(TrustKind.KEY));
        model.addAttribute("policies", catalog.listActive());
        model.addAttribute("requirements", catalog.activeRequirements());
        return "trust";
    }

    private static int number(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiException.notFound("no such version '" + text + "'");
    }
}
