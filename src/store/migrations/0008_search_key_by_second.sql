-- The search key holds the second a review was written, not the minute, and the time index of
-- all reviews goes (issue 8: each of the review table's indexes took 5-8% of a 1M-review import,
-- in its single writer).
--
-- The key (the FTS rowid, see search_key in store/reviews.rs) is now created_at, then id: its
-- order is the inbox's (created_at, id) order exactly, so its unique index serves every listing
-- across businesses that reviews_by_time served: newest first, oldest first and a period (a
-- period bounds the key too). A search's newest first is now exact to the second as well; by the
-- minute, a minute's reviews came in the order they were stored.
--
-- Seconds beyond about 2,000 years either side of 1970 are clamped, as in search_key: the key
-- must fit 63 bits with the id's 26 below.
--
-- The full-text index is keyed by the search key, so it is made anew with the same definition
-- (0006) and filled by Store::migrate after this file (reviews::index_all_rows), a block of ids
-- at a time. The update trigger would otherwise re-index every review one at a time.
DROP INDEX reviews_by_time;
DROP TRIGGER reviews_fts_update;
DROP TABLE reviews_fts;
-- Dropped for the update: an old minute key may equal a new second key of another review.
DROP INDEX reviews_by_search_key;
UPDATE reviews
SET search_key = (max(min(created_at, 68719476735), -68719476736) << 26) | (id & 67108863);
CREATE UNIQUE INDEX reviews_by_search_key ON reviews (search_key);

CREATE VIRTUAL TABLE reviews_fts USING fts5 (
    title, body, author,
    content = 'reviews', content_rowid = 'search_key',
    tokenize = 'unicode61 remove_diacritics 2',
    detail = column
);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 8);
CREATE TRIGGER reviews_fts_update AFTER UPDATE OF title, body, author, search_key ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, title, body, author) VALUES ('delete', old.search_key, old.title, old.body, old.author);
    INSERT INTO reviews_fts (rowid, title, body, author) VALUES (new.search_key, new.title, new.body, new.author);
END;
