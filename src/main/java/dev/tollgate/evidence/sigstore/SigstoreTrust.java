package dev.tollgate.evidence.sigstore;

import java.time.Clock;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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

    public TrustKey key(TrustMaterial material) {
        return (TrustKey) load(material);
    }

    public List<TrustRoot> roots(List<TrustMaterial> materials) {
        return materials.stream().filter(m -> m.kind() == TrustKind.ROOT).map(this::root)
                .filter(java.util.Objects::nonNull).toList();
    }

    private Object load(TrustMaterial material) {
        Object value = loaded.get(material.kind().id() + ":" + material.name() + ":" + material.sha256(), k -> {
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
