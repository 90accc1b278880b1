package dev.tollgate.sources;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/policy-sources}: each configured source and how its last synchronisation went. */
@RestController
class PolicySourceController {

    private final PolicySources sources;

    PolicySourceController(PolicySources sources) {
        this.sources = sources;
    }

    @GetMapping("/v1/policy-sources")
    Map<String, Object> list() {
        return Map.of("items", sources.statuses());
    }
}
