//! Replies, drafts and reply templates: the rows behind the composer and the outbox.
//!
//! A reply row moves `draft → queued → posting → posted | failed`, and a posted reply may later be
//! `deleted`. There is at most one draft per review (saving again overwrites it, so the composer
//! can autosave on every pause), and queueing turns that same row into the outbox entry, so a
//! draft can never be posted twice by being queued twice. `posting` is written *before* the
//! request goes out (see `claim_reply`), which is what lets a crash be noticed afterwards.
//!
//! `reviews.replied_at` caches the first reply time; every write here that posts, marks or deletes
//! a reply keeps it current in the same transaction, and the rollup's update trigger keeps
//! `review_daily.replied` exact from it.

use rusqlite::{params, OptionalExtension, Row};

use super::reviews::from_unix;
use super::{now_unix, Result, Store, StoreError};
use crate::model::replies::{
    RatingHistory, Reply, ReplyOrigin, ReplyRevision, ReplyState, ReplyTemplate,
};
use crate::model::{BusinessId, Review, ReviewId};

const COLUMNS: &str = "id, review_id, origin, state, body, external_id, idempotency_key, \
     attempts, last_error, created_at, updated_at, posted_at, drafted_by, approved_by, sent_by";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Reply> {
    let origin: String = r.get(2)?;
    let state: String = r.get(3)?;
    Ok(Reply {
        id: r.get(0)?,
        review_id: r.get(1)?,
        origin: ReplyOrigin::parse(&origin).unwrap_or(ReplyOrigin::Earshot),
        state: ReplyState::parse(&state).unwrap_or(ReplyState::Failed),
        body: r.get(4)?,
        external_id: r.get(5)?,
        idempotency_key: r.get(6)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        created_at: from_unix(r.get(9)?),
        updated_at: from_unix(r.get(10)?),
        posted_at: r.get::<_, Option<i64>>(11)?.map(from_unix),
        drafted_by: r.get(12)?,
        approved_by: r.get(13)?,
        sent_by: r.get(14)?,
    })
}

const TEMPLATE_COLUMNS: &str = "id, name, min_rating, max_rating, aspect, body";

fn template_from_row(r: &Row<'_>) -> rusqlite::Result<ReplyTemplate> {
    Ok(ReplyTemplate {
        id: r.get(0)?,
        name: r.get(1)?,
        min_rating: r.get(2)?,
        max_rating: r.get(3)?,
        aspect: r.get(4)?,
        body: r.get(5)?,
    })
}

/// Sets the cached first-reply time when `at` is earlier or none is set. The rollup's update
/// trigger moves the review between "replied" and "unanswered" in `review_daily`.
const SET_REPLIED_AT: &str =
    "UPDATE reviews SET replied_at = ?2 WHERE id = ?1 AND (replied_at IS NULL OR replied_at > ?2)";

/// Recomputes the cached first-reply time from the replies still standing (after a deletion).
const RECOMPUTE_REPLIED_AT: &str = "UPDATE reviews SET replied_at =
         (SELECT min(posted_at) FROM replies WHERE review_id = ?1 AND state = 'posted')
     WHERE id = ?1";

/// Settings key that records that the built-in templates were offered once, so templates the
/// owner deleted do not come back.
const TEMPLATES_SEEDED: &str = "replies.templates_seeded";

/// The person at this seat on a file: the OS user (`USER`, or `USERNAME` on Windows), for
/// `drafted_by` and `sent_by`. `None` when the environment names nobody.
pub fn person_on_file() -> Option<String> {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
}

/// The error of `reply approve` for a reply that is not waiting for approval.
pub(crate) fn not_awaiting_approval(reply: &Reply) -> StoreError {
    StoreError::Invalid {
        what: "reply",
        reason: format!(
            "reply {} is {}, not waiting for approval (only a team member's reply that a \
             manager must approve waits)",
            reply.id,
            reply.state.as_str()
        ),
    }
}

