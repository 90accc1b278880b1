package dev.tollgate.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.google.re2j.Pattern;
import dev.tollgate.web.ApiException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.node.ObjectNode;

/** The compliance endpoints: history, impact queries, full records, export, chain verification, stored evidence. */
@RestController
class AuditController {

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private final DecisionHistory history;
    private final StoredEvidence evidence;

    AuditController(DecisionHistory history, StoredEvidence evidence) {
        this.history = history;
        this.evidence = evidence;
    }

    @GetMapping("/v1/decisions")
    Map<String, Object> list(@RequestParam Map<String, String> query) {
        for (String name : query.keySet()) {
            if (!List.of("digest", "name", "policy", "outcome", "since", "until", "limit", "cursor", "signerSubject",
                    "signerIssuer", "key", "builderId", "sourceRepository").contains(name)) {
                throw ApiException.badRequest("unknown filter '" + name + "'");
            }
        }
        String digest = query.get("digest");
        if (digest != null && !DIGEST.matches(digest)) {
            throw ApiException.badRequest("digest must be sha256: followed by 64 lowercase hex digits");
        }
        String outcome = query.get("outcome");
        if (outcome != null && !List.of("allow", "deny", "warn").contains(outcome)) {
            throw ApiException.badRequest("outcome is allow, deny or warn");
        }
        int limit = 50;
        if (query.containsKey("limit")) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 500) {
                throw ApiException.badRequest("limit is a whole number from 1 to 500");
            }
        }
        Long before = null;
        if (query.containsKey("cursor")) {
            try {
                before = Long.parseLong(query.get("cursor"));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("cursor is the nextCursor of a previous page");
            }
        }
        DecisionHistory.Page page = history.list(new DecisionHistory.Filter(digest, query.get("name"), query.get("policy"),
                outcome, time(query.get("since"), "since"), time(query.get("until"), "until"), query.get("signerSubject"),
                query.get("signerIssuer"), query.get("key"), query.get("builderId"), query.get("sourceRepository"), before, limit));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", page.items());
        answer.put("nextCursor", page.nextCursor() == null ? null : String.valueOf(page.nextCursor()));
        return answer;
    }

    @GetMapping("/v1/decisions/{decisionId}")
    ObjectNode one(@PathVariable String decisionId) {
        UUID id;
        try {
            id = UUID.fromString(decisionId);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no decision " + decisionId);
        }
        return history.find(id).orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
    }

    @GetMapping("/v1/decisions/export")
    ResponseEntity<StreamingResponseBody> export(@RequestParam(defaultValue = "ndjson") String format,
            @RequestParam(required = false) String since, @RequestParam(required = false) String until) {
        Instant from = time(since, "since");
        Instant to = time(until, "until");
        return switch (format) {
            case "ndjson" -> ResponseEntity.ok().contentType(MediaType.parseMediaType("application/x-ndjson"))
                    .body(out -> history.exportNdjson(from, to, out));
            case "csv" -> ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv; charset=utf-8"))
                    .header("Content-Disposition", "attachment; filename=\"decisions.csv\"")
                    .body(out -> history.exportCsv(from, to, out));
            default -> throw ApiException.badRequest("format is ndjson or csv");
        };
    }

    @GetMapping("/v1/audit/verify")
    Map<String, Object> verify() {
        DecisionHistory.Verification v = history.verify();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("valid", v.valid());
        answer.put("decisions", v.decisions());
        if (v.valid()) {
            answer.put("head", v.head());
        } else {
            answer.put("brokenSequence", v.brokenSequence());
        }
        return answer;
    }

    @GetMapping("/v1/artifacts/{digest}/evidence")
    Map<String, Object> storedEvidence(@PathVariable String digest) {
        if (!DIGEST.matches(digest)) {
            throw ApiException.badRequest("digest must be sha256: followed by 64 lowercase hex digits");
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
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(what + " must be an RFC 3339 date-time");
        }
    }
}
