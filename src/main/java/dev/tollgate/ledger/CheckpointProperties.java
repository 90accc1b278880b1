package dev.tollgate.ledger;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The decision ledger: the Merkle tree over the decision records and its signed checkpoints.
 *
 * @param origin             the checkpoint's origin line (and the name of its signing key), e.g. {@code tollgate.example.com/decisions}
 * @param checkpointInterval a checkpoint is made at least this often while decisions arrive
 * @param appendBatch        most records added to the tree in one transaction
 * @param publishDir         a directory the latest checkpoint is written to (file {@code checkpoint}), e.g. a mounted volume; unset: none
 * @param publishUrl         a URL each new checkpoint is POSTed to (text/plain), retried until it answers 2xx; unset: none
 * @param proofWait          how long {@code GET /v1/decisions/{id}/proof?wait=true} waits for a checkpoint that covers the decision
 */
@ConfigurationProperties("tollgate.audit")
record CheckpointProperties(@DefaultValue("tollgate.invalid/decisions") String origin,
        @DefaultValue("1s") Duration checkpointInterval, @DefaultValue("1000") int appendBatch, Path publishDir,
        URI publishUrl, @DefaultValue("3s") Duration proofWait) {

    CheckpointProperties {
        if (origin.isEmpty() || origin.chars().anyMatch(c -> c <= ' ' || c == '+' || c == 0x7f)) {
            throw new IllegalArgumentException("tollgate.audit.origin must be non-empty, without spaces, control characters or '+'");
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("tollgate.audit.checkpoint-interval must be positive");
        }
        if (appendBatch < 1) {
            throw new IllegalArgumentException("tollgate.audit.append-batch must be at least 1");
        }
        if (publishDir != null && publishDir.toString().isBlank()) {
            publishDir = null;
        }
    }
}
