-- +goose Up
-- A petition case's page finds the disputes passed on to it (转信访) by
-- their transfer_ref, the case number.
CREATE INDEX disputes_transfer_ref ON disputes(transfer_ref) WHERE transfer_ref <> '';

-- +goose Down
DROP INDEX disputes_transfer_ref;