impl Store {
    /// One reply by id.
    pub fn reply(&self, id: i64) -> Result<Reply> {
        let sql = format!("SELECT {COLUMNS} FROM replies WHERE id = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], from_row)
            .optional()?
            .ok_or(StoreError::Invalid {
                what: "reply",
                reason: format!("no reply with id {id}"),
            })
    }

    /// Every reply of a review, oldest first (drafts, outbox entries, platform-seen, manual).
    pub fn replies_of_review(&self, review_id: ReviewId) -> Result<Vec<Reply>> {
        let sql = format!("SELECT {COLUMNS} FROM replies WHERE review_id = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([review_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The review's draft, if one is saved.
    pub fn draft(&self, review_id: ReviewId) -> Result<Option<Reply>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM replies WHERE review_id = ?1 AND state = 'draft' ORDER BY id LIMIT 1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([review_id], from_row)
            .optional()?)
    }

    /// Saves the review's draft, overwriting the one already saved: one draft row per review, so
    /// autosaving on every pause never piles up rows.
    pub fn save_draft(&self, review_id: ReviewId, body: &str) -> Result<Reply> {
        let tx = self.conn.unchecked_transaction()?;
        self.review_exists(review_id)?;
        let now = now_unix();
        let updated = tx
            .prepare_cached(
                "UPDATE replies SET body = ?2, updated_at = ?3, drafted_by = ?4
                 WHERE id = (SELECT id FROM replies WHERE review_id = ?1 AND state = 'draft'
                             ORDER BY id LIMIT 1)",
            )?
            .execute(params![review_id, body, now, person_on_file()])?;
        if updated == 0 {
            tx.prepare_cached(
                "INSERT INTO replies (review_id, origin, state, body, created_at, updated_at,
                     drafted_by)
                 VALUES (?1, 'earshot', 'draft', ?2, ?3, ?3, ?4)",
            )?
            .execute(params![review_id, body, now, person_on_file()])?;
        }
        tx.commit()?;
        self.draft(review_id)?
            .ok_or(StoreError::UnknownReview(review_id))
    }

    /// Throws the review's draft away.
    pub fn discard_draft(&self, review_id: ReviewId) -> Result<bool> {
        let n = self.conn.execute(
            "DELETE FROM replies WHERE review_id = ?1 AND state = 'draft'",
            [review_id],
        )?;
        Ok(n > 0)
    }

    /// Turns the review's draft into an outbox entry under `key`, or returns what is already
    /// queued for it. Idempotent: the same key, or a second call once the draft is queued, gives
    /// back the same row — a double click queues one reply. A failed reply with no newer draft is
    /// queued again (a retry). `None` when there is nothing to queue.
    pub fn queue_reply(&self, review_id: ReviewId, key: &str) -> Result<Option<Reply>> {
        let tx = self.conn.unchecked_transaction()?;
        let by_key = format!("SELECT {COLUMNS} FROM replies WHERE idempotency_key = ?1");
        if let Some(r) = tx
            .prepare_cached(&by_key)?
            .query_row([key], from_row)
            .optional()?
        {
            return Ok(Some(r));
        }
        let now = now_unix();
        let queued = tx
            .prepare_cached(
                "UPDATE replies SET state = 'queued', idempotency_key = ?2, attempts = 0,
                     last_error = NULL, updated_at = ?3
                 WHERE id = (SELECT id FROM replies WHERE review_id = ?1 AND state = 'draft'
                             ORDER BY id LIMIT 1)",
            )?
            .execute(params![review_id, key, now])?;
        if queued == 0 {
            // No draft: a reply already on its way, or a failed one to retry.
            let pending = format!(
                "SELECT {COLUMNS} FROM replies WHERE review_id = ?1 AND origin = 'earshot'
                 AND state IN ('queued', 'posting', 'failed') ORDER BY id DESC LIMIT 1"
            );
            let Some(r) = tx
                .prepare_cached(&pending)?
                .query_row([review_id], from_row)
                .optional()?
            else {
                return Ok(None);
            };
            if r.state == ReplyState::Failed {
                tx.prepare_cached(
                    "UPDATE replies SET state = 'queued', idempotency_key = ?2, updated_at = ?3,
                         retry_at = NULL
                     WHERE id = ?1 AND state = 'failed'",
                )?
                .execute(params![r.id, key, now])?;
            } else {
                return Ok(Some(r));
            }
        }
        tx.commit()?;
        Ok(self
            .conn
            .prepare_cached(&by_key)?
            .query_row([key], from_row)
            .optional()?)
    }

