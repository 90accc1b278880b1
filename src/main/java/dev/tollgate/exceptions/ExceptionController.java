package dev.tollgate.exceptions;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.security.Requester;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.PageLimit;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code /v1/exceptions}: request, approve, revoke, list and read governed exceptions (docs/exceptions.md). */
@RestController
class ExceptionController {

    private static final Set<String> FILTERS = Set.of("status", "policy", "limit");

    private final PolicyExceptions exceptions;
    private final ObjectMapper json;

    ExceptionController(PolicyExceptions exceptions, ObjectMapper json) {
        this.exceptions = exceptions;
        this.json = json;
    }

    /** The optional body of a revocation. */
    record Revocation(String reason) {
    }

    @PostMapping("/v1/exceptions")
    ResponseEntity<PolicyException> request(@RequestBody PolicyExceptions.Request request, Requester requester) {
        PolicyException created = exceptions.request(request, requester);
        return ResponseEntity.created(URI.create("/v1/exceptions/" + created.id())).body(created);
    }

    @PostMapping("/v1/exceptions/{id}/approve")
    PolicyException approve(@PathVariable String id, Requester requester) {
        return exceptions.approve(id, requester);
    }

    @PostMapping("/v1/exceptions/{id}/revoke")
    PolicyException revoke(@PathVariable String id, @RequestBody(required = false) Revocation revocation, Requester requester) {
        return exceptions.revoke(id, revocation == null ? null : revocation.reason(), requester);
    }

    @GetMapping("/v1/exceptions")
    Map<String, List<PolicyException>> list(@RequestParam MultiValueMap<String, String> query) {
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (!FILTERS.contains(e.getKey())) {
                throw ApiException.badRequest("unknown query parameter '" + e.getKey() + "'; the filters are status, policy and limit");
            }
            if (e.getValue().size() != 1) {
                throw ApiException.badRequest(e.getKey() + " is given once");
            }
        }
        return Map.of("items", exceptions.list(new PolicyExceptions.Query(query.getFirst("status"), query.getFirst("policy"),
                PageLimit.of(query.getFirst("limit")))));
    }

    @GetMapping("/v1/exceptions/{id}")
    ObjectNode read(@PathVariable String id) {
        PolicyException exception = exceptions.find(id).orElseThrow(() -> ApiException.notFound("no exception " + id));
        ObjectNode answer = json.valueToTree(exception);
        answer.set("history", json.valueToTree(exceptions.history(id)));
        return answer;
    }
}
