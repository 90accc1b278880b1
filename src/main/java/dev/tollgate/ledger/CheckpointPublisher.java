package dev.tollgate.ledger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes each new checkpoint outside the database: to a directory (the file {@code checkpoint},
 * replaced atomically) and/or POSTed as {@code text/plain} to a URL (a witness, an object store
 * gateway, a ticketing hook). A target that fails is retried with growing pauses (up to a minute),
 * always with the newest checkpoint; publication runs on its own thread and never touches a
 * decision. Each successful publication is noted in {@code ledger_publication}.
 */
@Component
class CheckpointPublisher {

    private static final Logger log = LoggerFactory.getLogger(CheckpointPublisher.class);
    private static final long POLL_MILLIS = 250;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final Ledger ledger;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final List<Target> targets = new ArrayList<>();
    private volatile boolean running = true;
    private volatile Thread thread;

    CheckpointPublisher(Ledger ledger, JdbcTemplate jdbc, CheckpointProperties properties, Clock clock) {
        this.ledger = ledger;
        this.jdbc = jdbc;
        this.clock = clock;
        if (properties.publishDir() != null) {
            targets.add(new DirectoryTarget(properties.publishDir().toAbsolutePath().normalize()));
        }
        if (properties.publishUrl() != null) {
            targets.add(new UrlTarget(properties.publishUrl()));
        }
    }

    /** Where checkpoints go. */
    private abstract static class Target {
        long published;
        int failures;
        long nextAttemptNanos;

        abstract String name();

        abstract void publish(Checkpoint checkpoint) throws IOException, InterruptedException;
    }

    private static final class DirectoryTarget extends Target {
        private final Path dir;

        DirectoryTarget(Path dir) {
            this.dir = dir;
        }

        @Override
        String name() {
            return "dir:" + dir;
        }

        @Override
        void publish(Checkpoint checkpoint) throws IOException {
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, "checkpoint", ".new");
            Files.writeString(temporary, checkpoint.note(), StandardCharsets.UTF_8);
            Files.move(temporary, dir.resolve("checkpoint"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static final class UrlTarget extends Target {
        private final URI url;
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();

        UrlTarget(URI url) {
            this.url = url;
        }

        @Override
        String name() {
            return "url:" + url;
        }

        @Override
        void publish(Checkpoint checkpoint) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(checkpoint.note(), StandardCharsets.UTF_8)).build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("answered " + response.statusCode());
            }
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (targets.isEmpty()) {
            return;
        }
        Thread t = new Thread(this::run, "checkpoint-publisher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @PreDestroy
    void stop() throws InterruptedException {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(5_000);
        }
    }

    private void run() {
        try {
            for (Target target : targets) {
                Long last = jdbc.queryForObject("SELECT max(size) FROM ledger_publication WHERE target = ?", Long.class, target.name());
                target.published = last == null ? 0 : last;
            }
        } catch (RuntimeException e) {
            log.warn("could not read where checkpoints were published: {}", e.toString());
        }
        while (running) {
            try {
                publishOnce();
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("checkpoint publication: {}", e.toString());
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    void publishOnce() throws InterruptedException {
        Optional<Checkpoint> latest = ledger.latestCheckpoint();
        if (latest.isEmpty()) {
            return;
        }
        Checkpoint checkpoint = latest.get();
        for (Target target : targets) {
            if (target.published >= checkpoint.size() || System.nanoTime() - target.nextAttemptNanos < 0) {
                continue;
            }
            try {
                target.publish(checkpoint);
                target.published = checkpoint.size();
                if (target.failures > 0) {
                    log.info("checkpoint {} published to {} after {} failed attempt(s)", checkpoint.size(), target.name(),
                            target.failures);
                }
                target.failures = 0;
                jdbc.update("INSERT INTO ledger_publication (target, size, published_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        target.name(), checkpoint.size(), Timestamp.from(clock.instant()));
            } catch (IOException | RuntimeException e) {
                target.failures++;
                long backoff = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(target.failures, 10));
                target.nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
                log.warn("could not publish checkpoint {} to {} (attempt {}, next in {} ms): {}", checkpoint.size(),
                        target.name(), target.failures, backoff, e.toString());
            }
        }
    }
}