    /// Queues a new text for a posted reply (an edit): the text the platform shows now is filed
    /// in `reply_revisions` and the row goes back to `queued` with the new body and key, in one
    /// transaction. The row keeps its `posted_at` and `external_id`, which is how the outbox
    /// knows it is an edit of a reply already on the platform.
    pub fn queue_edit(&self, reply_id: i64, body: &str, key: &str) -> Result<Reply> {
        let tx = self.conn.unchecked_transaction()?;
        let now = now_unix();
        let filed = tx
            .prepare_cached(
                "INSERT INTO reply_revisions (reply_id, body, replaced_at)
                 SELECT id, body, ?2 FROM replies WHERE id = ?1 AND state = 'posted'",
            )?
            .execute(params![reply_id, now])?;
        if filed == 0 {
            return Err(StoreError::Invalid {
                what: "reply",
                reason: format!("reply {reply_id} is not posted, so it cannot be edited"),
            });
        }
        tx.prepare_cached(
            "UPDATE replies SET state = 'queued', body = ?2, idempotency_key = ?3, attempts = 0,
                 last_error = NULL, updated_at = ?4, drafted_by = ?5
             WHERE id = ?1",
        )?
        .execute(params![reply_id, body, key, now, person_on_file()])?;
        tx.commit()?;
        self.reply(reply_id)
    }

