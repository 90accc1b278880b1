-- The decision record: append-only, one row per decision, chained by hash. Every column but
-- `hash` is covered by `hash` (see dev.tollgate.audit.DecisionChain), so altering any stored
-- field, the filterable ones included, breaks the chain from that sequence on.
CREATE TABLE decision (
    sequence        bigint      PRIMARY KEY CHECK (sequence > 0),
    decision_id     uuid        NOT NULL UNIQUE,
    decided_at      timestamptz NOT NULL,
    requester       text        NOT NULL,
    source          text        NOT NULL CHECK (source IN ('api', 'admission')),
    dry_run         boolean     NOT NULL,
    artifact_digest text        NOT NULL CHECK (artifact_digest ~ '^sha256:[0-9a-f]{64}$'),
    artifact_name   text,
    artifact_tag    text,
    allowed         boolean     NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('allow', 'deny', 'warn')),
    policy_names    text[]      NOT NULL,
    -- one object per verified evidence item used: subject, issuer, key, builderId, sourceRepository
    impact          jsonb       NOT NULL,
    -- what was asked: context and, per evidence item, its digests
    request         jsonb       NOT NULL,
    -- the answer exactly as returned
    response        jsonb       NOT NULL,
    previous_hash   text        NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
    hash            text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE INDEX decision_digest_idx ON decision (artifact_digest, sequence DESC);
CREATE INDEX decision_name_idx ON decision (artifact_name, sequence DESC);
CREATE INDEX decision_time_idx ON decision (decided_at);
CREATE INDEX decision_outcome_idx ON decision (outcome, sequence DESC);
CREATE INDEX decision_policies_idx ON decision USING gin (policy_names);
CREATE INDEX decision_impact_idx ON decision USING gin (impact jsonb_path_ops);

CREATE TRIGGER decision_append_only
    BEFORE UPDATE OR DELETE ON decision
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();

CREATE TRIGGER decision_no_truncate
    BEFORE TRUNCATE ON decision
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();

-- Verified evidence kept per artifact digest, so that later decisions (admission) can use it.
-- It is verified again, against the trust material held then, every time it is used.
CREATE TABLE artifact_evidence (
    artifact_digest  text        NOT NULL CHECK (artifact_digest ~ '^sha256:[0-9a-f]{64}$'),
    signature_sha256 text        NOT NULL,
    bundle_sha256    text        NOT NULL,
    bundle           text        NOT NULL,
    payload          bytea,
    kind             text        NOT NULL CHECK (kind IN ('signature', 'attestation')),
    facts            jsonb       NOT NULL,
    trust            jsonb       NOT NULL,
    first_seen       timestamptz NOT NULL,
    first_decision   uuid        NOT NULL,
    PRIMARY KEY (artifact_digest, signature_sha256)
);
