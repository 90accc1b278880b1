package dev.tollgate.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.tollgate.audit.DecisionExports;
import dev.tollgate.audit.DecisionHistory;
import dev.tollgate.audit.DecisionIds;
import dev.tollgate.audit.HistoryFilters;
import dev.tollgate.audit.StoredEvidence;
import dev.tollgate.decision.RecordedSummaries;
import dev.tollgate.ledger.Attestations;
import dev.tollgate.ledger.Ledger;
import dev.tollgate.sbom.ArtifactComponents;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.PageLimit;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The decision history (the API's filters, by the same names, in the query string so that a link can
 * be pasted into a ticket), one decision, one artifact, and the export of exactly the filtered set —
 * all read through {@link DecisionHistory}, {@link StoredEvidence} and {@link DecisionExports}, as the API does.
 */
@Controller
class DecisionPages extends ConsolePage {

    /** The artifact page lists this many of its SBOM components (the incident query, /v1/components, has them all). */
    static final int COMPONENTS = 500;

    private final DecisionHistory history;
    private final StoredEvidence evidence;
    private final DecisionExports exports;
    private final ObjectMapper json;
    private final Ledger ledger;
    private final RecordedSummaries summaries;
    private final ArtifactComponents components;

    DecisionPages(ConsoleAccess access, DecisionHistory history, StoredEvidence evidence, DecisionExports exports,
            ObjectMapper json, Ledger ledger, RecordedSummaries summaries, ArtifactComponents components) {
        super(access);
        this.components = components;
        this.ledger = ledger;
        this.summaries = summaries;
        this.history = history;
        this.evidence = evidence;
        this.exports = exports;
        this.json = json;
    }

