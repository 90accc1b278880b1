package dev.tollgate.audit;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the audit log ({@code audit} in the readiness group): DOWN while decisions cannot
 * be recorded — the writer thread is dead (it is being restarted), the queue is full, or the
 * last group failed for want of the database and a probe (a connection that takes the chain
 * lock) still fails. UP again as soon as recording works: a load balancer then sends decisions
 * here again. Details stay hidden (health details are not shown).
 */
@Component
class AuditHealthIndicator implements HealthIndicator {

    private final AuditLog audit;

    AuditHealthIndicator(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public Health health() {
        if (!audit.writerAlive()) {
            return Health.down().withDetail("reason", "the audit writer is not running (restarting)").build();
        }
        if (audit.queueFull()) {
            return Health.down().withDetail("reason", "the audit queue is full").build();
        }
        if (audit.failing() && !audit.canRecord()) {
            return Health.down().withDetail("reason", "decisions cannot be recorded: " + audit.lastFailure()).build();
        }
        return Health.up().build();
    }
}
