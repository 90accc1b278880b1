-- Admission reviews of a workload annotated tollgate.dev/break-glass, in a namespace where
-- break-glass is enabled by configuration (tollgate.admission.break-glass.namespaces, none by
-- default), are evaluated as usual; a decision its policies refuse is admitted instead and
-- recorded with outcome 'break-glass' (allowed, the policies' outcomes as evaluated, the reason
-- and the requesting user in the response). Such a record always has a digest.
ALTER TABLE decision DROP CONSTRAINT decision_outcome_check;
ALTER TABLE decision ADD CONSTRAINT decision_outcome_check
    CHECK (outcome IN ('allow', 'deny', 'warn', 'exempt', 'break-glass'));
