package dev.tollgate.evidence.sigstore;

import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.evidence.openpgp.OpenPgpKey;
import dev.tollgate.evidence.openpgp.OpenPgpRefused;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustMaterialCheck;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns held trust material into verifiers, once per content (keyed by its SHA-256), and checks
 * material before the trust store accepts it.
 */
@Component
public class SigstoreTrust implements TrustMaterialCheck {

    private final ObjectMapper json;
    private final Clock clock;
    private final Cache<String, Object> loaded = Caffeine.newBuilder().maximumSize(256).build();

    public SigstoreTrust(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void checkRoot(byte[] trustedRootJson) throws InvalidTrustMaterial {
        try {
            TrustRoot.load("check", "", trustedRootJson, json);
        } catch (Failure f) {
            throw new InvalidTrustMaterial(f.detail());
        }
    }

    @Override
    public void checkKey(byte[] pem) throws InvalidTrustMaterial {
        if (OpenPgpKey.isArmored(pem)) {
            try {
                OpenPgpKey.load("check", pem);
            } catch (OpenPgpRefused e) {
                throw new InvalidTrustMaterial(e.detail());
            }
            return;
        }
        try {
            TrustKey.load("check", "", pem, clock);
        } catch (Failure f) {
            throw new InvalidTrustMaterial(f.detail());
        }
    }

    /**
     * A root stops verifying new keyless evidence when the last of its certificate authorities does: each authority
     * until the end of its {@code validFor} or the first {@code notAfter} of its chain, whichever is sooner (a root
     * with no certificate authority: its logs' {@code validFor} ends). Nothing when it holds no end at all, or
     * cannot be read (then it verifies nothing anyway, which the decisions show).
     */
    @Override
    public Optional<Instant> expiry(TrustMaterial material) {
        Optional<Instant> configured = TrustMaterialCheck.super.expiry(material);
        if (material.kind() != TrustKind.ROOT) {
            return configured;
        }
        Instant end = null;
        try {
            JsonNode root = json.readTree(material.content());
            boolean open = false;
            for (JsonNode ca : root.path("certificateAuthorities")) {
                Instant until = ca.path("validFor").path("end").isString()
                        ? Instant.parse(ca.path("validFor").path("end").stringValue()) : null;
                for (JsonNode certificate : ca.path("certChain").path("certificates")) {
                    Instant notAfter = StrictDer.certificate(Base64.getDecoder()
                            .decode(certificate.path("rawBytes").stringValue())).getNotAfter().toInstant();
                    until = until == null || notAfter.isBefore(until) ? notAfter : until;
                }
                if (until == null) {
                    open = true;
                } else if (end == null || until.isAfter(end)) {
                    end = until;
                }
            }
            if (!root.path("certificateAuthorities").isArray() || root.path("certificateAuthorities").isEmpty()) {
                for (JsonNode log : root.path("tlogs")) {
                    JsonNode until = log.path("publicKey").path("validFor").path("end");
                    if (!until.isString()) {
                        open = true;
                    } else if (end == null || Instant.parse(until.stringValue()).isAfter(end)) {
                        end = Instant.parse(until.stringValue());
                    }
                }
            }
            if (open) {
                end = null;
            }
        } catch (RuntimeException | CertificateException e) {
            return configured;
        }
        if (configured.isPresent() && (end == null || configured.get().isBefore(end))) {
            return configured;
        }
        return Optional.ofNullable(end);
    }

    /** The verifiers of a held root, or null when it is no longer usable. */
    public TrustRoot root(TrustMaterial material) {
        return (TrustRoot) load(material);
    }

    /** A held public key (PEM), or null when it is no longer usable or is an OpenPGP key. */
    public TrustKey key(TrustMaterial material) {
        return load(material) instanceof TrustKey key ? key : null;
    }

    /** A held OpenPGP key, or null when it is no longer usable or is not one. */
    public OpenPgpKey openpgp(TrustMaterial material) {
        return load(material) instanceof OpenPgpKey key ? key : null;
    }

    /** Whether a held key is an OpenPGP key (verifies OpenPGP signatures only). */
    public static boolean isOpenPgp(TrustMaterial material) {
        return material.kind() == TrustKind.KEY && OpenPgpKey.isArmored(material.content());
    }

    public List<TrustRoot> roots(List<TrustMaterial> materials) {
        return materials.stream().filter(m -> m.kind() == TrustKind.ROOT).map(this::root)
                .filter(java.util.Objects::nonNull).toList();
    }

    private Object load(TrustMaterial material) {
        Object value = loaded.get(material.kind().id() + ":" + material.name() + ":" + material.sha256(), k -> {
            if (isOpenPgp(material)) {
                try {
                    return OpenPgpKey.load(material.name(), material.content());
                } catch (OpenPgpRefused e) {
                    return Failure.of(Failure.Codes.NO_TRUST_MATERIAL, e.detail());
                }
            }
            try {
                return material.kind() == TrustKind.ROOT
                        ? TrustRoot.load(material.name(), material.sha256(), material.content(), json)
                        : TrustKey.load(material.name(), material.sha256(), material.content(), clock);
            } catch (Failure f) {
                return f;
            }
        });
        return value instanceof Failure ? null : value;
    }
}
