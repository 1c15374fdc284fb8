-- The owner's own topics (issue 27): "the new menu", "parking", "Sarah's class", each with the
-- words or phrases that evoke it, per business. A review's mentions of them are kept with its
-- built-in aspects (`reviews.aspects`, 0007) under the topic's name, so the rollup
-- (aspect_daily), the dashboard's topics, rising complaints and the topic_surge alert count
-- them with no second path. Adding, editing or removing a topic re-tags the business's reviews
-- in the same transaction (store/topics.rs).
--
-- `words` is a JSON array of strings: a phrase may hold any character but a comma the CLI
-- splits on, and the store never parses a list of its own.
CREATE TABLE owner_topics (
    id          INTEGER PRIMARY KEY,
    business_id INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    name        TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) > 0),
    words       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(words) AND json_type(words) = 'array'),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (business_id, name)
);
