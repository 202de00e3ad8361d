-- +goose Up
-- Copies of rarely changed rows (a bearer token's person and grants, a
-- reporting unit) are kept by each server until any of these tables changes:
-- every change sends NOTIFY anwen_changes, which every server LISTENs to
-- (internal/db/changes.go). Statement-level, so a bulk import notifies once.
-- +goose StatementBegin
CREATE FUNCTION anwen_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('anwen_changes', TG_TABLE_NAME);
	RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER api_tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION anwen_notify_change();
CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION anwen_notify_change();
CREATE TRIGGER user_roles_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_roles FOR EACH STATEMENT EXECUTE FUNCTION anwen_notify_change();
CREATE TRIGGER orgs_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON orgs FOR EACH STATEMENT EXECUTE FUNCTION anwen_notify_change();
CREATE TRIGGER enterprises_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON enterprises FOR EACH STATEMENT EXECUTE FUNCTION anwen_notify_change();
CREATE TRIGGER report_units_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_units FOR EACH STATEMENT EXECUTE FUNCTION anwen_notify_change();
CREATE TRIGGER report_ping_tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_ping_tokens FOR EACH STATEMENT EXECUTE FUNCTION anwen_notify_change();

-- +goose Down
DROP TRIGGER report_ping_tokens_changed ON report_ping_tokens;
DROP TRIGGER report_units_changed ON report_units;
DROP TRIGGER enterprises_changed ON enterprises;
DROP TRIGGER orgs_changed ON orgs;
DROP TRIGGER user_roles_changed ON user_roles;
DROP TRIGGER users_changed ON users;
DROP TRIGGER api_tokens_changed ON api_tokens;
DROP FUNCTION anwen_notify_change();
