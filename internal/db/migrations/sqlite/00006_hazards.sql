-- +goose Up
-- Hazards (隐患): registration, rectification to closure (销号), the ledger
-- (台账). Nothing here is ever deleted: triggers refuse it.

-- Categories (隐患类别): configurable, seeded with the usual ones.
CREATE TABLE hazard_categories (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    name_en    TEXT NOT NULL DEFAULT '',
    sort       INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO hazard_categories (code, name, name_en, sort, updated_at) VALUES
    ('fire', '消防', 'Fire', 10, CURRENT_TIMESTAMP),
    ('electrical', '电气', 'Electrical', 20, CURRENT_TIMESTAMP),
    ('special_equipment', '特种设备', 'Special equipment', 30, CURRENT_TIMESTAMP),
    ('hazchem', '危化品', 'Hazardous chemicals', 40, CURRENT_TIMESTAMP),
    ('confined_space', '有限空间', 'Confined spaces', 50, CURRENT_TIMESTAMP),
    ('dust', '粉尘涉爆', 'Combustible dust', 60, CURRENT_TIMESTAMP),
    ('construction', '建筑施工', 'Construction', 70, CURRENT_TIMESTAMP),
    ('gas', '燃气', 'Gas', 80, CURRENT_TIMESTAMP),
    ('traffic', '交通', 'Traffic', 90, CURRENT_TIMESTAMP),
    ('other', '其他', 'Other', 1000, CURRENT_TIMESTAMP);

-- The grading reference (重大事故隐患判定标准): a versioned table of the
-- clauses a major hazard can meet. A new version of a standard is new rows;
-- old rows stay (inactive) so that old hazards keep pointing at what they met.
-- The seed paraphrases a handful of clauses; check them against the
-- published text before relying on them.
CREATE TABLE hazard_standards (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    clause     TEXT NOT NULL,
    text       TEXT NOT NULL,
    category   TEXT REFERENCES hazard_categories(code),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version, clause)
);
INSERT INTO hazard_standards (code, name, version, clause, text, category, created_at) VALUES
    ('应急管理部令第10号', '工贸企业重大事故隐患判定标准', '2023', '第四条第（二）项', '特种作业人员未经专门安全作业培训、未取得相应资格即上岗作业。', 'electrical', CURRENT_TIMESTAMP),
    ('应急管理部令第10号', '工贸企业重大事故隐患判定标准', '2023', '第四条第（一）项', '未对承包、承租单位的安全生产统一协调、管理，或未定期进行安全检查。', 'other', CURRENT_TIMESTAMP),
    ('应急管理部令第10号', '工贸企业重大事故隐患判定标准', '2023', '粉尘涉爆第（一）项', '粉尘爆炸危险场所设在非框架结构的多层建筑内，或与宿舍、会议室等人员密集场所安全距离不足。', 'dust', CURRENT_TIMESTAMP),
    ('应急管理部令第10号', '工贸企业重大事故隐患判定标准', '2023', '粉尘涉爆第（二）项', '可燃性粉尘与可燃气体等介质共用一套除尘系统，或不同防火分区的除尘系统互联互通。', 'dust', CURRENT_TIMESTAMP),
    ('应急管理部令第10号', '工贸企业重大事故隐患判定标准', '2023', '有限空间第（一）项', '未辨识有限空间作业场所、未建立台账并设置明显的安全警示标志。', 'confined_space', CURRENT_TIMESTAMP),
    ('应急管理部令第10号', '工贸企业重大事故隐患判定标准', '2023', '有限空间第（二）项', '有限空间作业未经审批，或未执行“先通风、再检测、后作业”。', 'confined_space', CURRENT_TIMESTAMP),
    ('安监总管三〔2017〕121号', '化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）', '2017', '第（一）项', '危险化学品生产、经营单位主要负责人和安全生产管理人员未依法经考核合格。', 'hazchem', CURRENT_TIMESTAMP),
    ('安监总管三〔2017〕121号', '化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）', '2017', '第（四）项', '涉及重点监管危险化工工艺的装置未实现自动化控制，或紧急停车系统未投入使用。', 'hazchem', CURRENT_TIMESTAMP),
    ('安监总管三〔2017〕121号', '化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）', '2017', '第（七）项', '液化烃、液氨、液氯等液化气体充装未使用万向管道充装系统。', 'hazchem', CURRENT_TIMESTAMP),
    ('建质规〔2022〕2号', '房屋市政工程生产安全重大事故隐患判定标准', '2022', '第四条', '施工单位未取得安全生产许可证擅自从事建筑施工活动。', 'construction', CURRENT_TIMESTAMP);

