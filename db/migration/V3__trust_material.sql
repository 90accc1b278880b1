-- Trusted roots (Sigstore trusted_root.json) and public keys (PEM), in one namespace.
CREATE TABLE trust_material (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    kind       text        NOT NULL CHECK (kind IN ('root', 'key')),
    content    bytea       NOT NULL,
    sha256     text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text        NOT NULL
);

-- Small server-wide facts, such as whether the shipped trust root was ever installed.
CREATE TABLE tollgate_setting (
    key   text PRIMARY KEY,
    value text NOT NULL
);
