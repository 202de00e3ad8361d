-- +goose Up
-- Disputes (矛盾纠纷排查化解): disputes found by villages and townships before
-- they become petitions, followed to resolution (化解) or passed on to a
-- petition case (转信访) or to court (转诉讼). Nothing here is ever deleted:
-- triggers refuse it. The parties' name and phone are personal data of the
-- public: sealed by internal/sealed (columns *_sealed hold envelopes
-- "v1:<key id>:…", never the plain value), with a blind index (HMAC) of
-- the phone for equality search.

-- Types (纠纷类型): configurable, seeded with the usual ones.
CREATE TABLE dispute_types (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    name_en    TEXT NOT NULL DEFAULT '',
    sort       INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO dispute_types (code, name, name_en, sort, updated_at) VALUES
    ('wages', '欠薪', 'Unpaid wages', 10, CURRENT_TIMESTAMP),
    ('land', '土地', 'Land', 20, CURRENT_TIMESTAMP),
    ('expropriation', '征地拆迁', 'Expropriation and demolition', 30, CURRENT_TIMESTAMP),
    ('neighbour', '邻里', 'Neighbours', 40, CURRENT_TIMESTAMP),
    ('family', '婚姻家庭', 'Marriage and family', 50, CURRENT_TIMESTAMP),
    ('property', '物业', 'Property management', 60, CURRENT_TIMESTAMP),
    ('construction', '工程质量', 'Construction quality', 70, CURRENT_TIMESTAMP),
    ('environment', '环境', 'Environment', 80, CURRENT_TIMESTAMP),
    ('labour', '劳动争议', 'Labour', 90, CURRENT_TIMESTAMP),
    ('medical', '医疗', 'Medical', 100, CURRENT_TIMESTAMP),
    ('traffic', '交通事故', 'Traffic accidents', 110, CURRENT_TIMESTAMP),
    ('other', '其他', 'Other', 1000, CURRENT_TIMESTAMP);

-- Risk levels (风险等级) with their colours (places use 3 or 4: 红黄绿 or
-- 红橙黄蓝) and who must lead a dispute of the level (包案领导): a person
-- of the township (the territory's 乡镇/街道/开发区) or of the district
-- whose post is one of lead_posts. lead_scope '' requires no one.
CREATE TABLE dispute_risk_levels (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    name_en    TEXT NOT NULL DEFAULT '',
    color      TEXT NOT NULL CHECK (length(color) = 7),
    sort       INTEGER NOT NULL DEFAULT 0,
    lead_scope TEXT NOT NULL DEFAULT '' CHECK (lead_scope IN ('', 'township', 'district')),
    lead_posts TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO dispute_risk_levels (code, name, name_en, color, sort, lead_scope, lead_posts, updated_at) VALUES
    ('red', '红色', 'Red', '#c62828', 10, 'township', '党委书记,党工委书记', CURRENT_TIMESTAMP),
    ('orange', '橙色', 'Orange', '#e8710a', 20, 'township', '镇长,乡长,办事处主任,管委会主任', CURRENT_TIMESTAMP),
    ('yellow', '黄色', 'Yellow', '#f2b600', 30, '', '', CURRENT_TIMESTAMP),
    ('blue', '蓝色', 'Blue', '#1a73e8', 40, '', '', CURRENT_TIMESTAMP);

-- Settings: days before a deadline to remind, and the default time to resolve.
CREATE TABLE dispute_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    remind_days  INTEGER NOT NULL DEFAULT 3 CHECK (remind_days BETWEEN 0 AND 60),
    default_days INTEGER NOT NULL DEFAULT 30 CHECK (default_days BETWEEN 1 AND 365),
    updated_at   TIMESTAMP NOT NULL
);
INSERT INTO dispute_settings (id, updated_at) VALUES (1, CURRENT_TIMESTAMP);

-- Numbers MD-<year>-<serial>: one counter row per year, incremented inside
-- the registering transaction.
CREATE TABLE dispute_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE disputes (
    id                   INTEGER PRIMARY KEY,
    number               TEXT NOT NULL UNIQUE,
    source_ref           TEXT NOT NULL DEFAULT '',        -- e.g. 导入:<number in the imported ledger>
    occurred_at          TIMESTAMP NOT NULL,              -- 发生/受理时间
    occurred_day         TEXT NOT NULL,
    place                TEXT NOT NULL DEFAULT '',        -- 地点
    type_code            TEXT NOT NULL REFERENCES dispute_types(code),
    summary              TEXT NOT NULL,                   -- 纠纷简要情况
    parties              TEXT NOT NULL DEFAULT '',        -- 涉及人员 (who, as groups: no personal data)
    party_count          INTEGER NOT NULL CHECK (party_count BETWEEN 1 AND 100000),
    many_people          BOOLEAN NOT NULL,                -- 5 or more people (群体性)
    party_name_sealed    TEXT NOT NULL DEFAULT '',        -- the lead party's name, sealed
    party_phone_sealed   TEXT NOT NULL DEFAULT '',        -- the lead party's phone, sealed
    party_phone_index    TEXT NOT NULL DEFAULT '',        -- blind index of the phone
    amount_cents         INTEGER NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    risk_level           TEXT NOT NULL REFERENCES dispute_risk_levels(code),
    urgency              TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'critical')),
    territory_org_id     INTEGER NOT NULL REFERENCES orgs(id), -- 管辖单位
    path                 TEXT NOT NULL,                   -- the territory's path
    responsible_org_id   INTEGER REFERENCES orgs(id),     -- 责任单位
    resp_path            TEXT NOT NULL DEFAULT '',        -- its path: who covers it sees the dispute too
    responsible_unit     TEXT NOT NULL DEFAULT '',
    responsible_person   TEXT NOT NULL DEFAULT '',        -- 负责人
    responsible_user_id  INTEGER REFERENCES users(id),
    resolver             TEXT NOT NULL DEFAULT '',        -- 化解责任人
    lead_name            TEXT NOT NULL DEFAULT '',        -- 包案领导
    lead_title           TEXT NOT NULL DEFAULT '',
    lead_user_id         INTEGER REFERENCES users(id),
    supervising_org_id   INTEGER REFERENCES orgs(id),     -- 督办部门
    deadline             TEXT NOT NULL,                   -- 化解期限, YYYY-MM-DD
    ob_key               TEXT NOT NULL DEFAULT '',        -- the key of the deadline's obligation in the clock engine
    status               TEXT NOT NULL CHECK (status IN ('registered', 'resolving', 'stable', 'resolved', 'to_petition', 'to_court')),
    outcome              TEXT NOT NULL DEFAULT '',        -- 调解结果 when resolved
    transfer_reason      TEXT NOT NULL DEFAULT '',
    transfer_ref         TEXT NOT NULL DEFAULT '',        -- the petition case or court case number
    closed_at            TIMESTAMP,
    closed_day           TEXT,
    search_text          TEXT NOT NULL DEFAULT '',
    created_by           INTEGER REFERENCES users(id),
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CHECK (many_people = (party_count >= 5))
);
CREATE INDEX disputes_path ON disputes(path, occurred_at, id);
CREATE INDEX disputes_resp_path ON disputes(resp_path, occurred_at, id) WHERE resp_path <> '';
CREATE INDEX disputes_occurred ON disputes(occurred_at, id);
CREATE INDEX disputes_status ON disputes(status, occurred_at);
CREATE INDEX disputes_type ON disputes(type_code, occurred_at);
CREATE INDEX disputes_risk ON disputes(risk_level, occurred_at);
CREATE INDEX disputes_open_deadline ON disputes(deadline) WHERE status IN ('registered', 'resolving', 'stable');
CREATE INDEX disputes_phone ON disputes(party_phone_index) WHERE party_phone_index <> '';

