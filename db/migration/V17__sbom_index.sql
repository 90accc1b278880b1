-- The SBOM index (dev.tollgate.sbom): the components of every verified SBOM attestation, per
-- artifact digest, once per SBOM. Filled after the fact from artifact_evidence by the indexer;
-- nothing here is read on a decision's path, and it can be rebuilt from artifact_evidence.

-- Every kept attestation the indexer has looked at (SBOM or not), so that each is read once.
CREATE TABLE sbom_scan (
    artifact_digest  text        NOT NULL,
    signature_sha256 text        NOT NULL,
    -- indexed: an SBOM (document names it); duplicate: an SBOM already indexed for this artifact;
    -- not-sbom: another predicate; unreadable: an SBOM predicate whose content could not be read
    outcome          text        NOT NULL CHECK (outcome IN ('indexed', 'duplicate', 'not-sbom', 'unreadable')),
    detail           text,
    document_id      bigint,
    scanned_at       timestamptz NOT NULL,
    PRIMARY KEY (artifact_digest, signature_sha256)
);

-- One SBOM per artifact digest and in-toto statement (the SHA-256 of the signed payload): the
-- same statement signed twice, or used by many decisions, is indexed once.
CREATE TABLE sbom_document (
    id               bigserial   PRIMARY KEY,
    artifact_digest  text        NOT NULL CHECK (artifact_digest ~ '^sha256:[0-9a-f]{64}$'),
    statement_sha256 text        NOT NULL CHECK (statement_sha256 ~ '^[0-9a-f]{64}$'),
    signature_sha256 text        NOT NULL,
    predicate_type   text        NOT NULL,
    format           text        NOT NULL CHECK (format IN ('spdx', 'cyclonedx')),
    spec_version     text,
    components       integer     NOT NULL,
    first_seen       timestamptz NOT NULL,
    first_decision   uuid        NOT NULL,
    indexed_at       timestamptz NOT NULL,
    UNIQUE (artifact_digest, statement_sha256)
);

CREATE TABLE sbom_component (
    document_id     bigint  NOT NULL REFERENCES sbom_document (id),
    artifact_digest text    NOT NULL,
    -- the purl's type (maven, npm, pypi, deb, ...), or null without a purl
    ecosystem       text,
    purl            text,
    -- the purl without version, qualifiers and subpath, canonical: what ?purl= matches
    purl_base       text,
    name            text    NOT NULL,
    version         text,
    -- as written in the SBOM (ids, names or expressions), and the SPDX ids found in them, lower case
    licenses        text[]  NOT NULL,
    license_keys    text[]  NOT NULL,
    -- {"SHA-256": "<hex>", ...}
    hashes          jsonb   NOT NULL
);

CREATE INDEX sbom_component_purl_idx ON sbom_component (purl_base, artifact_digest);
CREATE INDEX sbom_component_name_idx ON sbom_component (lower(name), artifact_digest);
CREATE INDEX sbom_component_license_idx ON sbom_component USING gin (license_keys) WITH (fastupdate = off);
CREATE INDEX sbom_component_document_idx ON sbom_component (document_id);
CREATE INDEX sbom_document_digest_idx ON sbom_document (artifact_digest);
