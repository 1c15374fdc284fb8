-- A database proves which one it is (issue 33). Credentials in the keyring were named after a
-- source id alone (`source-1/api_key`), so every database on the computer, and any file restored
-- in place of one, met the owner's keys under the ids it chose. Each database now has a random
-- identity, made once, and its credentials are named after it (secrets::entry_name): two
-- databases never share a credential, and a file made elsewhere finds none of the owner's.
--
-- `moved_old_credentials` is 0 while credentials under the old names may be waiting to move to
-- the new ones (a database that had sources or settings, such as the AI endpoint's, before
-- this): the store moves them the first time it hands out credentials with a keyring at hand
-- (Store::secrets), never during the upgrade itself, which must not fail for want of a keyring.
--
-- `ai_unconfirmed`, and `unconfirmed` on a source, say why credentials are held back until the
-- owner confirms an address: a restore that brought another endpoint than the database it
-- replaced had (Store::restore_from). NULL when nothing waits.
CREATE TABLE database_identity (
    only_row              INTEGER PRIMARY KEY CHECK (only_row = 1),
    id                    TEXT NOT NULL,
    moved_old_credentials INTEGER NOT NULL,
    ai_unconfirmed        TEXT
);
INSERT INTO database_identity (only_row, id, moved_old_credentials)
SELECT 1, lower(hex(randomblob(16))),
    NOT EXISTS (SELECT 1 FROM sources) AND NOT EXISTS (SELECT 1 FROM settings);
ALTER TABLE sources ADD COLUMN unconfirmed TEXT;
