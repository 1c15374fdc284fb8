//! Replies and the outbox on either store (issue 31).
//!
//! The outbox, the composer's flow and the reply actions are written once for both stores, so
//! they take any [`ReplyStore`]: the SQLite [`Store`] (the app, `earshot watch` on a file and
//! every caller that only ever holds a file keep passing `&Store` unchanged) or a [`Db`] (the CLI,
//! on a file or a team database). A small trait at this seam, as `ReviewSink` is for imports: the
//! outbox's code is not duplicated per store and the SQLite path is monomorphised, with no
//! dynamic dispatch. Each method is the store's own method of the same name and signature.

use serde::{de::DeserializeOwned, Serialize};

use super::Db;
use crate::model::replies::{RatingHistory, Reply, ReplyRevision, ReplyState, ReplyTemplate};
use crate::model::{Business, BusinessId, Review, ReviewId};
use crate::store::{Result, Store};

/// What the replies code needs of a store; see the module's note.
pub trait ReplyStore {
    fn review(&self, id: ReviewId) -> Result<Review>;
    fn business(&self, id: BusinessId) -> Result<Business>;
    fn reply(&self, id: i64) -> Result<Reply>;
    fn replies_of_review(&self, review_id: ReviewId) -> Result<Vec<Reply>>;
    fn draft(&self, review_id: ReviewId) -> Result<Option<Reply>>;
    fn save_draft(&self, review_id: ReviewId, body: &str) -> Result<Reply>;
    fn discard_draft(&self, review_id: ReviewId) -> Result<bool>;
    fn queue_reply(&self, review_id: ReviewId, key: &str) -> Result<Option<Reply>>;
    fn queue_edit(&self, reply_id: i64, body: &str, key: &str) -> Result<Reply>;
    fn undo_edit(&self, reply_id: i64, reason: &str) -> Result<(Reply, String)>;
    fn reply_revisions(&self, review_id: ReviewId) -> Result<Vec<ReplyRevision>>;
    fn review_raw_json(&self, review_id: ReviewId) -> Result<Option<String>>;
    fn claim_reply(&self, reply_id: i64) -> Result<bool>;
    fn note_reply_attempt(&self, reply_id: i64, error: &str) -> Result<()>;
    fn record_reply_posted(
        &self,
        reply_id: i64,
        external_id: Option<&str>,
        posted_at: i64,
    ) -> Result<Reply>;
    fn record_reply_edited(&self, reply_id: i64, external_id: Option<&str>) -> Result<Reply>;
    fn record_reply_failed(&self, reply_id: i64, reason: &str) -> Result<Reply>;
    fn record_reply_failed_until(
        &self,
        reply_id: i64,
        reason: &str,
        retry_at: Option<i64>,
    ) -> Result<Reply>;
    fn requeue_due_replies(&self, now: i64) -> Result<usize>;
    fn reply_retry_at(&self, reply_id: i64) -> Result<Option<i64>>;
    fn requeue_reply(&self, reply_id: i64, note: &str) -> Result<Reply>;
    fn stale_posting_replies(&self, before: i64) -> Result<Vec<Reply>>;
    fn queued_replies(&self) -> Result<Vec<Reply>>;
    fn record_reply_deleted(&self, reply_id: i64) -> Result<Reply>;
    fn record_manual_reply(&self, review_id: ReviewId, body: &str, at: i64) -> Result<Reply>;
    fn posted_reply_bodies(
        &self,
        business_id: BusinessId,
        except_review: Option<ReviewId>,
        limit: u32,
    ) -> Result<Vec<String>>;
    fn review_aspects(&self, review_id: ReviewId) -> Result<Vec<(String, f64)>>;
    fn author_history(&self, review: &Review, limit: u32) -> Result<Vec<ReviewId>>;
    fn review_source_settings(&self, review_id: ReviewId) -> Result<(String, serde_json::Value)>;
    fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>>;
    fn list_replies(
        &self,
        business_id: Option<BusinessId>,
        state: Option<ReplyState>,
    ) -> Result<Vec<Reply>>;
    fn approve_reply(&self, reply_id: i64) -> Result<Reply>;
    fn reply_templates(&self) -> Result<Vec<ReplyTemplate>>;
    fn seed_reply_templates(&self, defaults: &[ReplyTemplate]) -> Result<usize>;
    fn save_reply_template(&self, t: &ReplyTemplate) -> Result<ReplyTemplate>;
    fn delete_reply_template(&self, name: &str) -> Result<bool>;
    fn reply_setting(&self, key: &str) -> Result<Option<String>>;
    fn set_reply_setting(&self, key: &str, json: &str) -> Result<()>;

