package dev.tollgate.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Bounds at the HTTP edge (see docs/security.md, "Hostile input").
 *
 * @param maxBody                  the largest request body accepted on any endpoint; larger is 413
 * @param headerTimeout            the longest time from a request's first byte to the end of its headers;
 *                                 the connection of a request slower than that is closed
 * @param bodyTimeout              the longest time a request body may take to arrive, counted from the end of
 *                                 the headers; a slower body is answered 408 and its connection closed
 * @param maxConnectionsPerClient  open connections one client address may hold; more are refused (429)
 * @param largeBody                bodies larger than this (and bodies of unknown length) are large
 * @param maxConcurrentLargeBodies large bodies processed at once; further ones wait
 * @param largeBodyWait            how long a large body waits for its turn before it is answered 503
 * @param maxParameterLength       the longest query parameter value, in characters
 */
@ConfigurationProperties("tollgate.http")
record HttpProperties(@DefaultValue("4MB") DataSize maxBody, @DefaultValue("10s") Duration headerTimeout,
        @DefaultValue("15s") Duration bodyTimeout, @DefaultValue("128") int maxConnectionsPerClient,
        @DefaultValue("64KB") DataSize largeBody, @DefaultValue("4") int maxConcurrentLargeBodies,
        @DefaultValue("1s") Duration largeBodyWait, @DefaultValue("2048") int maxParameterLength) {

    /** The body time-out in nanoseconds; a time-out of 0 (or less) means none. */
    long bodyTimeoutNanos() {
        return bodyTimeout.compareTo(Duration.ZERO) > 0 ? bodyTimeout.toNanos() : Long.MAX_VALUE / 4;
    }
}
