package dev.tollgate.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP contract as the server that implements it holds it: {@code openapi/tollgate.yaml}, packaged
 * into the jar at build time, served without a token (it describes the API; it holds nothing secret).
 */
@RestController
class ContractController {

    static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    private final byte[] document;

    ContractController() {
        try (InputStream in = ContractController.class.getResourceAsStream("/openapi/tollgate.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi/tollgate.yaml is not on the class path");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GetMapping(value = "/v1/openapi.yaml", produces = "application/yaml")
    ResponseEntity<byte[]> contract() {
        return ResponseEntity.ok().contentType(YAML).cacheControl(CacheControl.noCache()).body(document.clone());
    }
}
