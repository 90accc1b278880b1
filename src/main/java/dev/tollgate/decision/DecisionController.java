package dev.tollgate.decision;

import dev.tollgate.security.Requester;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /v1/decisions}: the deploy pipeline's question. Always 200 for a decision made and recorded. */
@RestController
class DecisionController {

    private final DecisionService decisions;

    DecisionController(DecisionService decisions) {
        this.decisions = decisions;
    }

    @PostMapping("/v1/decisions")
    ObjectNode decide(@RequestBody JsonNode body, Requester requester) {
        DecisionRequest request = DecisionRequest.parse(body);
        return decisions.decide(request, new DecisionService.Origin(requester.name(), "api", false)).response();
    }
}
