package dev.tollgate.admission;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param cluster          the cluster's name, given to policies as {@code context.cluster}
 * @param exemptNamespaces namespaces whose workloads are admitted without policy (recorded as
 *                         decisions with outcome {@code exempt}, answered with a warning); none by
 *                         default — an exemption is a visible choice (the Helm chart's values)
 */
@ConfigurationProperties("tollgate.admission")
record AdmissionProperties(@DefaultValue("") String cluster, @DefaultValue List<String> exemptNamespaces) {

    AdmissionProperties {
        exemptNamespaces = exemptNamespaces.stream().map(String::strip).filter(n -> !n.isEmpty()).toList();
    }
}
