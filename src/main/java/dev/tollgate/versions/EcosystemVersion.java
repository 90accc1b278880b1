package dev.tollgate.versions;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import io.github.nscuro.versatile.Vers;
import io.github.nscuro.versatile.version.Version;
import io.github.nscuro.versatile.version.VersioningScheme;

/**
 * A version ordered by its ecosystem's rules: Maven (maven-artifact's {@code ComparableVersion}),
 * npm and SemVer (semver4j), Debian ({@code [epoch:]upstream[-revision]}), RPM ({@code rpmvercmp}),
 * Go (module versions, with or without the leading {@code v}) — all through versatile, the Java
 * implementation of the {@code vers} spec — and PyPI (PEP 440, {@link Pep440}). Versions of
 * different ecosystems are not comparable. Every factory answers null for input it cannot read,
 * never throws.
 */
public final class EcosystemVersion implements Comparable<EcosystemVersion> {

    /** The ecosystems {@code version(s, eco)} takes, by the name written in a policy. */
    public static final List<String> ECOSYSTEMS = List.of("maven", "npm", "pypi", "deb", "rpm", "golang", "semver");

    private static final Map<String, VersioningScheme> SCHEMES = Map.of("maven", VersioningScheme.MAVEN, "npm",
            VersioningScheme.NPM, "semver", VersioningScheme.NPM, "deb", VersioningScheme.DEB, "rpm", VersioningScheme.RPM,
            "golang", VersioningScheme.GOLANG);

    private final String ecosystem;
    private final String text;
    private final Version library; // null for PyPI
    private final Pep440 pypi; // null for the others

    private EcosystemVersion(String ecosystem, String text, Version library, Pep440 pypi) {
        this.ecosystem = ecosystem;
        this.text = text;
        this.library = library;
        this.pypi = pypi;
    }

    /** The version {@code text} in {@code ecosystem} (one of {@link #ECOSYSTEMS}), or null. */
    public static EcosystemVersion parse(String text, String ecosystem) {
        if (text == null || ecosystem == null || text.isEmpty() || text.length() > 256) {
            return null;
        }
        String eco = ecosystem.toLowerCase(Locale.ROOT);
        if (eco.equals("pypi")) {
            Pep440 v = Pep440.parse(text);
            return v == null ? null : new EcosystemVersion(eco, text, null, v);
        }
        VersioningScheme scheme = SCHEMES.get(eco);
        if (scheme == null) {
            return null;
        }
        String spelled = text;
        if (eco.equals("golang") && !text.startsWith("v")) {
            spelled = "v" + text;
        }
        if (!eco.equals("golang") && !eco.equals("deb") && !eco.equals("rpm") && (text.startsWith("v") || text.startsWith("V"))) {
            // "v1.2.3" is the tag spelling of 1.2.3 (npm and SemVer tools accept it; Maven would read it as a qualifier)
            spelled = text.substring(1);
        }
        if (eco.equals("deb") && !DEBIAN.matcher(text).matches()) {
            return null;
        }
        if (eco.equals("semver") && !SEMVER.matcher(spelled).matches()) {
            return null;
        }
        if (eco.equals("maven") && !MAVEN.matcher(spelled).matches()) {
            return null;
        }
        try {
            return new EcosystemVersion(eco, text, Version.forScheme(scheme, spelled), null);
        } catch (RuntimeException e) { // InvalidVersionException, VersException and what the parsers throw
            return null;
        }
    }

    /** Debian policy 5.6.12: an optional numeric epoch, an upstream version starting with a digit, an optional revision. */
    private static final com.google.re2j.Pattern DEBIAN = com.google.re2j.Pattern.compile(
            "(?:[0-9]+:)?[0-9][A-Za-z0-9.+~:-]*(?:-[A-Za-z0-9.+~]+)?");
    /** Semantic Versioning 2.0.0, strictly (npm's ordering, but none of its loose spellings). */
    private static final com.google.re2j.Pattern SEMVER = com.google.re2j.Pattern.compile(
            "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
            + "(?:\\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");
    /** Maven takes anything; a version must at least start with a digit and hold no white space or separators of lists. */
    private static final com.google.re2j.Pattern MAVEN = com.google.re2j.Pattern.compile("[0-9][A-Za-z0-9._+-]*");

    public String ecosystem() {
        return ecosystem;
    }

    public String text() {
        return text;
    }

    /** Whether the two can be ordered (same ecosystem; SemVer and npm are one ordering). */
    public boolean comparableWith(EcosystemVersion o) {
        return family(ecosystem).equals(family(o.ecosystem));
    }

    private static String family(String eco) {
        return eco.equals("semver") ? "npm" : eco;
    }

    @Override
    public int compareTo(EcosystemVersion o) {
        if (!comparableWith(o)) {
            throw new IllegalArgumentException("versions of " + ecosystem + " and " + o.ecosystem + " are not comparable");
        }
        int c = pypi != null ? pypi.compareTo(o.pypi) : library.compareTo(o.library);
        return Integer.signum(c);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EcosystemVersion v && comparableWith(v) && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(family(ecosystem));
    }

    @Override
    public String toString() {
        return "version(\"" + text + "\", \"" + ecosystem + "\")";
    }

