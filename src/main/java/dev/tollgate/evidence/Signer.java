package dev.tollgate.evidence;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who signed a piece of evidence, as section 4 of the policy language exposes it. {@code kind}
 * is {@code keyless} (issuer, subject and cert set) or {@code key} (key set).
 * {@code timestampedBy} names the timestamp authorities whose RFC 3161 timestamps verified (by
 * their certificate's subject), and {@code transparencyLog} says whether a transparency-log
 * entry verified. An {@code openpgp} signer has {@code key} (the registered key's name), the
 * primary key's {@code fingerprint} and the {@code userIds} the key certified itself.
 */
public record Signer(String kind, String issuer, String subject, String key, List<String> trustRoots,
        Instant integratedTime, Map<String, String> cert, List<String> timestampedBy, boolean transparencyLog,
        String fingerprint, List<String> userIds) {

    public Signer {
        trustRoots = List.copyOf(trustRoots);
        cert = cert == null ? null : Map.copyOf(cert);
        timestampedBy = timestampedBy == null ? List.of() : List.copyOf(timestampedBy);
        userIds = userIds == null ? null : List.copyOf(userIds);
    }

    public Signer(String kind, String issuer, String subject, String key, List<String> trustRoots,
            Instant integratedTime, Map<String, String> cert, List<String> timestampedBy, boolean transparencyLog) {
        this(kind, issuer, subject, key, trustRoots, integratedTime, cert, timestampedBy, transparencyLog, null, null);
    }

    public Signer(String kind, String issuer, String subject, String key, List<String> trustRoots,
            Instant integratedTime, Map<String, String> cert) {
        this(kind, issuer, subject, key, trustRoots, integratedTime, cert, List.of(), integratedTime != null);
    }

    /** The first, by name, of the roots (or the key) that verified it. */
    public String trustRoot() {
        return trustRoots.get(0);
    }
}
