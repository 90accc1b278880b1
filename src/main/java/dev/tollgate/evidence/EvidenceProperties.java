package dev.tollgate.evidence;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param cacheSize      verified facts kept in memory (keyed by bundle, artifact and trust material)
 * @param maxBundleBytes the largest bundle accepted, as JSON
 * @param maxItems       the most evidence items in one request
 */
@ConfigurationProperties("tollgate.evidence")
record EvidenceProperties(@DefaultValue("10000") int cacheSize, @DefaultValue("1MB") DataSize maxBundleBytes,
        @DefaultValue("64") int maxItems) {
}
