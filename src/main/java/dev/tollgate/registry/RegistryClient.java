package dev.tollgate.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The OCI distribution API, read-only: anonymous, bearer-token (WWW-Authenticate challenge) and
 * basic authentication; a deadline over all requests of one fetch; a per-registry concurrency
 * limit; back-off on 429; redirects followed without the credentials when they leave the host;
 * size limits; blob digests checked.
 */
final class RegistryClient {

    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final RegistryProperties properties;
    private final ObjectMapper json;
    private final HttpClient http;
    private final Map<String, Semaphore> limits = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    RegistryClient(RegistryProperties properties, ObjectMapper json) {
        this.properties = properties;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A response read within the limits. */
    record Fetched(int status, String contentType, String digestHeader, String challenge, String retryAfter, byte[] body) {
        JsonNode json(ObjectMapper mapper) {
            return mapper.readTree(body);
        }
    }

    /** Thrown when the deadline passes or the registry misbehaves; the fetch ends there. */
    static final class RegistryFailure extends Exception {
        RegistryFailure(String message) {
            super(message, null, false, false);
        }
    }

    Fetched get(ImageName image, String path, Instant deadline, String... accept) throws RegistryFailure {
        return send(image, "GET", path, deadline, accept);
    }

    Fetched head(ImageName image, String path, Instant deadline, String... accept) throws RegistryFailure {
        return send(image, "HEAD", path, deadline, accept);
    }

    private Fetched send(ImageName image, String method, String path, Instant deadline, String... accept) throws RegistryFailure {
        String host = image.apiHost();
        Semaphore limit = limits.computeIfAbsent(host, h -> new Semaphore(properties.maxConcurrent()));
        try {
            if (!limit.tryAcquire(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RegistryFailure("too many requests to " + host + " already");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryFailure("interrupted");
        }
        try {
            String scope = "repository:" + image.repository() + ":pull";
            URI uri = URI.create(base(host) + path);
            boolean authenticated = false;
            for (int attempt = 0; attempt < 6; attempt++) {
                String authorization = tokens.get(host + " " + scope);
                Fetched response = exchange(method, uri, authorization, accept, deadline, host);
                if (response.status() == 401 && !authenticated) {
                    authenticated = true;
                    if (authenticate(host, scope, response, deadline)) {
                        continue;
                    }
                    return response;
                }
                if (response.status() == 429) {
                    long wait = Math.max(50L, retryAfter(response, attempt));
                    if (wait >= remaining(deadline).toMillis()) {
                        throw new RegistryFailure(host + " keeps answering 429");
                    }
                    sleep(wait);
                    continue;
                }
                return response;
            }
            throw new RegistryFailure(host + " did not answer usefully");
        } finally {
            limit.release();
        }
    }

    private Fetched exchange(String method, URI uri, String authorization, String[] accept, Instant deadline, String host)
            throws RegistryFailure {
        URI target = uri;
        for (int hops = 0; hops < 5; hops++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(remaining(deadline))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            if (accept.length > 0) {
                request.header("Accept", String.join(", ", accept));
            }
            if (authorization != null && host.equals(target.getAuthority())) {
                request.header("Authorization", authorization);
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new RegistryFailure("cannot reach " + target.getAuthority() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryFailure("interrupted");
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                closeQuietly(response.body());
                target = target.resolve(response.headers().firstValue("Location").get());
                continue;
            }
            byte[] body = read(response.body(), deadline);
            return new Fetched(status, response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Docker-Content-Digest").orElse(null),
                    response.headers().firstValue("WWW-Authenticate").orElse(null),
                    response.headers().firstValue("Retry-After").orElse(null), body);
        }
        throw new RegistryFailure("too many redirects from " + host);
    }

    /** Answers a 401 challenge: a bearer token from the realm (with basic credentials if configured), or basic auth. */
    private boolean authenticate(String host, String scope, Fetched challenge, Instant deadline) throws RegistryFailure {
        String header = challenge.challenge();
        RegistryProperties.Credentials credentials = properties.credentials().get(host);
        if (header == null) {
            return false;
        }
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("basic")) {
            if (credentials == null) {
                return false;
            }
            tokens.put(host + " " + scope, basic(credentials));
            return true;
        }
        if (!lower.startsWith("bearer")) {
            return false;
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(header);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            return false;
        }
        URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?")
                + (params.containsKey("service") ? "service=" + URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8) + "&" : "")
                + "scope=" + URLEncoder.encode(params.getOrDefault("scope", scope), StandardCharsets.UTF_8));
        Fetched token = exchange("GET", tokenUri, credentials == null ? null : basic(credentials), new String[0], deadline,
                tokenUri.getAuthority());
        if (token.status() != 200) {
            return false;
        }
        JsonNode answer = token.json(json);
        String value = answer.path("token").asString(answer.path("access_token").asString(""));
        if (value.isEmpty()) {
            return false;
        }
        tokens.put(host + " " + scope, "Bearer " + value);
        return true;
    }

    private static String basic(RegistryProperties.Credentials credentials) {
        return "Basic " + Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    private String base(String host) {
        return (properties.plainHttp().contains(host) ? "http://" : "https://") + host;
    }

    private byte[] read(InputStream in, Instant deadline) throws RegistryFailure {
        long max = properties.maxBytes().toBytes();
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (out.size() > max) {
                    throw new RegistryFailure("a registry response is larger than " + properties.maxBytes());
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new RegistryFailure("the registry is too slow");
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new RegistryFailure("reading from the registry failed: " + e.getMessage());
        }
    }

    /** Retry-After in seconds when given (capped), else exponential back-off from 200 ms. */
    private static long retryAfter(Fetched response, int attempt) {
        if (response.retryAfter() != null) {
            try {
                return Math.min(10_000L, Long.parseLong(response.retryAfter().strip()) * 1000L);
            } catch (NumberFormatException e) {
                // an HTTP date: fall back to back-off
            }
        }
        return 200L << Math.min(attempt, 4);
    }

    static Duration remaining(Instant deadline) throws RegistryFailure {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new RegistryFailure("the registry did not answer in time");
        }
        return left;
    }

    private static void sleep(long millis) throws RegistryFailure {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryFailure("interrupted");
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
