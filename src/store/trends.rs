//! Reads for trends, topics and comparisons: rollup rows per day and per aspect.

use rusqlite::{params, types::Value};

use super::{Result, Store};
use crate::analysis::trends::{merge_days, AspectCounts, DayRow};
use crate::model::{BusinessId, ReviewId};

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
    pub fn aspect_review_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        polarity: Option<i8>,
        from_day: i64,
        to_day: i64,
        limit: u32,
    ) -> Result<Vec<ReviewId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT review_id FROM review_aspects
             WHERE business_id = ?1 AND aspect = ?2 AND day >= ?3 AND day < ?4
               AND (?5 IS NULL OR polarity = ?5)
             ORDER BY day DESC, review_id DESC LIMIT ?6",
        )?;
        let polarity = polarity.map_or(Value::Null, |p| Value::Integer(i64::from(p)));
        let rows = stmt.query_map(
            params![business_id, aspect, from_day, to_day, polarity, limit],
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
