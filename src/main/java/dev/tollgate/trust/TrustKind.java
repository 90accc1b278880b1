package dev.tollgate.trust;

import java.util.Locale;

/** A trusted root (Sigstore trusted_root.json) or a public key (PEM). */
public enum TrustKind {
    ROOT, KEY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static TrustKind of(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
