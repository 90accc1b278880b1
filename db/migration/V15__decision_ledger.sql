-- The decision ledger (dev.tollgate.ledger): an RFC 9162 Merkle tree over the decision records in
-- sequence order, built after the records are committed, and the signed checkpoints of it.

-- Every complete subtree: level 0 are the leaves (index = sequence - 1), a node at (level, idx)
-- covers leaves [idx * 2^level, (idx + 1) * 2^level). Proofs for any tree size are read from here.
CREATE TABLE ledger_node (
    level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
    idx   bigint   NOT NULL CHECK (idx >= 0),
    hash  bytea    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- The tree's size and root, and the chain hash of its last record (one row).
CREATE TABLE ledger_state (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    size       bigint  NOT NULL CHECK (size >= 0),
    root       bytea   NOT NULL CHECK (length(root) = 32),
    chain_head text    NOT NULL CHECK (chain_head ~ '^[0-9a-f]{64}$')
);
INSERT INTO ledger_state (size, root, chain_head)
    VALUES (0, decode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'), repeat('0', 64));

-- Signed checkpoints (C2SP tlog-checkpoint signed notes), one per tree size they were made at.
CREATE TABLE ledger_checkpoint (
    size    bigint      PRIMARY KEY CHECK (size > 0),
    root    bytea       NOT NULL CHECK (length(root) = 32),
    note    text        NOT NULL,
    key_id  text        NOT NULL,
    made_at timestamptz NOT NULL
);

-- Where each checkpoint was published outside the database (directory, URL), and when.
CREATE TABLE ledger_publication (
    target       text        NOT NULL,
    size         bigint      NOT NULL REFERENCES ledger_checkpoint (size),
    published_at timestamptz NOT NULL,
    PRIMARY KEY (target, size)
);

CREATE TRIGGER ledger_node_append_only BEFORE UPDATE OR DELETE ON ledger_node
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();
CREATE TRIGGER ledger_node_no_truncate BEFORE TRUNCATE ON ledger_node
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();
CREATE TRIGGER ledger_checkpoint_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoint
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();
CREATE TRIGGER ledger_checkpoint_no_truncate BEFORE TRUNCATE ON ledger_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();
