package dev.tollgate.stream;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where committed decisions are shipped (docs/operations.md, "Decision stream").
 *
 * @param log           one JSON line per decision on the logger {@code tollgate.decisions}
 * @param queueCapacity decisions waiting per sink; when full, new ones are dropped and counted (never waited for)
 * @param http          an HTTP endpoint that receives batches (unset {@code url}: none)
 */
@ConfigurationProperties("tollgate.decision-stream")
record DecisionStreamProperties(@DefaultValue("false") boolean log, @DefaultValue("10000") int queueCapacity,
        @DefaultValue Http http) {

    /**
     * @param url            POSTed a JSON array of decisions (application/json)
     * @param batchSize      most decisions per request
     * @param flushInterval  longest a decision waits for its batch to fill
     * @param timeout        longest one request may take
     * @param maxAttempts    attempts per batch (connection failures, 408, 429 and 5xx are tried again); then it is dropped
     * @param initialBackoff wait after the first failed attempt, doubled after each (up to {@code maxBackoff})
     * @param maxBackoff     longest wait between attempts
     * @param headers        sent with every request (an Authorization header for the collector, say)
     */
    record Http(URI url, @DefaultValue("500") int batchSize, @DefaultValue("1s") Duration flushInterval,
            @DefaultValue("5s") Duration timeout, @DefaultValue("8") int maxAttempts,
            @DefaultValue("250ms") Duration initialBackoff, @DefaultValue("30s") Duration maxBackoff,
            Map<String, String> headers) {

        Http {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }
}
