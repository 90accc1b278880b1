package dev.tollgate.trust;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param dir             a directory whose {@code *.json} (trusted roots) and {@code *.pem} (public keys) are
 *                        loaded at start-up under their file names; unset for none
 * @param refreshInterval how often the held material is re-read from the database (other replicas' changes)
 * @param installPublicGood whether the shipped public-good root is installed on the first start
 */
@ConfigurationProperties("tollgate.trust")
record TrustProperties(Path dir, @DefaultValue("10s") Duration refreshInterval,
        @DefaultValue("true") boolean installPublicGood) {
}
