//! Replies, drafts, reply templates and the shared outbox on the team store: the SQLite store's
//! `store/replies.rs`, method for method, in PostgreSQL's SQL.
//!
//! What differs, and why:
//! - **The outbox is shared by every seat.** [`PgStore::claim_reply`] takes the row with
//!   `FOR UPDATE SKIP LOCKED` inside the one `UPDATE … queued → posting`: of two seats sending at
//!   once, one wins and the other passes over it without waiting, so a reply is posted once for
//!   the team. The state is written before the request goes out, as on a file.
//! - **Who did what** is the seat's person, `current_user` (each person signs in with a login
//!   role of their own), written by the statements themselves.
//! - **Approval.** A reply queued by a person for whom `earshot_needs_approval()` holds (a member
//!   of `earshot_staff`, the group `earshot team` creates, who is no manager; see migration 0005)
//!   waits in `awaiting_approval` until a manager approves it ([`PgStore::approve_reply`]).
//!   Without that group (a team that has not set up people yet) nobody waits, as on a file.
//! - Text orders use `COLLATE "C"`, the byte order SQLite sorts by, so lists read the same.

use postgres::Row;

use super::PgStore;
use crate::model::replies::{
    RatingHistory, Reply, ReplyOrigin, ReplyRevision, ReplyState, ReplyTemplate,
};
use crate::model::{BusinessId, Review, ReviewId};
use crate::store::reviews::from_unix;
use crate::store::{now_unix, Result, StoreError};

const COLUMNS: &str = "id, review_id, origin, state, body, external_id, idempotency_key, \
     attempts, last_error, created_at, updated_at, posted_at, drafted_by, approved_by, sent_by";

fn from_row(r: &Row) -> Reply {
    let origin: String = r.get(2);
    let state: String = r.get(3);
    Reply {
        id: r.get(0),
        review_id: r.get(1),
        origin: ReplyOrigin::parse(&origin).unwrap_or(ReplyOrigin::Earshot),
        state: ReplyState::parse(&state).unwrap_or(ReplyState::Failed),
        body: r.get(4),
        external_id: r.get(5),
        idempotency_key: r.get(6),
        attempts: r.get(7),
        last_error: r.get(8),
        created_at: from_unix(r.get(9)),
        updated_at: from_unix(r.get(10)),
        posted_at: r.get::<_, Option<i64>>(11).map(from_unix),
        drafted_by: r.get(12),
        approved_by: r.get(13),
        sent_by: r.get(14),
    }
}

const TEMPLATE_COLUMNS: &str = "id, name, min_rating, max_rating, aspect, body";

fn template_from_row(r: &Row) -> ReplyTemplate {
    ReplyTemplate {
        id: r.get(0),
        name: r.get(1),
        min_rating: r.get(2),
        max_rating: r.get(3),
        aspect: r.get(4),
        body: r.get(5),
    }
}

/// Sets the cached first-reply time when `at` is earlier or none is set; the rollup's triggers
/// move the review between "replied" and "unanswered".
const SET_REPLIED_AT: &str = "UPDATE reviews SET replied_at = $2
     WHERE id = $1 AND (replied_at IS NULL OR replied_at > $2)";

/// Recomputes the cached first-reply time from the replies still standing (after a deletion).
const RECOMPUTE_REPLIED_AT: &str = "UPDATE reviews SET replied_at =
         (SELECT min(posted_at) FROM replies WHERE review_id = $1 AND state = 'posted')
     WHERE id = $1";

/// Settings key that records that the built-in templates were offered once (as on a file).
const TEMPLATES_SEEDED: &str = "replies.templates_seeded";

/// Advisory lock keys of a review's replies: this base plus the review id, apart from the sync
/// claims (`claims.rs`, from 2^60) and the migration lock.
const REVIEW_REPLIES_LOCK_BASE: i64 = 1 << 61;

