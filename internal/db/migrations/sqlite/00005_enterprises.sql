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
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX enterprises_territory ON enterprises(territory_org_id);
CREATE INDEX enterprises_regulator ON enterprises(regulator_org_id);

-- An enterprise contact's account names the enterprise it speaks for.
ALTER TABLE users ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);

-- +goose Down
ALTER TABLE users DROP COLUMN enterprise_id;
DROP TABLE enterprises;
