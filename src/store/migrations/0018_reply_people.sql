-- Who drafted, approved and sent each reply (issue 31): on a file the OS user, on a team database
-- the person's PostgreSQL login. Older replies have none. A file has one person, so nothing there
-- waits for approval.
ALTER TABLE replies ADD COLUMN drafted_by TEXT;
ALTER TABLE replies ADD COLUMN approved_by TEXT;
ALTER TABLE replies ADD COLUMN sent_by TEXT;
