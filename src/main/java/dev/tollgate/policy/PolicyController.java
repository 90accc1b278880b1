package dev.tollgate.policy;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tollgate.policy.compile.CompileResult;
import dev.tollgate.policy.compile.PolicyWarnings;
import dev.tollgate.policy.eval.Input;
import dev.tollgate.policy.eval.PolicyResult;
import dev.tollgate.policy.eval.Program;
import dev.tollgate.policy.eval.RuleResult;
import dev.tollgate.security.Requester;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ContentTypes;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The policy endpoints of api.md: versions, activation, validation and the playground. */
@RestController
class PolicyController {

    private final PolicyCatalog catalog;
    private final Clock clock;

    PolicyController(PolicyCatalog catalog, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
    }

    /* Content types are checked in the handlers, after the role check: a caller without the role learns nothing. */
    @PutMapping("/v1/policies/{name}")
    ResponseEntity<Map<String, Object>> upload(@PathVariable String name, @RequestBody(required = false) byte[] body,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
            @RequestParam(name = "activate", required = false) String activate, Requester requester) {
        ContentTypes.require(contentType, MediaType.TEXT_PLAIN);
        boolean activating = activate == null || activate.equals("true");
        if (!activating && !activate.equals("false")) {
            throw ApiException.badRequest("activate must be true or false");
        }
        byte[] source = body == null ? new byte[0] : body;
        PolicyCatalog.Upload upload = catalog.upload(name, source, requester.name(), activating);
        PolicyVersionInfo v = upload.version();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", v.name());
        answer.put("version", v.version());
        answer.put("sha256", v.sha256());
        answer.put("createdAt", v.createdAt());
        answer.put("active", v.active());
        answer.put("warnings", warnings(source));
        return ResponseEntity.status(upload.created() ? HttpStatus.CREATED : HttpStatus.OK).body(answer);
    }

    @PostMapping("/v1/policies:validate")
    Map<String, Object> validate(@RequestBody(required = false) byte[] body,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) String contentType) {
        ContentTypes.require(contentType, MediaType.TEXT_PLAIN);
        CompileResult result = catalog.check(body == null ? new byte[0] : body);
        if (!result.ok()) {
            throw PolicyCatalog.invalid(result.diagnostics());
        }
        return Map.of("errors", List.of(), "warnings", warnings(body == null ? new byte[0] : body));
    }

    /** What {@link PolicyWarnings} finds in a source that compiled: never refusing, each at its line and column. */
    private static List<Map<String, Object>> warnings(byte[] source) {
        return PolicyWarnings.of(new String(source, java.nio.charset.StandardCharsets.UTF_8)).stream().map(d -> {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("line", d.line());
            w.put("column", d.column());
            w.put("code", d.code());
            w.put("message", d.message());
            return w;
        }).toList();
    }

    @GetMapping("/v1/policies")
    Map<String, Object> list() {
        return Map.of("items", catalog.listActive());
    }

    @GetMapping("/v1/policies/{name}")
    PolicyVersionInfo active(@PathVariable String name) {
        return catalog.active(name);
    }

    @GetMapping("/v1/policies/{name}/versions")
    Map<String, Object> versions(@PathVariable String name) {
        return Map.of("items", catalog.versions(name));
    }

    @GetMapping("/v1/policies/{name}/versions/{version}")
    PolicyVersionInfo version(@PathVariable String name, @PathVariable String version) {
        return catalog.version(name, versionNumber(version));
    }

    @PostMapping("/v1/policies/{name}/activate")
    PolicyVersionInfo activate(@PathVariable String name, @RequestBody JsonNode body, Requester requester) {
        JsonNode version = body == null ? null : body.get("version");
        if (version == null || !version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() < 1) {
            throw ApiException.badRequest("the body must be {\"version\": <a positive whole number>}");
        }
        return catalog.activate(name, version.intValue(), requester.name());
    }

    @DeleteMapping("/v1/policies/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deactivate(@PathVariable String name, Requester requester) {
        catalog.deactivate(name, requester.name());
    }

    @PostMapping("/v1/policies:evaluate")
    Map<String, Object> evaluateSource(@RequestBody JsonNode body) {
        JsonNode source = body == null ? null : body.get("source");
        if (source == null || !source.isString()) {
            throw ApiException.badRequest("the body must hold the policy text as a string in \"source\"");
        }
        Input input = input(body);
        Program program = catalog.compileOrThrow(source.stringValue());
        return answer(program.evaluate(input));
    }

    @PostMapping("/v1/policies/{name}/evaluate")
    Map<String, Object> evaluateActive(@PathVariable String name, @RequestBody JsonNode body) {
        Input input = input(body);
        ActivePolicy policy = catalog.activePolicy(name)
                .orElseThrow(() -> ApiException.notFound("no active policy named '" + name + "'"));
        Map<String, Object> answer = answer(policy.program().evaluate(input));
        answer.put("version", policy.version());
        return answer;
    }

    private Input input(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object with an \"input\"");
        }
        try {
            return PolicyInputs.playground(body.get("input"), clock);
        } catch (PolicyInputs.InvalidInput e) {
            throw ApiException.badRequest("input: " + e.getMessage());
        }
    }

    static Map<String, Object> answer(PolicyResult result) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("applicable", result.applicable());
        answer.put("outcome", result.outcome().id());
        answer.put("mode", result.mode().id());
        answer.put("rules", result.rules().stream().map(PolicyController::rule).toList());
        return answer;
    }

    private static Map<String, Object> rule(RuleResult rule) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", rule.name());
        answer.put("outcome", rule.outcome());
        if (rule.message() != null) {
            answer.put("message", rule.message());
        }
        if (rule.reason() != null) {
            answer.put("reason", rule.reason());
        }
        if (!rule.evidence().isEmpty()) {
            answer.put("evidence", rule.evidence());
        }
        if (rule.effective() != null) {
            answer.put("effective", rule.effective().toString());
        }
        return answer;
    }

    /** A version number from a path: a positive whole number, else 404 (no such version). */
    static int versionNumber(String text) {
        try {
            int version = Integer.parseInt(text);
            if (version > 0) {
                return version;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ApiException.notFound("no such version '" + text + "'");
    }
}
