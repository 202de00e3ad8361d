-- +goose Up
-- The notification platform (通知): the in-app inbox, outbound channels
-- (group robots, e-mail, signed webhooks), the outbox of deliveries, and the
-- quiet hours.

-- The inbox (站内通知): one row per person per message. The same dedupe key
-- never reaches the same person twice.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    priority   TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
    dedupe_key TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications(user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;

-- Channels: a person's own or an organisation's. The secret is stored as
-- typed; at-rest encryption arrives with the petition work's cipher interface.
CREATE TABLE notify_channels (
    id              INTEGER PRIMARY KEY,
    owner_kind      TEXT NOT NULL CHECK (owner_kind IN ('user', 'org')),
    owner_id        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('dingtalk', 'wecom', 'feishu', 'email', 'webhook')),
    name            TEXT NOT NULL,
    target          TEXT NOT NULL,
    secret          TEXT NOT NULL DEFAULT '',
    mention_mobiles TEXT NOT NULL DEFAULT '',
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX notify_channels_owner ON notify_channels(owner_kind, owner_id);

-- The outbox: one row per channel per message. attempted_at is the last time
-- a request went (or was reserved to go) to the channel: the rate limits count
-- these rows, so that they hold across several servers.
CREATE TABLE notify_deliveries (
    id                      INTEGER PRIMARY KEY,
    channel_id              INTEGER NOT NULL REFERENCES notify_channels(id) ON DELETE CASCADE,
    notification_dedupe_key TEXT,
    title                   TEXT NOT NULL,
    body                    TEXT NOT NULL DEFAULT '',
    link                    TEXT NOT NULL DEFAULT '',
    priority                TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
    mention                 TEXT NOT NULL DEFAULT '',
    state                   TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'dead')),
    attempts                INTEGER NOT NULL DEFAULT 0,
    next_attempt_at         TIMESTAMP NOT NULL,
    attempted_at            TIMESTAMP,
    last_error              TEXT NOT NULL DEFAULT '',
    created_at              TIMESTAMP NOT NULL,
    sent_at                 TIMESTAMP
);
CREATE INDEX notify_deliveries_due ON notify_deliveries(state, next_attempt_at);
CREATE UNIQUE INDEX notify_deliveries_dedupe ON notify_deliveries(channel_id, notification_dedupe_key) WHERE notification_dedupe_key IS NOT NULL;
CREATE INDEX notify_deliveries_window ON notify_deliveries(channel_id, attempted_at);

-- Quiet hours (免打扰时段), in Beijing time: normal messages wait until the end.
CREATE TABLE notify_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    quiet_start TEXT NOT NULL,
    quiet_end   TEXT NOT NULL
);
INSERT INTO notify_settings (id, quiet_start, quiet_end) VALUES (1, '22:00', '07:00');

-- +goose Down
DROP TABLE notify_settings;
DROP TABLE notify_deliveries;
DROP TABLE notify_channels;
DROP TABLE notifications;
