package dev.tollgate.decision;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param denyWhenNoPolicyApplies with no policy named, deny when no enforce-mode policy applies
 *                                (fail closed); false only for a deliberate fail-open rollout
 * @param prepareThreads          threads that gather and verify the evidence of the images of one
 *                                call (an admission review) at the same time, shared by all calls
 */
@ConfigurationProperties("tollgate.decision")
record DecisionProperties(@DefaultValue("true") boolean denyWhenNoPolicyApplies, @DefaultValue("4") int prepareThreads) {

    DecisionProperties {
        if (prepareThreads < 1) {
            throw new IllegalArgumentException("tollgate.decision.prepare-threads must be at least 1");
        }
    }
}
