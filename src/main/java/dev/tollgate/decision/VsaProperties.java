package dev.tollgate.decision;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The signed verification summary of each decision (docs/audit.md, "Verification summaries").
 *
 * @param mode       {@code all} (every decision with an artifact digest, allowed or not),
 *                   {@code allowed} (only those that allow) or {@code none}
 * @param verifierId the VSA's {@code verifier.id}; unset: {@code https://} and the ledger's origin
 */
@ConfigurationProperties("tollgate.vsa")
record VsaProperties(@DefaultValue("all") String mode, String verifierId) {

    VsaProperties {
        if (!mode.equals("all") && !mode.equals("allowed") && !mode.equals("none")) {
            throw new IllegalArgumentException("tollgate.vsa.mode must be all, allowed or none, not '" + mode + "'");
        }
    }
}
