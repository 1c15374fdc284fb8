//! Follow-ups and what "did the reply work?" reads, on the team store: the SQLite store's
//! `store/follow_ups.rs` and `store/effect.rs`, method for method, in PostgreSQL's SQL.
//!
//! What differs, and why:
//! - **An ask is made once for the team.** On a file an immediate transaction makes the check
//!   and the write one step. Here the write is `INSERT … ON CONFLICT (review_id, round) DO
//!   NOTHING`: of two seats asking at once, both read "round 1 is free", one inserts it and the
//!   other inserts nothing, rereads, and answers [`Begun::Already`] with the winner's ask.
//! - SQLite's `x IS 'negative'` (false for NULL) is `IS NOT DISTINCT FROM`; SQLite sorts NULL
//!   first, so an order over a column that may be NULL says `NULLS FIRST`.

use std::collections::{HashMap, HashSet};

use postgres::Row;

use super::PgStore;
use crate::model::replies::{
    AuthoredReview, ComplaintHistory, FollowUp, FollowUpMethod, FollowUpState, NewFollowUp,
};
use crate::model::{BusinessId, ReviewId, Revision};
use crate::store::reviews::from_unix;
use crate::store::{Begun, Result};

const COLUMNS: &str = "id, review_id, round, method, recipient, body, state, rating_at_ask, \
     asked_at, sent_at, last_error";

fn from_row(r: &Row) -> FollowUp {
    let method: String = r.get(3);
    let state: String = r.get(6);
    FollowUp {
        id: r.get(0),
        review_id: r.get(1),
        round: r.get(2),
        method: FollowUpMethod::parse(&method).unwrap_or(FollowUpMethod::ByHand),
        recipient: r.get(4),
        body: r.get(5),
        state: FollowUpState::parse(&state).unwrap_or(FollowUpState::Failed),
        rating_at_ask: r.get(7),
        asked_at: from_unix(r.get(8)),
        sent_at: r.get::<_, Option<i64>>(9).map(from_unix),
        last_error: r.get(10),
    }
}

