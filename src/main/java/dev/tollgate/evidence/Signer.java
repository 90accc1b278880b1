package dev.tollgate.evidence;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who signed a piece of evidence, as section 4 of the policy language exposes it. {@code kind}
 * is {@code keyless} (issuer, subject and cert set) or {@code key} (key set).
 */
public record Signer(String kind, String issuer, String subject, String key, List<String> trustRoots,
        Instant integratedTime, Map<String, String> cert) {

    public Signer {
        trustRoots = List.copyOf(trustRoots);
        cert = cert == null ? null : Map.copyOf(cert);
    }

    /** The first, by name, of the roots (or the key) that verified it. */
    public String trustRoot() {
        return trustRoots.get(0);
    }
}
