package dev.tollgate.decision;

import dev.tollgate.security.Requester;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/decisions}: the deploy pipeline's question. Always 200 for a decision made and recorded. */
@RestController
class DecisionController {

    private final Decisions decisions;

    DecisionController(Decisions decisions) {
        this.decisions = decisions;
    }

    @PostMapping("/v1/decisions")
    DecisionAnswer decide(@RequestBody JsonNode body, Requester requester) {
        return decisions.decide(DecisionRequest.parse(body), new Decisions.Origin(requester.name(), "api", false));
    }
}
