-- +goose Up
-- Enterprises and places (生产经营单位/场所) that safety work is about. An
-- enterprise belongs to the territory (属地) org and is regulated by an
-- industry department (行业监管部门). Objects about an enterprise (its
-- hazards, inspections) carry the path <territory path>e<id>/, so that an
-- enterprise contact (企业联络人), whose grant is scoped there, sees only
-- them, while government staff above the territory see them too.
CREATE TABLE enterprises (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL DEFAULT 'enterprise' CHECK (kind IN ('enterprise', 'place')),
    name                 TEXT NOT NULL,
    uscc                 TEXT UNIQUE,           -- 统一社会信用代码, 18 characters; NULL for a place without one
    address              TEXT NOT NULL DEFAULT '',
    territory_org_id     INTEGER NOT NULL REFERENCES orgs(id),
    regulator_org_id     INTEGER REFERENCES orgs(id),
    industry             TEXT NOT NULL DEFAULT '',
    risk_level           TEXT NOT NULL DEFAULT 'low' CHECK (risk_level IN ('major', 'large', 'general', 'low')), -- 重大/较大/一般/低
    key_enterprise       BOOLEAN NOT NULL DEFAULT FALSE, -- 重点企业
    crowded_place        BOOLEAN NOT NULL DEFAULT FALSE, -- 人员密集场所
    major_hazard_source  BOOLEAN NOT NULL DEFAULT FALSE, -- 重大危险源
    principal_name       TEXT NOT NULL DEFAULT '',       -- 主要负责人
    principal_phone      TEXT NOT NULL DEFAULT '',
    safety_officer_name  TEXT NOT NULL DEFAULT '',       -- 安全管理人员
    safety_officer_phone TEXT NOT NULL DEFAULT '',
    closed               BOOLEAN NOT NULL DEFAULT FALSE, -- 已关闭/注销: kept, never deleted
    founded_on           TEXT NOT NULL DEFAULT '',       -- 成立日期 YYYY-MM-DD, '' when unknown
    -- The territory org's path, kept by the triggers below (also when an org
    -- moves), so that a scope or subtree filter is one index range on this
    -- table instead of a join over every row.
    territory_path       TEXT NOT NULL DEFAULT '',
    -- 0 major … 3 low: the register's default order as an index.
    risk_rank            INTEGER GENERATED ALWAYS AS (CASE risk_level WHEN 'major' THEN 0 WHEN 'large' THEN 1 WHEN 'general' THEN 2 ELSE 3 END) STORED,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX enterprises_territory ON enterprises(territory_org_id);
CREATE INDEX enterprises_regulator ON enterprises(regulator_org_id);
-- Lists: count a scope from the index alone; the first page in risk order,
-- or by name, without sorting the whole register.
CREATE INDEX enterprises_scope ON enterprises(closed, territory_path);
CREATE INDEX enterprises_risk_order ON enterprises(closed, risk_rank, name, id);
CREATE INDEX enterprises_name_order ON enterprises(closed, name, id);
CREATE INDEX enterprises_industry ON enterprises(closed, industry, risk_rank, name, id);
-- +goose StatementBegin
CREATE TRIGGER enterprises_path_insert AFTER INSERT ON enterprises
BEGIN
    UPDATE enterprises SET territory_path = (SELECT path FROM orgs WHERE id = NEW.territory_org_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER enterprises_path_update AFTER UPDATE OF territory_org_id ON enterprises
BEGIN
    UPDATE enterprises SET territory_path = (SELECT path FROM orgs WHERE id = NEW.territory_org_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER enterprises_follow_org AFTER UPDATE OF path ON orgs
BEGIN
    UPDATE enterprises SET territory_path = NEW.path WHERE territory_org_id = NEW.id;
END;
-- +goose StatementEnd

-- An enterprise contact's account names the enterprise it speaks for.
ALTER TABLE users ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);
CREATE INDEX users_enterprise ON users(enterprise_id);

-- +goose Down
DROP INDEX users_enterprise;
ALTER TABLE users DROP COLUMN enterprise_id;
DROP TRIGGER enterprises_follow_org;
DROP TABLE enterprises;