    /// An edit the platform did not take: the reply goes back to `posted` with the text filed
    /// by [`Store::queue_edit`] (what the platform still shows) and `reason` as its last error.
    /// Returns the text that was not saved, so the caller can keep it as a draft.
    pub fn undo_edit(&self, reply_id: i64, reason: &str) -> Result<(Reply, String)> {
        let tx = self.conn.unchecked_transaction()?;
        let (revision, old): (i64, String) = tx
            .prepare_cached(
                "SELECT id, body FROM reply_revisions WHERE reply_id = ?1 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([reply_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(StoreError::Invalid {
                what: "reply",
                reason: format!("reply {reply_id} has no earlier text to go back to"),
            })?;
        let unsaved: String = tx
            .prepare_cached(
                "SELECT body FROM replies WHERE id = ?1 AND state IN ('queued', 'posting')",
            )?
            .query_row([reply_id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::Invalid {
                what: "reply",
                reason: format!("reply {reply_id} is not being edited"),
            })?;
        tx.prepare_cached(
            "UPDATE replies SET state = 'posted', body = ?2, last_error = ?3, updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![reply_id, old, reason, now_unix()])?;
        tx.prepare_cached("DELETE FROM reply_revisions WHERE id = ?1")?
            .execute([revision])?;
        tx.commit()?;
        Ok((self.reply(reply_id)?, unsaved))
    }

    /// Earlier texts of a review's replies (before each edit), oldest first.
    pub fn reply_revisions(&self, review_id: ReviewId) -> Result<Vec<ReplyRevision>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.reply_id, v.body, v.replaced_at FROM reply_revisions v
             JOIN replies p ON p.id = v.reply_id WHERE p.review_id = ?1 ORDER BY v.id",
        )?;
        let rows = stmt.query_map([review_id], |r| {
            Ok(ReplyRevision {
                reply_id: r.get(0)?,
                body: r.get(1)?,
                replaced_at: from_unix(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The review as the platform sent it (JSON), for replies that need more than its id
    /// (Bluesky's content id and thread root). `None` when the connector kept none.
    pub fn review_raw_json(&self, review_id: ReviewId) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT raw_json FROM reviews WHERE id = ?1")?
            .query_row([review_id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::UnknownReview(review_id))
    }

    /// Claims a queued reply for sending: `queued → posting`, one more attempt, in one statement,
    /// so of two runs (two clicks, or the app and the CLI) exactly one wins. Written before the
    /// request goes out: a reply found in `posting` later was possibly sent.
    pub fn claim_reply(&self, reply_id: i64) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE replies SET state = 'posting', attempts = attempts + 1, updated_at = ?2,
                     sent_by = ?3
                 WHERE id = ?1 AND state = 'queued'",
            )?
            .execute(params![reply_id, now_unix(), person_on_file()])?;
        Ok(n == 1)
    }

    /// Notes another attempt of a reply that is being posted (a retry after a 5xx).
    pub fn note_reply_attempt(&self, reply_id: i64, error: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE replies SET attempts = attempts + 1, last_error = ?2, updated_at = ?3
                 WHERE id = ?1 AND state = 'posting'",
            )?
            .execute(params![reply_id, error, now_unix()])?;
        Ok(())
    }

    /// Records a reply the platform accepted, and the review's first-reply time, together.
    pub fn record_reply_posted(
        &self,
        reply_id: i64,
        external_id: Option<&str>,
        posted_at: i64,
    ) -> Result<Reply> {
        let tx = self.conn.unchecked_transaction()?;
        let review_id: ReviewId = tx
            .prepare_cached(
                "UPDATE replies SET state = 'posted', external_id = coalesce(?2, external_id),
                     last_error = NULL, posted_at = ?3, updated_at = ?3
                 WHERE id = ?1 RETURNING review_id",
            )?
            .query_row(params![reply_id, external_id, posted_at], |r| r.get(0))?;
        tx.prepare_cached(SET_REPLIED_AT)?
            .execute(params![review_id, posted_at])?;
        tx.commit()?;
        self.reply(reply_id)
    }

    /// Records an edit the platform accepted: the reply is posted again with its new text, and
    /// keeps its first `posted_at`, so the time to first reply still counts the first post.
    pub fn record_reply_edited(&self, reply_id: i64, external_id: Option<&str>) -> Result<Reply> {
        self.conn
            .prepare_cached(
                "UPDATE replies SET state = 'posted', external_id = coalesce(?2, external_id),
                     last_error = NULL, updated_at = ?3
                 WHERE id = ?1",
            )?
            .execute(params![reply_id, external_id, now_unix()])?;
        self.reply(reply_id)
    }

    /// Records a reply that could not be posted, with the platform's reason. It stays failed
    /// until the owner posts it again.
    pub fn record_reply_failed(&self, reply_id: i64, reason: &str) -> Result<Reply> {
        self.record_reply_failed_until(reply_id, reason, None)
    }

    /// Records a reply that could not be posted; with `retry_at` (Unix seconds) the outbox
    /// queues it again on its own from then on ([`Store::requeue_due_replies`]): for failures
    /// where nothing can have been published (no connection, a 5xx, a 429).
    pub fn record_reply_failed_until(
        &self,
        reply_id: i64,
        reason: &str,
        retry_at: Option<i64>,
    ) -> Result<Reply> {
        self.conn
            .prepare_cached(
                "UPDATE replies SET state = 'failed', last_error = ?2, updated_at = ?3,
                     retry_at = ?4
                 WHERE id = ?1",
            )?
            .execute(params![reply_id, reason, now_unix(), retry_at])?;
        self.reply(reply_id)
    }

    /// Queues again, in one statement, every failed reply whose automatic retry is due at `now`
    /// (Unix seconds); a reply the owner meanwhile replaced with a newer draft or post is left
    /// alone. Returns how many.
    pub fn requeue_due_replies(&self, now: i64) -> Result<usize> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE replies SET state = 'queued', retry_at = NULL, updated_at = ?1
                 WHERE state = 'failed' AND retry_at IS NOT NULL AND retry_at <= ?1
                   AND origin = 'earshot'
                   AND NOT EXISTS (SELECT 1 FROM replies newer
                                   WHERE newer.review_id = replies.review_id
                                     AND newer.id > replies.id
                                     AND newer.state IN ('queued', 'posting', 'posted'))",
            )?
            .execute([now])?)
    }

    /// When a failed reply is sent again on its own, if it is (Unix seconds).
    pub fn reply_retry_at(&self, reply_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT retry_at FROM replies WHERE id = ?1")?
            .query_row([reply_id], |r| r.get(0))?)
    }

    /// Puts a reply left in `posting` back in the queue (safe only where resending replaces).
    pub fn requeue_reply(&self, reply_id: i64, note: &str) -> Result<Reply> {
        self.conn
            .prepare_cached(
                "UPDATE replies SET state = 'queued', last_error = ?2, updated_at = ?3
                 WHERE id = ?1 AND state = 'posting'",
            )?
            .execute(params![reply_id, note, now_unix()])?;
        self.reply(reply_id)
    }

    /// Replies left in `posting` since before `before` (Unix seconds): their run crashed or was
    /// killed between sending and recording.
    pub fn stale_posting_replies(&self, before: i64) -> Result<Vec<Reply>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM replies WHERE state = 'posting' AND updated_at <= ?1 ORDER BY id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([before], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every queued reply, oldest first: what an outbox run sends.
    pub fn queued_replies(&self) -> Result<Vec<Reply>> {
        let sql = format!("SELECT {COLUMNS} FROM replies WHERE state = 'queued' ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks a posted reply deleted and recomputes the review's first-reply time from what is
    /// left, so "unanswered" and the response rate tell the truth again.
    pub fn record_reply_deleted(&self, reply_id: i64) -> Result<Reply> {
        let tx = self.conn.unchecked_transaction()?;
        let review_id: ReviewId = tx
            .prepare_cached(
                "UPDATE replies SET state = 'deleted', updated_at = ?2 WHERE id = ?1
                 RETURNING review_id",
            )?
            .query_row(params![reply_id, now_unix()], |r| r.get(0))?;
        tx.prepare_cached(RECOMPUTE_REPLIED_AT)?
            .execute([review_id])?;
        tx.commit()?;
        self.reply(reply_id)
    }

    /// Records a reply the owner posted by hand on the platform ("copy and open"), so response
    /// metrics count it. The review's draft, if any, is consumed.
    pub fn record_manual_reply(&self, review_id: ReviewId, body: &str, at: i64) -> Result<Reply> {
        let tx = self.conn.unchecked_transaction()?;
        self.review_exists(review_id)?;
        tx.prepare_cached("DELETE FROM replies WHERE review_id = ?1 AND state = 'draft'")?
            .execute([review_id])?;
        let id: i64 = tx
            .prepare_cached(
                "INSERT INTO replies (review_id, origin, state, body, created_at, updated_at,
                     posted_at, drafted_by, sent_by)
                 VALUES (?1, 'manual', 'posted', ?2, ?3, ?3, ?3, ?4, ?4) RETURNING id",
            )?
            .query_row(params![review_id, body, at, person_on_file()], |r| r.get(0))?;
        tx.prepare_cached(SET_REPLIED_AT)?
            .execute(params![review_id, at])?;
        tx.commit()?;
        self.reply(id)
    }

    /// Bodies of the replies a business posted (any origin), newest first, for the coach's
    /// `canned` check. The review being answered is left out, so editing a reply does not
    /// compare it with itself.
    pub fn posted_reply_bodies(
        &self,
        business_id: BusinessId,
        except_review: Option<ReviewId>,
        limit: u32,
    ) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.body FROM replies p JOIN reviews r ON r.id = p.review_id
             WHERE r.business_id = ?1 AND p.state = 'posted' AND p.review_id IS NOT ?2
             ORDER BY p.posted_at DESC, p.id DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![business_id, except_review, limit], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Aspects a review talks about with their clause sentiment, most negative first.
    pub fn review_aspects(&self, review_id: ReviewId) -> Result<Vec<(String, f64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.key, m.value ->> 0 AS sentiment FROM reviews r, json_each(r.aspects) m
             WHERE r.id = ?1 ORDER BY sentiment, m.key",
        )?;
        let rows = stmt.query_map([review_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Other reviews by the same author on the same platform for the same business, newest first:
    /// the customer's history beside the composer.
    pub fn author_history(&self, review: &Review, limit: u32) -> Result<Vec<ReviewId>> {
        let Some(author) = review.author.as_deref().filter(|a| !a.trim().is_empty()) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM reviews WHERE business_id = ?1 AND platform = ?2 AND author = ?3
             AND id != ?4 ORDER BY created_at DESC LIMIT ?5",
        )?;
        let rows = stmt.query_map(
            params![
                review.business_id,
                review.platform,
                author,
                review.id,
                limit
            ],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The connector and non-secret settings of the source a review came from.
    pub fn review_source_settings(
        &self,
        review_id: ReviewId,
    ) -> Result<(String, serde_json::Value)> {
        let (connector, settings): (String, String) = self
            .conn
            .query_row(
                "SELECT s.connector, s.settings FROM reviews r JOIN sources s ON s.id = r.source_id
                 WHERE r.id = ?1",
                [review_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(StoreError::UnknownReview(review_id))?;
        Ok((
            connector,
            serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
        ))
    }

    /// Reviews of a business that were answered and edited afterwards: for each, the first-reply
    /// time, the current rating and the earlier ratings with the time each was replaced.
    pub fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.replied_at, r.rating FROM reviews r
             WHERE r.business_id = ?1 AND r.replied_at IS NOT NULL AND r.removed_at IS NULL
             AND EXISTS (SELECT 1 FROM review_revisions v
                         WHERE v.review_id = r.id AND v.recorded_at > r.replied_at)
             ORDER BY r.id",
        )?;
        let heads = stmt
            .query_map([business_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<(i64, i64, Option<f64>)>>>()?;
        let mut revs = self.conn.prepare_cached(
            "SELECT rating, recorded_at FROM review_revisions WHERE review_id = ?1 ORDER BY recorded_at, id",
        )?;
        let mut out = Vec::with_capacity(heads.len());
        for (id, replied_at, rating) in heads {
            let earlier = revs
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.push(RatingHistory {
                review_id: id,
                replied_at,
                rating,
                earlier,
            });
        }
        Ok(out)
    }

    // --- templates -------------------------------------------------------------------------

    /// Every reply template, by name.
    pub fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM reply_templates ORDER BY name");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], template_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Inserts the built-in templates the first time templates are used; never again, so the
    /// owner's deletions stick. Returns how many were added.
    pub fn seed_reply_templates(&self, defaults: &[ReplyTemplate]) -> Result<usize> {
        let tx = self.conn.unchecked_transaction()?;
        let seeded: Option<String> = tx
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [TEMPLATES_SEEDED],
                |r| r.get(0),
            )
            .optional()?;
        if seeded.is_some() {
            return Ok(0);
        }
        let mut added = 0;
        {
            let mut ins = tx.prepare(
                "INSERT INTO reply_templates (name, min_rating, max_rating, aspect, body)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING",
            )?;
            for t in defaults {
                added += ins.execute(params![
                    t.name,
                    t.min_rating,
                    t.max_rating,
                    t.aspect,
                    t.body
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, 'true')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [TEMPLATES_SEEDED],
        )?;
        tx.commit()?;
        Ok(added)
    }

    /// Adds a template or replaces the one with the same name.
    pub fn save_reply_template(&self, t: &ReplyTemplate) -> Result<ReplyTemplate> {
        self.conn.execute(
            "INSERT INTO reply_templates (name, min_rating, max_rating, aspect, body)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (name) DO UPDATE SET min_rating = excluded.min_rating,
                 max_rating = excluded.max_rating, aspect = excluded.aspect, body = excluded.body",
            params![t.name, t.min_rating, t.max_rating, t.aspect, t.body],
        )?;
        let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM reply_templates WHERE name = ?1");
        Ok(self.conn.query_row(&sql, [&t.name], template_from_row)?)
    }

    pub fn delete_reply_template(&self, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM reply_templates WHERE name = ?1", [name])?
            > 0)
    }

    /// A JSON value from `settings` (the reply profile lives there), raw.
    pub fn reply_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_reply_setting(&self, key: &str, json: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, json])?;
        Ok(())
    }

    /// Replies for `replies list`, oldest first: of one business, in one state, or all.
    pub fn list_replies(
        &self,
        business_id: Option<BusinessId>,
        state: Option<ReplyState>,
    ) -> Result<Vec<Reply>> {
        let sql = format!(
            "SELECT {} FROM replies p JOIN reviews r ON r.id = p.review_id
             WHERE (?1 IS NULL OR r.business_id = ?1) AND (?2 IS NULL OR p.state = ?2)
             ORDER BY p.id",
            COLUMNS
                .split(", ")
                .map(|c| format!("p.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![business_id, state.map(ReplyState::as_str)],
            from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Approves a reply waiting for a manager: it joins the outbox queue. A file has one person
    /// and nothing ever waits there, so this only finds replies on a team database; the error
    /// says so.
    pub fn approve_reply(&self, reply_id: i64) -> Result<Reply> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE replies SET state = 'queued', approved_by = ?2, updated_at = ?3
                 WHERE id = ?1 AND state = 'awaiting_approval'",
            )?
            .execute(params![reply_id, person_on_file(), now_unix()])?;
        if n == 0 {
            return Err(not_awaiting_approval(&self.reply(reply_id)?));
        }
        self.reply(reply_id)
    }

    fn review_exists(&self, review_id: ReviewId) -> Result<()> {
        let found: Option<i64> = self
            .conn
            .prepare_cached("SELECT 1 FROM reviews WHERE id = ?1")?
            .query_row([review_id], |r| r.get(0))
            .optional()?;
        found
            .map(|_| ())
            .ok_or(StoreError::UnknownReview(review_id))
    }
}
