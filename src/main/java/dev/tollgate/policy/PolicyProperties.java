package dev.tollgate.policy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param maxSourceBytes      largest policy source accepted (larger: 413)
 * @param compiledCacheSize   how many compiled policy versions are kept in memory
 * @param activeCache         how long which version is active is remembered (changes through other replicas)
 */
@ConfigurationProperties("tollgate.policy")
record PolicyProperties(@DefaultValue("262144") int maxSourceBytes, @DefaultValue("1024") int compiledCacheSize,
        @DefaultValue("1s") java.time.Duration activeCache) {
}
