package dev.tollgate.admission;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param cluster          the cluster's name, given to policies as {@code context.cluster}
 * @param exemptNamespaces namespaces whose workloads are admitted without policy (recorded as
 *                         decisions with outcome {@code exempt}, answered with a warning); none by
 *                         default — an exemption is a visible choice (the Helm chart's values)
 * @param reviewTimeout    the time one review may take, from its arrival, for every tag
 *                         resolution and registry fetch of all its images; keep it below the
 *                         webhook's {@code timeoutSeconds} (10 s by default), so that the cluster
 *                         reads Tollgate's refusal rather than a webhook time-out
 * @param breakGlass       where the annotation {@code tollgate.dev/break-glass} admits what the
 *                         policies refuse (docs/admission.md, "Break-glass"); nowhere by default
 */
@ConfigurationProperties("tollgate.admission")
record AdmissionProperties(@DefaultValue("") String cluster, @DefaultValue List<String> exemptNamespaces,
        @DefaultValue("8s") Duration reviewTimeout, @DefaultValue BreakGlass breakGlass) {

    /**
     * @param namespaces the namespaces, by exact name, where break-glass is enabled; empty (the
     *                   default) turns it off everywhere
     */
    record BreakGlass(@DefaultValue List<String> namespaces) {

        BreakGlass {
            namespaces = namespaces.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
        }

        boolean enabledIn(String namespace) {
            return !namespace.isEmpty() && namespaces.contains(namespace);
        }
    }

    AdmissionProperties {
        if (reviewTimeout == null || reviewTimeout.isNegative() || reviewTimeout.isZero()) {
            throw new IllegalArgumentException("tollgate.admission.review-timeout must be positive");
        }
        exemptNamespaces = exemptNamespaces.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
    }
}
