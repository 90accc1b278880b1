package dev.tollgate.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param commitTimeout how long a decision waits for its record to be committed before it is
 *                      answered 503 (nothing allowed)
 * @param maxBatch      most records committed in one transaction (group commit)
 * @param queueCapacity decisions waiting to be recorded before new ones are refused (503)
 */
@ConfigurationProperties("tollgate.audit")
record AuditProperties(@DefaultValue("5s") Duration commitTimeout, @DefaultValue("256") int maxBatch,
        @DefaultValue("10000") int queueCapacity) {
}
