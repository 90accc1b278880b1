package dev.tollgate.db;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;

import org.springframework.transaction.TransactionSystemException;

/**
 * Which database failures mean "this connection broke" (worth one retry on a fresh connection)
 * and which mean "the database cannot be reached" (worth waiting for), by SQLSTATE: class 08
 * (connection exception) and 57P01–57P03 (the server terminated the session or is restarting).
 * A time-out is neither: it already used up the time there was.
 */
public final class ConnectionFailures {

    private ConnectionFailures() {
    }

    /** The connection the failure happened on is gone; the same work on a new connection may succeed. */
    public static boolean isBrokenConnection(Throwable failure) {
        SQLException broken = null;
        for (Throwable t : chain(failure).keySet()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SocketTimeoutException
                    || t instanceof java.sql.SQLTimeoutException) {
                return false; // the pool had nothing within its time, or a read timed out: no time left to retry
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")) {
                    broken = sql;
                }
                if (state.equals("57014")) {
                    return false; // statement time-out or cancel
                }
            }
        }
        return broken != null;
    }

    /** A new connection could not be opened because the server is not there (yet). */
    static boolean isUnreachable(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.equals("57P03") || state.equals("53300");
    }

    private static Map<Throwable, Boolean> chain(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        add(failure, seen);
        return seen;
    }

    private static void add(Throwable t, Map<Throwable, Boolean> seen) {
        while (t != null && seen.put(t, Boolean.TRUE) == null) {
            if (t instanceof TransactionSystemException tse && tse.getApplicationException() != null) {
                add(tse.getApplicationException(), seen);
            }
            t = t.getCause();
        }
    }
}
