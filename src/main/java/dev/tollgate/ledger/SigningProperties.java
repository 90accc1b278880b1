package dev.tollgate.ledger;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The keys that sign what leaves Tollgate (docs/audit.md, "Signing keys"). They live outside the
 * database: PEM files, e.g. from a mounted Secret.
 *
 * @param dir                        where keys not configured explicitly are kept (and generated)
 * @param generate                   generate a missing key in {@code dir} (mode 600) on start; off, a missing key stops the start
 * @param checkpointKey              the active Ed25519 private key (PKCS#8 PEM) that signs checkpoints; unset: {@code dir/checkpoint-ed25519.pem}
 * @param checkpointPreviousKeys     earlier checkpoint keys (PEM, public or private), still published so that older checkpoints verify
 * @param attestationKey             the active ECDSA P-256 private key (PKCS#8 PEM) for attestations; unset: {@code dir/attestation-p256.pem}
 * @param attestationPreviousKeys    earlier attestation keys (PEM, public or private), still published
 */
@ConfigurationProperties("tollgate.signing")
record SigningProperties(@DefaultValue("./tollgate-data/signing") Path dir, @DefaultValue("true") boolean generate,
        Path checkpointKey, @DefaultValue("") List<Path> checkpointPreviousKeys, Path attestationKey,
        @DefaultValue("") List<Path> attestationPreviousKeys) {

    SigningProperties {
        checkpointPreviousKeys = paths(checkpointPreviousKeys);
        attestationPreviousKeys = paths(attestationPreviousKeys);
    }

    private static List<Path> paths(List<Path> paths) {
        return paths == null ? List.of() : paths.stream().filter(p -> !p.toString().isBlank()).toList();
    }
}
