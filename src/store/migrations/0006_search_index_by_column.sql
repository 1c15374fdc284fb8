-- The full-text index keeps which columns of a review hold a word, not where in them (FTS5's
-- detail=column), and merges its segments eight at a time instead of four (issue 8: the index
-- took a quarter of an import's single writer; with both, a 200k-review import took 10% less
-- time, median of five interleaved runs).
--
-- Nothing searched by position: the inbox's search quotes each word on its own, so a query is
-- words that must all appear (fts_query in store/reviews.rs, which now also splits "wi-fi" and
-- "don't" into their words: a quoted string of two words would be a phrase). Relevance order
-- (bm25) still weighs how rare each word is and how long each review is; it no longer counts how
-- often a review repeats a word. More, smaller segments cost a search little: p95 stays well
-- under a millisecond at 1M reviews (make bench).
--
-- The new index is filled by Store::migrate after this file (reviews::index_all_rows), a block of
-- ids at a time in time order: about 9 s a million reviews, once. FTS5's own 'rebuild' reads the
-- reviews in index order, one random row at a time, and took 56 s at 2.1M.
DROP TABLE reviews_fts;
CREATE VIRTUAL TABLE reviews_fts USING fts5 (
    title, body, author,
    content = 'reviews', content_rowid = 'search_key',
    tokenize = 'unicode61 remove_diacritics 2',
    detail = column
);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('automerge', 8);
