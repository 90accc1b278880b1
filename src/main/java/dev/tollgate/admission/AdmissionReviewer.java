package dev.tollgate.admission;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tollgate.decision.ArtifactRef;
import dev.tollgate.decision.DecisionAnswer;
import dev.tollgate.decision.DecisionRequest;
import dev.tollgate.decision.Decisions;
import dev.tollgate.decision.InvalidDecisionRequest;
import dev.tollgate.web.DomainException;
import dev.tollgate.web.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers a Kubernetes AdmissionReview: every image of the workload is decided through the
 * decision service (admission never names policies), and the review is allowed only if every
 * image is. Whatever arrives, the answer is an AdmissionReview: a review that cannot be read is
 * refused with the reason, never answered with an error document.
 */
@Service
class AdmissionReviewer {

    private static final Logger log = LoggerFactory.getLogger(AdmissionReviewer.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String V1 = "admission.k8s.io/v1";
    static final String V1BETA1 = "admission.k8s.io/v1beta1";

    /** The annotation that asks for break-glass; its value is the reason. */
    static final String BREAK_GLASS = "tollgate.dev/break-glass";
    /**
     * The break-glass counter's label for the workload's namespace. Not {@code namespace}: Prometheus
     * keeps a scraped label of that name as {@code exported_namespace} under a ServiceMonitor (the
     * target's own {@code namespace} wins), so alerts written against it would match nothing.
     */
    static final String BREAK_GLASS_LABEL = "workload_namespace";
    /** The longest break-glass reason, in characters. */
    static final int MAX_REASON = 512;

    private final Decisions decisions;
    private final AdmissionProperties properties;
    private final MeterRegistry meters;

    AdmissionReviewer(Decisions decisions, AdmissionProperties properties, MeterRegistry meters) {
        this.decisions = decisions;
        this.properties = properties;
        this.meters = meters;
    }

    ObjectNode review(JsonNode review, String requester) {
        Instant deadline = Instant.now().plus(properties.reviewTimeout()); // one deadline for the whole review
        String apiVersion = review.path("apiVersion").isString() && review.path("apiVersion").stringValue().equals(V1BETA1)
                ? V1BETA1 : V1;
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            return answer(apiVersion, "", false, "the AdmissionReview has no request", List.of(), List.of());
        }
        String uid = request.path("uid").isString() ? request.path("uid").stringValue() : "";
        if (uid.isEmpty()) {
            return answer(apiVersion, uid, false, "the AdmissionReview request has no uid", List.of(), List.of());
        }
        if (!"AdmissionReview".equals(review.path("kind").asString(""))) {
            return answer(apiVersion, uid, false, "not an AdmissionReview (kind " + review.path("kind").asString("none") + ")",
                    List.of(), List.of());
        }
        String operation = request.path("operation").asString("");
        if (operation.equals("DELETE") || operation.equals("CONNECT")) {
            return answer(apiVersion, uid, true, null, List.of(), List.of());
        }
        if (!operation.equals("CREATE") && !operation.equals("UPDATE")) {
            return answer(apiVersion, uid, false, "unexpected operation '" + operation + "'", List.of(), List.of());
        }
        String namespace = request.path("namespace").asString("");
        String group = request.path("kind").path("group").asString("");
        String kind = request.path("kind").path("kind").asString("");
        if (!PodImages.hasPodTemplate(group, kind)) {
            return answer(apiVersion, uid, true, null, List.of(), List.of());
        }
        String subResource = request.path("subResource").asString("");
        if (subResource.equals("status") || subResource.equals("scale")) {
            return answer(apiVersion, uid, true, null, List.of(), List.of());
        }
        JsonNode object = request.get("object");
        if (object == null || !object.isObject()) {
            return answer(apiVersion, uid, false, "the review has no object to check", List.of(), List.of());
        }
        if (object.path("metadata").has("deletionTimestamp") && !object.path("metadata").get("deletionTimestamp").isNull()) {
            return answer(apiVersion, uid, true, null, List.of(), List.of());
        }
        List<PodImages.Image> images = PodImages.of(group, kind, object);
        if (images == null) {
            return answer(apiVersion, uid, false, kind + " has no pod template to check", List.of(), List.of());
        }
        boolean dryRun = request.path("dryRun").asBoolean(false);
        for (PodImages.Image image : images) {
            if (image.reference() != null) {
                try {
                    InvalidDecisionRequest.checked(image.reference(), image.path(), ArtifactRef.MAX_LENGTH);
                } catch (InvalidDecisionRequest e) {
                    return answer(apiVersion, uid, false, "the image reference cannot be decided: " + e.getMessage(), List.of(),
                            List.of());
                }
            }
        }
        Map<String, String> context = new LinkedHashMap<>();
        context.put("namespace", namespace);
        context.put("kind", kind);
        context.put("name", name(request, object));
        context.put("operation", operation);
        context.put("username", request.path("userInfo").path("username").asString(""));
        if (!properties.cluster().isEmpty()) {
            context.put("cluster", properties.cluster());
        }

        if (!namespace.isEmpty() && properties.exemptNamespaces().contains(namespace)) {
            return exempt(apiVersion, uid, namespace, images, context, new Decisions.Origin(requester, "admission", dryRun));
        }

        List<String> refusals = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        DecisionAnswer.BreakGlass glass = breakGlass(PodImages.annotation(group, kind, object, BREAK_GLASS), namespace,
                context.get("username"), warnings);
        Set<String> seen = new LinkedHashSet<>();
        List<String> references = new ArrayList<>();
        List<DecisionRequest> requests = new ArrayList<>();
        for (PodImages.Image image : images) {
            if (image.reference() == null || image.reference().isBlank()) {
                refusals.add(image.path() + " has no image");
                continue;
            }
            if (!seen.add(image.reference())) {
                continue;
            }
            ArtifactRef ref;
            try {
                ref = ArtifactRef.parse(image.reference());
            } catch (ArtifactRef.Invalid e) {
                ref = resolved(image.reference(), deadline);
                if (ref == null) {
                    refusals.add(image.reference() + ": pin the image by digest (name@sha256:…); tags are mutable");
                    continue;
                }
                warnings.add(image.reference() + " was resolved to " + ref.name() + "@" + ref.digest() + "; pin images by digest");
            }
            try {
                requests.add(new DecisionRequest(ref, context, null, null, true));
            } catch (InvalidDecisionRequest e) {
                // the review's own facts (namespace, name, user) are the context of every image
                return answer(apiVersion, uid, false, "the review cannot be decided: " + e.getMessage(), List.of(), List.of());
            }
            references.add(image.reference());
        }
        // all images of the review are recorded together: one commit, not one per image
        if (!requests.isEmpty()) {
            try {
                List<DecisionAnswer> made = decisions.decideAll(requests, new Decisions.Origin(requester, "admission", dryRun),
                        deadline, glass);
                if (made.stream().anyMatch(d -> "break-glass".equals(d.outcome()))) {
                    log.warn("break-glass admitted {} {}/{} for '{}': {}", kind, namespace, context.get("name"), glass.user(),
                            glass.reason());
                    if (!dryRun) {
                        Counter.builder("tollgate.break.glass")
                                .description("admission reviews admitted by break-glass although their policies refused them")
                                .tag(BREAK_GLASS_LABEL, namespace).register(meters).increment();
                    }
                }
                for (int i = 0; i < made.size(); i++) {
                    DecisionAnswer decision = made.get(i);
                    String reference = references.get(i);
                    ids.add(decision.decisionId().toString());
                    if (!decision.allowed()) {
                        refusals.add(reference + ": " + String.join("; ", decision.refusals()));
                    }
                    decision.warnings().forEach(w -> warnings.add(reference + ": " + w));
                }
            } catch (RuntimeException e) {
                log.warn("admission decisions for {} failed: {}", references, e.toString());
                String why = notDecided(e);
                references.forEach(r -> refusals.add(r + ": no decision could be made and recorded (" + why + ")"));
            }
        }
        boolean allowed = refusals.isEmpty();
        ObjectNode answer = answer(apiVersion, uid, allowed, allowed ? null : String.join(" | ", refusals), warnings, ids);
        return answer;
    }