    /// The value stored under `key` in settings (the AI draft settings live there).
    fn setting<T: DeserializeOwned + Send>(&self, key: &str) -> Result<Option<T>>;
    fn set_setting<T: Serialize + Sync + ?Sized>(&self, key: &str, value: &T) -> Result<()>;

    /// Whether several seats share this store's outbox (a team database): a seat then leaves a
    /// reply it holds no credentials for queued for one that does, rather than failing it.
    fn is_shared(&self) -> bool {
        false
    }

    /// Leaves a queued reply for a seat that holds the platform's credentials, saying so.
    fn note_reply_waiting(&self, reply_id: i64, note: &str) -> Result<Reply>;
}

impl ReplyStore for Store {
    fn review(&self, id: ReviewId) -> Result<Review> {
        Store::review(self, id)
    }

    fn business(&self, id: BusinessId) -> Result<Business> {
        Store::business(self, id)
    }

    fn reply(&self, id: i64) -> Result<Reply> {
        Store::reply(self, id)
    }

    fn replies_of_review(&self, review_id: ReviewId) -> Result<Vec<Reply>> {
        Store::replies_of_review(self, review_id)
    }

    fn draft(&self, review_id: ReviewId) -> Result<Option<Reply>> {
        Store::draft(self, review_id)
    }

    fn save_draft(&self, review_id: ReviewId, body: &str) -> Result<Reply> {
        Store::save_draft(self, review_id, body)
    }

    fn discard_draft(&self, review_id: ReviewId) -> Result<bool> {
        Store::discard_draft(self, review_id)
    }

    fn queue_reply(&self, review_id: ReviewId, key: &str) -> Result<Option<Reply>> {
        Store::queue_reply(self, review_id, key)
    }

    fn queue_edit(&self, reply_id: i64, body: &str, key: &str) -> Result<Reply> {
        Store::queue_edit(self, reply_id, body, key)
    }

    fn undo_edit(&self, reply_id: i64, reason: &str) -> Result<(Reply, String)> {
        Store::undo_edit(self, reply_id, reason)
    }

    fn reply_revisions(&self, review_id: ReviewId) -> Result<Vec<ReplyRevision>> {
        Store::reply_revisions(self, review_id)
    }

    fn review_raw_json(&self, review_id: ReviewId) -> Result<Option<String>> {
        Store::review_raw_json(self, review_id)
    }

    fn claim_reply(&self, reply_id: i64) -> Result<bool> {
        Store::claim_reply(self, reply_id)
    }

    fn note_reply_attempt(&self, reply_id: i64, error: &str) -> Result<()> {
        Store::note_reply_attempt(self, reply_id, error)
    }

    fn record_reply_posted(
        &self,
        reply_id: i64,
        external_id: Option<&str>,
        posted_at: i64,
    ) -> Result<Reply> {
        Store::record_reply_posted(self, reply_id, external_id, posted_at)
    }

    fn record_reply_edited(&self, reply_id: i64, external_id: Option<&str>) -> Result<Reply> {
        Store::record_reply_edited(self, reply_id, external_id)
    }

    fn record_reply_failed(&self, reply_id: i64, reason: &str) -> Result<Reply> {
        Store::record_reply_failed(self, reply_id, reason)
    }

    fn record_reply_failed_until(
        &self,
        reply_id: i64,
        reason: &str,
        retry_at: Option<i64>,
    ) -> Result<Reply> {
        Store::record_reply_failed_until(self, reply_id, reason, retry_at)
    }

    fn requeue_due_replies(&self, now: i64) -> Result<usize> {
        Store::requeue_due_replies(self, now)
    }

    fn reply_retry_at(&self, reply_id: i64) -> Result<Option<i64>> {
        Store::reply_retry_at(self, reply_id)
    }

    fn requeue_reply(&self, reply_id: i64, note: &str) -> Result<Reply> {
        Store::requeue_reply(self, reply_id, note)
    }

    fn stale_posting_replies(&self, before: i64) -> Result<Vec<Reply>> {
        Store::stale_posting_replies(self, before)
    }

    fn queued_replies(&self) -> Result<Vec<Reply>> {
        Store::queued_replies(self)
    }

    fn record_reply_deleted(&self, reply_id: i64) -> Result<Reply> {
        Store::record_reply_deleted(self, reply_id)
    }