    @GetMapping("/ui/decisions")
    String list(@RequestParam MultiValueMap<String, String> query, Model model) {
        Map<String, String> q = HistoryFilters.single(withoutEmpty(query), Set.of("limit", "cursor"));
        DecisionHistory.Filter filter = HistoryFilters.filter(q);
        int limit = PageLimit.of(q.get("limit"));
        Long cursor = q.containsKey("cursor") ? (long) number(q.get("cursor"), "cursor is the next page's link") : null;
        DecisionHistory.Page page = history.list(filter, cursor, limit);
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : HistoryFilters.NAMES) {
            filters.put(name, q.getOrDefault(name, ""));
        }
        model.addAttribute("filters", filters);
        model.addAttribute("outcomes", HistoryFilters.OUTCOMES);
        model.addAttribute("items", page.items().stream().map(this::map).toList());
        model.addAttribute("next", page.nextCursor() == null ? null : link("/ui/decisions", q, "cursor",
                String.valueOf(page.nextCursor())));
        model.addAttribute("exportCsv", link("/ui/decisions/export", filtersOnly(q), "format", "csv"));
        model.addAttribute("exportNdjson", link("/ui/decisions/export", filtersOnly(q), "format", "ndjson"));
        model.addAttribute("filtered", !filtersOnly(q).isEmpty());
        return "decisions";
    }

    @GetMapping("/ui/decisions/export")
    void export(@RequestParam MultiValueMap<String, String> query, HttpServletRequest request, HttpServletResponse response) {
        Map<String, String> q = HistoryFilters.single(withoutEmpty(query), Set.of("format"));
        DecisionHistory.Filter filter = HistoryFilters.filter(q);
        String format = q.getOrDefault("format", "ndjson");
        if (!format.equals("ndjson") && !format.equals("csv")) {
            throw ApiException.badRequest("format is ndjson or csv");
        }
        response.setHeader("Content-Disposition", "attachment; filename=\"decisions." + format + "\"");
        exports.start(request, response, format.equals("csv") ? DecisionExports.Format.CSV : DecisionExports.Format.NDJSON,
                filter);
    }

    private static UUID decisionId(String decisionId) {
        return DecisionIds.parse(decisionId);
    }

    /** The decision's inclusion proof as a download: the same document as {@code GET /v1/decisions/{id}/proof}. */
    @GetMapping("/ui/decisions/{decisionId}/proof")
    org.springframework.http.ResponseEntity<Map<String, Object>> proof(@PathVariable String decisionId) {
        Ledger.ProofStatus status = ledger.proofStatus(decisionId(decisionId))
                .orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
        if (!status.covered()) {
            throw new ApiException(dev.tollgate.web.ProblemType.CONFLICT,
                    "the decision is recorded but no checkpoint covers it yet; retry shortly");
        }
        return org.springframework.http.ResponseEntity.ok()
                .header("Content-Disposition", "attachment; filename=\"decision-" + decisionId + "-proof.json\"")
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(status.proof());
    }

    /**
     * The decision's signed verification summary as a download: the same bundle as
     * {@code GET /v1/decisions/{id}/vsa}, made again from the record (404 with the reason when it has none).
     */
    @GetMapping("/ui/decisions/{decisionId}/vsa")
    org.springframework.http.ResponseEntity<Attestations.Bundle> vsa(@PathVariable String decisionId) {
        DecisionHistory.Recorded recorded = history.recorded(decisionId(decisionId))
                .orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
        Attestations.Bundle bundle = summaries.of(recorded).orElseThrow(() -> ApiException.notFound("decision " + decisionId
                + " has no verification summary (exempt, no artifact digest, or not signed under tollgate.vsa.mode)"));
        return org.springframework.http.ResponseEntity.ok()
                .header("Content-Disposition", "attachment; filename=\"decision-" + decisionId + "-vsa.sigstore.json\"")
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(bundle);
    }

    @GetMapping("/ui/decisions/{decisionId}")
    String one(@PathVariable String decisionId, Model model) {
        UUID id = decisionId(decisionId);
        ObjectNode record = history.find(id).orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
        Map<String, Object> d = map(record);
        model.addAttribute("d", d);
        model.addAttribute("context", pretty(record.path("request").path("context")));
        model.addAttribute("recordJson", pretty(record));
        model.addAttribute("evidenceJson", record.path("evidence").isArray()
                ? record.path("evidence").valueStream().map(this::pretty).toList() : List.of());
        model.addAttribute("canVerify", access.allows("GET", "/ui/audit/verify"));
        model.addAttribute("proof", ledger.proofStatus(id).orElse(null));
        model.addAttribute("receipt", record.path("receipt").isObject() ? map((ObjectNode) record.path("receipt")) : null);
        model.addAttribute("hasVsa", history.recorded(id).map(summaries::exists).orElse(false));
        return "decision";
    }

    @GetMapping("/ui/artifacts/{digest}")
    String artifact(@PathVariable String digest, @RequestParam MultiValueMap<String, String> query, Model model) {
        if (!HistoryFilters.isDigest(digest)) {
            throw ApiException.badRequest("digest must be sha256: followed by 64 lowercase hex digits");
        }
        Map<String, String> q = HistoryFilters.single(query, Set.of("cursor"));
        if (q.keySet().stream().anyMatch(k -> !k.equals("cursor"))) {
            throw ApiException.badRequest("this page takes only cursor");
        }
        Long cursor = q.containsKey("cursor") ? (long) number(q.get("cursor"), "cursor is the next page's link") : null;
        DecisionHistory.Page page = history.list(new DecisionHistory.Filter(digest, null, null, null, null, null, null, null,
                null, null, null), cursor, 50);
        model.addAttribute("digest", digest);
        model.addAttribute("items", page.items().stream().map(this::map).toList());
        model.addAttribute("next", page.nextCursor() == null ? null
                : "/ui/artifacts/" + digest + "?cursor=" + page.nextCursor());
        model.addAttribute("evidence", evidence.forDigest(digest).stream().map(e -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("kind", e.kind());
            item.put("signatureSha256", e.signatureSha256());
            item.put("bundleSha256", e.bundleSha256());
            item.put("firstSeen", e.firstSeen());
            item.put("firstDecision", e.firstDecision());
            item.put("facts", pretty(e.facts()));
            item.put("trust", pretty(e.trust()));
            return item;
        }).toList());
        model.addAttribute("components", components.of(digest, COMPONENTS));
        return "artifact";
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(ObjectNode node) {
        return json.convertValue(node, Map.class);
    }

    private String pretty(Object node) {
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** The filter form sends every field; an empty one means "any", as if it were absent. */
    static MultiValueMap<String, String> withoutEmpty(MultiValueMap<String, String> query) {
        MultiValueMap<String, String> given = new org.springframework.util.LinkedMultiValueMap<>();
        query.forEach((k, values) -> values.stream().filter(v -> !v.isEmpty()).forEach(v -> given.add(k, v)));
        return given;
    }

    private static Map<String, String> filtersOnly(Map<String, String> q) {
        Map<String, String> f = new LinkedHashMap<>(q);
        f.keySet().retainAll(HistoryFilters.FILTERS);
        return f;
    }

    /** A console link with these parameters (form-encoded, so '+' in a time stays '+') and one more set. */
    static String link(String path, Map<String, String> q, String name, String value) {
        StringBuilder link = new StringBuilder(path);
        char separator = '?';
        Map<String, String> all = new LinkedHashMap<>(q);
        all.remove(name);
        all.put(name, value);
        for (var entry : all.entrySet()) {
            link.append(separator).append(URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return link.toString();
    }

    private static int number(String text, String problem) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(problem);
        }
    }
}