    // ---- vers ranges ----------------------------------------------------------------------------

    /** The ecosystem a {@code vers} scheme (a purl type) names, or null if there is no ordering for it here. */
    public static String ecosystemOfScheme(String scheme) {
        String s = scheme.toLowerCase(Locale.ROOT);
        return switch (s) {
            case "maven", "npm", "pypi", "deb", "rpm", "golang", "semver" -> s;
            case "go" -> "golang";
            default -> null;
        };
    }

    /** Whether the text is a {@code vers} range this class can evaluate (a known scheme, constraints whose versions parse). */
    public static boolean validRange(String vers) {
        if (vers == null || vers.length() > 4096 || !vers.startsWith("vers:") || vers.indexOf('/') < 0) {
            return false;
        }
        int slash = vers.indexOf('/');
        String eco = ecosystemOfScheme(vers.substring(5, slash));
        String constraints = vers.substring(slash + 1).strip();
        if (eco == null || constraints.isEmpty()) {
            return false;
        }
        if (constraints.equals("*")) {
            return true;
        }
        for (String raw : constraints.split("\\|")) {
            String c = raw.strip();
            int i = 0;
            while (i < c.length() && "<>=!".indexOf(c.charAt(i)) >= 0) {
                i++;
            }
            String op = c.substring(0, i);
            if (!List.of("", "=", "!=", "<", "<=", ">", ">=").contains(op)
                    || parse(percentDecoded(c.substring(i).strip()), eco) == null) {
                return false;
            }
        }
        if (!eco.equals("pypi")) {
            try {
                Vers.parse("vers:" + (eco.equals("semver") ? "npm" : eco) + "/" + constraints);
            } catch (RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code version} lies in the {@code vers} range ({@code vers:<scheme>/<constraints>},
     * the purl project's version range spec, parsed by versatile); null if the range or the version
     * cannot be read in the range's scheme. The vers algorithm: an {@code =} constraint equal to
     * the version includes it and a {@code !=} one excludes it; the remaining comparators, in
     * version order, include it if it satisfies one of them where it stands.
     */
    public static Boolean inRange(String version, String vers) {
        if (version == null || !validRange(vers)) {
            return null;
        }
        int slash = vers.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String eco = ecosystemOfScheme(vers.substring(5, slash));
        if (eco == null) {
            return null;
        }
        String constraints = vers.substring(slash + 1).strip();
        if (constraints.equals("*")) {
            return parse(version, eco) == null ? null : true;
        }
        EcosystemVersion v = parse(version, eco);
        if (v == null) {
            return null;
        }
        if (!eco.equals("pypi")) {
            try {
                String scheme = eco.equals("semver") ? "npm" : eco;
                return Vers.parse("vers:" + scheme + "/" + constraints).contains(v.library.toString());
            } catch (RuntimeException e) { // VersException, InvalidVersionException
                return null;
            }
        }
        // versatile 0.7.0 has no PEP 440 ordering: the same algorithm, over Pep440
        java.util.List<Bound> bounds = new java.util.ArrayList<>();
        for (String raw : constraints.split("\\|")) {
            String c = raw.strip();
            String op = "=";
            for (String candidate : new String[] {">=", "<=", "!=", ">", "<", "="}) {
                if (c.startsWith(candidate)) {
                    op = candidate;
                    break;
                }
            }
            String text = percentDecoded(c.substring(c.startsWith(op) ? op.length() : 0).strip());
            EcosystemVersion b = parse(text, eco);
            if (b == null) {
                return null;
            }
            bounds.add(new Bound(op, b));
        }
        for (Bound b : bounds) {
            if (b.op.equals("=") && b.version.compareTo(v) == 0) {
                return true;
            }
            if (b.op.equals("!=") && b.version.compareTo(v) == 0) {
                return false;
            }
        }
        java.util.List<Bound> ranges = bounds.stream().filter(b -> !b.op.equals("=") && !b.op.equals("!="))
                .sorted((a, b) -> a.version.compareTo(b.version)).toList();
        if (ranges.isEmpty()) {
            return false;
        }
        if (ranges.size() == 1) {
            return ranges.get(0).admits(v);
        }
        for (int i = 0; i < ranges.size() - 1; i++) {
            Bound current = ranges.get(i);
            Bound next = ranges.get(i + 1);
            if (i == 0 && current.isLess() && current.admits(v)) {
                return true;
            }
            if (current.isGreater() && next.isLess() && current.admits(v) && next.admits(v)) {
                return true;
            }
            if (i + 1 == ranges.size() - 1 && next.isGreater() && next.admits(v)) {
                return true;
            }
        }
        return false;
    }

    /** A vers version with its %XX escapes decoded ('+' stays '+': this is not form encoding); null if an escape is broken. */
    static String percentDecoded(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '%') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(ch).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private record Bound(String op, EcosystemVersion version) {
        boolean isLess() {
            return op.startsWith("<");
        }

        boolean isGreater() {
            return op.startsWith(">");
        }

        boolean admits(EcosystemVersion v) {
            int c = v.compareTo(version);
            return switch (op) {
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                default -> false;
            };
        }
    }
}