/// Serialises, within `tx`, the writes of two seats to one review's draft and queue (a double
/// click on two computers): the second waits for the first's commit, then sees its row. An
/// advisory lock, not `SELECT … FOR UPDATE` on the review, which would need the right to update
/// reviews that staff do not have. Fails with [`StoreError::UnknownReview`] for no such review.
fn lock_review_replies(tx: &mut postgres::Transaction<'_>, review_id: ReviewId) -> Result<()> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&(REVIEW_REPLIES_LOCK_BASE + review_id)],
    )?;
    if tx
        .query_opt("SELECT 1 FROM reviews WHERE id = $1", &[&review_id])?
        .is_none()
    {
        return Err(StoreError::UnknownReview(review_id));
    }
    Ok(())
}

fn no_reply(id: i64) -> StoreError {
    StoreError::Invalid {
        what: "reply",
        reason: format!("no reply with id {id}"),
    }
}

impl PgStore {
    /// One reply by id.
    pub fn reply(&self, id: i64) -> Result<Reply> {
        let sql = format!("SELECT {COLUMNS} FROM replies WHERE id = $1");
        let row = self.client().query_opt(sql.as_str(), &[&id])?;
        row.map(|r| from_row(&r)).ok_or_else(|| no_reply(id))
    }

    /// Every reply of a review, oldest first.
    pub fn replies_of_review(&self, review_id: ReviewId) -> Result<Vec<Reply>> {
        let sql = format!("SELECT {COLUMNS} FROM replies WHERE review_id = $1 ORDER BY id");
        let rows = self.client().query(sql.as_str(), &[&review_id])?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// The review's draft, if one is saved.
    pub fn draft(&self, review_id: ReviewId) -> Result<Option<Reply>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM replies WHERE review_id = $1 AND state = 'draft'
             ORDER BY id LIMIT 1"
        );
        let row = self.client().query_opt(sql.as_str(), &[&review_id])?;
        Ok(row.map(|r| from_row(&r)))
    }

    /// Saves the review's draft, overwriting the one already saved (one draft row per review).
    /// Two seats saving at once are ordered by [`lock_review_replies`], so one draft row results.
    pub fn save_draft(&self, review_id: ReviewId, body: &str) -> Result<Reply> {
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            lock_review_replies(&mut tx, review_id)?;
            let now = now_unix();
            let update = format!(
                "UPDATE replies SET body = $2, updated_at = $3, drafted_by = current_user
                 WHERE id = (SELECT id FROM replies WHERE review_id = $1 AND state = 'draft'
                             ORDER BY id LIMIT 1)
                 RETURNING {COLUMNS}"
            );
            let saved = match tx.query_opt(update.as_str(), &[&review_id, &body, &now])? {
                Some(row) => row,
                None => {
                    let insert = format!(
                        "INSERT INTO replies (review_id, origin, state, body, created_at,
                             updated_at, drafted_by)
                         VALUES ($1, 'earshot', 'draft', $2, $3, $3, current_user)
                         RETURNING {COLUMNS}"
                    );
                    tx.query_one(insert.as_str(), &[&review_id, &body, &now])?
                }
            };
            tx.commit()?;
            Ok(from_row(&saved))
        }
    }

    /// Throws the review's draft away.
    pub fn discard_draft(&self, review_id: ReviewId) -> Result<bool> {
        let n = self.client().execute(
            "DELETE FROM replies WHERE review_id = $1 AND state = 'draft'",
            &[&review_id],
        )?;
        Ok(n > 0)
    }

    /// Turns the review's draft into an outbox entry under `key`, or returns what is already
    /// queued for it; idempotent as on a file. A draft queued by a person whose replies need
    /// approval goes to `awaiting_approval` instead of `queued`.
    pub fn queue_reply(&self, review_id: ReviewId, key: &str) -> Result<Option<Reply>> {
        let by_key = format!("SELECT {COLUMNS} FROM replies WHERE idempotency_key = $1");
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            lock_review_replies(&mut tx, review_id)?;
            if let Some(r) = tx.query_opt(by_key.as_str(), &[&key])? {
                return Ok(Some(from_row(&r)));
            }
            let now = now_unix();
            let queue = "UPDATE replies SET
                     state = CASE WHEN earshot_needs_approval() THEN 'awaiting_approval'
                                  ELSE 'queued' END,
                     idempotency_key = $2, attempts = 0, last_error = NULL, updated_at = $3
                 WHERE id = (SELECT id FROM replies WHERE review_id = $1 AND state = 'draft'
                             ORDER BY id LIMIT 1)";
            let queued = tx.execute(queue, &[&review_id, &key, &now])?;
            if queued == 0 {
                let pending = format!(
                    "SELECT {COLUMNS} FROM replies WHERE review_id = $1 AND origin = 'earshot'
                     AND state IN ('awaiting_approval', 'queued', 'posting', 'failed')
                     ORDER BY id DESC LIMIT 1"
                );
                let Some(r) = tx.query_opt(pending.as_str(), &[&review_id])? else {
                    return Ok(None);
                };
                let r = from_row(&r);
                if r.state != ReplyState::Failed {
                    return Ok(Some(r));
                }
                tx.execute(
                    "UPDATE replies SET state = 'queued', idempotency_key = $2, updated_at = $3,
                         retry_at = NULL
                     WHERE id = $1 AND state = 'failed'",
                    &[&r.id, &key, &now],
                )?;
            }
            tx.commit()?;
        }
        let row = self.client().query_opt(by_key.as_str(), &[&key])?;
        Ok(row.map(|r| from_row(&r)))
    }

    /// Queues a new text for a posted reply (an edit), filing the text the platform shows now.
    pub fn queue_edit(&self, reply_id: i64, body: &str, key: &str) -> Result<Reply> {
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            let now = now_unix();
            let filed = tx.execute(
                "INSERT INTO reply_revisions (reply_id, body, replaced_at)
                 SELECT id, body, $2 FROM replies WHERE id = $1 AND state = 'posted'",
                &[&reply_id, &now],
            )?;
            if filed == 0 {
                return Err(StoreError::Invalid {
                    what: "reply",
                    reason: format!("reply {reply_id} is not posted, so it cannot be edited"),
                });
            }
            // A staff member's edit waits for a manager as their first post did.
            tx.execute(
                "UPDATE replies SET
                     state = CASE WHEN earshot_needs_approval() THEN 'awaiting_approval'
                                  ELSE 'queued' END,
                     body = $2, idempotency_key = $3, attempts = 0, last_error = NULL,
                     updated_at = $4, drafted_by = current_user
                 WHERE id = $1",
                &[&reply_id, &body, &key, &now],
            )?;
            tx.commit()?;
        }
        self.reply(reply_id)
    }

    /// An edit the platform did not take: back to `posted` with the filed text; returns the
    /// text that was not saved.
    pub fn undo_edit(&self, reply_id: i64, reason: &str) -> Result<(Reply, String)> {
        let unsaved = {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            let revision = tx
                .query_opt(
                    "SELECT id, body FROM reply_revisions WHERE reply_id = $1
                     ORDER BY id DESC LIMIT 1",
                    &[&reply_id],
                )?
                .ok_or(StoreError::Invalid {
                    what: "reply",
                    reason: format!("reply {reply_id} has no earlier text to go back to"),
                })?;
            let (revision, old): (i64, String) = (revision.get(0), revision.get(1));
            let unsaved: String = tx
                .query_opt(
                    "SELECT body FROM replies WHERE id = $1
                     AND state IN ('awaiting_approval', 'queued', 'posting')",
                    &[&reply_id],
                )?
                .ok_or(StoreError::Invalid {
                    what: "reply",
                    reason: format!("reply {reply_id} is not being edited"),
                })?
                .get(0);
            tx.execute(
                "UPDATE replies SET state = 'posted', body = $2, last_error = $3, updated_at = $4
                 WHERE id = $1",
                &[&reply_id, &old, &reason, &now_unix()],
            )?;
            tx.execute("DELETE FROM reply_revisions WHERE id = $1", &[&revision])?;
            tx.commit()?;
            unsaved
        };
        Ok((self.reply(reply_id)?, unsaved))
    }

    /// Earlier texts of a review's replies (before each edit), oldest first.
    pub fn reply_revisions(&self, review_id: ReviewId) -> Result<Vec<ReplyRevision>> {
        let rows = self.client().query(
            "SELECT v.reply_id, v.body, v.replaced_at FROM reply_revisions v
             JOIN replies p ON p.id = v.reply_id WHERE p.review_id = $1 ORDER BY v.id",
            &[&review_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| ReplyRevision {
                reply_id: r.get(0),
                body: r.get(1),
                replaced_at: from_unix(r.get(2)),
            })
            .collect())
    }

    /// The review as the platform sent it (JSON), where the connector kept it.
    pub fn review_raw_json(&self, review_id: ReviewId) -> Result<Option<String>> {
        let row = self
            .client()
            .query_opt("SELECT raw_json FROM reviews WHERE id = $1", &[&review_id])?;
        row.map(|r| r.get(0))
            .ok_or(StoreError::UnknownReview(review_id))
    }

    /// Claims a queued reply for this seat: `queued → posting` with one more attempt and the
    /// seat's person as its sender. The row is taken `FOR UPDATE SKIP LOCKED`: a seat that finds
    /// another claiming it at this instant passes over it instead of waiting, and after the other
    /// commits the row is no longer `queued`. One winner for the team.
    pub fn claim_reply(&self, reply_id: i64) -> Result<bool> {
        let n = self.client().execute(
            "UPDATE replies SET state = 'posting', attempts = attempts + 1, updated_at = $2,
                 sent_by = current_user
             WHERE id = (SELECT id FROM replies WHERE id = $1 AND state = 'queued'
                         FOR UPDATE SKIP LOCKED)",
            &[&reply_id, &now_unix()],
        )?;
        Ok(n == 1)
    }

    /// Notes another attempt of a reply that is being posted.
    pub fn note_reply_attempt(&self, reply_id: i64, error: &str) -> Result<()> {
        self.client().execute(
            "UPDATE replies SET attempts = attempts + 1, last_error = $2, updated_at = $3
             WHERE id = $1 AND state = 'posting'",
            &[&reply_id, &error, &now_unix()],
        )?;
        Ok(())
    }

    /// Leaves a queued reply for a seat that holds the platform's credentials, saying so in its
    /// last error; it stays `queued`. Nothing when another seat claimed it meanwhile.
    pub fn note_reply_waiting(&self, reply_id: i64, note: &str) -> Result<Reply> {
        self.client().execute(
            // An unchanged note is not written again: the write would tell every listening seat
            // (an `earshot watch`) of a change, and a watcher without the key would wake itself.
            "UPDATE replies SET last_error = $2
             WHERE id = $1 AND state = 'queued' AND last_error IS DISTINCT FROM $2",
            &[&reply_id, &note],
        )?;
        self.reply(reply_id)
    }

    /// Records a reply the platform accepted, and the review's first-reply time, together.
    pub fn record_reply_posted(
        &self,
        reply_id: i64,
        external_id: Option<&str>,
        posted_at: i64,
    ) -> Result<Reply> {
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            let review_id: ReviewId = tx
                .query_opt(
                    "UPDATE replies SET state = 'posted', external_id = coalesce($2, external_id),
                         last_error = NULL, posted_at = $3, updated_at = $3
                     WHERE id = $1 RETURNING review_id",
                    &[&reply_id, &external_id, &posted_at],
                )?
                .ok_or_else(|| no_reply(reply_id))?
                .get(0);
            tx.execute(SET_REPLIED_AT, &[&review_id, &posted_at])?;
            tx.commit()?;
        }
        self.reply(reply_id)
    }

    /// Records an edit the platform accepted; the first `posted_at` stays.
    pub fn record_reply_edited(&self, reply_id: i64, external_id: Option<&str>) -> Result<Reply> {
        self.client().execute(
            "UPDATE replies SET state = 'posted', external_id = coalesce($2, external_id),
                 last_error = NULL, updated_at = $3
             WHERE id = $1",
            &[&reply_id, &external_id, &now_unix()],
        )?;
        self.reply(reply_id)
    }

    /// Records a reply that could not be posted, with the platform's reason.
    pub fn record_reply_failed(&self, reply_id: i64, reason: &str) -> Result<Reply> {
        self.record_reply_failed_until(reply_id, reason, None)
    }

    /// [`PgStore::record_reply_failed`] with an automatic retry time.
    pub fn record_reply_failed_until(
        &self,
        reply_id: i64,
        reason: &str,
        retry_at: Option<i64>,
    ) -> Result<Reply> {
        self.client().execute(
            "UPDATE replies SET state = 'failed', last_error = $2, updated_at = $3, retry_at = $4
             WHERE id = $1",
            &[&reply_id, &reason, &now_unix(), &retry_at],
        )?;
        self.reply(reply_id)
    }

    /// Queues again every failed reply whose automatic retry is due, in one statement.
    pub fn requeue_due_replies(&self, now: i64) -> Result<usize> {
        let n = self.client().execute(
            "UPDATE replies SET state = 'queued', retry_at = NULL, updated_at = $1
             WHERE state = 'failed' AND retry_at IS NOT NULL AND retry_at <= $1
               AND origin = 'earshot'
               AND NOT EXISTS (SELECT 1 FROM replies newer
                               WHERE newer.review_id = replies.review_id
                                 AND newer.id > replies.id
                                 AND newer.state IN ('queued', 'posting', 'posted'))",
            &[&now],
        )?;
        Ok(n as usize)
    }

    /// When a failed reply is sent again on its own, if it is.
    pub fn reply_retry_at(&self, reply_id: i64) -> Result<Option<i64>> {
        let row = self
            .client()
            .query_opt("SELECT retry_at FROM replies WHERE id = $1", &[&reply_id])?;
        Ok(row.ok_or_else(|| no_reply(reply_id))?.get(0))
    }

    /// Puts a reply left in `posting` back in the queue.
    pub fn requeue_reply(&self, reply_id: i64, note: &str) -> Result<Reply> {
        self.client().execute(
            "UPDATE replies SET state = 'queued', last_error = $2, updated_at = $3
             WHERE id = $1 AND state = 'posting'",
            &[&reply_id, &note, &now_unix()],
        )?;
        self.reply(reply_id)
    }

    /// Replies left in `posting` since before `before`: a seat died between send and record.
    pub fn stale_posting_replies(&self, before: i64) -> Result<Vec<Reply>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM replies WHERE state = 'posting' AND updated_at <= $1 ORDER BY id"
        );
        let rows = self.client().query(sql.as_str(), &[&before])?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Every queued reply, oldest first: what an outbox round sends (each claimed one by one).
    pub fn queued_replies(&self) -> Result<Vec<Reply>> {
        let sql = format!("SELECT {COLUMNS} FROM replies WHERE state = 'queued' ORDER BY id");
        let rows = self.client().query(sql.as_str(), &[])?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Marks a posted reply deleted and recomputes the review's first-reply time.
    pub fn record_reply_deleted(&self, reply_id: i64) -> Result<Reply> {
        {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            let review_id: ReviewId = tx
                .query_opt(
                    "UPDATE replies SET state = 'deleted', updated_at = $2 WHERE id = $1
                     RETURNING review_id",
                    &[&reply_id, &now_unix()],
                )?
                .ok_or_else(|| no_reply(reply_id))?
                .get(0);
            tx.execute(RECOMPUTE_REPLIED_AT, &[&review_id])?;
            tx.commit()?;
        }
        self.reply(reply_id)
    }

    /// Records a reply posted by hand on the platform; the review's draft is consumed.
    pub fn record_manual_reply(&self, review_id: ReviewId, body: &str, at: i64) -> Result<Reply> {
        let recorded = {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            if tx
                .query_opt("SELECT 1 FROM reviews WHERE id = $1", &[&review_id])?
                .is_none()
            {
                return Err(StoreError::UnknownReview(review_id));
            }
            tx.execute(
                "DELETE FROM replies WHERE review_id = $1 AND state = 'draft'",
                &[&review_id],
            )?;
            let insert = format!(
                "INSERT INTO replies (review_id, origin, state, body, created_at, updated_at,
                     posted_at, drafted_by, sent_by)
                 VALUES ($1, 'manual', 'posted', $2, $3, $3, $3, current_user, current_user)
                 RETURNING {COLUMNS}"
            );
            let recorded = tx.query_one(insert.as_str(), &[&review_id, &body, &at])?;
            tx.execute(SET_REPLIED_AT, &[&review_id, &at])?;
            tx.commit()?;
            from_row(&recorded)
        };
        Ok(recorded)
    }

    /// Bodies of the replies a business posted, newest first (the coach's `canned` check).
    pub fn posted_reply_bodies(
        &self,
        business_id: BusinessId,
        except_review: Option<ReviewId>,
        limit: u32,
    ) -> Result<Vec<String>> {
        let rows = self.client().query(
            "SELECT p.body FROM replies p JOIN reviews r ON r.id = p.review_id
             WHERE r.business_id = $1 AND p.state = 'posted'
               AND p.review_id IS DISTINCT FROM $2
             ORDER BY p.posted_at DESC, p.id DESC LIMIT $3",
            &[&business_id, &except_review, &i64::from(limit)],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Aspects a review talks about with their clause sentiment, most negative first.
    pub fn review_aspects(&self, review_id: ReviewId) -> Result<Vec<(String, f64)>> {
        let rows = self.client().query(
            "SELECT m.key, (m.value ->> 0)::double precision AS sentiment
             FROM reviews r, jsonb_each(r.aspects) m
             WHERE r.id = $1 ORDER BY sentiment, m.key COLLATE \"C\"",
            &[&review_id],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Other reviews by the same author on the same platform for the same business, newest first.
    pub fn author_history(&self, review: &Review, limit: u32) -> Result<Vec<ReviewId>> {
        let Some(author) = review.author.as_deref().filter(|a| !a.trim().is_empty()) else {
            return Ok(Vec::new());
        };
        let rows = self.client().query(
            "SELECT id FROM reviews WHERE business_id = $1 AND platform = $2 AND author = $3
             AND id <> $4 ORDER BY created_at DESC LIMIT $5",
            &[
                &review.business_id,
                &review.platform,
                &author,
                &review.id,
                &i64::from(limit),
            ],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The connector and non-secret settings of the source a review came from.
    pub fn review_source_settings(
        &self,
        review_id: ReviewId,
    ) -> Result<(String, serde_json::Value)> {
        let row = self
            .client()
            .query_opt(
                "SELECT s.connector, s.settings::text FROM reviews r
                 JOIN sources s ON s.id = r.source_id WHERE r.id = $1",
                &[&review_id],
            )?
            .ok_or(StoreError::UnknownReview(review_id))?;
        let settings: String = row.get(1);
        Ok((
            row.get(0),
            serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
        ))
    }

    /// Reviews of a business answered and edited afterwards, with their earlier ratings.
    pub fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>> {
        // One statement: each review with its revisions' ratings and times as two arrays in
        // the revisions' order (a query per review made a business of many edited reviews as
        // many round trips).
        let rows = self.client().query(
            "SELECT r.id, r.replied_at, r.rating,
                    array_agg(v.rating ORDER BY v.recorded_at, v.id),
                    array_agg(v.recorded_at ORDER BY v.recorded_at, v.id)
             FROM reviews r JOIN review_revisions v ON v.review_id = r.id
             WHERE r.business_id = $1 AND r.replied_at IS NOT NULL AND r.removed_at IS NULL
             GROUP BY r.id
             HAVING bool_or(v.recorded_at > r.replied_at)
             ORDER BY r.id",
            &[&business_id],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                let ratings: Vec<Option<f64>> = r.get(3);
                let times: Vec<i64> = r.get(4);
                RatingHistory {
                    review_id: r.get(0),
                    replied_at: r.get(1),
                    rating: r.get(2),
                    earlier: ratings.into_iter().zip(times).collect(),
                }
            })
            .collect())
    }

    // --- who did what --------------------------------------------------------------------

    /// Replies for `replies list`, oldest first: of one business, in one state, or all.
    pub fn list_replies(
        &self,
        business_id: Option<BusinessId>,
        state: Option<ReplyState>,
    ) -> Result<Vec<Reply>> {
        let columns = COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM replies p JOIN reviews r ON r.id = p.review_id
             WHERE ($1::bigint IS NULL OR r.business_id = $1)
               AND ($2::text IS NULL OR p.state = $2)
             ORDER BY p.id"
        );
        let state = state.map(ReplyState::as_str);
        let rows = self.client().query(sql.as_str(), &[&business_id, &state])?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// A manager approves a reply that waits for approval: it joins the shared outbox, with the
    /// approver's name. Who may approve is the database's to say (team-people's grants).
    pub fn approve_reply(&self, reply_id: i64) -> Result<Reply> {
        let n = self.client().execute(
            "UPDATE replies SET state = 'queued', approved_by = current_user, updated_at = $2
             WHERE id = $1 AND state = 'awaiting_approval'",
            &[&reply_id, &now_unix()],
        )?;
        if n == 0 {
            return Err(crate::store::replies::not_awaiting_approval(
                &self.reply(reply_id)?,
            ));
        }
        self.reply(reply_id)
    }

    // --- templates -----------------------------------------------------------------------

    /// Every reply template, by name.
    pub fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        let sql =
            format!("SELECT {TEMPLATE_COLUMNS} FROM reply_templates ORDER BY name COLLATE \"C\"");
        let rows = self.client().query(sql.as_str(), &[])?;
        Ok(rows.iter().map(template_from_row).collect())
    }

    /// Inserts the built-in templates the first time templates are used, once for the team.
    pub fn seed_reply_templates(&self, defaults: &[ReplyTemplate]) -> Result<usize> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        // The settings row is the once-for-the-team mark: the seat whose insert wins seeds.
        let first = tx.execute(
            "INSERT INTO settings (key, value) VALUES ($1, 'true') ON CONFLICT (key) DO NOTHING",
            &[&TEMPLATES_SEEDED],
        )?;
        if first == 0 {
            return Ok(0);
        }
        let mut added = 0;
        for t in defaults {
            added += tx.execute(
                "INSERT INTO reply_templates (name, min_rating, max_rating, aspect, body)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                &[&t.name, &t.min_rating, &t.max_rating, &t.aspect, &t.body],
            )?;
        }
        tx.commit()?;
        Ok(added as usize)
    }

    /// Adds a template or replaces the one with the same name.
    pub fn save_reply_template(&self, t: &ReplyTemplate) -> Result<ReplyTemplate> {
        let sql = format!(
            "INSERT INTO reply_templates (name, min_rating, max_rating, aspect, body)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET min_rating = excluded.min_rating,
                 max_rating = excluded.max_rating, aspect = excluded.aspect, body = excluded.body
             RETURNING {TEMPLATE_COLUMNS}"
        );
        let row = self.client().query_one(
            sql.as_str(),
            &[&t.name, &t.min_rating, &t.max_rating, &t.aspect, &t.body],
        )?;
        Ok(template_from_row(&row))
    }

    pub fn delete_reply_template(&self, name: &str) -> Result<bool> {
        Ok(self
            .client()
            .execute("DELETE FROM reply_templates WHERE name = $1", &[&name])?
            > 0)
    }

    /// A JSON value from `settings` (the reply profile lives there), raw.
    pub fn reply_setting(&self, key: &str) -> Result<Option<String>> {
        let row = self
            .client()
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?;
        Ok(row.map(|r| r.get(0)))
    }

    pub fn set_reply_setting(&self, key: &str, json: &str) -> Result<()> {
        self.client().execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &json],
        )?;
        Ok(())
    }
}
