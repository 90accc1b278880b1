package dev.tollgate.sbom;

import java.util.Map;

import org.springframework.stereotype.Component;
import org.springframework.util.MultiValueMap;

/**
 * The incident query for other modules (the console's components page): exactly what
 * {@code GET /v1/components} answers for the same query parameters ({@code purl}, {@code range},
 * {@code name}, {@code license}, {@code cursor}, {@code limit}, {@code stillAllowed}), with the same
 * refusals of a bad query ({@code ApiException}, 400).
 */
@Component
public class IncidentQuery {

    private final ComponentController api;

    IncidentQuery(ComponentController api) {
        this.api = api;
    }

    public Map<String, Object> page(MultiValueMap<String, String> query) {
        return api.list(query);
    }
}