    /**
     * A namespace exempt by configuration: every image is admitted, and recorded as a decision
     * with outcome {@code exempt} (fail closed: if that cannot be recorded, nothing is admitted).
     */
    private ObjectNode exempt(String apiVersion, String uid, String namespace, List<PodImages.Image> images,
            Map<String, String> context, Decisions.Origin origin) {
        String reason = "namespace '" + namespace + "' is exempt by configuration";
        List<Decisions.Exemption> exemptions = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (PodImages.Image image : images) {
            if (image.reference() == null || image.reference().isBlank() || !seen.add(image.reference())) {
                continue;
            }
            exemptions.add(exemption(image.reference()));
        }
        String warning = reason + ": admitted without policy";
        if (exemptions.isEmpty()) {
            return answer(apiVersion, uid, true, null, List.of(warning), List.of());
        }
        try {
            List<String> ids = decisions.recordExempt(exemptions, context, reason, origin).stream().map(Object::toString).toList();
            return answer(apiVersion, uid, true, null, List.of(warning), ids);
        } catch (RuntimeException e) {
            log.warn("exempt admission for {} could not be recorded: {}", seen, e.toString());
            return answer(apiVersion, uid, false, reason + ", but the admission could not be recorded (" + notDecided(e)
                    + "); nothing is admitted unrecorded", List.of(), List.of());
        }
    }

