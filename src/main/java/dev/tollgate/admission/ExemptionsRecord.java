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
 * Exempt namespaces and break-glass namespaces are configuration, not an API call, so nobody's
 * token changes them; what the server runs with is written to the admin log at start-up whenever
 * it differs from what was last recorded, so an auditor sees when an exemption (or break-glass)
 * appeared and disappeared.
 */
@Component
class ExemptionsRecord implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ExemptionsRecord.class);
    static final String ACTION = "admission.exemptions";
    static final String TARGET = "exempt-namespaces";
    static final String BREAK_GLASS_ACTION = "admission.break-glass";
    static final String BREAK_GLASS_TARGET = "break-glass-namespaces";

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
        changed(ACTION, TARGET, configured);
        List<String> breakGlass = List.copyOf(new TreeSet<>(properties.breakGlass().namespaces()));
        if (!breakGlass.isEmpty()) {
            log.warn("Admission break-glass is enabled in the namespaces {}: annotated workloads are admitted although their"
                    + " policies refuse them (recorded as break-glass)", breakGlass);
        }
        changed(BREAK_GLASS_ACTION, BREAK_GLASS_TARGET, breakGlass);
    }

    /** Records the namespaces configured for {@code action} when they differ from those last recorded. */
    private void changed(String action, String target, List<String> configured) {
        Map<String, Object> last = adminLog.lastDetails(action, target);
        Object before = last == null ? List.of() : last.get("namespaces");
        if (!configured.equals(before)) {
            adminLog.recordAlone("configuration", action, target, Map.of("namespaces", configured, "previous", before));
        }
    }
}
