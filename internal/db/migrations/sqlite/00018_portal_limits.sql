-- +goose Up
-- The public portal's limits per client address and its spent challenges,
-- kept in the database so that every app server counts the same hits and
-- refuses a challenge answered on another (they were in each server's
-- memory). Rows older than the window are deleted as the portal goes.
CREATE TABLE portal_hits (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,      -- which limit: submit, attempt, lookup
    addr    TEXT NOT NULL,      -- an IPv4 address or an IPv6 /64
    at      TIMESTAMP NOT NULL,
    refused BOOLEAN NOT NULL DEFAULT FALSE -- a refusal (the first since the last allowed hit is audited)
);
CREATE INDEX portal_hits_addr ON portal_hits(name, addr, at);
CREATE INDEX portal_hits_at ON portal_hits(at);
CREATE TABLE portal_nonces (
    nonce     TEXT PRIMARY KEY,
    forget_at TIMESTAMP NOT NULL
);
CREATE INDEX portal_nonces_forget ON portal_nonces(forget_at);

-- +goose Down
DROP TABLE portal_nonces;
DROP TABLE portal_hits;
