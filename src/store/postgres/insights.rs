//! What an owner reads on the team store beside the headline figures: the reply delays behind
//! trends' medians and the comparison, the aspect rollup (`aspect_daily`, migration 0006) behind
//! topics and top aspects, and a business's kind. The same methods, signatures and results as
//! the SQLite store's (`store/trends.rs`, `store/businesses.rs`).

use super::PgStore;
use crate::analysis::trends::AspectCounts;
use crate::model::{BusinessId, ReviewId};
use crate::store::stats::average;
use crate::store::{PlatformCount, Result};

impl PgStore {
    /// (day of the item, hours to its first reply) for replied items created in `[from, to)`
    /// (Unix seconds), optionally for one platform. The day is the SQLite store's (division
    /// towards zero), so medians per period land in the same buckets.
    pub fn reply_delays(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>> {
        let rows = self.client().query(
            "SELECT created_at / 86400, greatest((replied_at - created_at)::float8 / 3600, 0)
             FROM reviews
             WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND replied_at IS NOT NULL AND removed_at IS NULL
               AND ($4::text IS NULL OR platform = $4)",
            &[&business_id, &from, &to, &platform],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Aspect counts of a business for days in `[from_day, to_day)`, most mentioned first, ties
    /// by name in byte order (`COLLATE "C"`, as SQLite compares text).
    pub fn aspect_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<AspectCounts>> {
        let rows = self.client().query(
            "SELECT aspect, sum(mentions)::bigint, sum(negative)::bigint, sum(positive)::bigint,
                    sum(sentiment_sum)
             FROM aspect_daily WHERE business_id = $1 AND day >= $2 AND day < $3
             GROUP BY aspect HAVING sum(mentions) > 0
             ORDER BY sum(mentions) DESC, aspect COLLATE \"C\"",
            &[&business_id, &from_day, &to_day],
        )?;
        Ok(rows
            .iter()
            .map(|r| AspectCounts {
                aspect: r.get(0),
                mentions: r.get(1),
                negative: r.get(2),
                positive: r.get(3),
                sentiment_sum: r.get(4),
            })
            .collect())
    }

    /// One aspect's rollup day by day in `[from_day, to_day)` (`from_day` `None`: from the
    /// first), oldest first: a topic's trend.
    pub fn aspect_days(
        &self,
        business_id: BusinessId,
        aspect: &str,
        from_day: Option<i64>,
        to_day: i64,
    ) -> Result<Vec<(i64, AspectCounts)>> {
        let rows = self.client().query(
            "SELECT day, mentions, negative, positive, sentiment_sum FROM aspect_daily
             WHERE business_id = $1 AND aspect = $2 AND day >= $3 AND day < $4 AND mentions > 0
             ORDER BY day",
            &[
                &business_id,
                &aspect,
                &from_day.unwrap_or(i64::MIN),
                &to_day,
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    AspectCounts {
                        aspect: aspect.to_owned(),
                        mentions: r.get(1),
                        negative: r.get(2),
                        positive: r.get(3),
                        sentiment_sum: r.get(4),
                    },
                )
            })
            .collect())
    }

    /// The newest reviews mentioning an aspect (with the given polarity unless `None`) in
    /// `[from_day, to_day)`: walks the business's reviews of the period newest first on
    /// `reviews_by_business_time` and reads each one's mentions, so it stops at `limit`.
    pub fn aspect_review_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        polarity: Option<i8>,
        from_day: i64,
        to_day: i64,
        limit: u32,
    ) -> Result<Vec<ReviewId>> {
        let rows = self.client().query(
            "SELECT id FROM reviews
             WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND aspects ? $4::text
               AND ($5::int IS NULL OR (aspects -> $4::text ->> 1)::int = $5)
             ORDER BY created_at DESC, id DESC LIMIT $6",
            &[
                &business_id,
                &from_day.saturating_mul(86_400),
                &to_day.saturating_mul(86_400),
                &aspect,
                &polarity.map(i32::from),
                &i64::from(limit),
            ],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Texts of a business's reviews in `[from, to)` (Unix seconds), newest first, for mining
    /// key phrases; bounded by `limit`.
    pub fn review_texts(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        limit: u32,
    ) -> Result<Vec<String>> {
        let rows = self.client().query(
            "SELECT coalesce(title || '. ', '') || body FROM reviews
             WHERE business_id = $1 AND created_at >= $2 AND created_at < $3
               AND removed_at IS NULL
             ORDER BY created_at DESC LIMIT $4",
            &[&business_id, &from, &to, &i64::from(limit)],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Items per platform of a business for days in `[from_day, to_day)`, most first, ties by
    /// name in byte order: the dashboard's "volume by platform", from the daily rollup.
    pub fn platform_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<PlatformCount>> {
        let rows = self.client().query(
            "SELECT platform, sum(count)::bigint, sum(rated)::bigint, sum(rating_sum)
             FROM review_daily WHERE business_id = $1 AND day >= $2 AND day < $3
             GROUP BY platform HAVING sum(count) > 0
             ORDER BY sum(count) DESC, platform COLLATE \"C\"",
            &[&business_id, &from_day, &to_day],
        )?;
        Ok(rows
            .iter()
            .map(|r| PlatformCount {
                platform: r.get(0),
                count: r.get(1),
                average_rating: average(r.get(3), r.get(2)),
            })
            .collect())
    }

    /// Sets (or clears) the kind of business, which picks the topic lexicon.
    pub fn set_business_category(&self, id: BusinessId, category: Option<&str>) -> Result<()> {
        self.client().execute(
            "UPDATE businesses SET category = $2 WHERE id = $1",
            &[&id, &category],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IncomingReview;
    use crate::store::postgres::cluster;

    /// The aspect rollup's live rows, and what the rows' mentions add up to, comparably.
    fn rollup_and_mentions(store: &PgStore) -> (Vec<String>, Vec<String>) {
        let read = |sql: &str| -> Vec<String> {
            store
                .client()
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| {
                    format!(
                        "{}|{}|{}|{}|{}|{}|{:.3}",
                        r.get::<_, i64>(0),
                        r.get::<_, String>(1),
                        r.get::<_, i64>(2),
                        r.get::<_, i64>(3),
                        r.get::<_, i64>(4),
                        r.get::<_, i64>(5),
                        r.get::<_, f64>(6)
                    )
                })
                .collect()
        };
        let rollup = read(
            "SELECT business_id, aspect, day, mentions, negative, positive, sentiment_sum
             FROM aspect_daily WHERE mentions <> 0 ORDER BY 1, 2, 3",
        );
        let mentions = read(
            "SELECT r.business_id, m.key, earshot_day(r.created_at), count(*),
                 count(*) FILTER (WHERE (m.value ->> 1)::int = -1),
                 count(*) FILTER (WHERE (m.value ->> 1)::int = 1),
                 sum((m.value ->> 0)::float8)
             FROM reviews r CROSS JOIN LATERAL jsonb_each(r.aspects) m
             WHERE r.aspects IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        );
        (rollup, mentions)
    }

    /// The aspect rollup is what the rows' mentions add up to after every kind of write, SQL
    /// typed by hand included: new rows, a rerun, a re-tag, a removal (still counted, as in the
    /// SQLite store), a move to another day, deletions, a business deleted with its reviews.
    #[test]
    fn the_aspect_rollup_follows_every_write_even_hand_written_sql() {
        let store = PgStore::open(&cluster::fresh_database("aspect_rollup")).unwrap();
        let cafe = store.ensure_business("Cafe").unwrap();
        let source = store
            .ensure_source(cafe.id, "file", "import", &serde_json::json!({}))
            .unwrap();
        let bodies = [
            "Cold coffee and slow service",
            "Lovely coffee, friendly staff",
            "The staff were rude and the prices too high",
        ];
        let items: Vec<IncomingReview> = (0..45)
            .map(|i| {
                let at = chrono::DateTime::from_timestamp((20_000 + i % 7) * 86_400 + 600, 0);
                IncomingReview::example(
                    format!("a{i}"),
                    bodies[(i % 3) as usize].into(),
                    at.unwrap(),
                )
            })
            .collect();
        store.write_reviews(source, &items).unwrap();
        let (rollup, mentions) = rollup_and_mentions(&store);
        assert!(rollup.len() > 5, "the texts name aspects: {rollup:?}");
        assert_eq!(rollup, mentions);
        store.write_reviews(source, &items).unwrap();
        assert_eq!(
            rollup_and_mentions(&store).0,
            rollup,
            "a rerun adds nothing"
        );

        store
            .client()
            .batch_execute(
                r#"UPDATE reviews SET aspects = '{"coffee":[-0.8,-1]}' WHERE external_id = 'a1';
                   UPDATE reviews SET aspects = NULL WHERE external_id = 'a2';
                   UPDATE reviews SET removed_at = 1 WHERE external_id = 'a3';
                   UPDATE reviews SET created_at = created_at - 86400 * 30 WHERE external_id = 'a4';
                   DELETE FROM reviews WHERE external_id IN ('a5', 'a6');"#,
            )
            .unwrap();
        let (rollup, mentions) = rollup_and_mentions(&store);
        assert_eq!(rollup, mentions);

        let counts = store.aspect_counts(cafe.id, 19_000, 21_000).unwrap();
        let coffee = counts.iter().find(|c| c.aspect == "coffee").unwrap();
        let typed: i64 = store
            .client()
            .query_one("SELECT count(*) FROM reviews WHERE aspects ? 'coffee'", &[])
            .unwrap()
            .get(0);
        assert_eq!(coffee.mentions, typed);

        store
            .client()
            .execute("DELETE FROM businesses", &[])
            .unwrap();
        let left: i64 = store
            .client()
            .query_one("SELECT count(*) FROM aspect_daily", &[])
            .unwrap()
            .get(0);
        assert_eq!(left, 0);
    }
}
