package dev.tollgate.decision;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param denyWhenNoPolicyApplies with no policy named, deny when no enforce-mode policy applies
 *                                (fail closed); false only for a deliberate fail-open rollout
 */
@ConfigurationProperties("tollgate.decision")
record DecisionProperties(@DefaultValue("true") boolean denyWhenNoPolicyApplies) {
}
