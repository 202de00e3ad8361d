-- +goose Up
-- The case lists at a million rows (issue 5; docs/benchmarks.md, "petition
-- cases and disputes at 1,000,000").
--
-- Petitions: each filter's index includes the other filters' columns and
-- the accused org and person (the ledger's bars), so that a page or a
-- count is an index-only scan that tests every condition on the index entry.
DROP INDEX petitions_registered;
DROP INDEX petitions_status;
DROP INDEX petitions_category;
DROP INDEX petitions_channel;
DROP INDEX petitions_subject;
DROP INDEX petitions_handling;
DROP INDEX petitions_key;
DROP INDEX petitions_due;
DROP INDEX petitions_warn;
CREATE INDEX petitions_registered ON petitions(registered_at, id) INCLUDE (status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_status ON petitions(status, registered_at, id) INCLUDE (category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_category ON petitions(category, registered_at, id) INCLUDE (status, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_channel ON petitions(channel, registered_at, id) INCLUDE (status, category, subject, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_subject ON petitions(subject, registered_at, id) INCLUDE (status, category, channel, key_case, handling_path, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_handling ON petitions(handling_path, registered_at, id) INCLUDE (status, category, channel, subject, key_case, review_path, accused_user_id, accused_path);
CREATE INDEX petitions_key ON petitions(registered_at, id) INCLUDE (status, category, channel, subject, handling_path, review_path, accused_user_id, accused_path) WHERE key_case;
CREATE INDEX petitions_due ON petitions(due_at, id) INCLUDE (warn_at, registered_at, status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path)
    WHERE period <> '';
CREATE INDEX petitions_warn ON petitions(warn_at, id) INCLUDE (due_at, registered_at, status, category, channel, subject, key_case, handling_path, review_path, accused_user_id, accused_path)
    WHERE period <> '';

-- Disputes, likewise: each filter's index includes the other filters'
-- columns and both paths (territory, responsible org).
DROP INDEX disputes_path;
DROP INDEX disputes_resp_path;
DROP INDEX disputes_occurred;
DROP INDEX disputes_status;
DROP INDEX disputes_type;
DROP INDEX disputes_risk;
DROP INDEX disputes_open_deadline;
CREATE INDEX disputes_occurred ON disputes(occurred_at, id) INCLUDE (status, type_code, risk_level, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_status ON disputes(status, occurred_at, id) INCLUDE (type_code, risk_level, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_type ON disputes(type_code, occurred_at, id) INCLUDE (status, risk_level, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_risk ON disputes(risk_level, occurred_at, id) INCLUDE (status, type_code, urgency, many_people, path, resp_path, deadline);
CREATE INDEX disputes_urgency ON disputes(urgency, occurred_at, id) INCLUDE (status, type_code, risk_level, many_people, path, resp_path, deadline);
CREATE INDEX disputes_path ON disputes(path, occurred_at, id) INCLUDE (status, type_code, risk_level, urgency, many_people, resp_path, deadline);
CREATE INDEX disputes_resp_path ON disputes(resp_path, occurred_at, id) INCLUDE (status, type_code, risk_level, urgency, many_people, path, deadline)
    WHERE resp_path <> '';
CREATE INDEX disputes_open_deadline ON disputes(deadline, id) INCLUDE (occurred_at, status, type_code, risk_level, urgency, many_people, path, resp_path)
    WHERE status IN ('registered', 'resolving', 'stable');

-- The substring search: a GIN index of each dispute's characters and
-- character pairs (pg_trgm takes no trigrams from Chinese under the C
-- locale), a column the database computes from the search text (about
-- 0.1 ms a dispute: a minute or two for a million when this migration
-- runs); a query's pairs (or its one character) find the candidates, the
-- LIKE confirms.
-- +goose StatementBegin
CREATE FUNCTION dispute_grams(t text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    s text := regexp_replace(btrim(t), '\s+', ' ', 'g');
    grams text[] := regexp_split_to_array(s, '');
BEGIN
    FOR i IN 1 .. length(s) - 1 LOOP
        grams := grams || substr(s, i, 2);
    END LOOP;
    RETURN ARRAY(SELECT DISTINCT g FROM unnest(grams) g WHERE g <> ' ' AND g <> '');
END
$$;
-- +goose StatementEnd
ALTER TABLE disputes ADD COLUMN search_grams TEXT[] GENERATED ALWAYS AS (dispute_grams(search_text)) STORED;
CREATE INDEX disputes_search ON disputes USING gin (search_grams);

-- +goose Down
DROP INDEX disputes_search;
ALTER TABLE disputes DROP COLUMN search_grams;
DROP FUNCTION dispute_grams(text);
DROP INDEX disputes_open_deadline;
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
