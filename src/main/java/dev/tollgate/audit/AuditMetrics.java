package dev.tollgate.audit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/** The audit writer's metrics: group-commit latency (SLO buckets), queue depth and the size of the last group. */
@Component
public class AuditMetrics {

    static final Duration[] SLO = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(5)};

    private final MeterRegistry registry;
    private final Timer commits;
    private final AtomicInteger lastBatch = new AtomicInteger();

    AuditMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.commits = Timer.builder("tollgate.audit.commit").description("time of one group commit of decision records")
                .serviceLevelObjectives(SLO).register(registry);
        Gauge.builder("tollgate.audit.batch.size", lastBatch, AtomicInteger::get).description("records in the last group commit")
                .register(registry);
    }

    /** The writer's queue, for the depth gauge. */
    void queue(IntSupplier depth) {
        Gauge.builder("tollgate.audit.queue.depth", depth, IntSupplier::getAsInt)
                .description("decisions waiting for their commit").strongReference(true).register(registry);
    }

    /** A group committed: its size and the time its transaction took. */
    void committed(int records, long nanos) {
        lastBatch.set(records);
        commits.record(Duration.ofNanos(nanos));
    }
}
