-- Earshot schema v1: every table the product's capabilities need.
-- Times are INTEGER Unix seconds UTC. Ratings are REAL 1..5 or NULL.

CREATE TABLE businesses (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    is_competitor INTEGER NOT NULL DEFAULT 0 CHECK (is_competitor IN (0, 1)),
    category      TEXT,
    created_at    INTEGER NOT NULL
);

-- A connected feed: one platform, one target, attached to one business. `settings` is JSON with
-- non-secret values only (target ids, base_url, query); credentials live in the OS keyring.
CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    business_id          INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    connector            TEXT NOT NULL,            -- CLI platform name: google-business, yelp, file…
    label                TEXT NOT NULL,            -- what it watches, in words ("import", a query…)
    settings             TEXT NOT NULL DEFAULT '{}',
    cursor               TEXT,                     -- connector-defined JSON, written with each page
    status               TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'ok', 'error', 'paused')),
    last_error           TEXT,
    last_sync_at         INTEGER,
    next_sync_at         INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    UNIQUE (business_id, connector, label)
);

CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    business_id     INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    platform        TEXT NOT NULL,                 -- display platform: google, yelp, x…
    external_id     TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('review', 'mention')),
    author          TEXT,
    rating          REAL CHECK (rating IS NULL OR (rating >= 1 AND rating <= 5)),
    title           TEXT,
    body            TEXT NOT NULL DEFAULT '',
    url             TEXT,
    language        TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER,
    fetched_at      INTEGER NOT NULL,
    removed_at      INTEGER,                       -- gone from a platform that lists everything
    sentiment       REAL,                          -- −1..1, NULL when unscored
    sentiment_label TEXT CHECK (sentiment_label IS NULL OR sentiment_label IN ('negative', 'neutral', 'positive')),
    replied_at      INTEGER,                       -- first reply, cached from replies
    read_at         INTEGER,                       -- inbox unread state
    content_hash    INTEGER NOT NULL,              -- detects edits without comparing every column
    search_key      INTEGER NOT NULL,              -- time-ordered FTS rowid: see reviews_fts
    raw_json        TEXT,
    UNIQUE (source_id, external_id)
);
CREATE INDEX reviews_by_business_time ON reviews (business_id, created_at DESC);
CREATE INDEX reviews_by_time ON reviews (created_at DESC);
CREATE UNIQUE INDEX reviews_by_search_key ON reviews (search_key);

-- An edited review keeps what it said before.
CREATE TABLE review_revisions (
    id          INTEGER PRIMARY KEY,
    review_id   INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    rating      REAL,
    title       TEXT,
    body        TEXT NOT NULL,
    updated_at  INTEGER,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX review_revisions_by_review ON review_revisions (review_id);

-- Aspect mentions (service, price, coffee…) with the sentiment of the clause they stand in.
-- business_id and day are copied from the review so the rollup below can be kept by a trigger
-- even when the review row is already gone (a cascade).
CREATE TABLE review_aspects (
    review_id   INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    aspect      TEXT NOT NULL,
    business_id INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    sentiment   REAL NOT NULL,
    polarity    INTEGER NOT NULL CHECK (polarity IN (-1, 0, 1)),
    PRIMARY KEY (review_id, aspect)
) WITHOUT ROWID;
CREATE INDEX review_aspects_by_business ON review_aspects (business_id, aspect, day);

-- Per-day aspect rollup for topics and "rising complaints" without scanning mentions.
CREATE TABLE aspect_daily (
    business_id   INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    aspect        TEXT NOT NULL,
    day           INTEGER NOT NULL,
    mentions      INTEGER NOT NULL DEFAULT 0,
    negative      INTEGER NOT NULL DEFAULT 0,
    positive      INTEGER NOT NULL DEFAULT 0,
    sentiment_sum REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, aspect, day)
) WITHOUT ROWID;
CREATE TRIGGER aspect_daily_delete AFTER DELETE ON review_aspects BEGIN
    UPDATE aspect_daily SET mentions = mentions - 1,
        negative = negative - (old.polarity = -1), positive = positive - (old.polarity = 1),
        sentiment_sum = sentiment_sum - old.sentiment
    WHERE business_id = old.business_id AND aspect = old.aspect AND day = old.day;
END;

-- Replies: drafts, the outbox (queued → posted | failed), replies seen on the platform
-- (origin 'platform') and replies the owner marked as done elsewhere (origin 'manual').
CREATE TABLE replies (
    id              INTEGER PRIMARY KEY,
    review_id       INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    origin          TEXT NOT NULL DEFAULT 'earshot' CHECK (origin IN ('earshot', 'platform', 'manual')),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'queued', 'posting', 'posted', 'failed', 'deleted')),
    body            TEXT NOT NULL,
    external_id     TEXT,
    idempotency_key TEXT UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    posted_at       INTEGER
);
CREATE INDEX replies_by_review ON replies (review_id);
CREATE UNIQUE INDEX replies_one_platform_reply ON replies (review_id) WHERE origin = 'platform';

CREATE TABLE reply_templates (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    min_rating INTEGER,
    max_rating INTEGER,
    aspect     TEXT,
    body       TEXT NOT NULL
);

-- Alerts are raised once: `dedup_key` names the data that raised them.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    business_id INTEGER REFERENCES businesses(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    dedup_key   TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,                  -- dated by the data that raised it
    computed_at INTEGER NOT NULL,
    message     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'seen', 'dismissed')),
    notified_at INTEGER,
    details     TEXT
);
CREATE INDEX alerts_by_time ON alerts (created_at DESC);

