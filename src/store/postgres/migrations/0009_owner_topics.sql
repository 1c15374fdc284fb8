-- The owner's own topics (issue 27) on the team store: the SQLite store's `owner_topics`
-- (its migration 0016) column for column. A review's mentions of a topic live in its row with
-- the built-in aspects (`reviews.aspects`) under the topic's name, so the aspect rollup's
-- triggers (migration 0006), the topics, rising complaints and the topic_surge alert count them
-- with no second path. Saving or removing a topic re-tags the business's reviews in the same
-- transaction (store/postgres/topics.rs). Row-level security comes from earshot_secure_tables()
-- (migration 0007), which runs after this migration: the table has a business_id.
--
-- `words` is a JSON array of strings kept as text, as on a file, so both stores hand back the
-- very list written.

-- SQLite's NOCASE: ASCII letters folded, nothing else, so a name taken on a file is taken here.
CREATE FUNCTION earshot_nocase(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
$$;

CREATE TABLE owner_topics (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id bigint NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(trim(name)) > 0),
    words       text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(words::jsonb) = 'array'),
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);

-- One topic of a name per business, whatever the ASCII case (SQLite: UNIQUE with NOCASE).
CREATE UNIQUE INDEX owner_topics_name ON owner_topics (business_id, earshot_nocase(name));
