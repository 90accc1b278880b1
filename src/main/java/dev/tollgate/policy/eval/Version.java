package dev.tollgate.policy.eval;

import java.math.BigInteger;
import java.util.List;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * A Semantic Versioning 2.0 version, {@code v?MAJOR(.MINOR(.PATCH)?)?(-PRE)?(+BUILD)?}, missing
 * MINOR/PATCH being 0. Ordered and equal by precedence; build metadata is ignored.
 */
public record Version(BigInteger major, BigInteger minor, BigInteger patch, List<String> preRelease, String text)
        implements Comparable<Version> {

    private static final String NUM = "0|[1-9][0-9]*";
    private static final String PRE_ID = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";
    private static final String BUILD_ID = "[0-9A-Za-z-]+";
    private static final Pattern SEMVER = Pattern.compile("v?(" + NUM + ")(?:\\.(" + NUM + ")(?:\\.(" + NUM + "))?)?"
            + "(?:-(" + PRE_ID + "(?:\\." + PRE_ID + ")*))?(?:\\+(" + BUILD_ID + "(?:\\." + BUILD_ID + ")*))?");

    /** The version a string spells, or null. */
    public static Version parse(String text) {
        if (text.length() > 256) {
            return null;
        }
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            return null;
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\.", -1));
        return new Version(new BigInteger(m.group(1)), m.group(2) == null ? BigInteger.ZERO : new BigInteger(m.group(2)),
                m.group(3) == null ? BigInteger.ZERO : new BigInteger(m.group(3)), pre, text);
    }

    @Override
    public int compareTo(Version o) {
        int c = major.compareTo(o.major);
        if (c == 0) {
            c = minor.compareTo(o.minor);
        }
        if (c == 0) {
            c = patch.compareTo(o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = compareIdentifier(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    private static int compareIdentifier(String a, String b) {
        boolean numericA = a.chars().allMatch(Character::isDigit);
        boolean numericB = b.chars().allMatch(Character::isDigit);
        if (numericA && numericB) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (numericA != numericB) {
            return numericA ? -1 : 1;
        }
        return a.compareTo(b); // ASCII only here: lexical by code unit is by code point
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Version v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        return (major.hashCode() * 31 + minor.hashCode()) * 31 + patch.hashCode() * 31 + preRelease.hashCode();
    }

    @Override
    public String toString() {
        return "semver(\"" + text + "\")";
    }
}
