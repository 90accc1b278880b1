-- Policies and their immutable versions. A policy has at most one active version; deactivating
-- keeps its history, and decisions keep pointing at the version they used.
CREATE TABLE policy (
    name           text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    active_version integer,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE policy_version (
    policy_name text        NOT NULL REFERENCES policy (name),
    version     integer     NOT NULL CHECK (version > 0),
    -- the uploaded bytes exactly (UTF-8, possibly with a BOM or CRLF); sha256 is over these bytes
    source      bytea       NOT NULL,
    sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    mode        text        NOT NULL CHECK (mode IN ('enforce', 'warn', 'audit')),
    description text,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    PRIMARY KEY (policy_name, version)
);

ALTER TABLE policy ADD CONSTRAINT policy_active_version_fk
    FOREIGN KEY (name, active_version) REFERENCES policy_version (policy_name, version)
    DEFERRABLE INITIALLY DEFERRED;

-- versions never change once written
CREATE FUNCTION tollgate_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is not allowed: rows are immutable', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER policy_version_immutable
    BEFORE UPDATE OR DELETE ON policy_version
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();

CREATE TRIGGER policy_version_no_truncate
    BEFORE TRUNCATE ON policy_version
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();