-- Settings: days before a deadline to remind, days overdue before the
-- district hears of it, and the district leader in charge of work safety
-- (分管领导) whom overdue major hazards reach.
CREATE TABLE hazard_settings (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    remind_days    INTEGER NOT NULL DEFAULT 3 CHECK (remind_days BETWEEN 0 AND 60),
    escalate_days  INTEGER NOT NULL DEFAULT 7 CHECK (escalate_days BETWEEN 1 AND 365),
    leader_user_id INTEGER REFERENCES users(id),
    updated_at     TIMESTAMP NOT NULL
);
INSERT INTO hazard_settings (id, updated_at) VALUES (1, CURRENT_TIMESTAMP);

-- Numbers YH-<year>-<serial>: one counter row per year, incremented inside
-- the registering transaction (the row lock serialises servers on PostgreSQL).
CREATE TABLE hazard_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE hazards (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    source              TEXT NOT NULL CHECK (source IN ('inspection', 'self_report', 'tip', 'daily_report_item', 'campaign', 'import', 'other')),
    source_ref          TEXT NOT NULL DEFAULT '',
    campaign_id         INTEGER,                         -- 排查整治行动 (campaigns link in later)
    enterprise_id       INTEGER REFERENCES enterprises(id),
    enterprise_name     TEXT NOT NULL DEFAULT '',        -- copied at registration
    territory_org_id    INTEGER NOT NULL REFERENCES orgs(id),
    path                TEXT NOT NULL,                   -- the object path: the enterprise's, else the territory's
    supervising_org_id  INTEGER NOT NULL REFERENCES orgs(id),
    industry            TEXT NOT NULL DEFAULT '',        -- copied from the enterprise
    risk_level          TEXT NOT NULL DEFAULT '',        -- copied from the enterprise
    location            TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL,
    category            TEXT NOT NULL REFERENCES hazard_categories(code),
    grade               TEXT NOT NULL CHECK (grade IN ('general', 'major')),
    standard_id         INTEGER REFERENCES hazard_standards(id),
    found_at            TIMESTAMP NOT NULL,
    found_day           TEXT NOT NULL,
    found_by_user_id    INTEGER REFERENCES users(id),
    finder_name         TEXT NOT NULL DEFAULT '',
    responsible_org_id  INTEGER REFERENCES orgs(id),
    responsible_unit    TEXT NOT NULL DEFAULT '',
    responsible_person  TEXT NOT NULL DEFAULT '',
    responsible_user_id INTEGER REFERENCES users(id),
    rectify_mode        TEXT NOT NULL DEFAULT 'deadline' CHECK (rectify_mode IN ('immediate', 'deadline')),
    measures            TEXT NOT NULL DEFAULT '',
    funds_cents         INTEGER NOT NULL DEFAULT 0,
    deadline            TEXT NOT NULL,                   -- YYYY-MM-DD; overdue is computed from it
    status              TEXT NOT NULL CHECK (status IN ('registered', 'rectifying', 'awaiting_acceptance', 'closed', 'cancelled')),
    ext_deadline        TEXT,                            -- a pending extension request
    ext_reason          TEXT NOT NULL DEFAULT '',
    ext_requested_by    INTEGER REFERENCES users(id),
    major_state_cause   TEXT NOT NULL DEFAULT '',        -- 现状及其产生原因
    major_harm          TEXT NOT NULL DEFAULT '',        -- 危害程度和整改难易程度
    plan_goal           TEXT NOT NULL DEFAULT '',        -- 治理方案: 目标任务
    plan_method         TEXT NOT NULL DEFAULT '',        -- 方法措施
    plan_funds          TEXT NOT NULL DEFAULT '',        -- 经费物资
    plan_staff          TEXT NOT NULL DEFAULT '',        -- 机构人员
    plan_schedule       TEXT NOT NULL DEFAULT '',        -- 时限要求
    plan_safety         TEXT NOT NULL DEFAULT '',        -- 安全措施和应急预案
    listed_org_id       INTEGER REFERENCES orgs(id),     -- 挂牌督办
    listed_deadline     TEXT,
    listed_at           TIMESTAMP,
    listed_by           INTEGER REFERENCES users(id),
    rectified_at        TIMESTAMP,
    rectified_day       TEXT,
    rectified_by        INTEGER REFERENCES users(id),
    closed_at           TIMESTAMP,
    closed_day          TEXT,
    closed_by           INTEGER REFERENCES users(id),
    closed_by_name      TEXT NOT NULL DEFAULT '',
    search_text         TEXT NOT NULL DEFAULT '',
    created_by          INTEGER REFERENCES users(id),
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    CHECK (deadline >= found_day)
);
-- The ledger's filters, each with its sort (SQLite appends the rowid).
CREATE INDEX hazards_found ON hazards(found_at);
CREATE INDEX hazards_path ON hazards(path, found_at);
CREATE INDEX hazards_status ON hazards(status, found_at);
CREATE INDEX hazards_grade ON hazards(grade, found_at);
CREATE INDEX hazards_category ON hazards(category, found_at);
CREATE INDEX hazards_industry ON hazards(industry, found_at);
CREATE INDEX hazards_enterprise ON hazards(enterprise_id, found_at) WHERE enterprise_id IS NOT NULL;
CREATE INDEX hazards_campaign ON hazards(campaign_id, found_at) WHERE campaign_id IS NOT NULL;
CREATE INDEX hazards_deadline ON hazards(deadline);
-- Overdue = still to be rectified and past the deadline.
CREATE INDEX hazards_overdue ON hazards(deadline, found_at) WHERE status IN ('registered', 'rectifying');
-- The ledger walks these in the order of its sort when a filter matches
-- many rows (open, to rectify, overdue) rather than sort all of them.
CREATE INDEX hazards_open_found ON hazards(found_at) WHERE status IN ('registered', 'rectifying', 'awaiting_acceptance');
CREATE INDEX hazards_todo_found ON hazards(found_at, deadline) WHERE status IN ('registered', 'rectifying');
-- Open hazards by territory for the statistics.
CREATE INDEX hazards_open ON hazards(territory_org_id, grade, status, deadline) WHERE status IN ('registered', 'rectifying', 'awaiting_acceptance');
-- +goose StatementBegin
CREATE TRIGGER hazards_no_delete BEFORE DELETE ON hazards
BEGIN SELECT RAISE(ABORT, 'hazards are never deleted'); END;
-- +goose StatementEnd

