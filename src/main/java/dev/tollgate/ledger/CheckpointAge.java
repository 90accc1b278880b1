package dev.tollgate.ledger;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code tollgate_checkpoint_age_seconds}: how long the oldest committed decision that no signed checkpoint
 * covers yet has waited for one — 0 when the newest checkpoint covers every record, so an idle server
 * (no new decisions, hence no new checkpoint) is not stale, while a ledger that halted or stopped signing is.
 * Read from the database at each scrape (two indexed lookups), so every replica reports the shared ledger;
 * NaN while the database cannot be read (the "no decision possible" alert covers that).
 */
@Component
class CheckpointAge {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    CheckpointAge(JdbcTemplate jdbc, Clock clock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = clock;
        Gauge.builder("tollgate.checkpoint.age", this, CheckpointAge::seconds).baseUnit("seconds")
                .description("how long the oldest decision not covered by a signed checkpoint has waited (0: all covered)")
                .register(meters);
    }

    double seconds() {
        try {
            Timestamp oldest = jdbc.query("SELECT decided_at FROM decision WHERE sequence ="
                    + " (SELECT coalesce(max(size), 0) + 1 FROM ledger_checkpoint)", rs -> rs.next() ? rs.getTimestamp(1) : null);
            if (oldest == null) {
                return 0;
            }
            return Math.max(0, Duration.between(oldest.toInstant(), clock.instant()).toMillis() / 1000.0);
        } catch (DataAccessException e) {
            return Double.NaN;
        }
    }
}
