package dev.tollgate.trust;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.tollgate.security.Requester;
import dev.tollgate.web.ApiException;
import dev.tollgate.web.ContentTypes;
import dev.tollgate.web.ProblemType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;

/** Trusted roots and public keys: {@code /v1/trust/roots} and {@code /v1/trust/keys}. */
@RestController
class TrustController {

    private static final MediaType PEM = MediaType.parseMediaType("application/x-pem-file");
    /** An armored OpenPGP public key (RFC 3156). */
    private static final MediaType PGP_KEYS = MediaType.parseMediaType("application/pgp-keys");

    private final TrustStore store;
    private final ObjectMapper json;

    TrustController(TrustStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    @PutMapping("/v1/trust/roots/{name}")
    ResponseEntity<Map<String, Object>> putRoot(@PathVariable String name, @RequestBody(required = false) byte[] body,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
            @RequestParam MultiValueMap<String, String> parameters, Requester requester) {
        ContentTypes.require(contentType, MediaType.APPLICATION_JSON);
        only(parameters, "requireTransparencyLog");
        String require = parameters.getFirst("requireTransparencyLog");
        if (require != null && !require.equals("true") && !require.equals("false")) {
            throw ApiException.badRequest("requireTransparencyLog is true or false");
        }
        TrustSettings settings = new TrustSettings(!"false".equals(require), null, null);
        return answer(store.put(name, TrustKind.ROOT, body == null ? new byte[0] : body, settings, requester.name()));
    }

    @PutMapping("/v1/trust/keys/{name}")
    ResponseEntity<Map<String, Object>> putKey(@PathVariable String name, @RequestBody(required = false) byte[] body,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
            @RequestParam MultiValueMap<String, String> parameters, Requester requester) {
        ContentTypes.require(contentType, PEM, PGP_KEYS, MediaType.TEXT_PLAIN);
        only(parameters, "validFrom", "validUntil");
        Instant from = instant(parameters.getFirst("validFrom"), "validFrom");
        Instant until = instant(parameters.getFirst("validUntil"), "validUntil");
        if (from != null && until != null && !from.isBefore(until)) {
            throw new ApiException(ProblemType.UNPROCESSABLE, "validFrom must be before validUntil");
        }
        TrustSettings settings = new TrustSettings(true, from, until);
        return answer(store.put(name, TrustKind.KEY, body == null ? new byte[0] : body, settings, requester.name()));
    }

    /** Settings come as query parameters, each at most once; an unknown one is refused rather than ignored. */
    private static void only(MultiValueMap<String, String> parameters, String... known) {
        for (var entry : parameters.entrySet()) {
            if (!java.util.Arrays.asList(known).contains(entry.getKey())) {
                throw ApiException.badRequest("unknown query parameter '" + entry.getKey() + "'"
                        + (known.length == 0 ? "" : "; known: " + String.join(", ", known)));
            }
            if (entry.getValue().size() != 1) {
                throw ApiException.badRequest("query parameter '" + entry.getKey() + "' is given more than once");
            }
        }
    }

    private static Instant instant(String value, String name) {
        return dev.tollgate.web.Rfc3339.parameter(value, name);
    }

    @GetMapping("/v1/trust/roots")
    Map<String, Object> listRoots() {
        return Map.of("items", store.list(TrustKind.ROOT).stream().map(m -> summary(m, false)).toList());
    }

    @GetMapping("/v1/trust/keys")
    Map<String, Object> listKeys() {
        return Map.of("items", store.list(TrustKind.KEY).stream().map(m -> summary(m, false)).toList());
    }

    @GetMapping("/v1/trust/roots/{name}")
    Map<String, Object> getRoot(@PathVariable String name) {
        return summary(store.get(name, TrustKind.ROOT)
                .orElseThrow(() -> ApiException.notFound("no trusted root named '" + name + "'")), true);
    }

    @GetMapping("/v1/trust/keys/{name}")
    Map<String, Object> getKey(@PathVariable String name) {
        return summary(store.get(name, TrustKind.KEY)
                .orElseThrow(() -> ApiException.notFound("no public key named '" + name + "'")), true);
    }

    @DeleteMapping("/v1/trust/roots/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteRoot(@PathVariable String name, Requester requester) {
        store.delete(name, TrustKind.ROOT, requester.name());
    }

    @DeleteMapping("/v1/trust/keys/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteKey(@PathVariable String name, Requester requester) {
        store.delete(name, TrustKind.KEY, requester.name());
    }

    private ResponseEntity<Map<String, Object>> answer(TrustStore.Put put) {
        return ResponseEntity.status(put.created() ? HttpStatus.CREATED : HttpStatus.OK).body(summary(put.material(), false));
    }

    private Map<String, Object> summary(TrustMaterial m, boolean withContent) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", m.name());
        answer.put("kind", m.kind().id());
        answer.put("sha256", m.sha256());
        answer.put("createdAt", m.createdAt());
        answer.put("updatedAt", m.updatedAt());
        answer.put("updatedBy", m.updatedBy());
        if (m.kind() == TrustKind.ROOT) {
            answer.put("requireTransparencyLog", m.settings().requireTransparencyLog());
        } else {
            if (m.settings().validFrom() != null) {
                answer.put("validFrom", m.settings().validFrom());
            }
            if (m.settings().validUntil() != null) {
                answer.put("validUntil", m.settings().validUntil());
            }
        }
        if (withContent) {
            if (m.kind() == TrustKind.ROOT) {
                answer.put("trustedRoot", json.readTree(m.content()));
            } else {
                // an armored OpenPGP key is shown as it was given, under the same field
                answer.put("pem", new String(m.content(), StandardCharsets.UTF_8));
            }
        }
        return answer;
    }
}
