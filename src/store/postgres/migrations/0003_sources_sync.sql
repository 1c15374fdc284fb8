-- Sources and syncing on the team store (issue 31): the columns the SQLite store's sources gained
-- after its foundation (0010 unconfirmed, 0012 platform figures), and the database's identity,
-- which names the credentials each seat keeps in its own OS keyring or secrets file: the shared
-- database holds a source's non-secret settings only.
--
-- No lease columns (SQLite 0013): on PostgreSQL one seat syncs a source at a time by a session
-- advisory lock (claims.rs), which the server frees when a seat's connection dies.

ALTER TABLE sources ADD COLUMN unconfirmed text;
ALTER TABLE sources ADD COLUMN platform_rating double precision
    CHECK (platform_rating IS NULL OR (platform_rating >= 0 AND platform_rating <= 5));
ALTER TABLE sources ADD COLUMN platform_review_count bigint
    CHECK (platform_review_count IS NULL OR platform_review_count >= 0);
ALTER TABLE sources ADD COLUMN platform_rating_at bigint;

-- The due-sources scan of `earshot watch` and `sync --due`.
CREATE INDEX sources_by_next_sync ON sources (next_sync_at);

-- One row: this team database's random identity (gen_random_uuid is built in since 13).
CREATE TABLE database_identity (
    id         text PRIMARY KEY,
    created_at bigint NOT NULL
);
INSERT INTO database_identity (id, created_at)
VALUES (gen_random_uuid()::text, extract(epoch FROM now())::bigint);
