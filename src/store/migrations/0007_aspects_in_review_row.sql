-- Import speed (issue 8). A review's aspect mentions move from their own table into the review's
-- row: `reviews.aspects`, a JSON object from aspect to [sentiment, polarity], NULL when the
-- review names none:
--
--     {"coffee":[-0.6,-1],"wait time":[-0.4,-1]}
--
-- Each mention was a row of its own (2.5 a review), written by a statement of its own that
-- checked its foreign key against the review just written: a fifth of the import's single
-- writer. Every reader of the mentions reads them one review at a time — the reply composer's
-- "what they talk about", the inbox's aspect filter and the rising-complaint examples, which
-- walk a business's reviews newest first — so none needs them in a table of their own. The
-- dashboard's figures come from the rollup (aspect_daily), which stays.
ALTER TABLE reviews ADD COLUMN aspects TEXT;

DROP TRIGGER aspect_daily_delete;
UPDATE reviews SET aspects = m.aspects
FROM (
    SELECT review_id, json_group_object(aspect, json_array(sentiment, polarity)) AS aspects
    FROM review_aspects GROUP BY review_id
) AS m
WHERE reviews.id = m.review_id;
DROP TABLE review_aspects;

-- The rollup as the mention rows' delete trigger kept it: the write path (BatchRollups) adds a
-- new review's mentions, these triggers take out what a deleted review counted and move what
-- an edited one counts (its day, its business or its mentions changed). Days are UTC days,
-- rounded down also before 1970, as everywhere in the rollups.
CREATE TRIGGER aspect_daily_delete AFTER DELETE ON reviews WHEN old.aspects IS NOT NULL BEGIN
    UPDATE aspect_daily SET mentions = mentions - 1,
        negative = negative - (m.value ->> 1 = -1), positive = positive - (m.value ->> 1 = 1),
        sentiment_sum = sentiment_sum - (m.value ->> 0)
    FROM json_each(old.aspects) AS m
    WHERE business_id = old.business_id AND aspect = m.key
      AND day = (old.created_at / 86400) - (old.created_at < 0 AND old.created_at % 86400 != 0);
END;
CREATE TRIGGER aspect_daily_update AFTER UPDATE OF business_id, created_at, aspects ON reviews
WHEN old.aspects IS NOT NULL OR new.aspects IS NOT NULL BEGIN
    UPDATE aspect_daily SET mentions = mentions - 1,
        negative = negative - (m.value ->> 1 = -1), positive = positive - (m.value ->> 1 = 1),
        sentiment_sum = sentiment_sum - (m.value ->> 0)
    FROM json_each(old.aspects) AS m
    WHERE business_id = old.business_id AND aspect = m.key
      AND day = (old.created_at / 86400) - (old.created_at < 0 AND old.created_at % 86400 != 0);
    INSERT INTO aspect_daily (business_id, aspect, day, mentions, negative, positive, sentiment_sum)
    SELECT new.business_id, m.key,
        (new.created_at / 86400) - (new.created_at < 0 AND new.created_at % 86400 != 0),
        1, m.value ->> 1 = -1, m.value ->> 1 = 1, m.value ->> 0
    FROM json_each(new.aspects) AS m WHERE true
    ON CONFLICT (business_id, aspect, day) DO UPDATE SET mentions = mentions + excluded.mentions,
        negative = negative + excluded.negative, positive = positive + excluded.positive,
        sentiment_sum = sentiment_sum + excluded.sentiment_sum;
END;
