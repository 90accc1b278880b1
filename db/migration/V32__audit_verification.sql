-- Every run of GET /v1/audit/verify, and where the next incremental run starts (issue 12, item 9).
--
-- A run re-hashes the records from its start to the head and rebuilds the Merkle tree over them;
-- where that tree reaches the size of a signed checkpoint its root must be the signed one. A valid
-- run keeps, as its anchor, the largest checkpoint size it reached: the next incremental run starts
-- at that record and first proves it is the one the checkpoint signed (its leaf, recomputed from
-- the stored columns, with the stored subtrees before it, gives the signed root), so no row here is
-- trusted on its own word: a forged anchor can only name another signed checkpoint (docs/audit.md,
-- "Verifying the chain"). Append-only, like the log.
CREATE TABLE audit_verification (
    id              bigserial   PRIMARY KEY,
    verified_at     timestamptz NOT NULL,
    requester       text        NOT NULL,
    full_check      boolean     NOT NULL,
    from_sequence   bigint      NOT NULL CHECK (from_sequence >= 1),
    to_sequence     bigint      NOT NULL CHECK (to_sequence >= 0),
    valid           boolean     NOT NULL,
    broken_sequence bigint,
    reason          text,
    -- the anchor: a signed checkpoint's size, its root, and the chain hash of the record at that sequence
    anchor_size     bigint      CHECK (anchor_size > 0),
    anchor_root     bytea       CHECK (length(anchor_root) = 32),
    anchor_hash     text        CHECK (anchor_hash ~ '^[0-9a-f]{64}$'),
    CHECK ((anchor_size IS NULL) = (anchor_root IS NULL) AND (anchor_size IS NULL) = (anchor_hash IS NULL)),
    CHECK (valid OR anchor_size IS NULL)
);

CREATE TRIGGER audit_verification_append_only BEFORE UPDATE OR DELETE ON audit_verification
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();
CREATE TRIGGER audit_verification_no_truncate BEFORE TRUNCATE ON audit_verification
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();
