package dev.tollgate.admission;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.tollgate.adminlog.AdminLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Exempt namespaces are configuration, not an API call, so nobody's token changes them; what the
 * server runs with is written to the admin log at start-up whenever it differs from what was last
 * recorded, so an auditor sees when an exemption appeared and disappeared.
 */
@Component
class ExemptionsRecord implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ExemptionsRecord.class);
    static final String ACTION = "admission.exemptions";
    static final String TARGET = "exempt-namespaces";

    private final AdminLog adminLog;
    private final AdmissionProperties properties;

    ExemptionsRecord(AdminLog adminLog, AdmissionProperties properties) {
        this.adminLog = adminLog;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        List<String> configured = List.copyOf(new TreeSet<>(properties.exemptNamespaces()));
        if (!configured.isEmpty()) {
            log.warn("Admission exempts the namespaces {}: their workloads are admitted without policy (recorded as exempt)",
                    configured);
        }
        Map<String, Object> last = adminLog.lastDetails(ACTION, TARGET);
        Object before = last == null ? List.of() : last.get("namespaces");
        if (!configured.equals(before)) {
            adminLog.recordAlone("configuration", ACTION, TARGET, Map.of("namespaces", configured, "previous", before));
        }
    }
}
