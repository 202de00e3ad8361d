-- +goose Up
-- Investigation campaigns (排查整治行动): an org launches one with a title,
-- a period, a scope (an org subtree, optionally some industries and risk
-- levels), a checklist and a deadline. Launching cascades it down the tree
-- (一级抓一级): one task per territorial org in the scope, each with the task
-- of its parent org. Open hazards of earlier campaigns in the scope are
-- listed for re-checking (回头看). Progress is counted from the inspections
-- and hazards that carry the campaign's id, never typed in.
--
-- Nothing here is ever deleted: a draft that is not wanted is closed.
CREATE TABLE campaigns (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    launch_org_id INTEGER NOT NULL REFERENCES orgs(id), -- who asks (发起单位)
    scope_org_id  INTEGER NOT NULL REFERENCES orgs(id), -- the root of the subtree covered
    industries    TEXT NOT NULL DEFAULT '',             -- enterprise industry codes, comma-separated ('' = all)
    risk_levels   TEXT NOT NULL DEFAULT '',             -- risk levels, comma-separated ('' = all)
    template_id   INTEGER REFERENCES inspection_templates(id), -- the checklist (检查表) to use
    period_start  TEXT NOT NULL,                        -- YYYY-MM-DD
    period_end    TEXT NOT NULL,
    deadline      TEXT NOT NULL,                        -- tasks are due by the end of this day
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    launched_at   TIMESTAMP,
    launched_by   INTEGER REFERENCES users(id),
    closed_at     TIMESTAMP,
    closed_by     INTEGER REFERENCES users(id),
    close_note    TEXT NOT NULL DEFAULT '',
    CHECK (period_end >= period_start),
    CHECK (deadline >= period_start)
);
CREATE INDEX campaigns_launch_org ON campaigns(launch_org_id);
CREATE INDEX campaigns_status ON campaigns(status, id);

-- One task per org of the scope (区 → 乡镇街 → 村社区).
CREATE TABLE campaign_tasks (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns(id),
    org_id         INTEGER NOT NULL REFERENCES orgs(id),
    parent_task_id INTEGER REFERENCES campaign_tasks(id),
    owner_user_id  INTEGER REFERENCES users(id),        -- who answers for it; NULL: the org's staff
    -- Behind schedule (进度落后) as of the last checkpoint: behind, or
    -- overdue once the deadline has passed unfinished.
    flag           TEXT NOT NULL DEFAULT '' CHECK (flag IN ('', 'behind', 'overdue')),
    flag_detail    TEXT NOT NULL DEFAULT '',
    flagged_at     TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (campaign_id, org_id)
);
CREATE INDEX campaign_tasks_org ON campaign_tasks(org_id, campaign_id);
CREATE INDEX campaign_tasks_parent ON campaign_tasks(parent_task_id);

-- 回头看: open hazards of earlier campaigns in the scope, with the outcome
-- of the re-check recorded by the task's org.
CREATE TABLE campaign_rechecks (
    id               INTEGER PRIMARY KEY,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns(id),
    task_id          INTEGER NOT NULL REFERENCES campaign_tasks(id),
    hazard_id        INTEGER NOT NULL REFERENCES hazards(id),
    from_campaign_id INTEGER REFERENCES campaigns(id),
    status_at_launch TEXT NOT NULL,
    outcome          TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'still_open', 'fixed')),
    note             TEXT NOT NULL DEFAULT '',
    checked_by       INTEGER REFERENCES users(id),
    checked_by_name  TEXT NOT NULL DEFAULT '',
    checked_at       TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (campaign_id, hazard_id)
);
CREATE INDEX campaign_rechecks_task ON campaign_rechecks(task_id);
CREATE INDEX campaign_rechecks_hazard ON campaign_rechecks(hazard_id);

-- +goose StatementBegin
CREATE TRIGGER campaigns_no_delete BEFORE DELETE ON campaigns
BEGIN SELECT RAISE(ABORT, 'campaigns are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER campaign_tasks_no_delete BEFORE DELETE ON campaign_tasks
BEGIN SELECT RAISE(ABORT, 'campaign tasks are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER campaign_rechecks_no_delete BEFORE DELETE ON campaign_rechecks
BEGIN SELECT RAISE(ABORT, 'campaign re-checks are never deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER campaign_rechecks_no_delete;
DROP TRIGGER campaign_tasks_no_delete;
DROP TRIGGER campaigns_no_delete;
DROP TABLE campaign_rechecks;
DROP TABLE campaign_tasks;
DROP TABLE campaigns;
