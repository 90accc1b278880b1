package dev.tollgate.versions;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;

/**
 * PyPI versions ordered as PEP 440 says (the version scheme of the Python packaging
 * specifications, with packaging's normalisation: {@code alpha}→{@code a}, {@code c}/{@code
 * pre}/{@code preview}→{@code rc}, implicit numbers 0, a leading {@code v}). versatile 0.7.0 has
 * no PyPI ordering (it treats PyPI versions as generic ones, so {@code 1.0.0a1 > 1.0.0}); this is
 * the key packaging computes, written out.
 */
final class Pep440 implements Comparable<Pep440> {

    /** The pattern of PEP 440's appendix B (case-insensitive, surrounding white space allowed). */
    private static final Pattern VERSION = Pattern.compile("(?i)^\\s*v?(?:(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\\.[0-9]+)*)"
            + "(?P<pre>[-_.]?(?P<prel>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pren>[0-9]+)?)?"
            + "(?P<post>(?:-(?P<postn1>[0-9]+))|(?:[-_.]?(?P<postl>post|rev|r)[-_.]?(?P<postn2>[0-9]+)?))?"
            + "(?P<dev>[-_.]?(?P<devl>dev)[-_.]?(?P<devn>[0-9]+)?)?)"
            + "(?:\\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$");

    private final BigInteger epoch;
    private final List<BigInteger> release;
    /** -1: a dev release without pre or post (sorts before any pre-release); 0/1/2: a/b/rc; 3: none. */
    private final int preRank;
    private final BigInteger pre;
    private final BigInteger post; // null: none
    private final BigInteger dev; // null: none
    private final List<String> local; // empty: none

    private Pep440(BigInteger epoch, List<BigInteger> release, int preRank, BigInteger pre, BigInteger post, BigInteger dev,
            List<String> local) {
        this.epoch = epoch;
        this.release = release;
        this.preRank = preRank;
        this.pre = pre;
        this.post = post;
        this.dev = dev;
        this.local = local;
    }

    /** The version, or null if it is not a PEP 440 version. */
    static Pep440 parse(String text) {
        if (text == null || text.length() > 256) {
            return null;
        }
        Matcher m = VERSION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        BigInteger epoch = m.group("epoch") == null ? BigInteger.ZERO : new BigInteger(m.group("epoch"));
        List<BigInteger> release = new ArrayList<>();
        for (String part : m.group("release").split("\\.")) {
            release.add(new BigInteger(part));
        }
        while (release.size() > 1 && release.get(release.size() - 1).signum() == 0) {
            release.remove(release.size() - 1); // 1.0 == 1.0.0
        }
        int preRank = 3;
        BigInteger pre = BigInteger.ZERO;
        if (m.group("pre") != null) {
            String letter = m.group("prel").toLowerCase(Locale.ROOT);
            preRank = switch (letter) {
                case "a", "alpha" -> 0;
                case "b", "beta" -> 1;
                default -> 2;
            };
            pre = number(m.group("pren"));
        }
        BigInteger post = null;
        if (m.group("post") != null) {
            post = m.group("postn1") != null ? new BigInteger(m.group("postn1")) : number(m.group("postn2"));
        }
        BigInteger dev = m.group("dev") != null ? number(m.group("devn")) : null;
        if (preRank == 3 && post == null && dev != null) {
            preRank = -1;
        }
        List<String> local = new ArrayList<>();
        if (m.group("local") != null) {
            for (String part : m.group("local").toLowerCase(Locale.ROOT).split("[-_.]")) {
                local.add(part);
            }
        }
        return new Pep440(epoch, List.copyOf(release), preRank, pre, post, dev, List.copyOf(local));
    }

    private static BigInteger number(String digits) {
        return digits == null ? BigInteger.ZERO : new BigInteger(digits);
    }

    @Override
    public int compareTo(Pep440 o) {
        int c = epoch.compareTo(o.epoch);
        if (c != 0) {
            return c;
        }
        for (int i = 0; i < Math.max(release.size(), o.release.size()); i++) {
            BigInteger a = i < release.size() ? release.get(i) : BigInteger.ZERO;
            BigInteger b = i < o.release.size() ? o.release.get(i) : BigInteger.ZERO;
            c = a.compareTo(b);
            if (c != 0) {
                return c;
            }
        }
        c = Integer.compare(preRank, o.preRank);
        if (c != 0) {
            return c;
        }
        if (preRank >= 0 && preRank < 3) {
            c = pre.compareTo(o.pre);
            if (c != 0) {
                return c;
            }
        }
        c = nullsFirst(post, o.post);
        if (c != 0) {
            return c;
        }
        c = nullsLast(dev, o.dev);
        if (c != 0) {
            return c;
        }
        return compareLocal(local, o.local);
    }

    private static int nullsFirst(BigInteger a, BigInteger b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        return a.compareTo(b);
    }

    private static int nullsLast(BigInteger a, BigInteger b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        return a.compareTo(b);
    }

    /** Local labels: segment by segment, numbers above words, numbers numerically, words as text; a longer label is later. */
    private static int compareLocal(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            String x = a.get(i);
            String y = b.get(i);
            boolean xn = x.chars().allMatch(Character::isDigit);
            boolean yn = y.chars().allMatch(Character::isDigit);
            int c;
            if (xn && yn) {
                c = new BigInteger(x).compareTo(new BigInteger(y));
            } else if (xn != yn) {
                c = xn ? 1 : -1;
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Pep440 p && compareTo(p) == 0;
    }

    @Override
    public int hashCode() {
        return epoch.hashCode();
    }
}
