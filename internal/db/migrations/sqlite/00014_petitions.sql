-- +goose Up
-- Petition cases (信访事项, 信访工作条例 2022): registered by the petition
-- bureau from every channel, routed (转送/交办) to the org that handles them,
-- accepted or declined, answered (处理意见书), reviewed (复查) and reviewed
-- again (复核), each time limit an obligation in the clock engine. Nothing
-- here is ever deleted: triggers refuse it. The petitioners' names, ID
-- numbers, phones and addresses and the content of accusations are sealed
-- by internal/sealed (columns *_sealed hold envelopes "v1:<key id>:…",
-- never the plain value), with blind indexes (HMAC) of ID numbers and
-- phones for equality search and repeat-petition suggestions.

-- Settings: the petition bureau (信访局; when NULL, the daily report's
-- stability desk), the discipline organ whose queue accusations go to
-- (纪检监察机关), and the 6-digit area code (行政区划代码) numbers start
-- with (empty: the district org's code).
CREATE TABLE petition_settings (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    bureau_org_id     INTEGER REFERENCES orgs(id),
    discipline_org_id INTEGER REFERENCES orgs(id),
    area_code         TEXT NOT NULL DEFAULT '',
    updated_at        TIMESTAMP NOT NULL
);
INSERT INTO petition_settings (id, updated_at) VALUES (1, CURRENT_TIMESTAMP);

-- Numbers <area>-<year>-<serial>: one counter row per area and year,
-- incremented inside the registering transaction.
CREATE TABLE petition_counters (
    area TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (area, year)
);

CREATE TABLE petitions (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    channel             TEXT NOT NULL CHECK (channel IN ('online', 'letter', 'phone', 'fax', 'visit', 'hotline', 'transferred', 'assigned')),
    source_org          TEXT NOT NULL DEFAULT '',        -- the higher level it came from (transferred, assigned)
    source_ref          TEXT NOT NULL DEFAULT '',        -- its number there
    received_at         TIMESTAMP NOT NULL,              -- 收到
    registered_at       TIMESTAMP NOT NULL,              -- 登记
    registered_day      TEXT NOT NULL,
    category            TEXT NOT NULL CHECK (category IN ('suggestion', 'accusation', 'claim')),
    subject             TEXT NOT NULL,                   -- 领域
    place               TEXT NOT NULL DEFAULT '',
    place_org_id        INTEGER REFERENCES orgs(id),
    request             TEXT NOT NULL DEFAULT '',        -- 诉求 (plain; '' for an accusation)
    facts               TEXT NOT NULL DEFAULT '',        -- 事实和理由 (plain; '' for an accusation)
    request_sealed      TEXT NOT NULL DEFAULT '',        -- an accusation's 诉求, sealed
    facts_sealed        TEXT NOT NULL DEFAULT '',        -- an accusation's facts, sealed
    accused_sealed      TEXT NOT NULL DEFAULT '',        -- who is accused, as written, sealed
    petitioner_count    INTEGER NOT NULL CHECK (petitioner_count BETWEEN 1 AND 5),
    head_count          INTEGER NOT NULL CHECK (head_count BETWEEN 1 AND 100000),
    collective          BOOLEAN NOT NULL,                -- 集体访: 5 or more people
    accused_org_id      INTEGER REFERENCES orgs(id),     -- the org accused (its members never see the case)
    accused_path        TEXT NOT NULL DEFAULT '',
    accused_user_id     INTEGER REFERENCES users(id),    -- the person accused, when they have an account
    bureau_org_id       INTEGER NOT NULL REFERENCES orgs(id),
    bureau_path         TEXT NOT NULL,
    handling_org_id     INTEGER REFERENCES orgs(id),     -- 办理单位 (routed to)
    handling_path       TEXT NOT NULL DEFAULT '',
    handler_user_id     INTEGER REFERENCES users(id),    -- who accepted it
    route_kind          TEXT NOT NULL DEFAULT '' CHECK (route_kind IN ('', 'transfer', 'assign', 'discipline')),
    review_org_id       INTEGER REFERENCES orgs(id),     -- 复查/复核机关 now answering
    review_path         TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('registered', 'routed', 'objected', 'discipline', 'accepted', 'declined', 'replied',
                                                        'review_requested', 'reviewed', 'rereview_requested', 'concluded', 'closed')),
    round               INTEGER NOT NULL DEFAULT 0 CHECK (round BETWEEN 0 AND 2), -- 0 处理, 1 复查, 2 复核
    -- The legal clock now running: the duty (route, accept, handle, review,
    -- rereview), when it started, the 75 % mark and the end (the first
    -- moment past the last day); clock_level is what the engine has
    -- marked (0, 75, 90, 100 = overdue).
    period              TEXT NOT NULL DEFAULT '' CHECK (period IN ('', 'route', 'accept', 'handle', 'review', 'rereview')),
    period_start        TIMESTAMP,
    warn_at             TIMESTAMP,
    due_at              TIMESTAMP,
    clock_level         INTEGER NOT NULL DEFAULT 0,
    ob_seq              INTEGER NOT NULL DEFAULT 0,      -- the key of the period's obligations
    -- A window that runs beside or after a duty: the objection period (5
    -- working days) or the petitioner's review request period (30 days);
    -- window_end is its last day.
    window_kind         TEXT NOT NULL DEFAULT '' CHECK (window_kind IN ('', 'object', 'review', 'rereview')),
    window_end          TEXT NOT NULL DEFAULT '',
    routed_at           TIMESTAMP,
    accepted_at         TIMESTAMP,
    extension_days      INTEGER NOT NULL DEFAULT 0 CHECK (extension_days BETWEEN 0 AND 30),
    served_day          TEXT NOT NULL DEFAULT '',        -- the day the last written answer was served
    key_case            BOOLEAN NOT NULL DEFAULT FALSE,  -- 重点信访案件
    supervised_count    INTEGER NOT NULL DEFAULT 0,      -- 督办
    repeat_of           INTEGER REFERENCES petitions(id), -- 重复信访
    same_claim          BOOLEAN NOT NULL DEFAULT FALSE,
    query_code_hash     TEXT NOT NULL DEFAULT '',        -- the public query code, hashed
    rating              TEXT NOT NULL DEFAULT '' CHECK (rating IN ('', 'satisfied', 'basic', 'unsatisfied')),
    rated_at            TIMESTAMP,
    closed_at           TIMESTAMP,
    search_text         TEXT NOT NULL DEFAULT '',
    created_by          INTEGER REFERENCES users(id),
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
-- The ledger: newest first by keyset on (registered_at, id), each filter
-- with an index in that order.
CREATE INDEX petitions_registered ON petitions(registered_at, id);
CREATE INDEX petitions_status ON petitions(status, registered_at, id);
CREATE INDEX petitions_category ON petitions(category, registered_at, id);
CREATE INDEX petitions_channel ON petitions(channel, registered_at, id);
CREATE INDEX petitions_subject ON petitions(subject, registered_at, id);
CREATE INDEX petitions_handling ON petitions(handling_path, registered_at, id);
CREATE INDEX petitions_review ON petitions(review_path, registered_at, id) WHERE review_path <> '';
CREATE INDEX petitions_key ON petitions(registered_at, id) WHERE key_case;
-- The clock: what runs late, what is due soon.
CREATE INDEX petitions_due ON petitions(due_at, id) WHERE period <> '';
CREATE INDEX petitions_warn ON petitions(warn_at, id) WHERE period <> '';
CREATE INDEX petitions_repeat ON petitions(repeat_of) WHERE repeat_of IS NOT NULL;
CREATE INDEX petitions_place ON petitions(subject, place_org_id, registered_at);
CREATE UNIQUE INDEX petitions_query_code ON petitions(query_code_hash) WHERE query_code_hash <> '';

-- The petitioners (信访人): one or several; a collective visit names at
-- most 5 representatives (代表) and a head count on the case.
CREATE TABLE petition_people (
    id              INTEGER PRIMARY KEY,
    petition_id     INTEGER NOT NULL REFERENCES petitions(id),
    seq             INTEGER NOT NULL,
    representative  BOOLEAN NOT NULL DEFAULT FALSE,
    name_sealed     TEXT NOT NULL,
    id_sealed       TEXT NOT NULL DEFAULT '',
    id_index        TEXT NOT NULL DEFAULT '',
    phone_sealed    TEXT NOT NULL DEFAULT '',
    phone_index     TEXT NOT NULL DEFAULT '',
    address_sealed  TEXT NOT NULL DEFAULT '',
    UNIQUE (petition_id, seq)
);
CREATE INDEX petition_people_phone ON petition_people(phone_index, petition_id) WHERE phone_index <> '';
CREATE INDEX petition_people_id ON petition_people(id_index, petition_id) WHERE id_index <> '';

-- Written answers: the reply (处理意见书), the review (复查意见) and the
-- second review (复核意见).
CREATE TABLE petition_opinions (
    id          INTEGER PRIMARY KEY,
    petition_id INTEGER NOT NULL REFERENCES petitions(id),
    round       INTEGER NOT NULL CHECK (round BETWEEN 0 AND 2),
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    decision    TEXT NOT NULL,
    facts       TEXT NOT NULL DEFAULT '',
    reasons     TEXT NOT NULL DEFAULT '',
    basis       TEXT NOT NULL DEFAULT '',
    agreement   TEXT NOT NULL DEFAULT '' CHECK (agreement IN ('', 'mediation', 'settlement')),
    served_day  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (petition_id, round)
);

-- 回避: a handler with a conflict of interest steps aside and loses access.
CREATE TABLE petition_recusals (
    id          INTEGER PRIMARY KEY,
    petition_id INTEGER NOT NULL REFERENCES petitions(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    reason      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (user_id, petition_id)
);
CREATE INDEX petition_recusals_petition ON petition_recusals(petition_id);

-- The timeline: one row per step, never changed.
CREATE TABLE petition_steps (
    id            INTEGER PRIMARY KEY,
    petition_id   INTEGER NOT NULL REFERENCES petitions(id),
    action        TEXT NOT NULL,
    from_status   TEXT NOT NULL DEFAULT '',
    to_status     TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    actor_name    TEXT NOT NULL DEFAULT '',
    org_id        INTEGER REFERENCES orgs(id),
    at            TIMESTAMP NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    opinion_id    INTEGER REFERENCES petition_opinions(id)
);
CREATE INDEX petition_steps_petition ON petition_steps(petition_id, id);

-- +goose StatementBegin
CREATE TRIGGER petitions_no_delete BEFORE DELETE ON petitions
BEGIN SELECT RAISE(ABORT, 'petitions are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER petition_people_no_delete BEFORE DELETE ON petition_people
BEGIN SELECT RAISE(ABORT, 'petitioners are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER petition_opinions_no_update BEFORE UPDATE ON petition_opinions
BEGIN SELECT RAISE(ABORT, 'written answers cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER petition_opinions_no_delete BEFORE DELETE ON petition_opinions
BEGIN SELECT RAISE(ABORT, 'written answers cannot be deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER petition_recusals_no_delete BEFORE DELETE ON petition_recusals
BEGIN SELECT RAISE(ABORT, 'recusals cannot be deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER petition_steps_no_update BEFORE UPDATE ON petition_steps
BEGIN SELECT RAISE(ABORT, 'petition steps cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER petition_steps_no_delete BEFORE DELETE ON petition_steps
BEGIN SELECT RAISE(ABORT, 'petition steps cannot be deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE petition_steps;
DROP TABLE petition_recusals;
DROP TABLE petition_opinions;
DROP TABLE petition_people;
DROP TABLE petitions;
DROP TABLE petition_counters;
DROP TABLE petition_settings;
