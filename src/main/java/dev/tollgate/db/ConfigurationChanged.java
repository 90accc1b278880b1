package dev.tollgate.db;

/**
 * Configuration held in the database changed, through this replica or another: published (as a
 * Spring application event) by {@link ChangeNotifications} when PostgreSQL delivers the
 * notification of a committed change. {@code topic} is what changed — {@code policy},
 * {@code trust}, {@code token} — or {@value #ANY} after the listening connection was (re)opened,
 * when changes may have been missed: every cache should then be dropped.
 */
public record ConfigurationChanged(String topic) {

    public static final String ANY = "*";

    /** Whether holders of {@code what} must forget what they hold. */
    public boolean concerns(String what) {
        return ANY.equals(topic) || what.equals(topic);
    }
}
