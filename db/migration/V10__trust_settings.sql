-- How held trust material is used, given with PUT next to the material itself:
-- a trusted root may accept bundles without a transparency-log entry (a signed timestamp from
-- one of its TSAs instead, as GitHub's instance for private repositories issues them), and a
-- public key may be valid only for signatures made in [valid_from, valid_until).
ALTER TABLE trust_material
    ADD COLUMN require_transparency_log boolean NOT NULL DEFAULT true,
    ADD COLUMN valid_from  timestamptz,
    ADD COLUMN valid_until timestamptz,
    ADD CONSTRAINT trust_material_validity_order
        CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until),
    ADD CONSTRAINT trust_material_settings_kind
        CHECK ((kind = 'key' OR (valid_from IS NULL AND valid_until IS NULL))
               AND (kind = 'root' OR require_transparency_log));
