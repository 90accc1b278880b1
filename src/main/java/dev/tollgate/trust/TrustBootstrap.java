package dev.tollgate.trust;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import dev.tollgate.digest.Digest;

/**
 * At start-up: installs the shipped public-good root once (a later delete or replacement is
 * respected), then loads {@code tollgate.trust.dir}, whose files are authoritative for their names.
 * Invalid material in that directory stops the start: it is never silently trusted or ignored.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class TrustBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(TrustBootstrap.class);
    static final String PUBLIC_GOOD = "public-good";

    private final TrustStore store;
    private final TrustProperties properties;

    TrustBootstrap(TrustStore store, TrustProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (properties.installPublicGood()) {
            try (InputStream in = getClass().getResourceAsStream("/trust/public-good.json")) {
                if (in != null && store.installOnce("trust.public-good.installed", PUBLIC_GOOD, TrustKind.ROOT, in.readAllBytes())) {
                    log.info("Installed the shipped Sigstore public-good trusted root as '{}'", PUBLIC_GOOD);
                }
            }
        }
        if (properties.dir() != null) {
            loadDirectory(properties.dir());
        }
        store.refresh();
        log.info("Trust material held: {}", store.current().materials().stream()
                .map(m -> m.kind().id() + " " + m.name() + " (sha256 " + m.sha256().substring(0, 12) + "…)").toList());
    }

    private void loadDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("tollgate.trust.dir " + dir + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String fileName = file.getFileName().toString();
            TrustKind kind = fileName.endsWith(".json") ? TrustKind.ROOT : fileName.endsWith(".pem") || fileName.endsWith(".asc") ? TrustKind.KEY : null;
            if (kind == null) {
                continue;
            }
            String name = fileName.substring(0, fileName.lastIndexOf('.'));
            byte[] content = Files.readAllBytes(file);
            var held = store.current().find(name);
            if (held.isPresent() && held.get().sha256().equals(Digest.sha256(content).hex())) {
                continue;
            }
            try {
                store.put(name, kind, content, "trust-dir");
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot load " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
