-- +goose Up
-- The clock engine: every timed duty is an obligation row. One sweeper takes
-- rows whose time has come, runs their handler and records the event.
CREATE TABLE obligations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    due_at      TIMESTAMP NOT NULL,
    warn_at     TIMESTAMP,
    payload     TEXT NOT NULL DEFAULT '{}',
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'warned', 'fired', 'cancelled')),
    next_at     TIMESTAMP NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    fired_at    TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX obligations_next ON obligations(state, next_at);
-- What the engine did, never changed.
CREATE TABLE obligation_events (
    id            INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id),
    kind          TEXT NOT NULL,
    key           TEXT NOT NULL,
    event         TEXT NOT NULL,
    at            TIMESTAMP NOT NULL,
    detail        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX obligation_events_obligation ON obligation_events(obligation_id);

-- Daily zero report (每日零报告).
-- Which orgs report beyond the default (every township, street and zone), and at which tier.
CREATE TABLE report_units (
    org_id     INTEGER PRIMARY KEY REFERENCES orgs(id),
    reports    BOOLEAN NOT NULL,
    tier       TEXT NOT NULL CHECK (tier IN ('township', 'village')),
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE report_ping_tokens (
    org_id     INTEGER PRIMARY KEY REFERENCES orgs(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
-- A deadline changed during a day whose new time has already passed applies
-- from the next day: prev_deadline and changed_at keep that day's.
CREATE TABLE report_tiers (
    tier          TEXT PRIMARY KEY CHECK (tier IN ('township', 'village')),
    deadline      TEXT NOT NULL,
    prev_deadline TEXT,
    changed_at    TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL
);
INSERT INTO report_tiers (tier, deadline, updated_at) VALUES ('township', '17:00', CURRENT_TIMESTAMP), ('village', '16:00', CURRENT_TIMESTAMP);
-- Who receives what: the two desks and the leader a unit's repeated silence goes to.
CREATE TABLE report_settings (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    safety_desk_org_id    INTEGER REFERENCES orgs(id),
    stability_desk_org_id INTEGER REFERENCES orgs(id),
    escalate_user_id      INTEGER REFERENCES users(id),
    updated_at            TIMESTAMP NOT NULL
);
INSERT INTO report_settings (id, updated_at) VALUES (1, CURRENT_TIMESTAMP);
-- Heightened periods (重要节点): report every day, optionally earlier.
CREATE TABLE report_periods (
    id         INTEGER PRIMARY KEY,
    start_day  TEXT NOT NULL,
    end_day    TEXT NOT NULL,
    deadline   TEXT,
    name       TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE daily_reports (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES orgs(id),
    day               TEXT NOT NULL,
    version           INTEGER NOT NULL,
    submitted_at      TIMESTAMP NOT NULL,
    user_id           INTEGER REFERENCES users(id),
    channel           TEXT NOT NULL,
    on_behalf         BOOLEAN NOT NULL DEFAULT FALSE,
    safety_nothing    BOOLEAN NOT NULL,
    stability_nothing BOOLEAN NOT NULL,
    receipt           TEXT NOT NULL UNIQUE,
    late              BOOLEAN NOT NULL,
    corrected_late    BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (org_id, day, version)
);
CREATE INDEX daily_reports_day ON daily_reports(day);
CREATE TABLE daily_report_items (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES daily_reports(id),
    half            TEXT NOT NULL CHECK (half IN ('safety', 'stability')),
    category        TEXT NOT NULL,
    summary         TEXT NOT NULL,
    place           TEXT NOT NULL DEFAULT '',
    occurred_at     TEXT NOT NULL DEFAULT '',
    severity        TEXT NOT NULL DEFAULT 'normal',
    follow_up       BOOLEAN NOT NULL DEFAULT FALSE,
    acknowledged_at TIMESTAMP,
    acknowledged_by INTEGER REFERENCES users(id),
    link_kind       TEXT NOT NULL DEFAULT '',
    link_ref        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX daily_report_items_report ON daily_report_items(report_id);
-- One row per unit and day once the day has a status beyond pending.
CREATE TABLE report_days (
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    day           TEXT NOT NULL,
    tier          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('on_time', 'late', 'missing')),
    deadline_at   TIMESTAMP NOT NULL,
    first_at      TIMESTAMP,
    minutes_late  INTEGER NOT NULL DEFAULT 0,
    versions      INTEGER NOT NULL DEFAULT 0,
    classified_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, day)
);
CREATE INDEX report_days_day ON report_days(day, status);
-- Follow-up tasks made from reported items (a later issue links hazards, cases, incidents).
CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES daily_report_items(id),
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    title       TEXT NOT NULL,
    assignee_id INTEGER REFERENCES users(id),
    due_day     TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    created_by  INTEGER REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    done_at     TIMESTAMP
);

-- +goose Down
DROP TABLE followups;
DROP TABLE report_days;
DROP TABLE daily_report_items;
DROP TABLE daily_reports;
DROP TABLE report_periods;
DROP TABLE report_settings;
DROP TABLE report_tiers;
DROP TABLE report_ping_tokens;
DROP TABLE report_units;
DROP TABLE obligation_events;
DROP TABLE obligations;
