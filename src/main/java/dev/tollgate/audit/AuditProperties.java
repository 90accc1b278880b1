package dev.tollgate.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a decision waits for its commit is not set here: it is the request's database budget
 * ({@code tollgate.database.budget}).
 *
 * @param maxBatch           most records committed in one transaction (group commit)
 * @param queueCapacity      decisions waiting to be recorded before new ones are refused (503)
 * @param exportThreads      exports that may stream at once (each holds a thread and a database
 *                           connection); one more is refused with 503 and Retry-After
 * @param exportWriteTimeout an export whose client has not taken any data for this long is ended
 * @param exportMaxDuration  an export still running after this long is ended
 * @param maxInputChars      a decision's policy input (kept for replay) longer than this, as JSON text,
 *                           is not kept: the decision is recorded, and replay reports it not replayable
 */
@ConfigurationProperties("tollgate.audit")
record AuditProperties(@DefaultValue("256") int maxBatch, @DefaultValue("10000") int queueCapacity,
        @DefaultValue("4") int exportThreads, @DefaultValue("30s") Duration exportWriteTimeout,
        @DefaultValue("1h") Duration exportMaxDuration, @DefaultValue("1048576") int maxInputChars) {

    AuditProperties {
        if (maxBatch < 1 || queueCapacity < 1 || exportThreads < 1) {
            throw new IllegalArgumentException("tollgate.audit.max-batch, queue-capacity and export-threads must be at least 1");
        }
    }
}
