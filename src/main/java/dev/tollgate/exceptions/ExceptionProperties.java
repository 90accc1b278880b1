package dev.tollgate.exceptions;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param maxDuration how far ahead of its request an exception may expire at most
 */
@ConfigurationProperties("tollgate.exceptions")
record ExceptionProperties(@DefaultValue("30d") Duration maxDuration) {

    ExceptionProperties {
        if (maxDuration == null || maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("tollgate.exceptions.max-duration must be positive");
        }
    }
}
