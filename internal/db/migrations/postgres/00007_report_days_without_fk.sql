-- +goose Up
-- A deadline writes a row for every silent unit at once (100,000 in the
-- benchmark). Checking each row's org against orgs cost 0.6–0.8 s of a
-- 1-second target, for a rule the schema can keep another way: organisations
-- are never deleted (nothing in Anwen deletes one, and this trigger refuses
-- it), so a unit-day's org always exists.
ALTER TABLE report_days DROP CONSTRAINT report_days_org_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION orgs_never_deleted() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'organisations are never deleted';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER orgs_never_deleted BEFORE DELETE ON orgs FOR EACH ROW EXECUTE FUNCTION orgs_never_deleted();

-- +goose Down
DROP TRIGGER orgs_never_deleted ON orgs;
DROP FUNCTION orgs_never_deleted();
ALTER TABLE report_days ADD CONSTRAINT report_days_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs(id);
