package dev.tollgate.admission;

import dev.tollgate.security.Requester;
import dev.tollgate.web.ApiException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /v1/admission}: the Kubernetes validating webhook. */
@RestController
class AdmissionController {

    private final AdmissionReviewer reviewer;

    AdmissionController(AdmissionReviewer reviewer) {
        this.reviewer = reviewer;
    }

    @PostMapping("/v1/admission")
    ObjectNode admit(@RequestBody JsonNode review, Requester requester) {
        if (review == null || !review.isObject()) {
            throw ApiException.badRequest("the body must be an AdmissionReview object");
        }
        return reviewer.review(review, requester.name());
    }
}
