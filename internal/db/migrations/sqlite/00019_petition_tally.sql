-- +goose Up
-- Petition statistics (信访事项统计) without reading the period's cases:
-- the figures of each handling org (办理单位) by day, kept in the same
-- transaction as each step (internal/petition/tally.go), and by month, so
-- that a period of years sums whole months and only its ragged ends by day.
--   registered, repeats: cases registered with the org (received by it
--     directly) or routed to it that day, and it still has them (an
--     objection takes the case back off the org's count),
--   accepted, declined, decided_on_time: decisions that day, within the
--     15 days to accept (按期受理),
--   replied, replied_on_time: written answers (处理意见书) served that day,
--     within the handling limit incl. an extension (按期办结),
--   extended, reviews: extensions granted, reviews (复查/复核) asked for,
--   rated, satisfied: petitioners' ratings that day, satisfied or basically.
-- Cases held by the bureau itself count for the bureau.
CREATE TABLE petition_tally (
    org_id          INTEGER NOT NULL REFERENCES orgs(id),
    day             TEXT NOT NULL,
    registered      INTEGER NOT NULL DEFAULT 0,
    repeats         INTEGER NOT NULL DEFAULT 0,
    accepted        INTEGER NOT NULL DEFAULT 0,
    declined        INTEGER NOT NULL DEFAULT 0,
    decided_on_time INTEGER NOT NULL DEFAULT 0,
    replied         INTEGER NOT NULL DEFAULT 0,
    replied_on_time INTEGER NOT NULL DEFAULT 0,
    extended        INTEGER NOT NULL DEFAULT 0,
    reviews         INTEGER NOT NULL DEFAULT 0,
    rated           INTEGER NOT NULL DEFAULT 0,
    satisfied       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, org_id)
) WITHOUT ROWID;

CREATE TABLE petition_tally_month (
    month           TEXT NOT NULL,
    org_id          INTEGER NOT NULL REFERENCES orgs(id),
    registered      INTEGER NOT NULL DEFAULT 0,
    repeats         INTEGER NOT NULL DEFAULT 0,
    accepted        INTEGER NOT NULL DEFAULT 0,
    declined        INTEGER NOT NULL DEFAULT 0,
    decided_on_time INTEGER NOT NULL DEFAULT 0,
    replied         INTEGER NOT NULL DEFAULT 0,
    replied_on_time INTEGER NOT NULL DEFAULT 0,
    extended        INTEGER NOT NULL DEFAULT 0,
    reviews         INTEGER NOT NULL DEFAULT 0,
    rated           INTEGER NOT NULL DEFAULT 0,
    satisfied       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, org_id)
) WITHOUT ROWID;

-- The district's registrations by day (and month) and by category, by
-- channel and by subject (kind: category, channel, subject), for the
-- breakdowns of the district's statistics.
CREATE TABLE petition_tally_mix (
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    code       TEXT NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kind, code)
) WITHOUT ROWID;

CREATE TABLE petition_tally_mix_month (
    month      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    code       TEXT NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, kind, code)
) WITHOUT ROWID;

-- fill: the tally of the cases already registered, from the cases, their
-- steps and their written answers (days in Asia/Shanghai, UTC+8).
INSERT INTO petition_tally (org_id, day, registered, repeats, accepted, declined, decided_on_time, replied, replied_on_time, extended, reviews, rated, satisfied)
SELECT org_id, day, SUM(registered), SUM(repeats), SUM(accepted), SUM(declined), SUM(decided_on_time), SUM(replied), SUM(replied_on_time),
    SUM(extended), SUM(reviews), SUM(rated), SUM(satisfied) FROM (
    SELECT p.handling_org_id AS org_id, COALESCE(date(p.routed_at, '+8 hours'), p.registered_day) AS day, 1 AS registered,
        CASE WHEN p.repeat_of IS NOT NULL THEN 1 ELSE 0 END AS repeats, 0 AS accepted, 0 AS declined, 0 AS decided_on_time,
        0 AS replied, 0 AS replied_on_time, 0 AS extended, 0 AS reviews, 0 AS rated, 0 AS satisfied
    FROM petitions p WHERE p.handling_org_id IS NOT NULL
    UNION ALL
    SELECT s.org_id, date(s.at, '+8 hours'), 0, 0, CASE WHEN s.action = 'accept' THEN 1 ELSE 0 END, CASE WHEN s.action = 'decline' THEN 1 ELSE 0 END,
        CASE WHEN date(s.at, '+8 hours') <= date(CASE WHEN p.route_kind = '' THEN p.received_at ELSE p.routed_at END, '+8 hours', '+15 days') THEN 1 ELSE 0 END,
        0, 0, 0, 0, 0, 0
    FROM petition_steps s JOIN petitions p ON p.id = s.petition_id WHERE s.action IN ('accept', 'decline') AND s.org_id IS NOT NULL
    UNION ALL
    SELECT o.org_id, o.served_day, 0, 0, 0, 0, 0, 1,
        CASE WHEN o.served_day <= date(p.accepted_at, '+8 hours', '+' || (60 + p.extension_days) || ' days') THEN 1 ELSE 0 END, 0, 0, 0, 0
    FROM petition_opinions o JOIN petitions p ON p.id = o.petition_id WHERE o.round = 0
    UNION ALL
    SELECT s.org_id, date(s.at, '+8 hours'), 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0
    FROM petition_steps s WHERE s.action = 'extend' AND s.org_id IS NOT NULL
    UNION ALL
    SELECT COALESCE(p.handling_org_id, p.bureau_org_id), date(s.at, '+8 hours'), 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0
    FROM petition_steps s JOIN petitions p ON p.id = s.petition_id WHERE s.action IN ('request_review', 'request_rereview')
    UNION ALL
    SELECT COALESCE(p.handling_org_id, p.bureau_org_id), date(p.rated_at, '+8 hours'), 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        CASE WHEN p.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END
    FROM petitions p WHERE p.rating <> '' AND p.rated_at IS NOT NULL
) x GROUP BY org_id, day;
INSERT INTO petition_tally_month (org_id, month, registered, repeats, accepted, declined, decided_on_time, replied, replied_on_time, extended, reviews, rated, satisfied)
SELECT org_id, substr(day, 1, 7), SUM(registered), SUM(repeats), SUM(accepted), SUM(declined), SUM(decided_on_time), SUM(replied), SUM(replied_on_time),
    SUM(extended), SUM(reviews), SUM(rated), SUM(satisfied) FROM petition_tally GROUP BY org_id, substr(day, 1, 7);
INSERT INTO petition_tally_mix (day, kind, code, registered)
SELECT registered_day, 'category', category, count(*) FROM petitions GROUP BY registered_day, category
UNION ALL SELECT registered_day, 'channel', channel, count(*) FROM petitions GROUP BY registered_day, channel
UNION ALL SELECT registered_day, 'subject', subject, count(*) FROM petitions GROUP BY registered_day, subject;
INSERT INTO petition_tally_mix_month (month, kind, code, registered)
SELECT substr(day, 1, 7), kind, code, SUM(registered) FROM petition_tally_mix GROUP BY substr(day, 1, 7), kind, code;
-- fill end

-- +goose Down
DROP TABLE petition_tally_mix_month;
DROP TABLE petition_tally_mix;
DROP TABLE petition_tally_month;
DROP TABLE petition_tally;