impl PgStore {
    /// Every follow-up of a review, first ask first.
    pub fn follow_ups_of_review(&self, review_id: ReviewId) -> Result<Vec<FollowUp>> {
        let sql = format!("SELECT {COLUMNS} FROM follow_ups WHERE review_id = $1 ORDER BY round");
        let rows = self.client().query(&sql, &[&review_id])?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// The latest follow-up of each review of a business (or of every business), latest ask first.
    pub fn latest_follow_ups(&self, business_id: Option<BusinessId>) -> Result<Vec<FollowUp>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM follow_ups f
             WHERE f.round = (SELECT max(round) FROM follow_ups g WHERE g.review_id = f.review_id)
               AND ($1::bigint IS NULL
                    OR f.review_id IN (SELECT id FROM reviews WHERE business_id = $1))
             ORDER BY f.asked_at DESC, f.id DESC"
        );
        let rows = self.client().query(&sql, &[&business_id])?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Records an ask before it is made. Without `again`, a review already asked is left alone
    /// ([`Begun::Already`]) unless its last ask failed, which is tried again in a new round. See
    /// the module's note for two seats at once.
    pub fn begin_follow_up(&self, new: &NewFollowUp, again: bool, now: i64) -> Result<Begun> {
        let latest_sql = format!(
            "SELECT {COLUMNS} FROM follow_ups WHERE review_id = $1 ORDER BY round DESC LIMIT 1"
        );
        let mut client = self.client();
        let latest = client
            .query_opt(&latest_sql, &[&new.review_id])?
            .map(|r| from_row(&r));
        if let Some(l) = &latest {
            if !again && l.state != FollowUpState::Failed {
                return Ok(Begun::Already(l.clone()));
            }
        }
        let round = latest.map_or(1, |l| l.round + 1);
        let state = match new.method {
            FollowUpMethod::Email => FollowUpState::Sending,
            FollowUpMethod::ByHand => FollowUpState::Prepared,
        };
        let inserted = client.query_opt(
            &format!(
                "INSERT INTO follow_ups (review_id, round, method, recipient, body, state,
                     rating_at_ask, asked_at, sent_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)
                 ON CONFLICT (review_id, round) DO NOTHING
                 RETURNING {COLUMNS}"
            ),
            &[
                &new.review_id,
                &round,
                &new.method.as_str(),
                &new.recipient,
                &new.body,
                &state.as_str(),
                &new.rating_at_ask,
                &now,
            ],
        )?;
        match inserted {
            Some(row) => Ok(Begun::Go(from_row(&row))),
            // Another seat wrote this round first: its ask is the one made.
            None => {
                let winner = client.query_one(&latest_sql, &[&new.review_id])?;
                Ok(Begun::Already(from_row(&winner)))
            }
        }
    }

    /// Records how an e-mail ask went: sent, or failed with the reason.
    pub fn finish_follow_up(&self, id: i64, error: Option<&str>, now: i64) -> Result<FollowUp> {
        let state = if error.is_some() {
            FollowUpState::Failed
        } else {
            FollowUpState::Sent
        };
        let row = self.client().query_one(
            &format!(
                "UPDATE follow_ups SET state = $2, last_error = $3,
                     sent_at = CASE WHEN $3::text IS NULL THEN $4::bigint ELSE sent_at END
                 WHERE id = $1
                 RETURNING {COLUMNS}"
            ),
            &[&id, &state.as_str(), &error, &now],
        )?;
        Ok(from_row(&row))
    }

    /// The review's earlier versions, oldest first, as Earshot recorded them when it changed.
    pub fn revisions(&self, id: ReviewId) -> Result<Vec<Revision>> {
        let rows = self.client().query(
            "SELECT rating, title, body, updated_at, recorded_at FROM review_revisions
             WHERE review_id = $1 ORDER BY id",
            &[&id],
        )?;
        Ok(rows
            .iter()
            .map(|r| Revision {
                rating: r.get(0),
                title: r.get(1),
                body: r.get(2),
                updated_at: r.get::<_, Option<i64>>(3).map(from_unix),
                recorded_at: from_unix(r.get(4)),
            })
            .collect())
    }

    /// Reviews (not mentions) of a business that are, or once were, 1–2★ or read negative,
    /// oldest first, with their earlier ratings and their first posted reply's text; optionally
    /// on one platform.
    pub fn complaint_histories(
        &self,
        business_id: BusinessId,
        platform: Option<&str>,
    ) -> Result<Vec<ComplaintHistory>> {
        let mut client = self.client();
        let rows = client.query(
            "SELECT r.id, r.platform, r.author, r.rating,
                    r.sentiment_label IS NOT DISTINCT FROM 'negative',
                    r.created_at, r.replied_at,
                    (SELECT p.body FROM replies p WHERE p.review_id = r.id AND p.state = 'posted'
                     ORDER BY p.posted_at NULLS FIRST, p.id LIMIT 1)
             FROM reviews r
             WHERE r.business_id = $1 AND r.kind = 'review' AND r.removed_at IS NULL
               AND ($2::text IS NULL OR r.platform = $2)
               AND (r.rating <= 2 OR r.sentiment_label IS NOT DISTINCT FROM 'negative'
                    OR EXISTS (SELECT 1 FROM review_revisions v
                               WHERE v.review_id = r.id AND v.rating <= 2))
             ORDER BY r.created_at, r.id",
            &[&business_id, &platform],
        )?;
        let mut out: Vec<ComplaintHistory> = rows
            .iter()
            .map(|r| ComplaintHistory {
                review_id: r.get(0),
                platform: r.get(1),
                author: r.get(2),
                rating: r.get(3),
                negative: r.get(4),
                created_at: r.get(5),
                replied_at: r.get(6),
                reply: r.get(7),
                earlier: Vec::new(),
            })
            .collect();
        // Every revision of the business's reviews in one pass, grouped here.
        let revs = client.query(
            "SELECT v.review_id, v.rating, v.recorded_at FROM review_revisions v
             JOIN reviews r ON r.id = v.review_id
             WHERE r.business_id = $1 AND r.kind = 'review'
             ORDER BY v.review_id, v.recorded_at, v.id",
            &[&business_id],
        )?;
        let mut earlier: HashMap<ReviewId, Vec<(Option<f64>, i64)>> = HashMap::new();
        for r in &revs {
            earlier
                .entry(r.get(0))
                .or_default()
                .push((r.get(1), r.get(2)));
        }
        for h in &mut out {
            if let Some(e) = earlier.remove(&h.review_id) {
                h.earlier = e;
            }
        }
        Ok(out)
    }

    /// Reviews of a business whose author is one of `authors` (compared as
    /// [`crate::insights::effect::author_key`] folds them), oldest first.
    pub fn reviews_by_authors(
        &self,
        business_id: BusinessId,
        authors: &HashSet<String>,
    ) -> Result<Vec<AuthoredReview>> {
        if authors.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.client().query(
            "SELECT id, platform, author, rating,
                    sentiment_label IS NOT DISTINCT FROM 'positive', created_at
             FROM reviews
             WHERE business_id = $1 AND kind = 'review' AND removed_at IS NULL
               AND author IS NOT NULL
             ORDER BY created_at, id",
            &[&business_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| AuthoredReview {
                review_id: r.get(0),
                platform: r.get(1),
                author: r.get(2),
                rating: r.get(3),
                positive: r.get(4),
                created_at: r.get(5),
            })
            .filter(|a| authors.contains(&crate::insights::effect::author_key(&a.author)))
            .collect())
    }

    /// The business's posted replies, oldest first: (review, posted at, text).
    pub fn posted_replies_in_order(
        &self,
        business_id: BusinessId,
    ) -> Result<Vec<(ReviewId, i64, String)>> {
        let rows = self.client().query(
            "SELECT p.review_id, coalesce(p.posted_at, p.created_at), p.body
             FROM replies p JOIN reviews r ON r.id = p.review_id
             WHERE r.business_id = $1 AND p.state = 'posted'
             ORDER BY coalesce(p.posted_at, p.created_at), p.id",
            &[&business_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }
}
