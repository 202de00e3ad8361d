-- +goose Up
-- Inspections (检查记录): who inspected what, when, of which kind, against
-- which checklist (检查表), with the answers, the free findings and the
-- photos. A failed item or a finding becomes a hazard (隐患) in one action;
-- the hazard's id and number are written back on the row, once.
--
-- Nothing here is ever deleted. A submitted inspection is never changed (the
-- triggers below refuse it; only its place in the org tree follows an org
-- or an enterprise that moves, and a hazard link is written once); a draft
-- may be changed by its creator, and its rows with it.

-- Checklist templates (检查表), versioned: a new version is new rows, the
-- old version stays (inactive) so that old inspections keep pointing at the
-- items they answered. Items never change.
CREATE TABLE inspection_templates (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,                 -- stable across versions, e.g. crowded_fire
    name       TEXT NOT NULL,
    industries TEXT NOT NULL DEFAULT '',      -- enterprise industry codes it suits, comma-separated ('' = any)
    version    INTEGER NOT NULL CHECK (version >= 1),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_by INTEGER REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);
CREATE UNIQUE INDEX inspection_templates_active ON inspection_templates(code) WHERE active;

CREATE TABLE inspection_template_items (
    id          INTEGER PRIMARY KEY,
    template_id INTEGER NOT NULL REFERENCES inspection_templates(id),
    number      INTEGER NOT NULL CHECK (number >= 1),
    text        TEXT NOT NULL,
    category    TEXT NOT NULL,                -- a hazard category code: fire, electrical, special_equipment, hazchem, confined_space, dust, construction, gas, traffic, other
    basis       TEXT NOT NULL DEFAULT '',     -- 依据: the law, standard or clause
    UNIQUE (template_id, number)
);
-- +goose StatementBegin
CREATE TRIGGER inspection_template_items_fixed BEFORE UPDATE ON inspection_template_items
BEGIN SELECT RAISE(ABORT, 'checklist items never change: make a new version'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_template_items_no_delete BEFORE DELETE ON inspection_template_items
BEGIN SELECT RAISE(ABORT, 'checklist items are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_templates_no_delete BEFORE DELETE ON inspection_templates
BEGIN SELECT RAISE(ABORT, 'checklist templates are never deleted'); END;
-- +goose StatementEnd

CREATE TABLE inspections (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('self', 'territorial', 'department', 'leadership', 'joint', 'reinspection')),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    enterprise_id    INTEGER REFERENCES enterprises(id),
    enterprise_name  TEXT NOT NULL DEFAULT '',      -- copied when recorded
    place            TEXT NOT NULL DEFAULT '',      -- a place not in the register, or a spot inside the enterprise
    territory_org_id INTEGER NOT NULL REFERENCES orgs(id),
    -- The object path for scope filters: the enterprise's (<territory path>e<id>/),
    -- else the territory's; kept by the triggers below when either moves.
    path             TEXT NOT NULL,
    org_id           INTEGER REFERENCES orgs(id),   -- the inspecting org; NULL for a self-inspection
    leader_user_id   INTEGER REFERENCES users(id),  -- 带队领导
    participants     TEXT NOT NULL DEFAULT '',      -- others present who have no account (experts, other departments)
    inspected_at     TIMESTAMP NOT NULL,
    inspected_day    TEXT NOT NULL,                 -- YYYY-MM-DD in Asia/Shanghai, for date filters
    template_id      INTEGER REFERENCES inspection_templates(id),
    template_version INTEGER,
    summary          TEXT NOT NULL DEFAULT '',
    previous_id      INTEGER REFERENCES inspections(id), -- the inspection a re-inspection (复查) follows up
    campaign_id      INTEGER,                       -- 排查整治行动 (campaigns link in later)
    pass_count       INTEGER NOT NULL DEFAULT 0,
    fail_count       INTEGER NOT NULL DEFAULT 0,    -- failed items
    na_count         INTEGER NOT NULL DEFAULT 0,
    finding_count    INTEGER NOT NULL DEFAULT 0,    -- free findings
    created_by       INTEGER REFERENCES users(id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    submitted_at     TIMESTAMP,
    CHECK (enterprise_id IS NOT NULL OR place <> ''),
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
);
CREATE INDEX inspections_path ON inspections(path, inspected_at);
CREATE INDEX inspections_at ON inspections(inspected_at);
CREATE INDEX inspections_enterprise ON inspections(enterprise_id, inspected_at) WHERE enterprise_id IS NOT NULL;
CREATE INDEX inspections_territory ON inspections(territory_org_id);
CREATE INDEX inspections_previous ON inspections(previous_id) WHERE previous_id IS NOT NULL;
CREATE INDEX inspections_campaign ON inspections(campaign_id) WHERE campaign_id IS NOT NULL;

-- Inspectors (检查人员): the accounts that took part.
CREATE TABLE inspection_inspectors (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    name          TEXT NOT NULL,                    -- copied when recorded
    sort          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (inspection_id, user_id)
);
CREATE INDEX inspection_inspectors_user ON inspection_inspectors(user_id);

-- Answers: one per checklist item (result NULL: not answered yet, drafts only).
CREATE TABLE inspection_answers (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    item_id       INTEGER NOT NULL REFERENCES inspection_template_items(id),
    result        TEXT CHECK (result IN ('pass', 'fail', 'na')),
    note          TEXT NOT NULL DEFAULT '',
    hazard_id     INTEGER,                          -- the hazard registered from it (the hazard capability's table)
    hazard_number TEXT NOT NULL DEFAULT '',
    UNIQUE (inspection_id, item_id)
);
CREATE UNIQUE INDEX inspection_answers_hazard ON inspection_answers(hazard_id) WHERE hazard_id IS NOT NULL;

-- Free findings (其他发现): problems outside the checklist.
CREATE TABLE inspection_findings (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    number        INTEGER NOT NULL,
    text          TEXT NOT NULL,
    category      TEXT NOT NULL,
    location      TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    hazard_id     INTEGER,
    hazard_number TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspection_findings_inspection ON inspection_findings(inspection_id, number);
CREATE UNIQUE INDEX inspection_findings_hazard ON inspection_findings(hazard_id) WHERE hazard_id IS NOT NULL;

-- Photos: every photo is an attachment of the inspection (owner type
-- "inspection"); this says which answer or finding it shows (neither: the
-- inspection as a whole).
CREATE TABLE inspection_photos (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    attachment_id INTEGER NOT NULL REFERENCES attachments(id),
    answer_id     INTEGER REFERENCES inspection_answers(id),
    finding_id    INTEGER REFERENCES inspection_findings(id),
    PRIMARY KEY (inspection_id, attachment_id),
    CHECK (answer_id IS NULL OR finding_id IS NULL)
);

-- A submitted inspection is never changed, nor anything of it deleted.
-- +goose StatementBegin
CREATE TRIGGER inspections_no_delete BEFORE DELETE ON inspections
BEGIN SELECT RAISE(ABORT, 'inspections are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspections_submitted_fixed BEFORE UPDATE OF kind, status, enterprise_id, enterprise_name, place, org_id, leader_user_id,
    participants, inspected_at, inspected_day, template_id, template_version, summary, previous_id, campaign_id,
    pass_count, fail_count, na_count, finding_count, created_by, created_at, submitted_at ON inspections
WHEN OLD.status = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_answers_fixed BEFORE UPDATE OF inspection_id, item_id, result, note ON inspection_answers
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_answers_hazard_once BEFORE UPDATE OF hazard_id, hazard_number ON inspection_answers
WHEN OLD.hazard_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a hazard link is written once'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_answers_no_delete BEFORE DELETE ON inspection_answers
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_findings_fixed BEFORE UPDATE OF inspection_id, number, text, category, location, note ON inspection_findings
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_findings_hazard_once BEFORE UPDATE OF hazard_id, hazard_number ON inspection_findings
WHEN OLD.hazard_id IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a hazard link is written once'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_findings_no_delete BEFORE DELETE ON inspection_findings
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_inspectors_fixed BEFORE UPDATE ON inspection_inspectors
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_inspectors_no_delete BEFORE DELETE ON inspection_inspectors
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_photos_fixed BEFORE UPDATE ON inspection_photos
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspection_photos_no_delete BEFORE DELETE ON inspection_photos
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted inspection is never changed'); END;
-- +goose StatementEnd

-- The path follows an org that moves, and an enterprise that changes territory.
-- +goose StatementBegin
CREATE TRIGGER inspections_follow_org AFTER UPDATE OF path ON orgs
BEGIN
    UPDATE inspections SET path = NEW.path || CASE WHEN enterprise_id IS NULL THEN '' ELSE 'e' || enterprise_id || '/' END
    WHERE territory_org_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER inspections_follow_enterprise AFTER UPDATE OF territory_org_id ON enterprises
WHEN OLD.territory_org_id <> NEW.territory_org_id
BEGIN
    UPDATE inspections SET territory_org_id = NEW.territory_org_id,
        path = (SELECT path FROM orgs WHERE id = NEW.territory_org_id) || 'e' || NEW.id || '/'
    WHERE enterprise_id = NEW.id;
END;
-- +goose StatementEnd

-- Three checklists to start with, in short wording of our own; the basis
-- names the rule each item comes from (check the published texts before
-- relying on them).
INSERT INTO inspection_templates (code, name, industries, version, created_at) VALUES
    ('crowded_fire', '人员密集场所消防安全检查表', 'crowded,fire_key', 1, CURRENT_TIMESTAMP),
    ('catering_gas', '燃气使用场所（餐饮）安全检查表', 'catering', 1, CURRENT_TIMESTAMP),
    ('dust', '粉尘涉爆企业安全检查表', 'dust', 1, CURRENT_TIMESTAMP);
INSERT INTO inspection_template_items (template_id, number, text, category, basis)
SELECT t.id, v.column1, v.column2, v.column3, v.column4 FROM inspection_templates t, (VALUES
    (1, '安全出口、疏散通道畅通，没有锁闭、堵塞或占用', 'fire', '《中华人民共和国消防法》安全疏散的规定'),
    (2, '疏散指示标志、应急照明完好，断电后能亮', 'fire', '《中华人民共和国消防法》消防设施完好有效的规定'),
    (3, '灭火器、消火栓等配置齐全，压力正常，在有效期内', 'fire', '《中华人民共和国消防法》消防设施完好有效的规定'),
    (4, '电气线路无私拉乱接，无超负荷用电，配电箱周围无可燃物', 'electrical', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）'),
    (5, '电动自行车不在室内、楼道、安全出口处停放或充电', 'fire', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）'),
    (6, '营业期间无电焊、气割等动火作业，确需动火的已审批并有人监护', 'fire', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）'),
    (7, '每日防火巡查有记录，发现的问题已处理', 'fire', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）'),
    (8, '员工会报警、会扑救初起火灾、会组织疏散', 'fire', '《中华人民共和国安全生产法》第二十八条')
) v WHERE t.code = 'crowded_fire' AND t.version = 1;
INSERT INTO inspection_template_items (template_id, number, text, category, basis)
SELECT t.id, v.column1, v.column2, v.column3, v.column4 FROM inspection_templates t, (VALUES
    (1, '使用管道燃气或合格气瓶，气瓶有充装单位标识并在检验期内', 'gas', '《城镇燃气管理条例》'),
    (2, '安装可燃气体报警器并与紧急切断阀联动，工作正常', 'gas', '《城镇燃气管理条例》；GB 50028《城镇燃气设计规范》'),
    (3, '燃气软管不超过 2 米，无老化、龟裂，两端用卡箍固定，不穿墙', 'gas', 'GB 50028《城镇燃气设计规范》'),
    (4, '气瓶不存放在地下室、半地下室或通风不良处，使用与备用气瓶分开', 'gas', '《城镇燃气管理条例》'),
    (5, '不使用过期、报废或无熄火保护的燃具', 'gas', '《城镇燃气管理条例》'),
    (6, '厨房排油烟管道定期清洗并有记录', 'fire', '《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）'),
    (7, '操作人员会关闭燃气阀门，知道泄漏时的处置办法', 'gas', '《中华人民共和国安全生产法》第二十八条')
) v WHERE t.code = 'catering_gas' AND t.version = 1;
INSERT INTO inspection_template_items (template_id, number, text, category, basis)
SELECT t.id, v.column1, v.column2, v.column3, v.column4 FROM inspection_templates t, (VALUES
    (1, '粉尘爆炸危险场所不在非框架结构的多层建筑内，与宿舍等人员密集场所距离足够', 'dust', '《工贸企业重大事故隐患判定标准》粉尘涉爆部分'),
    (2, '不同防火分区的除尘系统不互联互通，可燃粉尘不与可燃气体共用除尘系统', 'dust', '《工贸企业重大事故隐患判定标准》粉尘涉爆部分'),
    (3, '除尘器安装了锁气卸灰、泄爆或抑爆等防爆装置，且完好', 'dust', '《工贸企业粉尘防爆安全规定》'),
    (4, '按制度清理作业场所积尘，设备、地面、墙面无明显积尘', 'dust', '《工贸企业粉尘防爆安全规定》'),
    (5, '粉尘爆炸危险场所使用防爆电气设备，线路无破损、裸露', 'electrical', 'GB 15577《粉尘防爆安全规程》'),
    (6, '设备和管道有效接地，防静电措施落实', 'dust', 'GB 15577《粉尘防爆安全规程》'),
    (7, '危险区域动火作业办理审批，作业前清理积尘并停止相关设备', 'dust', '《工贸企业粉尘防爆安全规定》'),
    (8, '从业人员接受粉尘防爆安全培训，知道风险和应急措施', 'dust', '《中华人民共和国安全生产法》第二十八条')
) v WHERE t.code = 'dust' AND t.version = 1;

-- +goose Down
DROP TRIGGER inspections_follow_enterprise;
DROP TRIGGER inspections_follow_org;
DROP TABLE inspection_photos;
DROP TABLE inspection_findings;
DROP TABLE inspection_answers;
DROP TABLE inspection_inspectors;
DROP TABLE inspections;
DROP TABLE inspection_template_items;
DROP TABLE inspection_templates;
