package dev.tollgate.db;

/**
 * Configuration held in the database changed, through this replica or another: published (as a
 * Spring application event) by {@link ChangeNotifications} when PostgreSQL delivers the
 * notification of a committed change. {@code topic} is the change's action — {@code policy.activate},
 * {@code trust.add}, {@code token.create}, … (the admin log's action names) — or {@value #ANY} after the listening connection was (re)opened,
 * when changes may have been missed: every cache should then be dropped.
 */
public record ConfigurationChanged(String topic) {

    public static final String ANY = "*";

    /** Whether holders of {@code what} ({@code policy}, {@code trust}, {@code token}, …) must look at this change. */
    public boolean concerns(String what) {
        return ANY.equals(topic) || what.equals(topic) || topic.startsWith(what + ".");
    }

    /** Whether this is exactly {@code action} (never after a reconnect, when anything may have been missed). */
    public boolean is(String action) {
        return action.equals(topic);
    }
}