-- Mediation sessions (化解过程): each meeting, its method and outcome.
CREATE TABLE dispute_sessions (
    id           INTEGER PRIMARY KEY,
    dispute_id   INTEGER NOT NULL REFERENCES disputes(id),
    held_at      TIMESTAMP NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('negotiation', 'people_mediation', 'administrative', 'judicial', 'joint', 'arbitration', 'other')),
    mediator     TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL CHECK (outcome IN ('agreed', 'partial', 'failed', 'continuing')),
    note         TEXT NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX dispute_sessions_dispute ON dispute_sessions(dispute_id, held_at);

-- The timeline: one row per step, never changed.
CREATE TABLE dispute_steps (
    id            INTEGER PRIMARY KEY,
    dispute_id    INTEGER NOT NULL REFERENCES disputes(id),
    action        TEXT NOT NULL,
    from_status   TEXT NOT NULL DEFAULT '',
    to_status     TEXT NOT NULL,
    session_id    INTEGER REFERENCES dispute_sessions(id),
    actor_user_id INTEGER REFERENCES users(id),
    actor_name    TEXT NOT NULL DEFAULT '',
    at            TIMESTAMP NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dispute_steps_dispute ON dispute_steps(dispute_id, id);

-- +goose StatementBegin
CREATE TRIGGER disputes_no_delete BEFORE DELETE ON disputes
BEGIN SELECT RAISE(ABORT, 'disputes are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dispute_sessions_no_update BEFORE UPDATE ON dispute_sessions
BEGIN SELECT RAISE(ABORT, 'dispute sessions cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dispute_sessions_no_delete BEFORE DELETE ON dispute_sessions
BEGIN SELECT RAISE(ABORT, 'dispute sessions cannot be deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dispute_steps_no_update BEFORE UPDATE ON dispute_steps
BEGIN SELECT RAISE(ABORT, 'dispute steps cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dispute_steps_no_delete BEFORE DELETE ON dispute_steps
BEGIN SELECT RAISE(ABORT, 'dispute steps cannot be deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE dispute_steps;
DROP TABLE dispute_sessions;
DROP TABLE disputes;
DROP TABLE dispute_counters;
DROP TABLE dispute_settings;
DROP TABLE dispute_risk_levels;
DROP TABLE dispute_types;
