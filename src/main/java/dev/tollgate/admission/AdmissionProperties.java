package dev.tollgate.admission;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param cluster                    the cluster's name, given to policies as {@code context.cluster}
 * @param exemptNamespaces           namespaces whose reviews are allowed without a decision
 */
@ConfigurationProperties("tollgate.admission")
record AdmissionProperties(@DefaultValue("") String cluster, @DefaultValue("kube-system") List<String> exemptNamespaces) {
}
