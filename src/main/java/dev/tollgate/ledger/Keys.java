package dev.tollgate.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public-key document ({@code GET /v1/audit/keys}, and the {@code --keys} file of the offline
 * verifier): {@code {"keys": [{id, purpose, algorithm, active, publicKey (PEM), name, verifierKey}]}};
 * {@code name} and {@code verifierKey} (C2SP vkey) only for checkpoint keys.
 */
final class Keys {

    private Keys() {
    }

    static Map<String, Object> document(SigningKeys keys) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SigningKeys.CheckpointKey k : keys.checkpointKeys()) {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("id", k.keyIdHex());
            key.put("purpose", "checkpoint");
            key.put("algorithm", "Ed25519");
            key.put("active", k.active());
            key.put("name", k.name());
            key.put("verifierKey", k.verifierKey());
            key.put("publicKey", k.publicKeyPem());
            out.add(key);
        }
        for (SigningKeys.AttestationKey k : keys.attestationKeys()) {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("id", k.id());
            key.put("purpose", "attestation");
            key.put("algorithm", "ECDSA_P256_SHA256");
            key.put("active", k.active());
            key.put("publicKey", k.publicKeyPem());
            out.add(key);
        }
        return Map.of("keys", out);
    }
}