CREATE TABLE alert_reviews (
    alert_id  INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    PRIMARY KEY (alert_id, review_id)
) WITHOUT ROWID;

CREATE TABLE alert_rules (
    kind    TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL DEFAULT 1,
    params  TEXT NOT NULL DEFAULT '{}'
);

-- Small owner preferences (quiet hours, digest, business profile…) as JSON values.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Per-day rollup, updated in the same transaction as the reviews so dashboards never scan rows.
-- `day` is days since 1970-01-01 (UTC). Removed reviews are not counted.
CREATE TABLE review_daily (
    business_id   INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    platform      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    day           INTEGER NOT NULL,
    count         INTEGER NOT NULL DEFAULT 0,
    rated         INTEGER NOT NULL DEFAULT 0,
    rating_sum    REAL NOT NULL DEFAULT 0,
    r1            INTEGER NOT NULL DEFAULT 0,
    r2            INTEGER NOT NULL DEFAULT 0,
    r3            INTEGER NOT NULL DEFAULT 0,
    r4            INTEGER NOT NULL DEFAULT 0,
    r5            INTEGER NOT NULL DEFAULT 0,
    negative      INTEGER NOT NULL DEFAULT 0,
    neutral       INTEGER NOT NULL DEFAULT 0,
    positive      INTEGER NOT NULL DEFAULT 0,
    replied       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, platform, kind, day)
) WITHOUT ROWID;

-- Full-text index over what people wrote. Its rowid is `search_key`, which orders reviews by
-- creation time (minute, then id), so "newest matches first" walks the index backwards and stops
-- after one page instead of sorting every match of a common word. New rows are indexed by the write path in one
-- set-based statement per batch (Store::write_tagged): a per-row INSERT trigger made FTS5 flush
-- its buffer at every statement savepoint, a third of import time. Edits and deletions, which
-- are rare, stay on triggers.
CREATE VIRTUAL TABLE reviews_fts USING fts5 (
    title, body, author,
    content = 'reviews', content_rowid = 'search_key',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- FTS5 buffers new terms in memory and writes a segment when the buffer fills (1 MB by default),
-- merging segments as they pile up: a third of import time in a profile. A 16 MB buffer writes
-- 16x fewer, larger segments; memory stays bounded by it.
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', 16777216);
CREATE TRIGGER reviews_fts_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, title, body, author) VALUES ('delete', old.search_key, old.title, old.body, old.author);
END;
CREATE TRIGGER reviews_fts_update AFTER UPDATE OF title, body, author, search_key ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, title, body, author) VALUES ('delete', old.search_key, old.title, old.body, old.author);
    INSERT INTO reviews_fts (rowid, title, body, author) VALUES (new.search_key, new.title, new.body, new.author);
END;

-- Rollup maintenance for edits, removals and deletions (a cascade from a deleted source too), so
-- every path that changes a stored review keeps the rollup exact. New rows are added by the write
-- path in one aggregated statement per batch, for the same reason as the FTS index above.
CREATE TRIGGER review_daily_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum, r1, r2, r3, r4, r5, negative, neutral, positive, replied)
    SELECT old.business_id, old.platform, old.kind, (old.created_at / 86400) - (old.created_at < 0 AND old.created_at % 86400 != 0), -1, -(old.rating IS NOT NULL), -coalesce(old.rating, 0), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 1), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 2), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 3), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 4), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 5), -(old.sentiment_label IS 'negative'), -(old.sentiment_label IS 'neutral'), -(old.sentiment_label IS 'positive'), -(old.replied_at IS NOT NULL)
    WHERE old.removed_at IS NULL
    ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET count = count + excluded.count, rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum, r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, negative = negative + excluded.negative, neutral = neutral + excluded.neutral, positive = positive + excluded.positive, replied = replied + excluded.replied;
END;
CREATE TRIGGER review_daily_update
AFTER UPDATE OF business_id, platform, kind, created_at, rating, sentiment_label, replied_at, removed_at ON reviews BEGIN
    INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum, r1, r2, r3, r4, r5, negative, neutral, positive, replied)
    SELECT old.business_id, old.platform, old.kind, (old.created_at / 86400) - (old.created_at < 0 AND old.created_at % 86400 != 0), -1, -(old.rating IS NOT NULL), -coalesce(old.rating, 0), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 1), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 2), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 3), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 4), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 5), -(old.sentiment_label IS 'negative'), -(old.sentiment_label IS 'neutral'), -(old.sentiment_label IS 'positive'), -(old.replied_at IS NOT NULL)
    WHERE old.removed_at IS NULL
    ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET count = count + excluded.count, rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum, r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, negative = negative + excluded.negative, neutral = neutral + excluded.neutral, positive = positive + excluded.positive, replied = replied + excluded.replied;
    INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum, r1, r2, r3, r4, r5, negative, neutral, positive, replied)
    SELECT new.business_id, new.platform, new.kind, (new.created_at / 86400) - (new.created_at < 0 AND new.created_at % 86400 != 0), 1, (new.rating IS NOT NULL), coalesce(new.rating, 0), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 1), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 2), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 3), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 4), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 5), (new.sentiment_label IS 'negative'), (new.sentiment_label IS 'neutral'), (new.sentiment_label IS 'positive'), (new.replied_at IS NOT NULL)
    WHERE new.removed_at IS NULL
    ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET count = count + excluded.count, rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum, r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, negative = negative + excluded.negative, neutral = neutral + excluded.neutral, positive = positive + excluded.positive, replied = replied + excluded.replied;
END;
