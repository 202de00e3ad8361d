-- +goose Up
-- The case lists at a million rows (issue 5; docs/benchmarks.md, "petition
-- cases and disputes at 1,000,000").
--
-- Petitions: each filter's index carries, after its own column and
-- (registered_at, id), the other filters' columns and the accused org and
-- person (the ledger's bars), so that a page walked through one filter's
-- index tests the others on the index entry without reading the case (on
-- SQLite a case read costs about ten index entries), and a count is a walk
-- of index entries. The open cases have a partial index in the page's order.
DROP INDEX petitions_registered;
DROP INDEX petitions_status;
DROP INDEX petitions_category;
DROP INDEX petitions_channel;
DROP INDEX petitions_subject;
DROP INDEX petitions_handling;
DROP INDEX petitions_key;
DROP INDEX petitions_due;
DROP INDEX petitions_warn;
CREATE INDEX petitions_registered ON petitions(registered_at, id, status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_status ON petitions(status, registered_at, id, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_category ON petitions(category, registered_at, id, status, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_channel ON petitions(channel, registered_at, id, status, category, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_subject ON petitions(subject, registered_at, id, status, category, channel, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_handling ON petitions(handling_path, registered_at, id, status, category, channel, subject, key_case, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_key ON petitions(registered_at, id, status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path) WHERE key_case;
CREATE INDEX petitions_open ON petitions(registered_at, id, status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path)
    WHERE status IN ('registered', 'routed', 'objected', 'discipline', 'accepted', 'review_requested', 'rereview_requested');
CREATE INDEX petitions_due ON petitions(due_at, id, warn_at, registered_at, status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path)
    WHERE period <> '';
CREATE INDEX petitions_warn ON petitions(warn_at, id, due_at, registered_at, status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path)
    WHERE period <> '';

-- Disputes, likewise: each filter's index carries the other filters'
-- columns and both paths (territory, responsible org), so that the subtree
-- and every filter are tested on the index entry; the open disputes and
-- those of many people have partial indexes in the page's order.
DROP INDEX disputes_path;
DROP INDEX disputes_resp_path;
DROP INDEX disputes_occurred;
DROP INDEX disputes_status;
DROP INDEX disputes_type;
DROP INDEX disputes_risk;
DROP INDEX disputes_open_deadline;
CREATE INDEX disputes_occurred ON disputes(occurred_at, id, status, type_code, risk_level, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_status ON disputes(status, occurred_at, id, type_code, risk_level, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_type ON disputes(type_code, occurred_at, id, status, risk_level, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_risk ON disputes(risk_level, occurred_at, id, status, type_code, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_urgency ON disputes(urgency, occurred_at, id, status, type_code, risk_level, many_people, path, resp_path, deadline);
CREATE INDEX disputes_path ON disputes(path, occurred_at, id, status, type_code, risk_level, urgency, many_people, resp_path, deadline);
CREATE INDEX disputes_resp_path ON disputes(resp_path, occurred_at, id, status, type_code, risk_level, urgency, many_people, path, deadline)
    WHERE resp_path <> '';
CREATE INDEX disputes_open ON disputes(occurred_at, id, status, type_code, risk_level, urgency, many_people, path, resp_path, deadline)
    WHERE status IN ('registered', 'resolving', 'stable');
CREATE INDEX disputes_many ON disputes(occurred_at, id, status, type_code, risk_level, urgency, path, resp_path, deadline) WHERE many_people;
CREATE INDEX disputes_open_deadline ON disputes(deadline, id, occurred_at, status, type_code, risk_level, urgency, many_people, path, resp_path)
    WHERE status IN ('registered', 'resolving', 'stable');

-- The substring search: an FTS5 trigram index of the search text with two
-- spaces after it, so that every character of the text begins an indexed
-- trigram and a query of one or two characters is found through the
-- trigrams that begin with it (disputes_fts_vocab lists them). Contentless:
-- the text is in disputes; disputes are never deleted.
CREATE VIRTUAL TABLE disputes_fts USING fts5(search_text, content='', contentless_delete=1, tokenize='trigram');
CREATE VIRTUAL TABLE disputes_fts_vocab USING fts5vocab(disputes_fts, 'row');
INSERT INTO disputes_fts (rowid, search_text) SELECT id, search_text || '  ' FROM disputes;
-- +goose StatementBegin
CREATE TRIGGER disputes_fts_insert AFTER INSERT ON disputes
BEGIN INSERT INTO disputes_fts (rowid, search_text) VALUES (new.id, new.search_text || '  '); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER disputes_fts_update AFTER UPDATE OF search_text ON disputes
BEGIN
    DELETE FROM disputes_fts WHERE rowid = old.id;
    INSERT INTO disputes_fts (rowid, search_text) VALUES (new.id, new.search_text || '  ');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER disputes_fts_update;
DROP TRIGGER disputes_fts_insert;
DROP TABLE disputes_fts_vocab;
DROP TABLE disputes_fts;
DROP INDEX disputes_open_deadline;
DROP INDEX disputes_many;
DROP INDEX disputes_open;
DROP INDEX disputes_resp_path;
DROP INDEX disputes_path;
DROP INDEX disputes_urgency;
DROP INDEX disputes_risk;
DROP INDEX disputes_type;
DROP INDEX disputes_status;
DROP INDEX disputes_occurred;
CREATE INDEX disputes_path ON disputes(path, occurred_at, id);
CREATE INDEX disputes_resp_path ON disputes(resp_path, occurred_at, id) WHERE resp_path <> '';
CREATE INDEX disputes_occurred ON disputes(occurred_at, id);
CREATE INDEX disputes_status ON disputes(status, occurred_at);
CREATE INDEX disputes_type ON disputes(type_code, occurred_at);
CREATE INDEX disputes_risk ON disputes(risk_level, occurred_at);
CREATE INDEX disputes_open_deadline ON disputes(deadline) WHERE status IN ('registered', 'resolving', 'stable');
DROP INDEX petitions_open;
DROP INDEX petitions_registered;
DROP INDEX petitions_status;
DROP INDEX petitions_category;
DROP INDEX petitions_channel;
DROP INDEX petitions_subject;
DROP INDEX petitions_handling;
DROP INDEX petitions_key;
DROP INDEX petitions_due;
DROP INDEX petitions_warn;
CREATE INDEX petitions_registered ON petitions(registered_at, id);
CREATE INDEX petitions_status ON petitions(status, registered_at, id);
CREATE INDEX petitions_category ON petitions(category, registered_at, id);
CREATE INDEX petitions_channel ON petitions(channel, registered_at, id);
CREATE INDEX petitions_subject ON petitions(subject, registered_at, id);
CREATE INDEX petitions_handling ON petitions(handling_path, registered_at, id);
CREATE INDEX petitions_key ON petitions(registered_at, id) WHERE key_case;
CREATE INDEX petitions_due ON petitions(due_at, id) WHERE period <> '';
CREATE INDEX petitions_warn ON petitions(warn_at, id) WHERE period <> '';
