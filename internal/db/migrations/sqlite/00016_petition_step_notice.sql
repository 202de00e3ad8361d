-- +goose Up
-- The written notice to the petitioner (书面告知: of acceptance, of a
-- decline, of where the case went) apart from the staff's own comment:
-- the portal shows the petitioner the notice and never the comment.
ALTER TABLE petition_steps ADD COLUMN notice TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE petition_steps DROP COLUMN notice;
