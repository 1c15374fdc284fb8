-- What an owner reads on the team store (issue 31): the per-day aspect rollup behind topics,
-- rising complaints, the comparison's top aspects and the dashboard, column for column the SQLite
-- store's `aspect_daily`. Each review's mentions are in its row (`reviews.aspects`, a jsonb object
-- from aspect to [sentiment, polarity], as SQLite's migration 0007 keeps them), so the rollup is
-- kept by statement-level triggers over transition tables, like `review_daily`: one aggregated
-- upsert per statement whatever writes the rows (an import's merge, a sync's page, a re-tag of
-- the owner's topics, hand-written SQL). As in the SQLite store, a removed review's mentions stay
-- counted (only deleting a row, or changing its day, business or mentions, moves them).

CREATE TABLE aspect_daily (
    business_id   bigint NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    aspect        text NOT NULL,
    day           bigint NOT NULL,
    mentions      bigint NOT NULL DEFAULT 0,
    negative      bigint NOT NULL DEFAULT 0,
    positive      bigint NOT NULL DEFAULT 0,
    sentiment_sum double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, aspect, day)
);

-- Takes out what the rows that leave counted (sign -1) or adds what the rows that arrive count
-- (sign 1). Rows without mentions cost nothing but the scan of the transition table.
CREATE FUNCTION earshot_aspect_daily_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO aspect_daily AS d (business_id, aspect, day, mentions, negative, positive,
            sentiment_sum)
        SELECT o.business_id, m.key, earshot_day(o.created_at),
            -count(*), -count(*) FILTER (WHERE (m.value ->> 1)::int = -1),
            -count(*) FILTER (WHERE (m.value ->> 1)::int = 1),
            -coalesce(sum((m.value ->> 0)::double precision), 0)
        FROM old_rows o CROSS JOIN LATERAL jsonb_each(o.aspects) AS m
        WHERE o.aspects IS NOT NULL AND jsonb_typeof(o.aspects) = 'object'
            -- A deleted business takes its rollup with it (a cascade): nothing to take out.
            AND EXISTS (SELECT 1 FROM businesses b WHERE b.id = o.business_id)
        GROUP BY 1, 2, 3
        ON CONFLICT (business_id, aspect, day) DO UPDATE SET
            mentions = d.mentions + excluded.mentions, negative = d.negative + excluded.negative,
            positive = d.positive + excluded.positive,
            sentiment_sum = d.sentiment_sum + excluded.sentiment_sum;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO aspect_daily AS d (business_id, aspect, day, mentions, negative, positive,
            sentiment_sum)
        SELECT n.business_id, m.key, earshot_day(n.created_at),
            count(*), count(*) FILTER (WHERE (m.value ->> 1)::int = -1),
            count(*) FILTER (WHERE (m.value ->> 1)::int = 1),
            coalesce(sum((m.value ->> 0)::double precision), 0)
        FROM new_rows n CROSS JOIN LATERAL jsonb_each(n.aspects) AS m
        WHERE n.aspects IS NOT NULL AND jsonb_typeof(n.aspects) = 'object'
        GROUP BY 1, 2, 3
        ON CONFLICT (business_id, aspect, day) DO UPDATE SET
            mentions = d.mentions + excluded.mentions, negative = d.negative + excluded.negative,
            positive = d.positive + excluded.positive,
            sentiment_sum = d.sentiment_sum + excluded.sentiment_sum;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER aspect_daily_insert AFTER INSERT ON reviews
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION earshot_aspect_daily_trigger();
CREATE TRIGGER aspect_daily_update AFTER UPDATE ON reviews
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION earshot_aspect_daily_trigger();
CREATE TRIGGER aspect_daily_delete AFTER DELETE ON reviews
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION earshot_aspect_daily_trigger();

-- Rows of an existing team database that an older Earshot wrote before this rollup existed.
INSERT INTO aspect_daily (business_id, aspect, day, mentions, negative, positive, sentiment_sum)
SELECT r.business_id, m.key, earshot_day(r.created_at), count(*),
    count(*) FILTER (WHERE (m.value ->> 1)::int = -1),
    count(*) FILTER (WHERE (m.value ->> 1)::int = 1),
    coalesce(sum((m.value ->> 0)::double precision), 0)
FROM reviews r CROSS JOIN LATERAL jsonb_each(r.aspects) AS m
WHERE r.aspects IS NOT NULL AND jsonb_typeof(r.aspects) = 'object'
GROUP BY 1, 2, 3;
