-- Import speed, second step (issue 31: 50,000 reviews/s into PostgreSQL). Measured by switching
-- pieces off one at a time on 100,000 new reviews (server CPU of the writing backend, docs/scale.md):
-- the two foreign keys of `reviews` cost 1.1 s of 6.3 s, one row-by-row check each (PostgreSQL
-- runs an SPI query per row and key). One key over both columns checks a row once (0.7 s less)
-- and says more: a review belongs to the business of its source. A deleted business still takes
-- its reviews along, through its sources.
ALTER TABLE sources ADD CONSTRAINT sources_id_business UNIQUE (id, business_id);
ALTER TABLE reviews
    DROP CONSTRAINT reviews_source_id_fkey,
    DROP CONSTRAINT reviews_business_id_fkey,
    ADD CONSTRAINT reviews_source_business_fkey FOREIGN KEY (source_id, business_id)
        REFERENCES sources (id, business_id) ON DELETE CASCADE ON UPDATE CASCADE;


-- An import's batches are written over several connections at once (PgReviewWriter), and seats
-- write at once. Two transactions whose rows fall on the same days upsert the same rollup rows,
-- each in the order its aggregate comes out, and could deadlock. The rollup triggers now take one
-- transaction-level advisory lock first (key 2^62, apart from the sync claims' 2^60 + source and
-- the replies' 2^61 + review): a writer's statement does its work (rows, search documents,
-- indexes, key checks) in parallel with the others', and waits only at its end, for the rollup,
-- until the writer ahead of it commits. The sums themselves are the functions of migrations 0001
-- and 0006, unchanged (sorting the aggregate instead changed the order of a float sum, hence a
-- dashboard's third decimal).
CREATE OR REPLACE FUNCTION earshot_review_daily_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4611686018427387904);  -- 2^62: the rollups' lock
    -- Rows that leave (deleted, or the old side of an update), then rows that arrive.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO review_daily AS d (business_id, platform, kind, day, count, rated, rating_sum,
            r1, r2, r3, r4, r5, negative, neutral, positive, replied, unanswered_negative)
        SELECT business_id, platform, kind, earshot_day(created_at),
            -count(*), -count(rating), -coalesce(sum(rating), 0),
            -count(*) FILTER (WHERE round(rating::numeric) = 1), -count(*) FILTER (WHERE round(rating::numeric) = 2),
            -count(*) FILTER (WHERE round(rating::numeric) = 3), -count(*) FILTER (WHERE round(rating::numeric) = 4),
            -count(*) FILTER (WHERE round(rating::numeric) = 5),
            -count(*) FILTER (WHERE sentiment_label = 'negative'),
            -count(*) FILTER (WHERE sentiment_label = 'neutral'),
            -count(*) FILTER (WHERE sentiment_label = 'positive'),
            -count(replied_at),
            -count(*) FILTER (WHERE replied_at IS NULL AND (rating <= 2
                OR (kind = 'mention' AND sentiment_label = 'negative')))
        FROM old_rows o WHERE removed_at IS NULL
            -- A deleted business takes its rollup with it (a cascade): nothing to take out.
            AND EXISTS (SELECT 1 FROM businesses b WHERE b.id = o.business_id)
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET
            count = d.count + excluded.count, rated = d.rated + excluded.rated,
            rating_sum = d.rating_sum + excluded.rating_sum,
            r1 = d.r1 + excluded.r1, r2 = d.r2 + excluded.r2, r3 = d.r3 + excluded.r3,
            r4 = d.r4 + excluded.r4, r5 = d.r5 + excluded.r5,
            negative = d.negative + excluded.negative, neutral = d.neutral + excluded.neutral,
            positive = d.positive + excluded.positive, replied = d.replied + excluded.replied,
            unanswered_negative = d.unanswered_negative + excluded.unanswered_negative;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO review_daily AS d (business_id, platform, kind, day, count, rated, rating_sum,
            r1, r2, r3, r4, r5, negative, neutral, positive, replied, unanswered_negative)
        SELECT business_id, platform, kind, earshot_day(created_at),
            count(*), count(rating), coalesce(sum(rating), 0),
            count(*) FILTER (WHERE round(rating::numeric) = 1), count(*) FILTER (WHERE round(rating::numeric) = 2),
            count(*) FILTER (WHERE round(rating::numeric) = 3), count(*) FILTER (WHERE round(rating::numeric) = 4),
            count(*) FILTER (WHERE round(rating::numeric) = 5),
            count(*) FILTER (WHERE sentiment_label = 'negative'),
            count(*) FILTER (WHERE sentiment_label = 'neutral'),
            count(*) FILTER (WHERE sentiment_label = 'positive'),
            count(replied_at),
            count(*) FILTER (WHERE replied_at IS NULL AND (rating <= 2
                OR (kind = 'mention' AND sentiment_label = 'negative')))
        FROM new_rows WHERE removed_at IS NULL
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET
            count = d.count + excluded.count, rated = d.rated + excluded.rated,
            rating_sum = d.rating_sum + excluded.rating_sum,
            r1 = d.r1 + excluded.r1, r2 = d.r2 + excluded.r2, r3 = d.r3 + excluded.r3,
            r4 = d.r4 + excluded.r4, r5 = d.r5 + excluded.r5,
            negative = d.negative + excluded.negative, neutral = d.neutral + excluded.neutral,
            positive = d.positive + excluded.positive, replied = d.replied + excluded.replied,
            unanswered_negative = d.unanswered_negative + excluded.unanswered_negative;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION earshot_aspect_daily_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4611686018427387904);  -- 2^62: the rollups' lock
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
