-- Dashboard and inbox at a million reviews (issue 8: p95 of every dashboard query and search at
-- most 20 ms at 1M reviews; issue 7: an inbox that stays smooth however deep it is scrolled).

-- 1. The inbox lists newest first: ORDER BY created_at DESC, id DESC. The v1 indexes were declared
-- (created_at DESC), which stores equal times in ascending id order, so SQLite had to sort every
-- run of equal times ("TEMP B-TREE FOR RIGHT PART OF ORDER BY") and could not stop early. An
-- ascending index walked backwards yields exactly (created_at DESC, id DESC): the listing streams
-- from it, a seek by time lands on the right row, and the range reads that used the old indexes
-- use these the same way.
DROP INDEX reviews_by_business_time;
DROP INDEX reviews_by_time;
CREATE INDEX reviews_by_business_time ON reviews (business_id, created_at);
CREATE INDEX reviews_by_time ON reviews (created_at);

-- 2. Median reply times (the dashboard's summary) read every replied review of a period. This
-- partial index holds just those, with what the median needs, so the read never touches the rows
-- and unreplied reviews cost nothing — neither here nor on import.
CREATE INDEX reviews_replied ON reviews (business_id, created_at, replied_at, platform)
    WHERE replied_at IS NOT NULL AND removed_at IS NULL;

-- 3. "Unanswered negatives" (1–2★ reviews and negative mentions without a reply) is a headline
-- figure of every dashboard period. Counted from the rows it read a year of reviews twice per
-- view; kept in the daily rollup it costs what the other figures cost. Counted once per item
-- (a rated negative mention is one item).
ALTER TABLE review_daily ADD COLUMN unanswered_negative INTEGER NOT NULL DEFAULT 0;
UPDATE review_daily SET unanswered_negative = n.count
FROM (
    SELECT business_id, platform, kind,
        (created_at / 86400) - (created_at < 0 AND created_at % 86400 != 0) AS day,
        count(*) AS count
    FROM reviews
    WHERE removed_at IS NULL AND replied_at IS NULL
      AND (rating <= 2 OR (kind = 'mention' AND sentiment_label IS 'negative'))
    GROUP BY 1, 2, 3, 4
) AS n
WHERE review_daily.business_id = n.business_id AND review_daily.platform = n.platform
  AND review_daily.kind = n.kind AND review_daily.day = n.day;

-- The v1 triggers again, with the new column: they must subtract exactly what the write path
-- (ROLLUP_NEW_ROWS in reviews.rs) adds.
DROP TRIGGER review_daily_delete;
DROP TRIGGER review_daily_update;
CREATE TRIGGER review_daily_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum, r1, r2, r3, r4, r5, negative, neutral, positive, replied, unanswered_negative)
    SELECT old.business_id, old.platform, old.kind, (old.created_at / 86400) - (old.created_at < 0 AND old.created_at % 86400 != 0), -1, -(old.rating IS NOT NULL), -coalesce(old.rating, 0), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 1), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 2), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 3), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 4), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 5), -(old.sentiment_label IS 'negative'), -(old.sentiment_label IS 'neutral'), -(old.sentiment_label IS 'positive'), -(old.replied_at IS NOT NULL), -(old.replied_at IS NULL AND (coalesce(old.rating <= 2, 0) OR (old.kind = 'mention' AND old.sentiment_label IS 'negative')))
    WHERE old.removed_at IS NULL
    ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET count = count + excluded.count, rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum, r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, negative = negative + excluded.negative, neutral = neutral + excluded.neutral, positive = positive + excluded.positive, replied = replied + excluded.replied, unanswered_negative = unanswered_negative + excluded.unanswered_negative;
END;
CREATE TRIGGER review_daily_update
AFTER UPDATE OF business_id, platform, kind, created_at, rating, sentiment_label, replied_at, removed_at ON reviews BEGIN
    INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum, r1, r2, r3, r4, r5, negative, neutral, positive, replied, unanswered_negative)
    SELECT old.business_id, old.platform, old.kind, (old.created_at / 86400) - (old.created_at < 0 AND old.created_at % 86400 != 0), -1, -(old.rating IS NOT NULL), -coalesce(old.rating, 0), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 1), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 2), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 3), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 4), -(old.rating IS NOT NULL AND CAST(round(old.rating) AS INTEGER) = 5), -(old.sentiment_label IS 'negative'), -(old.sentiment_label IS 'neutral'), -(old.sentiment_label IS 'positive'), -(old.replied_at IS NOT NULL), -(old.replied_at IS NULL AND (coalesce(old.rating <= 2, 0) OR (old.kind = 'mention' AND old.sentiment_label IS 'negative')))
    WHERE old.removed_at IS NULL
    ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET count = count + excluded.count, rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum, r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, negative = negative + excluded.negative, neutral = neutral + excluded.neutral, positive = positive + excluded.positive, replied = replied + excluded.replied, unanswered_negative = unanswered_negative + excluded.unanswered_negative;
    INSERT INTO review_daily (business_id, platform, kind, day, count, rated, rating_sum, r1, r2, r3, r4, r5, negative, neutral, positive, replied, unanswered_negative)
    SELECT new.business_id, new.platform, new.kind, (new.created_at / 86400) - (new.created_at < 0 AND new.created_at % 86400 != 0), 1, (new.rating IS NOT NULL), coalesce(new.rating, 0), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 1), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 2), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 3), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 4), (new.rating IS NOT NULL AND CAST(round(new.rating) AS INTEGER) = 5), (new.sentiment_label IS 'negative'), (new.sentiment_label IS 'neutral'), (new.sentiment_label IS 'positive'), (new.replied_at IS NOT NULL), (new.replied_at IS NULL AND (coalesce(new.rating <= 2, 0) OR (new.kind = 'mention' AND new.sentiment_label IS 'negative')))
    WHERE new.removed_at IS NULL
    ON CONFLICT (business_id, platform, kind, day) DO UPDATE SET count = count + excluded.count, rated = rated + excluded.rated, rating_sum = rating_sum + excluded.rating_sum, r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4, r5 = r5 + excluded.r5, negative = negative + excluded.negative, neutral = neutral + excluded.neutral, positive = positive + excluded.positive, replied = replied + excluded.replied, unanswered_negative = unanswered_negative + excluded.unanswered_negative;
END;