    /**
     * The break-glass the workload asks for, when it may: the annotation present, break-glass
     * enabled in its namespace, and a reason of 1 to {@value #MAX_REASON} characters without control
     * characters. Otherwise null — the workload is evaluated as usual —, with a warning saying why
     * when the annotation is present.
     */
    private DecisionAnswer.BreakGlass breakGlass(String reason, String namespace, String user, List<String> warnings) {
        if (reason == null) {
            return null;
        }
        if (!properties.breakGlass().enabledIn(namespace)) {
            warnings.add(BREAK_GLASS + " is ignored: break-glass is not enabled in namespace '" + namespace
                    + "'; the workload is evaluated as usual");
            return null;
        }
        String problem = reasonProblem(reason);
        if (problem != null) {
            warnings.add(BREAK_GLASS + " is ignored: " + problem + "; the workload is evaluated as usual");
            return null;
        }
        return new DecisionAnswer.BreakGlass(reason.strip(), user == null || user.isEmpty() ? "(unknown)" : user);
    }

    /** Why a break-glass reason cannot be taken, or null. */
    static String reasonProblem(String reason) {
        String stripped = reason.strip();
        if (stripped.isEmpty()) {
            return "the reason (the annotation's value) is required";
        }
        if (stripped.codePointCount(0, stripped.length()) > MAX_REASON) {
            return "the reason is longer than " + MAX_REASON + " characters";
        }
        if (stripped.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            return "the reason contains control characters";
        }
        return null;
    }

    /**
     * Admission's own sentence for a decision that was not made: exception text never reaches the
     * cluster. The decision module's failures say what kind they are by their problem type.
     */
    static String notDecided(RuntimeException e) {
        if (e instanceof InvalidDecisionRequest invalid) {
            return "the review cannot be decided: " + invalid.detail();
        }
        if (e instanceof DomainException failure && failure.problemType() == ProblemType.SERVICE_UNAVAILABLE) {
            return "decisions cannot be recorded now; retry later";
        }
        if (e instanceof DomainException) {
            return "the review cannot be recorded as it is";
        }
        return "an internal error; retry later";
    }

    /** The image as written: digest, name and tag from a pinned reference; name and tag only from a tag. */
    private static Decisions.Exemption exemption(String reference) {
        try {
            ArtifactRef ref = ArtifactRef.parse(reference);
            return new Decisions.Exemption(ref.digest(), ref.name(), ref.tag());
        } catch (ArtifactRef.Invalid e) {
            int at = reference.indexOf('@');
            String named = at < 0 ? reference : reference.substring(0, at);
            int slash = named.lastIndexOf('/');
            int colon = named.lastIndexOf(':');
            return colon > slash ? new Decisions.Exemption(null, named.substring(0, colon), named.substring(colon + 1))
                    : new Decisions.Exemption(null, named, null);
        }
    }

    /** {@code name[:tag]} through the registry, when enabled; null otherwise. Without a tag the tag is "latest". */
    private ArtifactRef resolved(String reference, Instant deadline) {
        if (reference.contains("@") || reference.chars().anyMatch(Character::isWhitespace)) {
            return null;
        }
        int slash = reference.lastIndexOf('/');
        int colon = reference.lastIndexOf(':');
        String name = colon > slash ? reference.substring(0, colon) : reference;
        String tag = colon > slash ? reference.substring(colon + 1) : "latest";
        if (name.isEmpty() || tag.isEmpty()) {
            return null;
        }
        try {
            return decisions.resolveTag(name, tag, deadline).orElse(null);
        } catch (InvalidDecisionRequest e) {
            return null;
        }
    }

    private static String name(JsonNode request, JsonNode object) {
        String name = request.path("name").asString("");
        if (name.isEmpty()) {
            name = object.path("metadata").path("name").asString("");
        }
        if (name.isEmpty()) {
            name = object.path("metadata").path("generateName").asString("");
        }
        return name;
    }

    static ObjectNode answer(String apiVersion, String uid, boolean allowed, String message, List<String> warnings,
            List<String> decisionIds) {
        ObjectNode review = NODES.objectNode();
        review.put("apiVersion", apiVersion);
        review.put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response");
        response.put("uid", uid);
        response.put("allowed", allowed);
        if (!allowed) {
            ObjectNode status = response.putObject("status");
            status.put("code", 403);
            status.put("reason", "Forbidden");
            status.put("message", DecisionAnswer.singleLine(message == null ? "refused" : message));
        }
        if (!warnings.isEmpty()) {
            var list = response.putArray("warnings");
            warnings.forEach(w -> list.add(DecisionAnswer.singleLine(w)));
        }
        if (!decisionIds.isEmpty()) {
            response.putObject("auditAnnotations").put("decisions", String.join(",", decisionIds));
        }
        return review;
    }
}
