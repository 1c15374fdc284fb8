-- Alert channels beyond the desktop (issue 28): e-mail, a webhook, an ntfy topic. The database
-- holds where to send and what, never a password: an e-mail password lives in the keyring under
-- the database's identity (secrets slot 0, `alert_channel_<id>_<digest of server and user>`, so
-- a row changed to another server finds no password: channels::password_key).
--
-- `settings` is JSON of non-secret values (the SMTP server, sender and user name, the webhook's
-- body format). `kinds` is a comma-separated list of alert kinds, NULL for every kind. Quiet hours
-- are local hours (start = end means none); `digest_hour` is NULL unless the owner asked for one
-- message a day at that local hour.
CREATE TABLE alert_channels (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind = 'email' OR kind = 'webhook' OR kind = 'ntfy'),
    target      TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    kinds       TEXT,
    quiet_start INTEGER CHECK (quiet_start BETWEEN 0 AND 23),
    quiet_end   INTEGER CHECK (quiet_end BETWEEN 0 AND 23),
    digest_hour INTEGER CHECK (digest_hour BETWEEN 0 AND 23),
    created_at  INTEGER NOT NULL
);

-- One row per (alert, channel): the promise that it is sent once. A run claims a row in one
-- statement (`pending` → `sending`, one more attempt) before the request goes out, so of two
-- processes exactly one sends it; `sending` found long after its claim was possibly sent and is
-- never sent again. `next_at` holds a row back (backoff after a failure, the next digest).
-- Alerts about history older than a day get no row: they are listed, never sent.
CREATE TABLE alert_deliveries (
    channel_id INTEGER NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
    alert_id   INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    state      TEXT NOT NULL CHECK (state = 'pending' OR state = 'sending' OR state = 'sent'
                                    OR state = 'failed'),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    claimed_at INTEGER,
    sent_at    INTEGER,
    last_error TEXT,
    PRIMARY KEY (channel_id, alert_id)
) WITHOUT ROWID;
CREATE INDEX alert_deliveries_by_alert ON alert_deliveries (alert_id);
