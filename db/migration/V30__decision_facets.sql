-- History filters that page like the digest filter, at any size (issue 17, "History at 10 M").
--
-- Before: a filter on an impact fact (signer subject, issuer, key, builder id, source repository)
-- read every matching record out of a GIN index and sorted them before taking a page, and a rare
-- policy name was looked for during a backward scan of the whole table. Now each record's facets —
-- its policy names and the impact facts of every evidence item it used — are rows of
-- decision_facet, one B-tree in (field, value, sequence) order: a page is a backward range scan of
-- it, joined to the decision by sequence, whatever the number of matches.
--
-- The facets are derived from the record (a trigger, so every writer, COPY included, keeps them)
-- and are not covered by the record's hash: they are an index kept as a table. A history query
-- re-checks every condition on the decision row itself, so a facet can only propose a record,
-- never make one match. Values are kept as their MD5 (16 bytes, any length of value); a collision
-- only proposes a record that the re-check then drops.
CREATE TABLE decision_facet (
    field    text   NOT NULL CHECK (field IN ('policy', 'subject', 'issuer', 'key', 'builderId', 'sourceRepository')),
    value    uuid   NOT NULL,
    sequence bigint NOT NULL,
    PRIMARY KEY (field, value, sequence)
);

CREATE FUNCTION tollgate_decision_facets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decision_facet (field, value, sequence)
    SELECT DISTINCT f.field, md5(f.value)::uuid, NEW.sequence
    FROM (SELECT 'policy' AS field, p AS value FROM unnest(NEW.policy_names) p
          UNION ALL
          SELECT kv.key, kv.value #>> '{}'
          FROM jsonb_array_elements(CASE jsonb_typeof(NEW.impact) WHEN 'array' THEN NEW.impact ELSE '[]'::jsonb END) e,
               jsonb_each(CASE jsonb_typeof(e) WHEN 'object' THEN e ELSE '{}'::jsonb END) kv
          WHERE kv.key IN ('subject', 'issuer', 'key', 'builderId', 'sourceRepository')
            AND jsonb_typeof(kv.value) = 'string') f;
    RETURN NULL;
END
$$;

CREATE TRIGGER decision_facets AFTER INSERT ON decision
    FOR EACH ROW EXECUTE FUNCTION tollgate_decision_facets();

-- the records already there
INSERT INTO decision_facet (field, value, sequence)
SELECT DISTINCT f.field, md5(f.value)::uuid, f.sequence
FROM (SELECT 'policy' AS field, p AS value, d.sequence FROM decision d, unnest(d.policy_names) p
      UNION ALL
      SELECT kv.key, kv.value #>> '{}', d.sequence
      FROM decision d,
           jsonb_array_elements(CASE jsonb_typeof(d.impact) WHEN 'array' THEN d.impact ELSE '[]'::jsonb END) e,
           jsonb_each(CASE jsonb_typeof(e) WHEN 'object' THEN e ELSE '{}'::jsonb END) kv
      WHERE kv.key IN ('subject', 'issuer', 'key', 'builderId', 'sourceRepository')
        AND jsonb_typeof(kv.value) = 'string') f;

-- derived, but as append-only as what it is derived from
CREATE TRIGGER decision_facet_append_only BEFORE UPDATE OR DELETE ON decision_facet
    FOR EACH ROW EXECUTE FUNCTION tollgate_refuse_change();
CREATE TRIGGER decision_facet_no_truncate BEFORE TRUNCATE ON decision_facet
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_refuse_change();

-- the impact filters no longer read the GIN index over impact (one index less on every insert)
DROP INDEX decision_impact_idx;

-- a window, with or without an outcome: the page's sequences come from the index alone (an
-- index-only scan of the window's entries and a top-N of their sequences), then 51 records are read
CREATE INDEX decision_outcome_time_idx ON decision (outcome, decided_at, sequence);
CREATE INDEX decision_time_sequence_idx ON decision (decided_at, sequence);
DROP INDEX decision_time_idx;
