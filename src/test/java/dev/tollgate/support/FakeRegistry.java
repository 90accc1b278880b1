package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An in-process OCI registry on loopback, serving what the tests put in it: manifests by digest
 * and by tag, blobs, the referrers API (which can be switched off per repository), a bearer-token
 * challenge for repositories under {@code private/}, basic authentication under {@code basic/}, a 429 for the first request under
 * {@code throttled/}, and a stall under {@code slow/}. A tag may point at a digest whose manifest
 * it does not hold (the subjects of real attestations): it then answers {@code {}} with that digest. It counts the requests it receives.
 */
public final class FakeRegistry implements AutoCloseable {

    /** The credentials repositories under {@code basic/} demand. */
    public static final String USERNAME = "puller";
    public static final String PASSWORD = "pull-secret-0123";
    private static final String BASIC = "Basic " + java.util.Base64.getEncoder()
            .encodeToString((USERNAME + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private final HttpServer server;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, String> types = new ConcurrentHashMap<>();
    private final Map<String, String> tags = new ConcurrentHashMap<>();
    private final Map<String, String> referrers = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final AtomicInteger throttles = new AtomicInteger();
    private final Map<String, AtomicInteger> throttled = new ConcurrentHashMap<>();

    public FakeRegistry() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-registry");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    public int tokensIssued() {
        return tokensIssued.get();
    }

    public int throttles() {
        return throttles.get();
    }

    /** Stores content and returns its digest. */
    public String put(byte[] content, String mediaType) {
        String digest = digest(content);
        blobs.put(digest, content);
        types.put(digest, mediaType);
        return digest;
    }

    public void tag(String repository, String tag, String digest) {
        tags.put(repository + ":" + tag, digest);
    }

    /** The referrers index answered for {@code repository} and {@code subject}. */
    public void referrers(String repository, String subject, String index) {
        referrers.put(repository + "@" + subject, index);
    }

    public static String digest(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads an OCI image layout's blobs (media types unknown: served as OCI manifests when JSON). */
    public void load(Path layout) throws IOException {
        try (var files = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path file : files.toList()) {
                byte[] content = Files.readAllBytes(file);
                String type = content.length > 0 && content[0] == '{' && new String(content, StandardCharsets.UTF_8).contains("\"schemaVersion\"")
                        ? (new String(content, StandardCharsets.UTF_8).contains("image.index") ? "application/vnd.oci.image.index.v1+json"
                                : "application/vnd.oci.image.manifest.v1+json")
                        : "application/octet-stream";
                put(content, type);
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        try {
            if (path.equals("/token")) {
                tokensIssued.incrementAndGet();
                send(exchange, 200, "application/json", "{\"token\":\"t0k\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!path.startsWith("/v2/")) {
                send(exchange, 404, "text/plain", new byte[0]);
                return;
            }
            String rest = path.substring(4);
            if (rest.startsWith("slow/")) {
                Thread.sleep(20_000);
            }
            if (rest.startsWith("private/") && !"Bearer t0k".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host()
                        + "/token\",service=\"fake\",scope=\"repository:" + rest.substring(0, rest.indexOf("/", 8)) + ":pull\"");
                send(exchange, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (rest.startsWith("basic/") && !BASIC.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"fake\"");
                send(exchange, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (rest.startsWith("throttled/") && throttled.computeIfAbsent(rest, k -> new AtomicInteger()).getAndIncrement() == 0) {
                throttles.incrementAndGet();
                exchange.getResponseHeaders().add("Retry-After", "0");
                send(exchange, 429, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            int referrersAt = rest.indexOf("/referrers/");
            if (referrersAt > 0) {
                String index = referrers.get(rest.substring(0, referrersAt) + "@" + rest.substring(referrersAt + 11));
                if (index == null) {
                    send(exchange, 404, "text/plain", "404 page not found".getBytes(StandardCharsets.UTF_8));
                } else {
                    send(exchange, 200, "application/vnd.oci.image.index.v1+json", index.getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            int manifestsAt = rest.indexOf("/manifests/");
            int blobsAt = rest.indexOf("/blobs/");
            if (manifestsAt > 0 || blobsAt > 0) {
                String repository = rest.substring(0, manifestsAt > 0 ? manifestsAt : blobsAt);
                String reference = rest.substring((manifestsAt > 0 ? manifestsAt + 11 : blobsAt + 7));
                String digest = reference.startsWith("sha256:") ? reference : tags.get(repository + ":" + reference);
                byte[] content = digest == null ? null : blobs.get(digest);
                if (content == null && digest != null && manifestsAt > 0) {
                    content = "{}".getBytes(StandardCharsets.UTF_8); // a tag on a subject whose manifest the test does not hold
                }
                if (content == null) {
                    send(exchange, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
                send(exchange, 200, types.getOrDefault(digest, "application/octet-stream"), content);
                return;
            }
            send(exchange, 404, "text/plain", new byte[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
