package dev.tollgate.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;

import dev.tollgate.audit.DecisionIds;
import dev.tollgate.decision.Replays;
import dev.tollgate.policy.PolicyCatalog;
import dev.tollgate.policy.PolicyVersionInfo;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ProblemType;
import dev.tollgate.web.QueryParameters;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * "What would this version change?": a stored version of a policy (staged or earlier) replayed over
 * the recorded decisions by {@link Replays}, as {@code POST /v1/policies/{name}:replay} does, with the
 * request's fields by the same names in the query string (so a result can be pasted into a ticket).
 * The page shows the replay's summary and the decisions whose outcome or rules would change.
 * Nothing is written. It is a GET because it changes nothing; it is for the replay's roles.
 */
@Controller
class ReplayPages extends ConsolePage {

    /** The most decisions a replay from the console walks when no {@code limit} is given (the API's default is larger). */
    static final int DEFAULT_LIMIT = 10_000;
    /** The changed decisions listed on the page; the summary counts them all. */
    static final int LISTED = 200;

    private final Replays replays;
    private final PolicyCatalog catalog;
    private final ObjectMapper json;
    /** One replay from the console at a time (it runs on the request's thread): another is refused with 503. */
    private final Semaphore running = new Semaphore(1);

    ReplayPages(ConsoleAccess access, Replays replays, PolicyCatalog catalog, ObjectMapper json) {
        super(access);
        this.replays = replays;
        this.catalog = catalog;
        this.json = json;
    }

    @GetMapping("/ui/policies/{name}/replay")
    String replay(@PathVariable String name, @RequestParam MultiValueMap<String, String> query, Model model) {
        Map<String, String> q = QueryParameters.single(DecisionPages.withoutEmpty(query), Set.of("version", "since", "until", "limit"));
        List<PolicyVersionInfo> versions = catalog.versions(name); // 404 for no such policy
        int chosen = versions.stream().filter(v -> !v.active()).mapToInt(PolicyVersionInfo::version).max()
                .orElse(versions.get(versions.size() - 1).version());
        Map<String, String> form = new LinkedHashMap<>();
        form.put("version", q.getOrDefault("version", String.valueOf(chosen)));
        form.put("since", q.getOrDefault("since", ""));
        form.put("until", q.getOrDefault("until", ""));
        form.put("limit", q.getOrDefault("limit", ""));
        model.addAttribute("name", name);
        model.addAttribute("versions", versions);
        model.addAttribute("form", form);
        if (!q.containsKey("version")) {
            return "replay";
        }
        ObjectNode body = json.createObjectNode();
        try {
            body.put("version", Integer.parseInt(q.get("version")));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("version must be a stored version's number");
        }
        if (q.containsKey("since")) {
            body.put("since", q.get("since"));
        }
        if (q.containsKey("until")) {
            body.put("until", q.get("until"));
        }
        try {
            body.put("limit", q.containsKey("limit") ? Integer.parseInt(q.get("limit")) : DEFAULT_LIMIT);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be a whole number");
        }
        body.put("changedOnly", true);
        Replays.Plan plan = replays.plan(name, body); // every fault a 400 (or 404) before anything runs
        if (!running.tryAcquire()) {
            throw new ApiException(ProblemType.SERVICE_UNAVAILABLE, "another replay is running from the console; retry shortly");
        }
        // the decisions whose outcome would change, and those where only rules' outcomes would (a rule added that passes, say)
        List<Map<String, Object>> changed = new ArrayList<>();
        List<Map<String, Object>> rulesOnly = new ArrayList<>();
        ObjectNode summary;
        try {
            summary = replays.run(plan, line -> {
                boolean outcome = line.path("before").path("allowed").asBoolean() != line.path("after").path("allowed").asBoolean()
                        || !line.path("before").path("outcome").asString("").equals(line.path("after").path("outcome").asString(""));
                List<Map<String, Object>> into = outcome ? changed : rulesOnly;
                if (into.size() < LISTED) {
                    into.add(map(line));
                }
            }, () -> false);
        } finally {
            running.release();
        }
        model.addAttribute("summary", map((ObjectNode) summary.get("summary")));
        model.addAttribute("changed", changed);
        model.addAttribute("rulesOnly", rulesOnly);
        model.addAttribute("listed", LISTED);
        model.addAttribute("canOpenDecisions", access.allows("GET", "/ui/decisions/x"));
        return "replay";
    }

    /**
     * The editor's "evaluate against a decision": the source in the editor, as a candidate of this
     * policy, on one recorded decision's kept policy input ({@link Replays#against}), with what the
     * decision was and what it would be. For the replay's roles; nothing is written.
     */
    @PostMapping("/ui/policies/{name}/evaluate")
    String evaluate(@PathVariable String name, @RequestParam String source, @RequestParam String decision, Model model) {
        catalog.versions(name); // 404 for no such policy
        java.util.UUID id = DecisionIds.parse(decision.strip());
        ObjectNode body = json.createObjectNode();
        body.put("source", source);
        Replays.Plan plan = replays.plan(name, body); // a source that does not compile: 400 with its diagnostics
        Optional<ObjectNode> line = replays.against(plan, id);
        model.addAttribute("name", name);
        model.addAttribute("source", source);
        model.addAttribute("decision", id.toString());
        model.addAttribute("sha256", plan.sha256());
        model.addAttribute("line", line.map(this::map).orElse(null));
        model.addAttribute("canOpenDecisions", access.allows("GET", "/ui/decisions/x"));
        return "evaluated";
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(ObjectNode node) {
        return json.convertValue(node, Map.class);
    }
}
