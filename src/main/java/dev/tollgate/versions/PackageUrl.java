package dev.tollgate.versions;

import java.util.Map;
import java.util.TreeMap;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;

/**
 * A package URL (purl spec), parsed by packageurl-java: type, namespace, name, version,
 * qualifiers and subpath. {@link #base()} is the canonical purl without version, qualifiers and
 * subpath: the package, whichever version.
 */
public record PackageUrl(String type, String namespace, String name, String version, Map<String, String> qualifiers,
        String subpath, String canonical, String base) {

    public PackageUrl {
        qualifiers = qualifiers == null ? Map.of() : Map.copyOf(qualifiers);
    }

    /** The parsed purl, or null if the text is not a package URL. */
    public static PackageUrl parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 4096) {
            return null;
        }
        try {
            PackageURL p = new PackageURL(text);
            String base = new PackageURL(p.getType(), p.getNamespace(), p.getName(), null, null, null).canonicalize();
            Map<String, String> q = p.getQualifiers() == null ? Map.of() : new TreeMap<>(p.getQualifiers());
            return new PackageUrl(p.getType(), p.getNamespace(), p.getName(), p.getVersion(), q, p.getSubpath(), p.canonicalize(),
                    base);
        } catch (MalformedPackageURLException | RuntimeException e) {
            return null;
        }
    }
}
