-- Headless rounds (issue 28): the app and `earshot watch` may run on one database at once.
--
-- A source's sync lease: the process syncing it writes its holder id and an expiry, taken in one
-- `UPDATE … WHERE lease_until IS NULL OR lease_until < now` (store::sources::take_sync_lease), so
-- two processes never sync the same source at once. It is renewed with each page and released
-- when the run ends; a lease left by a killed process expires and is taken over.
ALTER TABLE sources ADD COLUMN lease_holder TEXT;
ALTER TABLE sources ADD COLUMN lease_until INTEGER;

-- When the outbox sends a failed reply again on its own: set when nothing can have been
-- published (a 5xx, a 429, no connection), NULL when the platform refused it or may have it.
-- Every round queues the replies whose time has come (the outbox sends on its own).
ALTER TABLE replies ADD COLUMN retry_at INTEGER;
