-- Who changed what: token, policy, trust and configuration changes, append-only like decisions.
-- Each row is written in the same transaction as the change it describes.
CREATE TABLE admin_event (
    sequence    bigserial   PRIMARY KEY,
    recorded_at timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL CHECK (action ~ '^[a-z]+(\.[a-z-]+)+$'),
    target      text        NOT NULL,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX admin_event_time_idx ON admin_event (recorded_at);
CREATE INDEX admin_event_target_idx ON admin_event (target, sequence DESC);

CREATE TRIGGER admin_event_append_only
    BEFORE UPDATE OR DELETE ON admin_event
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();

CREATE TRIGGER admin_event_no_truncate
    BEFORE TRUNCATE ON admin_event
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();

-- Revoked tokens stay listed (their name is not reused); a secret chosen by an operator (the
-- bootstrap token) is kept only as a salted, memory-hard hash (Argon2id, PHC string), never as a
-- plain SHA-256 that an offline guess could test cheaply.
ALTER TABLE api_token ALTER COLUMN secret_sha256 DROP NOT NULL;
ALTER TABLE api_token ADD COLUMN secret_kdf text;
ALTER TABLE api_token ADD COLUMN revoked_at timestamptz;
ALTER TABLE api_token ADD COLUMN revoked_by text;
ALTER TABLE api_token ADD CONSTRAINT api_token_one_secret
    CHECK ((secret_sha256 IS NULL) <> (secret_kdf IS NULL));
ALTER TABLE api_token ADD CONSTRAINT api_token_revocation
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL));
