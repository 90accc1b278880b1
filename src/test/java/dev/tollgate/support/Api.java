package dev.tollgate.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Real HTTP against the running server, as a client would call it. */
public final class Api {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final HttpClient http;
    private final String base;
    private final ObjectMapper json;
    private final Duration patience;

    public Api(int port, ObjectMapper json) {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), "http://127.0.0.1:" + port, json, PATIENCE);
    }

    private Api(HttpClient http, String base, ObjectMapper json, Duration patience) {
        this.http = http;
        this.base = base;
        this.json = json;
        this.patience = patience;
    }

    /**
     * The same client, giving up on an answer after {@code patience}, as a caller with its own
     * deadline does (the API server after the webhook's {@code timeoutSeconds}); an answer that
     * comes later is a failure of the test ({@link java.net.http.HttpTimeoutException}).
     */
    public Api waitingAtMost(Duration patience) {
        return new Api(http, base, json, patience);
    }

    public record Response(int status, String contentType, String body, ObjectMapper mapper,
            java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            return mapper.readTree(body);
        }

        public boolean isProblem() {
            return contentType != null && contentType.startsWith("application/problem+json");
        }
    }

    public Response send(String method, String path, String token, String contentType, byte[] body) {
        return send(method, path, token, contentType, body, null);
    }

    /** A GET with an {@code Accept} header. */
    public Response get(String path, String token, String accept) {
        return send("GET", path, token, null, null, accept);
    }

    private Response send(String method, String path, String token, String contentType, byte[] body, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(patience);
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.body(), json, response.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null, null);
    }

    public Response delete(String path, String token) {
        return send("DELETE", path, token, null, null);
    }

    public Response postJson(String path, String token, Object body) {
        return send("POST", path, token, "application/json", bytes(body));
    }

    public Response putJson(String path, String token, Object body) {
        return send("PUT", path, token, "application/json", bytes(body));
    }

    public Response sendText(String method, String path, String token, String text) {
        return send(method, path, token, "text/plain; charset=utf-8", text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private byte[] bytes(Object body) {
        if (body instanceof String s) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (body instanceof byte[] b) {
            return b;
        }
        return json.writeValueAsBytes(body);
    }

    public static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
