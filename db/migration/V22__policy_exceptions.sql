-- Governed exceptions (docs/exceptions.md): a policy's rule failures turned into warnings for
-- one artifact digest or for artifact names matching a glob, until an expiry, once a second
-- token approved them. The row holds the exception's current state; every change of it is also
-- a row of policy_exception_event (append-only) and of admin_event, in the same transaction.
CREATE TABLE policy_exception (
    id           uuid        PRIMARY KEY,
    scope_digest text,
    scope_name   text,
    policy       text        NOT NULL,
    rules        text[],
    reason       text        NOT NULL,
    ticket       text        NOT NULL,
    expires_at   timestamptz NOT NULL,
    requested_by text        NOT NULL,
    created_at   timestamptz NOT NULL,
    approved_by  text,
    approved_at  timestamptz,
    revoked_by   text,
    revoked_at   timestamptz,
    revoke_reason text,
    CONSTRAINT policy_exception_one_scope CHECK ((scope_digest IS NULL) <> (scope_name IS NULL)),
    CONSTRAINT policy_exception_approval CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
    CONSTRAINT policy_exception_revocation CHECK ((revoked_by IS NULL) = (revoked_at IS NULL)),
    CONSTRAINT policy_exception_two_people CHECK (approved_by IS NULL OR approved_by <> requested_by),
    CONSTRAINT policy_exception_expiry CHECK (expires_at > created_at)
);

-- what a decision asks: the approved, unrevoked exceptions of a digest (or any name glob) not yet expired
CREATE INDEX policy_exception_digest_idx ON policy_exception (scope_digest, expires_at)
    WHERE approved_at IS NOT NULL AND revoked_at IS NULL;
CREATE INDEX policy_exception_name_idx ON policy_exception (expires_at)
    WHERE scope_name IS NOT NULL AND approved_at IS NOT NULL AND revoked_at IS NULL;
CREATE INDEX policy_exception_created_idx ON policy_exception (created_at DESC, id DESC);

-- an exception's history: request, approval, revocation
CREATE TABLE policy_exception_event (
    sequence     bigserial   PRIMARY KEY,
    exception_id uuid        NOT NULL REFERENCES policy_exception (id),
    recorded_at  timestamptz NOT NULL,
    actor        text        NOT NULL,
    action       text        NOT NULL CHECK (action IN ('exception.request', 'exception.approve', 'exception.revoke')),
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX policy_exception_event_idx ON policy_exception_event (exception_id, sequence);

CREATE TRIGGER policy_exception_event_append_only
    BEFORE UPDATE OR DELETE ON policy_exception_event
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();

CREATE TRIGGER policy_exception_event_no_truncate
    BEFORE TRUNCATE ON policy_exception_event
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();
