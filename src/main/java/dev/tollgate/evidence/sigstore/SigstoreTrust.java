package dev.tollgate.evidence.sigstore;

import java.time.Clock;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.evidence.openpgp.OpenPgpKey;
import dev.tollgate.evidence.openpgp.OpenPgpRefused;
import dev.tollgate.trust.TrustKind;
import dev.tollgate.trust.TrustMaterial;
import dev.tollgate.trust.TrustMaterialCheck;
import org.springframework.stereotype.Component;
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
