package dev.tollgate.stream;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.tollgate.audit.DecisionsCommitted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Ships each committed decision to the configured sinks, like OPA's decision logs: after the
 * commit, never on a decision's path. The audit log's writer hands the committed records over
 * ({@link DecisionsCommitted}); each sink has a bounded queue and a thread of its own, and a full
 * queue drops the decision and counts it rather than waiting. A decision's entry is its stored
 * response (the answer with its {@code sequence}) with its chain hashes: what the history holds.
 */
@Component
class DecisionStream {

    /** The logger of the JSON-line sink. */
    static final String LOGGER = "tollgate.decisions";

    private static final Logger log = LoggerFactory.getLogger(DecisionStream.class);

    private final List<Sink> sinks = new ArrayList<>();

    DecisionStream(DecisionStreamProperties properties, MeterRegistry metrics) {
        if (properties.log()) {
            sinks.add(new LogSink(properties, metrics));
        }
        if (properties.http().url() != null) {
            String scheme = properties.http().url().getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw new IllegalStateException("tollgate.decision-stream.http.url must be an http(s) URL");
            }
            sinks.add(new HttpSink(properties, metrics));
        }
        sinks.forEach(Sink::start);
    }

    @EventListener
    void committed(DecisionsCommitted committed) {
        if (sinks.isEmpty()) {
            return;
        }
        for (DecisionsCommitted.Decision d : committed.decisions()) {
            String entry = entry(d);
            for (Sink sink : sinks) {
                sink.offer(entry);
            }
        }
    }

    /** {@code {"sequence":…,"hash":…,"previousHash":…,"decision":<the stored response>}}: the hashes are hex, the response JSON. */
    static String entry(DecisionsCommitted.Decision d) {
        return "{\"sequence\":" + d.sequence() + ",\"hash\":\"" + d.hash() + "\",\"previousHash\":"
                + (d.previousHash() == null ? "null" : "\"" + d.previousHash() + "\"") + ",\"decision\":" + d.response() + "}";
    }

    @PreDestroy
    void stop() {
        sinks.forEach(Sink::stop);
    }

    /** A bounded queue drained by one thread. */
    abstract static class Sink implements Runnable {
        final String name;
        final BlockingQueue<String> queue;
        final Counter sent;
        final Counter dropped;
        final Counter failed;
        private Thread thread;
        volatile boolean running = true;

        Sink(String name, int capacity, MeterRegistry metrics) {
            this.name = name;
            this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
            this.sent = Counter.builder("tollgate.decision.stream.sent").description("decisions shipped to the sink")
                    .tag("sink", name).register(metrics);
            this.dropped = Counter.builder("tollgate.decision.stream.dropped")
                    .description("decisions not shipped because the sink's queue was full").tag("sink", name).register(metrics);
            this.failed = Counter.builder("tollgate.decision.stream.failed")
                    .description("decisions not shipped because every attempt failed").tag("sink", name).register(metrics);
            Gauge.builder("tollgate.decision.stream.queue", queue, BlockingQueue::size)
                    .description("decisions waiting for the sink").tag("sink", name).register(metrics);
        }

        void offer(String entry) {
            if (!queue.offer(entry)) {
                dropped.increment();
            }
        }

        void start() {
            thread = new Thread(this, "decision-stream-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /** One JSON line per decision on {@value #LOGGER}. */
    static final class LogSink extends Sink {
        private static final Logger lines = LoggerFactory.getLogger(LOGGER);

        LogSink(DecisionStreamProperties properties, MeterRegistry metrics) {
            super("log", properties.queueCapacity(), metrics);
        }

        @Override
        public void run() {
            while (running) {
                try {
                    String entry = queue.take();
                    lines.info(entry);
                    sent.increment();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    failed.increment();
                }
            }
        }
    }

    /** Batches POSTed as a JSON array; tried again with exponential backoff, then dropped and counted. */
    static final class HttpSink extends Sink {
        private final DecisionStreamProperties.Http http;
        private final HttpClient client;

        HttpSink(DecisionStreamProperties properties, MeterRegistry metrics) {
            super("http", properties.queueCapacity(), metrics);
            this.http = properties.http();
            this.client = HttpClient.newBuilder().connectTimeout(http.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        }

        @Override
        public void run() {
            List<String> batch = new ArrayList<>();
            while (running) {
                try {
                    batch.clear();
                    batch.add(queue.take());
                    long until = System.nanoTime() + http.flushInterval().toNanos();
                    while (batch.size() < http.batchSize()) {
                        long left = until - System.nanoTime();
                        String next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                    }
                    ship(batch);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    log.warn("decision stream: a batch of {} could not be shipped: {}", batch.size(), e.toString());
                    failed.increment(batch.size());
                }
            }
        }

        private void ship(List<String> batch) throws InterruptedException {
            String body = "[" + String.join(",", batch) + "]";
            Duration backoff = http.initialBackoff();
            String last = null;
            for (int attempt = 1; attempt <= Math.max(1, http.maxAttempts()); attempt++) {
                HttpRequest.Builder request = HttpRequest.newBuilder(http.url()).timeout(http.timeout())
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                http.headers().forEach(request::header);
                try {
                    int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status / 100 == 2) {
                        sent.increment(batch.size());
                        return;
                    }
                    last = "status " + status;
                    if (status / 100 == 4 && status != 408 && status != 429) {
                        break; // the collector refuses this batch: trying again would not change that
                    }
                } catch (java.io.IOException e) {
                    last = e.toString();
                }
                if (attempt < http.maxAttempts()) {
                    TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
                    backoff = backoff.multipliedBy(2).compareTo(http.maxBackoff()) > 0 ? http.maxBackoff() : backoff.multipliedBy(2);
                }
            }
            log.warn("decision stream: dropped a batch of {} decision(s) after failed attempts (last: {})", batch.size(), last);
            failed.increment(batch.size());
        }
    }
}