-- Chinese substring search: an FTS5 index with the trigram tokenizer, kept
-- in sync by triggers (shorter queries fall back to a bounded LIKE).
CREATE VIRTUAL TABLE hazards_fts USING fts5(search_text, content='hazards', content_rowid='id', tokenize='trigram');
-- +goose StatementBegin
CREATE TRIGGER hazards_fts_insert AFTER INSERT ON hazards
BEGIN INSERT INTO hazards_fts (rowid, search_text) VALUES (new.id, new.search_text); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hazards_fts_update AFTER UPDATE OF search_text ON hazards
BEGIN
    INSERT INTO hazards_fts (hazards_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO hazards_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd

-- The timeline (处置过程): one row per step, never changed.
CREATE TABLE hazard_steps (
    id            INTEGER PRIMARY KEY,
    hazard_id     INTEGER NOT NULL REFERENCES hazards(id),
    action        TEXT NOT NULL,
    from_status   TEXT NOT NULL DEFAULT '',
    to_status     TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    actor_name    TEXT NOT NULL DEFAULT '',
    actor_org_id  INTEGER REFERENCES orgs(id),
    at            TIMESTAMP NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    old_deadline  TEXT,
    new_deadline  TEXT,
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hazard_steps_hazard ON hazard_steps(hazard_id, id);
-- +goose StatementBegin
CREATE TRIGGER hazard_steps_no_update BEFORE UPDATE ON hazard_steps
BEGIN SELECT RAISE(ABORT, 'hazard steps cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hazard_steps_no_delete BEFORE DELETE ON hazard_steps
BEGIN SELECT RAISE(ABORT, 'hazard steps cannot be deleted'); END;
-- +goose StatementEnd

-- Counts per territory and day, kept in the transaction of every change, so
-- that a period's statistics sum a few thousand rows instead of scanning
-- every hazard: found (cancelled ones leave), of those found now closed,
-- closed that day, and closed that day on time. Keyed by day first: a
-- period is one range of the key.
CREATE TABLE hazard_tally (
    org_id         INTEGER NOT NULL REFERENCES orgs(id),
    day            TEXT NOT NULL,
    found          INTEGER NOT NULL DEFAULT 0,
    found_closed   INTEGER NOT NULL DEFAULT 0,
    closed         INTEGER NOT NULL DEFAULT 0,
    closed_on_time INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, org_id)
) WITHOUT ROWID;

-- The same by month ('2026-11'): a period of years sums whole months here
-- and only its ragged ends by day.
CREATE TABLE hazard_tally_month (
    month          TEXT NOT NULL,
    org_id         INTEGER NOT NULL REFERENCES orgs(id),
    found          INTEGER NOT NULL DEFAULT 0,
    found_closed   INTEGER NOT NULL DEFAULT 0,
    closed         INTEGER NOT NULL DEFAULT 0,
    closed_on_time INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, org_id)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE hazard_tally_month;
DROP TABLE hazard_tally;
DROP TABLE hazard_steps;
DROP TABLE hazards_fts;
DROP TABLE hazards;
DROP TABLE hazard_counters;
DROP TABLE hazard_settings;
DROP TABLE hazard_standards;
DROP TABLE hazard_categories;
