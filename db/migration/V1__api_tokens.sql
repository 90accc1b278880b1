-- Bearer tokens. The secret itself is never stored: only the SHA-256 of it.
CREATE TABLE api_token (
    name          text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    secret_sha256 text        NOT NULL UNIQUE CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    roles         text[]      NOT NULL CHECK (cardinality(roles) > 0
                                  AND roles <@ ARRAY['decider', 'policy-admin', 'auditor', 'admin']),
    created_at    timestamptz NOT NULL,
    created_by    text        NOT NULL
);
