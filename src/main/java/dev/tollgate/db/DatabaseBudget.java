package dev.tollgate.db;

import java.time.Duration;

import org.springframework.stereotype.Component;

/**
 * The database time-outs, all derived from {@code tollgate.database.budget} (B, default 4.5 s),
 * so that a request's database work ends within B of its arrival whatever the database does:
 * <ul>
 * <li>every connection borrowed for the request waits for the pool at most until arrival + B,
 * and every read on it times out then (network time-out = what is left of B);</li>
 * <li>HikariCP's connection time-out is B/2 and its validation time-out min(1 s, B/4) (a
 * borrowed idle connection is checked first; a check and a wait together stay below B);</li>
 * <li>the decision waits for its audit commit until arrival + B, and the commit's
 * {@code statement_timeout} is what is left of that;</li>
 * <li>the token lookup, policy and evidence reads are reads on the request's connections.</li>
 * </ul>
 * Work outside a request (exports, trust refresh, migrations) keeps the driver's socket
 * time-out ({@code spring.datasource.hikari.data-source-properties.socketTimeout}).
 */
@Component
public class DatabaseBudget {

    private final Duration budget;

    DatabaseBudget(DatabaseProperties properties) {
        this.budget = properties.budget();
    }

    /** B itself. */
    public Duration budget() {
        return budget;
    }

    /** A deadline B from now. */
    public Deadline fromNow() {
        return Deadline.in(budget);
    }

    Duration connectionTimeout() {
        return Duration.ofMillis(Math.max(250, budget.toMillis() / 2));
    }

    Duration validationTimeout() {
        return Duration.ofMillis(Math.max(250, Math.min(1000, budget.toMillis() / 4)));
    }

    /** The driver's TCP connect time-out, whole seconds (background: the pool opens connections). */
    int connectTimeoutSeconds() {
        return (int) Math.max(1, budget.toSeconds() / 2);
    }
}
