-- +goose Up
-- When a password was last set: web sessions signed in before it end, so a
-- password reset (or a person changing a leaked password) signs out every
-- browser that had the old one.
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;

-- +goose Down
ALTER TABLE users DROP COLUMN password_changed_at;
