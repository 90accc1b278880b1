package dev.tollgate.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.tollgate.web.ApiException;
import dev.tollgate.web.PageLimit;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/** The compliance endpoints: history, impact queries, full records, export, stored evidence (verification: {@code ledger}). */
@RestController
class AuditController {

    private final DecisionHistory history;
    private final StoredEvidence evidence;
    private final DecisionExports exports;

    AuditController(DecisionHistory history, StoredEvidence evidence, DecisionExports exports) {
        this.history = history;
        this.evidence = evidence;
        this.exports = exports;
    }

    /** The history filters (api.md), shared by the listing, the export and the console. */
    static final Set<String> FILTERS = HistoryFilters.FILTERS;

    @GetMapping("/v1/decisions")
    Map<String, Object> list(@RequestParam MultiValueMap<String, String> query) {
        Map<String, String> q = single(query, Set.of("limit", "cursor"));
        DecisionHistory.Filter filter = filter(q);
        int limit = PageLimit.of(q.get("limit"));
        Long before = null;
        if (q.containsKey("cursor")) {
            try {
                before = Long.parseLong(q.get("cursor"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("cursor is the nextCursor of a previous page");
            }
        }
        DecisionHistory.Page page = history.list(filter, before, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", page.items());
        answer.put("nextCursor", page.nextCursor() == null ? null : String.valueOf(page.nextCursor()));
        return answer;
    }

    static Map<String, String> single(MultiValueMap<String, String> query, Set<String> others) {
        return HistoryFilters.single(query, others);
    }

    static DecisionHistory.Filter filter(Map<String, String> q) {
        return HistoryFilters.filter(q);
    }

    @GetMapping("/v1/decisions/{decisionId}")
    ObjectNode one(@PathVariable String decisionId) {
        UUID id = DecisionIds.parse(decisionId);
        return history.find(id).orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
    }

    @GetMapping("/v1/decisions/export")
    void export(@RequestParam MultiValueMap<String, String> query, HttpServletRequest request, HttpServletResponse response) {
        Map<String, String> q = single(query, Set.of("format"));
        DecisionHistory.Filter filter = filter(q);
        String format = q.getOrDefault("format", "ndjson");
        if (!format.equals("ndjson") && !format.equals("csv")) {
            throw ApiException.badRequest("format is ndjson or csv");
        }
        exports.start(request, response, format.equals("csv") ? DecisionExports.Format.CSV : DecisionExports.Format.NDJSON, filter);
    }

    @GetMapping("/v1/artifacts/{digest}/evidence")
    Map<String, Object> storedEvidence(@PathVariable String digest) {
        if (!HistoryFilters.isDigest(digest)) {
            throw ApiException.badRequest("digest must be sha256: followed by 64 lowercase hex digits, or sha512: followed by 128");
        }
        List<Map<String, Object>> items = evidence.forDigest(digest).stream().map(e -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("signatureSha256", e.signatureSha256());
            item.put("bundleSha256", e.bundleSha256());
            item.put("kind", e.kind());
            item.put("facts", e.facts());
            item.put("trust", e.trust());
            item.put("firstSeen", e.firstSeen());
            item.put("firstDecision", e.firstDecision());
            return item;
        }).toList();
        return Map.of("digest", digest, "items", items);
    }

    static Instant time(String text, String what) {
        return dev.tollgate.web.Rfc3339.parameter(text, what);
    }
}