    fn record_manual_reply(&self, review_id: ReviewId, body: &str, at: i64) -> Result<Reply> {
        Store::record_manual_reply(self, review_id, body, at)
    }

    fn posted_reply_bodies(
        &self,
        business_id: BusinessId,
        except_review: Option<ReviewId>,
        limit: u32,
    ) -> Result<Vec<String>> {
        Store::posted_reply_bodies(self, business_id, except_review, limit)
    }

    fn review_aspects(&self, review_id: ReviewId) -> Result<Vec<(String, f64)>> {
        Store::review_aspects(self, review_id)
    }

    fn author_history(&self, review: &Review, limit: u32) -> Result<Vec<ReviewId>> {
        Store::author_history(self, review, limit)
    }

    fn review_source_settings(&self, review_id: ReviewId) -> Result<(String, serde_json::Value)> {
        Store::review_source_settings(self, review_id)
    }

    fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>> {
        Store::replied_then_edited(self, business_id)
    }

    fn list_replies(
        &self,
        business_id: Option<BusinessId>,
        state: Option<ReplyState>,
    ) -> Result<Vec<Reply>> {
        Store::list_replies(self, business_id, state)
    }

    fn approve_reply(&self, reply_id: i64) -> Result<Reply> {
        Store::approve_reply(self, reply_id)
    }

    fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        Store::reply_templates(self)
    }

    fn seed_reply_templates(&self, defaults: &[ReplyTemplate]) -> Result<usize> {
        Store::seed_reply_templates(self, defaults)
    }

    fn save_reply_template(&self, t: &ReplyTemplate) -> Result<ReplyTemplate> {
        Store::save_reply_template(self, t)
    }

    fn delete_reply_template(&self, name: &str) -> Result<bool> {
        Store::delete_reply_template(self, name)
    }

    fn reply_setting(&self, key: &str) -> Result<Option<String>> {
        Store::reply_setting(self, key)
    }

    fn set_reply_setting(&self, key: &str, json: &str) -> Result<()> {
        Store::set_reply_setting(self, key, json)
    }

    fn setting<T: DeserializeOwned + Send>(&self, key: &str) -> Result<Option<T>> {
        Store::setting(self, key)
    }

    fn set_setting<T: Serialize + Sync + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        Store::set_setting(self, key, value)
    }

    /// One seat on a file: nothing ever waits for another; the reply is as it is.
    fn note_reply_waiting(&self, reply_id: i64, _note: &str) -> Result<Reply> {
        Store::reply(self, reply_id)
    }
}

impl ReplyStore for Db {
    fn review(&self, id: ReviewId) -> Result<Review> {
        on_either!(self, review(id))
    }

    fn business(&self, id: BusinessId) -> Result<Business> {
        on_either!(self, business(id))
    }

    fn reply(&self, id: i64) -> Result<Reply> {
        on_either!(self, reply(id))
    }

    fn replies_of_review(&self, review_id: ReviewId) -> Result<Vec<Reply>> {
        on_either!(self, replies_of_review(review_id))
    }

    fn draft(&self, review_id: ReviewId) -> Result<Option<Reply>> {
        on_either!(self, draft(review_id))
    }

    fn save_draft(&self, review_id: ReviewId, body: &str) -> Result<Reply> {
        on_either!(self, save_draft(review_id, body))
    }

    fn discard_draft(&self, review_id: ReviewId) -> Result<bool> {
        on_either!(self, discard_draft(review_id))
    }

    fn queue_reply(&self, review_id: ReviewId, key: &str) -> Result<Option<Reply>> {
        on_either!(self, queue_reply(review_id, key))
    }

    fn queue_edit(&self, reply_id: i64, body: &str, key: &str) -> Result<Reply> {
        on_either!(self, queue_edit(reply_id, body, key))
    }

    fn undo_edit(&self, reply_id: i64, reason: &str) -> Result<(Reply, String)> {
        on_either!(self, undo_edit(reply_id, reason))
    }

    fn reply_revisions(&self, review_id: ReviewId) -> Result<Vec<ReplyRevision>> {
        on_either!(self, reply_revisions(review_id))
    }

    fn review_raw_json(&self, review_id: ReviewId) -> Result<Option<String>> {
        on_either!(self, review_raw_json(review_id))
    }

    fn claim_reply(&self, reply_id: i64) -> Result<bool> {
        on_either!(self, claim_reply(reply_id))
    }

    fn note_reply_attempt(&self, reply_id: i64, error: &str) -> Result<()> {
        on_either!(self, note_reply_attempt(reply_id, error))
    }

