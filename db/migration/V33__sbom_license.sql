-- The artifacts per license key (dev.tollgate.sbom): one row per (SPDX id, artifact digest), written
-- with the components in the indexer's transaction. The incident query by license pages along this
-- primary key in digest order, like a purl or name query along theirs; the GIN index on
-- sbom_component.license_keys gave every matching component row (millions for a common license)
-- to a sort before the first page could be taken. The components of a page's artifacts are then
-- read by document; the GIN index is no longer read and goes.
CREATE TABLE sbom_license (
    license_key     text NOT NULL,
    artifact_digest text NOT NULL,
    PRIMARY KEY (license_key, artifact_digest)
);

INSERT INTO sbom_license (license_key, artifact_digest)
SELECT DISTINCT k, c.artifact_digest FROM sbom_component c, unnest(c.license_keys) k;

DROP INDEX sbom_component_license_idx;
