//! The reads of the statistical and lifecycle alert rules (issue 28): day series by sentiment
//! and by aspect, a window's items, low ratings and whether their authors wrote before, synced
//! sources' day counts, removed reviews, and when kept sign-ins end.
//!
//! Day series come from the rollups (`review_daily`, `aspect_daily`), which are small, so every
//! check can evaluate the whole history; raw rows are read only for one window's evidence, on
//! `reviews_by_business_time`. Sign-in ends live in `settings` under `credentials.<source id>`:
//! the end and whether it renews itself, never a token (those stay in the secret store).

use rusqlite::params;

use super::{Result, Store};
use crate::model::alerts::{CredentialExpiry, Item};
use crate::model::{BusinessId, ReviewId, SourceId};

/// `settings` key prefix of a source's sign-in end.
const CREDENTIALS_PREFIX: &str = "credentials.";

/// A business's day series for the windowed rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentimentDays {
    /// First day with any item (the history starts there).
    pub first_day: Option<i64>,
    /// `(day, negative items)` and `(day, positive items)`.
    pub negative: Vec<(i64, i64)>,
    pub positive: Vec<(i64, i64)>,
}

impl Store {
    /// Negative and positive items per day of a business, from the rollup.
    pub fn sentiment_days(&self, business_id: BusinessId) -> Result<SentimentDays> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, sum(count), sum(negative), sum(positive) FROM review_daily
             WHERE business_id = ?1 GROUP BY day HAVING sum(count) > 0 ORDER BY day",
        )?;
        let mut out = SentimentDays::default();
        let rows = stmt.query_map([business_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (day, neg, pos) = row?;
            out.first_day.get_or_insert(day);
            out.negative.push((day, neg));
            out.positive.push((day, pos));
        }
        Ok(out)
    }

    /// (negative, positive) items of a business written in `[from, to)`.
    pub fn sentiment_split(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
    ) -> Result<(i64, i64)> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(sentiment_label = 'negative'), 0),
                    coalesce(sum(sentiment_label = 'positive'), 0)
             FROM reviews WHERE business_id = ?1 AND created_at >= ?2 AND created_at < ?3
               AND removed_at IS NULL",
            )?
            .query_row(params![business_id, from, to], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
    }

    /// Ids of a business's items in `[from, to)` with sentiment `label` (`negative`, `positive`).
    pub fn review_ids_with_sentiment(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        label: &str,
    ) -> Result<Vec<ReviewId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM reviews WHERE business_id = ?1 AND created_at >= ?2 AND created_at < ?3
               AND removed_at IS NULL AND sentiment_label = ?4 ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![business_id, from, to, label], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ids of a business's reviews in `[from, to)` rated at or below `max_stars`.
    pub fn low_rated_ids(
        &self,
        business_id: BusinessId,
        from: i64,
        to: i64,
        max_stars: f64,
    ) -> Result<Vec<ReviewId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM reviews WHERE business_id = ?1 AND created_at >= ?2 AND created_at < ?3
               AND removed_at IS NULL AND rating <= ?4 ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![business_id, from, to, max_stars], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `(aspect, day, negative mentions)` of a business, from the rollup, by aspect then day.
    pub fn aspect_negative_days(&self, business_id: BusinessId) -> Result<Vec<(String, i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT aspect, day, negative FROM aspect_daily
             WHERE business_id = ?1 AND mentions > 0 ORDER BY aspect, day",
        )?;
        let rows = stmt.query_map([business_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ids of a business's items in `[from, to)` that mention `aspect` negatively.
    pub fn aspect_negative_ids(
        &self,
        business_id: BusinessId,
        aspect: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<ReviewId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM reviews WHERE business_id = ?1 AND created_at >= ?2 AND created_at < ?3
               AND removed_at IS NULL AND aspects IS NOT NULL
               AND aspects ->> ('$.\"' || ?4 || '\"[1]') = -1
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![business_id, from, to, aspect], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `(id, created_at)` of a business's reviews rated at or below `max_stars`, by time.
    pub fn low_ratings(
        &self,
        business_id: BusinessId,
        max_stars: f64,
    ) -> Result<Vec<(ReviewId, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, created_at FROM reviews WHERE business_id = ?1 AND removed_at IS NULL
               AND rating <= ?2 ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![business_id, max_stars], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `(id, platform, author)` of a business's reviews written up to `until`, oldest first: one
    /// pass tells which authors of a burst had written before (a set of those seen so far),
    /// where a query per review would scan the business's history each time.
    pub fn authors_until(
        &self,
        business_id: BusinessId,
        until: i64,
    ) -> Result<Vec<(ReviewId, String, Option<String>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, platform, author FROM reviews WHERE business_id = ?1 AND created_at <= ?2
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![business_id, until], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sources that sync from a platform (not imports of files): `(source, business, connector)`.
    pub fn synced_sources(&self) -> Result<Vec<(SourceId, BusinessId, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.business_id, s.connector FROM sources s
             JOIN businesses b ON b.id = s.business_id
             WHERE b.is_competitor = 0 AND s.connector NOT IN ('file', 'import', 'csv', 'jsonl')
               AND s.status != 'paused' ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `(day, items)` a source brought, by day.
    pub fn source_days(&self, source_id: SourceId) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT created_at / 86400 - (created_at < 0 AND created_at % 86400 != 0) AS d, count(*)
             FROM reviews WHERE source_id = ?1 AND removed_at IS NULL GROUP BY d ORDER BY d",
        )?;
        let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The owner's reviews removed from their platform at or after `since`, with when.
    pub fn removed_items(&self, since: i64) -> Result<Vec<(Item, i64)>> {
        let sql = format!(
            "SELECT {}, NULL, r.removed_at FROM reviews r JOIN businesses b ON b.id = r.business_id
             WHERE r.removed_at IS NOT NULL AND r.removed_at >= ?1 AND b.is_competitor = 0
             ORDER BY r.removed_at, r.id",
            super::alerts::ITEM_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([since], |r| {
            Ok((super::alerts::item_from_row(r)?, r.get(13)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records when a source's kept sign-in ends (`None`: it does not, or it is unknown) and
    /// whether it renews itself. Never the token.
    pub fn record_credential_expiry(
        &self,
        source_id: SourceId,
        expires_at: Option<i64>,
        renewable: bool,
    ) -> Result<()> {
        let key = format!("{CREDENTIALS_PREFIX}{source_id}");
        match expires_at {
            Some(at) => self.set_setting(
                &key,
                &serde_json::json!({ "expires_at": at, "renewable": renewable }),
            ),
            None => {
                self.conn
                    .prepare_cached("DELETE FROM settings WHERE key = ?1")?
                    .execute([key])?;
                Ok(())
            }
        }
    }

    /// Every recorded sign-in end of the owner's sources.
    pub fn credential_expiries(&self) -> Result<Vec<CredentialExpiry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.business_id, s.connector, s.label,
                    st.value ->> '$.expires_at', coalesce(st.value ->> '$.renewable', 0)
             FROM settings st JOIN sources s ON st.key = ?1 || s.id
             WHERE st.value ->> '$.expires_at' IS NOT NULL ORDER BY s.id",
        )?;
        let rows = stmt.query_map([CREDENTIALS_PREFIX], |r| {
            Ok(CredentialExpiry {
                source_id: r.get(0)?,
                business_id: r.get(1)?,
                connector: r.get(2)?,
                label: r.get(3)?,
                expires_at: r.get(4)?,
                renewable: r.get::<_, i64>(5)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
