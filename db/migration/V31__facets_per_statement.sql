-- The decision path (issue 10, "no slower"; issue 17 item 4): facets once per statement, one index less.
--
-- V30 derived each record's facets in a row trigger: one PL/pgSQL call and one INSERT per decision
-- inside the audit writer's commit. The same rows now come from one INSERT … SELECT per statement
-- over the statement's new rows (a transition table), so a group commit of many decisions — and a
-- COPY of a million — pays for it once. What is derived is unchanged: every writer still keeps
-- the facets, and history queries still re-check every condition on the record.
--
-- The GIN index over policy_names is not read any more: a policy filter pages along
-- decision_facet (V30), and the remaining `policy_names @>` conditions are checks on rows found
-- by other means. It was the costliest index of every insert.
DROP TRIGGER decision_facets ON decision;
DROP FUNCTION tollgate_decision_facets();

CREATE FUNCTION tollgate_decision_facets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO decision_facet (field, value, sequence)
    SELECT DISTINCT f.field, md5(f.value)::uuid, f.sequence
    FROM (SELECT 'policy' AS field, p AS value, n.sequence FROM added n, unnest(n.policy_names) p
          UNION ALL
          SELECT kv.key, kv.value #>> '{}', n.sequence
          FROM added n,
               jsonb_array_elements(CASE jsonb_typeof(n.impact) WHEN 'array' THEN n.impact ELSE '[]'::jsonb END) e,
               jsonb_each(CASE jsonb_typeof(e) WHEN 'object' THEN e ELSE '{}'::jsonb END) kv
          WHERE kv.key IN ('subject', 'issuer', 'key', 'builderId', 'sourceRepository')
            AND jsonb_typeof(kv.value) = 'string') f;
    RETURN NULL;
END
$$;

CREATE TRIGGER decision_facets AFTER INSERT ON decision
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION tollgate_decision_facets();

DROP INDEX decision_policies_idx;
