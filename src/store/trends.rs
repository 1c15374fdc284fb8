//! Reads for trends, topics and comparisons: rollup rows per day and per aspect.

use rusqlite::{params, types::Value};

use super::{Result, Store};
use crate::analysis::aspects;
use crate::analysis::trends::{merge_days, AspectCounts, DayRow};
use crate::model::{BusinessId, ReviewId};

/// Reviews of business ?1 mentioning aspect ?2 (with polarity ?5 unless NULL), created in
/// [?3, ?4), newest first, at most ?6. ?7 is the aspect as a key of the row's mentions
/// ([`aspects::json_key`] and a colon): a substring test picks the rows that mention it before
/// any JSON is read.
const ASPECT_REVIEW_IDS: &str = "SELECT r.id FROM reviews r
     WHERE r.business_id = ?1 AND r.created_at >= ?3 AND r.created_at < ?4
       AND instr(r.aspects, ?7) > 0
       AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(r.aspects) m
                                  WHERE m.key = ?2 AND m.value ->> 1 = ?5))
     ORDER BY r.created_at DESC, r.id DESC LIMIT ?6";

impl Store {
    /// One summed rollup row per day for a business, oldest first, optionally for one platform.
    /// The rows are read in key order and summed per day in Rust: a GROUP BY day would sort
    /// the business's few thousand rows first, most of the dashboard's time before.
    pub fn daily_rows(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
    ) -> Result<Vec<DayRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, count, rated, rating_sum, r1, r2, r3, r4, r5, negative, neutral, positive,
                    replied, unanswered_negative
             FROM review_daily WHERE business_id = ?1 AND (?2 IS NULL OR platform = ?2)",
        )?;
        let rows = stmt.query_map(params![business_id, platform], |r| {
            Ok(DayRow {
                day: r.get(0)?,
                count: r.get(1)?,
                rated: r.get(2)?,
                rating_sum: r.get(3)?,
                stars: [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
                negative: r.get(9)?,
                neutral: r.get(10)?,
                positive: r.get(11)?,
                replied: r.get(12)?,
                unanswered_negative: r.get(13)?,
            })
        })?;
        Ok(merge_days(rows.collect::<rusqlite::Result<_>>()?))
    }

    /// (day of the item, hours to its first reply) for replied items created in `[from, to)`
    /// (Unix seconds), optionally for one platform.
    pub fn reply_delays(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT created_at / 86400, (replied_at - created_at) / 3600.0 FROM reviews
             WHERE business_id = ?1 AND created_at >= ?2 AND created_at < ?3
               AND replied_at IS NOT NULL AND removed_at IS NULL AND (?4 IS NULL OR platform = ?4)",
        )?;
        let rows = stmt.query_map(params![business_id, from, to, platform], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?.max(0.0)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Aspect counts of a business for days in `[from_day, to_day)`, most mentioned first.
    pub fn aspect_counts(
        &self,
        business_id: BusinessId,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<AspectCounts>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT aspect, sum(mentions), sum(negative), sum(positive), sum(sentiment_sum)
             FROM aspect_daily WHERE business_id = ?1 AND day >= ?2 AND day < ?3
             GROUP BY aspect HAVING sum(mentions) > 0 ORDER BY sum(mentions) DESC, aspect",
        )?;
        let rows = stmt.query_map(params![business_id, from_day, to_day], |r| {
            Ok(AspectCounts {
                aspect: r.get(0)?,
                mentions: r.get(1)?,
                negative: r.get(2)?,
                positive: r.get(3)?,
                sentiment_sum: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest reviews mentioning an aspect with the given polarity in `[from_day, to_day)`.
    /// Walks the business's reviews of the period newest first and reads each one's mentions
    /// (kept in its row: migration 0007), so it stops at `limit`.
    pub fn aspect_review_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        polarity: Option<i8>,
        from_day: i64,
        to_day: i64,
        limit: u32,
    ) -> Result<Vec<ReviewId>> {
        let mut stmt = self.conn.prepare_cached(ASPECT_REVIEW_IDS)?;
        let polarity = polarity.map_or(Value::Null, |p| Value::Integer(i64::from(p)));
        let (from, to) = (
            from_day.saturating_mul(86_400),
            to_day.saturating_mul(86_400),
        );
        let rows = stmt.query_map(
            params![
                business_id,
                aspect,
                from,
                to,
                polarity,
                limit,
                format!("{}:", aspects::json_key(aspect))
            ],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(title || '. ', '') || body FROM reviews
             WHERE business_id = ?1 AND created_at >= ?2 AND created_at < ?3 AND removed_at IS NULL
             ORDER BY created_at DESC LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![business_id, from, to, limit], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::aspects::polarity;
    use crate::store::ReviewFilter;

    /// The drill-down walks the business's reviews newest first and looks each one's mentions
    /// up by key (migration 0005 dropped the index by aspect): it must find what reading every
    /// review's mentions finds, in the same order, and stop at the limit.
    #[test]
    fn aspect_examples_are_the_newest_matching_reviews_of_the_period() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("aspects.db")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        crate::demo::load(&mut store, today).unwrap();
        let own = store.businesses().unwrap()[0].id;
        let (from_day, to_day) = (20_000, 20_240); // 2024-10-04 to 2025-06-01
        let period = store
            .list_reviews(&ReviewFilter {
                business_id: Some(own),
                since: chrono::DateTime::from_timestamp(from_day * 86_400, 0),
                until: chrono::DateTime::from_timestamp(to_day * 86_400 - 1, 0),
                include_removed: true,
                limit: Some(u32::MAX),
                ..Default::default()
            })
            .unwrap();
        assert!(period.len() > 50, "{} reviews in the period", period.len());
        let mut checked = 0;
        for aspect in ["coffee", "staff", "wait time", "price"] {
            for wanted in [None, Some(-1i8), Some(1)] {
                let mut expected = Vec::new();
                for r in &period {
                    let found = store
                        .review_aspects(r.id)
                        .unwrap()
                        .into_iter()
                        .any(|(a, s)| a == aspect && wanted.is_none_or(|p| polarity(s) == p));
                    if found {
                        expected.push(r.id);
                    }
                }
                let limit = 5;
                let got = store
                    .aspect_review_ids(own, aspect, wanted, from_day, to_day, limit)
                    .unwrap();
                expected.truncate(limit as usize);
                assert_eq!(got, expected, "{aspect} {wanted:?}");
                checked += got.len();
            }
        }
        assert!(checked > 20, "the demo mentions these aspects: {checked}");
    }

    #[test]
    fn the_aspect_drill_down_walks_the_business_index_and_sorts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let plan = store.query_plan(
            ASPECT_REVIEW_IDS,
            params![1, "coffee", 0, 86_400, -1, 5, "\"coffee\":"],
        );
        assert!(
            plan.iter()
                .any(|l| l.contains("SEARCH r USING") && l.contains("reviews_by_business_time")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
    }
}
