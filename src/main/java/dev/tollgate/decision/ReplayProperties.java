package dev.tollgate.decision;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds of {@code POST /v1/policies/{name}:replay} (docs/policy-authoring.md, "Replay").
 *
 * @param defaultWindow the window replayed when {@code since} is not given (ending at {@code until}, default now)
 * @param maxWindow     the longest window a replay may ask for
 * @param defaultLimit  the most decisions replayed when {@code limit} is not given
 * @param maxLimit      the largest {@code limit} accepted
 * @param maxDuration   a replay still running after this long stops and reports {@code stoppedBy: "time"}
 */
@ConfigurationProperties("tollgate.replay")
record ReplayProperties(@DefaultValue("30d") Duration defaultWindow, @DefaultValue("90d") Duration maxWindow,
        @DefaultValue("100000") int defaultLimit, @DefaultValue("1000000") int maxLimit,
        @DefaultValue("5m") Duration maxDuration) {

    ReplayProperties {
        if (defaultLimit < 1 || maxLimit < defaultLimit || defaultWindow.compareTo(maxWindow) > 0 || maxDuration.isNegative()) {
            throw new IllegalArgumentException("tollgate.replay: 1 <= default-limit <= max-limit, default-window <= max-window");
        }
    }
}
