package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real OCI registry for the test JVM: Debian's {@code docker-registry} (CNCF distribution 2.8)
 * started on loopback with a fresh storage directory, when the binary is installed. {@code .ci/run}
 * installs it and sets {@code TOLLGATE_TEST_REQUIRE_REGISTRY}, which turns a missing binary into a
 * failure instead of skipped tests. Content is pushed through the distribution API itself.
 */
public final class LocalDistribution {

    private static final String BINARY = "docker-registry";
    private static LocalDistribution instance;
    private static boolean tried;

    private final Process process;
    private final Path storage;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private CountingProxy counted;

    private LocalDistribution(Path binary) throws IOException, InterruptedException {
        storage = Files.createTempDirectory("tollgate-test-registry");
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path config = storage.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(storage.resolve("data"), port));
        process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(storage.resolve("registry.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        for (int i = 0; i < 100; i++) {
            try {
                if (get("/v2/").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        stop();
        throw new IllegalStateException("docker-registry did not start; see " + storage.resolve("registry.log"));
    }

    /** The running registry, or null when the binary is not installed and not required. */
    public static synchronized LocalDistribution get() {
        if (!tried) {
            tried = true;
            Path binary = Stream.of(System.getenv("PATH").split(java.io.File.pathSeparator))
                    .map(dir -> Path.of(dir, BINARY)).filter(Files::isExecutable).findFirst().orElse(null);
            if (binary == null) {
                if (System.getenv("TOLLGATE_TEST_REQUIRE_REGISTRY") != null) {
                    throw new IllegalStateException(BINARY + " is required (TOLLGATE_TEST_REQUIRE_REGISTRY) but not installed");
                }
                return null;
            }
            try {
                instance = new LocalDistribution(binary);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** The registry behind a {@link CountingProxy} (one per test JVM): what the server asks of it, counted. */
    public synchronized CountingProxy counted() {
        if (counted == null) {
            try {
                counted = new CountingProxy(host());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return counted;
    }

    /** Uploads a blob (POST then PUT with its digest) and returns the digest. */
    public String pushBlob(String repository, byte[] content) throws IOException, InterruptedException {
        String digest = FakeRegistry.digest(content);
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (start.statusCode() != 202) {
            throw new IllegalStateException("upload start: " + start.statusCode() + " " + start.body());
        }
        String location = start.headers().firstValue("Location").orElseThrow();
        URI target = uri("/").resolve(location);
        target = URI.create(target + (target.getQuery() == null ? "?" : "&") + "digest=" + digest);
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(target).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
        if (done.statusCode() != 201) {
            throw new IllegalStateException("upload: " + done.statusCode() + " " + done.body());
        }
        return digest;
    }

    /** Puts a manifest under a tag (or its digest) with its media type; returns its digest. */
    public String pushManifest(String repository, String reference, byte[] manifest, String mediaType)
            throws IOException, InterruptedException {
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201) {
            throw new IllegalStateException("manifest: " + put.statusCode() + " " + put.body());
        }
        return FakeRegistry.digest(manifest);
    }

    private HttpResponse<Void> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
    }

    private URI uri(String path) {
        return URI.create("http://" + host() + path);
    }

    private void stop() {
        process.destroy();
        try (Stream<Path> files = Files.walk(storage)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
