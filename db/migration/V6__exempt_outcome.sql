-- Admission reviews in namespaces exempt by configuration are recorded too, with outcome
-- 'exempt' (allowed, no policy). Their images may be given by tag only, so such a record may
-- have no digest; every other record still must have one.
ALTER TABLE decision DROP CONSTRAINT decision_outcome_check;
ALTER TABLE decision ADD CONSTRAINT decision_outcome_check CHECK (outcome IN ('allow', 'deny', 'warn', 'exempt'));

ALTER TABLE decision ALTER COLUMN artifact_digest DROP NOT NULL;
ALTER TABLE decision ADD CONSTRAINT decision_digest_unless_exempt CHECK (artifact_digest IS NOT NULL OR outcome = 'exempt');
