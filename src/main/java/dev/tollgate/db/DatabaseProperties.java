package dev.tollgate.db;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a request may wait for the database, measured from its arrival. Every database
 * time-out on a request's path is derived from it (see {@link DatabaseBudget}), so that during an
 * outage the answer (503, or a refused AdmissionReview) comes within api.md's 5 seconds.
 *
 * @param budget the time a request may spend on the database, from its arrival
 */
@ConfigurationProperties("tollgate.database")
record DatabaseProperties(@DefaultValue("4500ms") Duration budget) {

    DatabaseProperties {
        if (budget.toMillis() < 1000) {
            throw new IllegalArgumentException("tollgate.database.budget must be at least 1s");
        }
    }
}
