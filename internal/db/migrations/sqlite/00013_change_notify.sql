-- +goose Up
-- PostgreSQL only: triggers that NOTIFY every server of changes to rows it
-- may keep copies of (internal/db/changes.go). SQLite serves one process,
-- which keeps no such copies.
SELECT 1;

-- +goose Down
SELECT 1;
