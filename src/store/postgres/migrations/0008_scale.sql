-- Import speed (issue 31: at least 50,000 reviews/s into PostgreSQL). Profiled with perf on the
-- server backend during a 100,000-row merge, 46% of its time went to the generated `search`
-- column, and a fifth of that was not the text search at all: earshot_search_document was run
-- through the SQL-function executor once per row (a plan started and torn down per call), because
-- the planner only inlines an IMMUTABLE SQL function whose body is immutable too, and concat_ws
-- is only STABLE (it takes "any"). The same document from `||` and coalesce is immutable, so the
-- function now inlines into the column's expression: about 15% less server CPU per new review.
--
-- The words and their positions are the same (the parser skips the extra spaces between parts),
-- so the documents already stored need no rewrite: the generated column's expression refers to
-- the function, and new and updated rows take this definition.
CREATE OR REPLACE FUNCTION earshot_search_document(language text, title text, body text, author text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector(earshot_ts_config(language),
                       coalesce(title || ' ', '') || body || coalesce(' ' || author, ''))
        || to_tsvector('simple'::regconfig,
                       coalesce(title || ' ', '') || body || coalesce(' ' || author, ''))
$$;