    fn record_reply_posted(
        &self,
        reply_id: i64,
        external_id: Option<&str>,
        posted_at: i64,
    ) -> Result<Reply> {
        on_either!(self, record_reply_posted(reply_id, external_id, posted_at))
    }

    fn record_reply_edited(&self, reply_id: i64, external_id: Option<&str>) -> Result<Reply> {
        on_either!(self, record_reply_edited(reply_id, external_id))
    }

    fn record_reply_failed(&self, reply_id: i64, reason: &str) -> Result<Reply> {
        on_either!(self, record_reply_failed(reply_id, reason))
    }

    fn record_reply_failed_until(
        &self,
        reply_id: i64,
        reason: &str,
        retry_at: Option<i64>,
    ) -> Result<Reply> {
        on_either!(self, record_reply_failed_until(reply_id, reason, retry_at))
    }

    fn requeue_due_replies(&self, now: i64) -> Result<usize> {
        on_either!(self, requeue_due_replies(now))
    }

    fn reply_retry_at(&self, reply_id: i64) -> Result<Option<i64>> {
        on_either!(self, reply_retry_at(reply_id))
    }

    fn requeue_reply(&self, reply_id: i64, note: &str) -> Result<Reply> {
        on_either!(self, requeue_reply(reply_id, note))
    }

    fn stale_posting_replies(&self, before: i64) -> Result<Vec<Reply>> {
        on_either!(self, stale_posting_replies(before))
    }

    fn queued_replies(&self) -> Result<Vec<Reply>> {
        on_either!(self, queued_replies())
    }

    fn record_reply_deleted(&self, reply_id: i64) -> Result<Reply> {
        on_either!(self, record_reply_deleted(reply_id))
    }

    fn record_manual_reply(&self, review_id: ReviewId, body: &str, at: i64) -> Result<Reply> {
        on_either!(self, record_manual_reply(review_id, body, at))
    }

    fn posted_reply_bodies(
        &self,
        business_id: BusinessId,
        except_review: Option<ReviewId>,
        limit: u32,
    ) -> Result<Vec<String>> {
        on_either!(self, posted_reply_bodies(business_id, except_review, limit))
    }

    fn review_aspects(&self, review_id: ReviewId) -> Result<Vec<(String, f64)>> {
        on_either!(self, review_aspects(review_id))
    }

    fn author_history(&self, review: &Review, limit: u32) -> Result<Vec<ReviewId>> {
        on_either!(self, author_history(review, limit))
    }

    fn review_source_settings(&self, review_id: ReviewId) -> Result<(String, serde_json::Value)> {
        on_either!(self, review_source_settings(review_id))
    }

    fn replied_then_edited(&self, business_id: BusinessId) -> Result<Vec<RatingHistory>> {
        on_either!(self, replied_then_edited(business_id))
    }

    fn list_replies(
        &self,
        business_id: Option<BusinessId>,
        state: Option<ReplyState>,
    ) -> Result<Vec<Reply>> {
        on_either!(self, list_replies(business_id, state))
    }

    fn approve_reply(&self, reply_id: i64) -> Result<Reply> {
        on_either!(self, approve_reply(reply_id))
    }

    fn reply_templates(&self) -> Result<Vec<ReplyTemplate>> {
        on_either!(self, reply_templates())
    }

    fn seed_reply_templates(&self, defaults: &[ReplyTemplate]) -> Result<usize> {
        on_either!(self, seed_reply_templates(defaults))
    }

    fn save_reply_template(&self, t: &ReplyTemplate) -> Result<ReplyTemplate> {
        on_either!(self, save_reply_template(t))
    }

    fn delete_reply_template(&self, name: &str) -> Result<bool> {
        on_either!(self, delete_reply_template(name))
    }

    fn reply_setting(&self, key: &str) -> Result<Option<String>> {
        on_either!(self, reply_setting(key))
    }

    fn set_reply_setting(&self, key: &str, json: &str) -> Result<()> {
        on_either!(self, set_reply_setting(key, json))
    }

    fn setting<T: DeserializeOwned + Send>(&self, key: &str) -> Result<Option<T>> {
        on_either!(self, setting(key))
    }

    fn set_setting<T: Serialize + Sync + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        on_either!(self, set_setting(key, value))
    }

    fn is_shared(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    fn note_reply_waiting(&self, reply_id: i64, note: &str) -> Result<Reply> {
        // On a file, `Store`'s own answer above: nothing waits.
        on_either!(self, note_reply_waiting(reply_id, note))
    }
}
