-- +goose Up
-- Organisations: a materialised path ("/1/5/23/") makes a subtree one index range.
CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES orgs(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    code       TEXT,
    path       TEXT NOT NULL,
    depth      INTEGER NOT NULL,
    sort       INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX orgs_path ON orgs(path);
CREATE UNIQUE INDEX orgs_code ON orgs(code) WHERE code IS NOT NULL;
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    org_id               INTEGER NOT NULL REFERENCES orgs(id),
    post                 TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    totp_secret          TEXT NOT NULL DEFAULT '',
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TIMESTAMP,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE user_roles (
    user_id      INTEGER NOT NULL REFERENCES users(id),
    role         TEXT NOT NULL,
    scope_org_id INTEGER NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (user_id, role, scope_org_id)
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Sessions for github.com/alexedwards/scs: in the database so they survive
-- restarts and work behind several servers.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry);

-- The audit trail (留痕): append-only, hash-chained. audit_head holds the tip
-- of the chain; updating it first serialises writers on PostgreSQL.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TIMESTAMP NOT NULL,
    user_id       INTEGER,
    user_login    TEXT NOT NULL DEFAULT '',
    org_id        INTEGER,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL DEFAULT '',
    object_id     TEXT NOT NULL DEFAULT '',
    before_digest TEXT NOT NULL DEFAULT '',
    after_digest  TEXT NOT NULL DEFAULT '',
    result        TEXT NOT NULL,
    client_addr   TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id);
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records cannot be changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit records cannot be deleted'); END;
-- +goose StatementEnd

-- Work calendar exceptions: statutory holidays and make-up working days (调休).
CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);

-- Complaints and suggestions about the system itself (a rule for government apps).
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL CHECK (kind IN ('complaint', 'suggestion')),
    page       TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    reply      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE feedback;
DROP TABLE calendar_days;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE orgs;
