package dev.tollgate.db;

import java.util.function.Supplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One retry, on a fresh connection, of database work that failed because its connection broke
 * (the server terminated the session, a proxy restarted, a fail-over): pooled connections do not
 * know they are dead until they are used, so without it every pooled connection costs one failed
 * request after such an event. Before retrying, the whole pool is retired (HikariCP's soft
 * eviction: idle connections closed now, busy ones when returned): what broke one connection
 * usually broke them all.
 * <p>
 * Retried: a read (a {@code JdbcTemplate} query outside a transaction), and a transaction —
 * {@code @Transactional} method, Spring Data repository call or {@code TransactionTemplate} — that
 * failed before it asked to commit, or that only read. Never retried: work whose commit was
 * requested (it may have happened: a retry could do it twice), work inside an enclosing
 * transaction (the enclosing one is retried, or fails), time-outs, and anything once the
 * deadline has passed. The advice ({@code DatabaseConfiguration}) applies this to the beans and the
 * application's {@code TransactionTemplate} to its transactions; {@link #withRetry} is for code that
 * streams or runs its own transactions. The audit writer has its own rule (it checks whether an
 * interrupted commit happened).
 */
@Component
public class DatabaseRetry implements TransactionExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(DatabaseRetry.class);

    /** The retry scope of the current thread: set by the outermost retrying call. */
    private static final ThreadLocal<Attempt> ATTEMPT = new ThreadLocal<>();

    private static final class Attempt {
        boolean commitRequested;
        /** A rollback failed: the connection is gone (its failure then hides the one that caused the rollback). */
        boolean rollbackFailed;

        void reset() {
            commitRequested = false;
            rollbackFailed = false;
        }
    }

    private final DataSource dataSource;

    DatabaseRetry(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs database work with one retry on a broken connection: a read, or transactions (a commit
     * that was asked for is never repeated). Inside an enclosing transaction it just runs.
     */
    public <T> T withRetry(Supplier<T> work) {
        if (ATTEMPT.get() != null || TransactionSynchronizationManager.isActualTransactionActive()) {
            return work.get();
        }
        Attempt attempt = new Attempt();
        ATTEMPT.set(attempt);
        try {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (!retryable(e, attempt)) {
                    throw unavailableIfBroken(e, attempt);
                }
                attempt.reset();
                try {
                    return work.get();
                } catch (RuntimeException again) {
                    throw unavailableIfBroken(again, attempt);
                }
            }
        } finally {
            ATTEMPT.remove();
        }
    }

    Object invoke(MethodInvocation invocation) throws Throwable {
        if (ATTEMPT.get() != null || TransactionSynchronizationManager.isActualTransactionActive()) {
            return invocation.proceed();
        }
        Attempt attempt = new Attempt();
        ATTEMPT.set(attempt);
        try {
            try {
                return invocation.proceed();
            } catch (RuntimeException e) {
                if (!(invocation instanceof ProxyMethodInvocation proxied) || !retryable(e, attempt)) {
                    throw unavailableIfBroken(e, attempt);
                }
                attempt.reset();
                try {
                    // through the proxy again, so that the transaction advice starts a new transaction
                    // (the scope stays set: the inner call does not retry a second time)
                    return AopUtils.invokeJoinpointUsingReflection(proxied.getProxy(), invocation.getMethod(),
                            invocation.getArguments());
                } catch (RuntimeException failed) {
                    throw unavailableIfBroken(failed, attempt);
                }
            }
        } finally {
            ATTEMPT.remove();
        }
    }

    private boolean retryable(RuntimeException e, Attempt attempt) {
        if (!broken(e, attempt)) {
            return false;
        }
        evictPool();
        Deadline deadline = Deadline.current();
        if (attempt.commitRequested || (deadline != null && deadline.passed())) {
            return false;
        }
        log.info("retrying once on a new connection: {}", e.getMessage());
        return true;
    }

    /** Retires every pooled connection (idle ones now, busy ones when they are returned). */
    public void evictPool() {
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                var pool = dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();
                if (pool != null) {
                    pool.softEvictConnections();
                }
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            log.debug("could not evict the pool: {}", e.getMessage());
        }
    }

    private static boolean broken(RuntimeException e, Attempt attempt) {
        return attempt.rollbackFailed || ConnectionFailures.isBrokenConnection(e);
    }

    /** A broken connection that is not retried is an outage (503), whatever layer reported it. */
    private static RuntimeException unavailableIfBroken(RuntimeException e, Attempt attempt) {
        if (e instanceof DataAccessResourceFailureException || !broken(e, attempt)) {
            return e;
        }
        return new DataAccessResourceFailureException("the database connection broke: " + e.getMessage(), e);
    }

    @Override
    public void afterRollback(TransactionExecution transaction, Throwable rollbackFailure) {
        Attempt attempt = ATTEMPT.get();
        if (attempt != null && rollbackFailure != null) {
            attempt.rollbackFailed = true;
        }
    }

    @Override
    public void beforeCommit(TransactionExecution transaction) {
        Attempt attempt = ATTEMPT.get();
        if (attempt != null && transaction.isNewTransaction() && !transaction.isReadOnly()) {
            attempt.commitRequested = true;
        }
    }

    /** The advice applied to repositories, transactions and queries. */
    static MethodInterceptor advice(org.springframework.beans.factory.ObjectProvider<DatabaseRetry> retry) {
        return invocation -> retry.getObject().invoke(invocation);
    }
}
