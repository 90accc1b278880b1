package dev.tollgate.evidence;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param cacheSize      verified facts kept in memory (keyed by bundle, artifact and trust material)
 * @param maxBundleBytes the largest bundle accepted, as JSON
 * @param maxItems       the most evidence items in one request
 * @param minSignedTimes verified signed times (log integration times, RFC 3161 timestamps from
 *                       distinct logs and TSAs) a keyless bundle needs; at least 1
 */
@ConfigurationProperties("tollgate.evidence")
record EvidenceProperties(@DefaultValue("10000") int cacheSize, @DefaultValue("1MB") DataSize maxBundleBytes,
        @DefaultValue("64") int maxItems, @DefaultValue("1") int minSignedTimes) {

    EvidenceProperties {
        if (minSignedTimes < 1) {
            throw new IllegalArgumentException("tollgate.evidence.min-signed-times must be at least 1: a short-lived"
                    + " certificate is only as good as the signed time it is checked at");
        }
    }
}
