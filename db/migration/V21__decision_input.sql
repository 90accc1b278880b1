-- The policy input of each decision (issue 13, replay): the roots its policies were evaluated on —
-- artifact, context, the verified signatures and attestations with their facts (predicates
-- included) and `now` — as JSON, with the index of each evidence item in the decision's evidence
-- list. Written in the same transaction as its decision by the audit writer, append-only like it.
-- It is not covered by the decision's chain hash: replay reads it, and a replayed outcome is a
-- prediction, never a record. `json`, not `jsonb`: it is only ever read whole, and text comes back
-- several times faster than jsonb is turned back into text. `input` is null (and `omitted` says why) when the input was too
-- large to keep (tollgate.audit.max-input-bytes).
CREATE TABLE decision_input (
    sequence bigint PRIMARY KEY CHECK (sequence > 0), -- the decision's (no foreign key: TRUNCATE decision must still meet its trigger)
    input    json,
    omitted  text,
    CHECK ((input IS NULL) <> (omitted IS NULL))
);

CREATE TRIGGER decision_input_append_only
    BEFORE UPDATE OR DELETE ON decision_input
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();

CREATE TRIGGER decision_input_no_truncate
    BEFORE TRUNCATE ON decision_input
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();
