//! What "did the reply work?" (issue 29, `crate::insights::effect`) reads: the reviews that may be
//! an unhappy customer's with their rating history and first reply, the reviews of those
//! customers' names, and the business's replies in the order they were posted.
//!
//! Three reads over one business, each one pass: the figures are computed in Rust by pure
//! functions, so the rules (who counts as unhappy, what counts as a recovery) live in one place
//! and are tested without a database.

use std::collections::{HashMap, HashSet};

use rusqlite::params;

use super::{Result, Store};
use crate::model::replies::{AuthoredReview, ComplaintHistory};
use crate::model::{BusinessId, ReviewId};

impl Store {
    /// Reviews (not mentions) of a business that are, or once were, 1–2★ or read negative, oldest
    /// first, with their earlier ratings and their first posted reply's text; optionally on one
    /// platform.
    pub fn complaint_histories(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
    ) -> Result<Vec<ComplaintHistory>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.platform, r.author, r.rating, r.sentiment_label IS 'negative',
                    r.created_at, r.replied_at,
                    (SELECT p.body FROM replies p WHERE p.review_id = r.id AND p.state = 'posted'
                     ORDER BY p.posted_at, p.id LIMIT 1)
             FROM reviews r
             WHERE r.business_id = ?1 AND r.kind = 'review' AND r.removed_at IS NULL
               AND (?2 IS NULL OR r.platform = ?2)
               AND (r.rating <= 2 OR r.sentiment_label IS 'negative'
                    OR EXISTS (SELECT 1 FROM review_revisions v
                               WHERE v.review_id = r.id AND v.rating <= 2))
             ORDER BY r.created_at, r.id",
        )?;
        let mut out: Vec<ComplaintHistory> = stmt
            .query_map(params![business_id, platform], |r| {
                Ok(ComplaintHistory {
                    review_id: r.get(0)?,
                    platform: r.get(1)?,
                    author: r.get(2)?,
                    rating: r.get(3)?,
                    negative: r.get(4)?,
                    created_at: r.get(5)?,
                    replied_at: r.get(6)?,
                    reply: r.get(7)?,
                    earlier: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        // Every revision of the business's reviews in one pass, grouped here.
        let mut revs = self.conn.prepare_cached(
            "SELECT v.review_id, v.rating, v.recorded_at FROM review_revisions v
             JOIN reviews r ON r.id = v.review_id
             WHERE r.business_id = ?1 AND r.kind = 'review'
             ORDER BY v.review_id, v.recorded_at, v.id",
        )?;
        let mut earlier: HashMap<ReviewId, Vec<(Option<f64>, i64)>> = HashMap::new();
        for row in revs.query_map([business_id], |r| {
            Ok((r.get::<_, ReviewId>(0)?, r.get(1)?, r.get(2)?))
        })? {
            let (id, rating, at) = row?;
            earlier.entry(id).or_default().push((rating, at));
        }
        for h in &mut out {
            if let Some(e) = earlier.remove(&h.review_id) {
                h.earlier = e;
            }
        }
        Ok(out)
    }

    /// Reviews of a business whose author is one of `authors` (compared without case), oldest
    /// first: where a customer who complained may have come back.
    pub fn reviews_by_authors(
        &self,
        business_id: BusinessId,
        authors: &HashSet<String>,
    ) -> Result<Vec<AuthoredReview>> {
        if authors.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, platform, author, rating, sentiment_label IS 'positive', created_at
             FROM reviews
             WHERE business_id = ?1 AND kind = 'review' AND removed_at IS NULL
               AND author IS NOT NULL
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([business_id], |r| {
            Ok(AuthoredReview {
                review_id: r.get(0)?,
                platform: r.get(1)?,
                author: r.get(2)?,
                rating: r.get(3)?,
                positive: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            if authors.contains(&crate::insights::effect::author_key(&row.author)) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// The business's posted replies, oldest first: (review, posted at, text). The "template or
    /// personal" habit compares each reply with the ones written before it.
    pub fn posted_replies_in_order(
        &self,
        business_id: BusinessId,
    ) -> Result<Vec<(ReviewId, i64, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.review_id, coalesce(p.posted_at, p.created_at), p.body
             FROM replies p JOIN reviews r ON r.id = p.review_id
             WHERE r.business_id = ?1 AND p.state = 'posted'
             ORDER BY coalesce(p.posted_at, p.created_at), p.id",
        )?;
        let rows = stmt.query_map([business_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Store {
    /// The review a source holds under a platform id, if any: the demo asks before it plays a
    /// customer's edit, so loading it again never edits a review twice.
    pub fn review_by_external_id(
        &self,
        source_id: crate::model::SourceId,
        external_id: &str,
    ) -> Result<Option<ReviewId>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM reviews WHERE source_id = ?1 AND external_id = ?2")?
            .query_row(params![source_id, external_id], |r| r.get(0))
            .optional()?)
    }
}
