package dev.tollgate.decision;

import java.util.Set;
import java.util.UUID;

import dev.tollgate.audit.DecisionHistory;
import dev.tollgate.audit.DecisionIds;
import dev.tollgate.ledger.Attestations;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.QueryParameters;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/decisions/{decisionId}/vsa}: a recorded decision's signed SLSA verification summary
 * (a DSSE envelope in a Sigstore bundle), as its answer carried it. The VSA is a function of the
 * stored record and is not stored itself (docs/audit.md): it is made again from the stored response
 * and the record's receipt, so its statement is the answer's byte for byte, signed now by the active
 * attestation key. A decision that gets none (exempt, no artifact digest, or excluded by
 * {@code tollgate.vsa.mode}) is 404, like an unknown one, with the reason.
 */
@RestController
class VsaController {

    private final DecisionHistory history;
    private final RecordedSummaries summaries;

    VsaController(DecisionHistory history, RecordedSummaries summaries) {
        this.history = history;
        this.summaries = summaries;
    }

    @GetMapping("/v1/decisions/{decisionId}/vsa")
    Attestations.Bundle vsa(@PathVariable String decisionId, @RequestParam MultiValueMap<String, String> query) {
        QueryParameters.single(query, Set.of());
        UUID id = DecisionIds.parse(decisionId);
        DecisionHistory.Recorded recorded = history.recorded(id).orElseThrow(() -> ApiException.notFound("no decision " + decisionId));
        return summaries.of(recorded).orElseThrow(() -> ApiException.notFound("decision " + decisionId
                + " has no verification summary (exempt, no artifact digest, or not signed under tollgate.vsa.mode)"));
    }
}
