package dev.tollgate.evidence;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** {@code tollgate_evidence_cache_hits_total}: verifications answered from the verifier's cache. */
@Component
class EvidenceMetrics {

    EvidenceMetrics(MeterRegistry registry, EvidenceVerifier verifier) {
        FunctionCounter.builder("tollgate.evidence.cache.hits", verifier, EvidenceVerifier::cacheHits)
                .description("evidence verifications answered from the cache").register(registry);
    }
}
