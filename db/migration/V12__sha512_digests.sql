-- Artifacts may be named by a SHA-512 digest as well (npm's `integrity`, npm provenance subjects):
-- `sha512:` and 128 lowercase hex digits, beside `sha256:` and 64. Nothing stored changes.
ALTER TABLE decision DROP CONSTRAINT decision_artifact_digest_check;
ALTER TABLE decision ADD CONSTRAINT decision_artifact_digest_check
    CHECK (artifact_digest ~ '^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$');

ALTER TABLE artifact_evidence DROP CONSTRAINT artifact_evidence_artifact_digest_check;
ALTER TABLE artifact_evidence ADD CONSTRAINT artifact_evidence_artifact_digest_check
    CHECK (artifact_digest ~ '^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$');
