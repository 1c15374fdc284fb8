//! Replies as data: where a reply came from, where it is in its life, a stored reply and the text
//! an edit replaced, a reply template, and the rating history "recovered" reviews are found in.
//! The composer, templates and outbox live in `crate::replies`; the store reads and writes these
//! types, so they sit here, below both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ReviewId;

/// Where a reply came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyOrigin {
    /// Written in Earshot (a draft, or posted through the outbox).
    Earshot,
    /// Seen on the platform by a sync.
    Platform,
    /// Posted by hand on the platform and marked as done in Earshot.
    Manual,
}

impl ReplyOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyOrigin::Earshot => "earshot",
            ReplyOrigin::Platform => "platform",
            ReplyOrigin::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyOrigin> {
        match s {
            "earshot" => Some(ReplyOrigin::Earshot),
            "platform" => Some(ReplyOrigin::Platform),
            "manual" => Some(ReplyOrigin::Manual),
            _ => None,
        }
    }
}

/// Where a reply is in its life: `draft → queued → posting → posted | failed`, then maybe
/// `deleted`; on a team database a staff member's reply goes `draft → awaiting_approval →
/// queued`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyState {
    Draft,
    /// On a team database, queued by a person whose replies a manager approves first
    /// (`earshot reply approve`); never on a file, where one person does everything.
    #[serde(rename = "awaiting_approval")]
    AwaitingApproval,
    Queued,
    /// Claimed by an outbox run and possibly sent; see the outbox for what a crash here means.
    Posting,
    Posted,
    Failed,
    Deleted,
}

impl ReplyState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyState::Draft => "draft",
            ReplyState::AwaitingApproval => "awaiting_approval",
            ReplyState::Queued => "queued",
            ReplyState::Posting => "posting",
            ReplyState::Posted => "posted",
            ReplyState::Failed => "failed",
            ReplyState::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyState> {
        match s {
            "draft" => Some(ReplyState::Draft),
            "awaiting_approval" => Some(ReplyState::AwaitingApproval),
            "queued" => Some(ReplyState::Queued),
            "posting" => Some(ReplyState::Posting),
            "posted" => Some(ReplyState::Posted),
            "failed" => Some(ReplyState::Failed),
            "deleted" => Some(ReplyState::Deleted),
            _ => None,
        }
    }
}

/// A reply as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub id: i64,
    pub review_id: ReviewId,
    pub origin: ReplyOrigin,
    pub state: ReplyState,
    pub body: String,
    /// The platform's id of the posted reply (needed to delete it on some platforms).
    pub external_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub attempts: i64,
    /// Why the last attempt failed, in the platform's words.
    pub last_error: Option<String>,
    #[serde(serialize_with = "super::ser_rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "super::ser_rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(serialize_with = "super::ser_rfc3339_opt")]
    pub posted_at: Option<DateTime<Utc>>,
    /// Who saved the text last (the seat's person: the OS user on a file, the PostgreSQL login
    /// on a team database); `None` for replies from before it was recorded, or seen on the
    /// platform.
    pub drafted_by: Option<String>,
    /// Who approved it for sending, on a team database where a manager approves staff replies.
    pub approved_by: Option<String>,
    /// Whose seat sent it to the platform.
    pub sent_by: Option<String>,
}

/// The text a posted reply had before an edit replaced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplyRevision {
    pub reply_id: i64,
    pub body: String,
    /// When the edit replaced this text.
    #[serde(serialize_with = "super::ser_rfc3339")]
    pub replaced_at: DateTime<Utc>,
}

/// A reply template (see `crate::replies::templates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTemplate {
    #[serde(default)]
    pub id: i64,
    pub name: String,
    /// Lowest star rating the template suits (inclusive); `None` for no lower bound.
    pub min_rating: Option<i64>,
    pub max_rating: Option<i64>,
    /// An aspect the template is written for ("wait time"); `None` for any.
    pub aspect: Option<String>,
    pub body: String,
}

/// A replied review's rating over time, as the store reads it for `crate::replies::recovered`.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingHistory {
    pub review_id: ReviewId,
    /// First reply, Unix seconds.
    pub replied_at: i64,
    pub rating: Option<f64>,
    /// Earlier ratings, each with the time (Unix seconds) it was replaced, oldest first.
    pub earlier: Vec<(Option<f64>, i64)>,
}

/// A review that may have been an unhappy customer's, with what "did the reply work?" reads:
/// its ratings over time and its first reply (see `crate::insights::effect`).
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintHistory {
    pub review_id: ReviewId,
    pub platform: String,
    pub author: Option<String>,
    /// The rating now.
    pub rating: Option<f64>,
    /// Whether the text now reads negative (for a review without stars).
    pub negative: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// First reply, Unix seconds; `None` when unanswered.
    pub replied_at: Option<i64>,
    /// The text of the first posted reply (`None` when it was answered on the platform without a
    /// text Earshot knows, e.g. a Trustpilot export).
    pub reply: Option<String>,
    /// Earlier ratings, each with the time (Unix seconds) it was replaced, oldest first.
    pub earlier: Vec<(Option<f64>, i64)>,
}

/// A review by a named author, for finding a customer who came back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthoredReview {
    pub review_id: ReviewId,
    pub platform: String,
    pub author: String,
    pub rating: Option<f64>,
    pub positive: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// How a follow-up reaches the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpMethod {
    /// Sent by Earshot through the alert channel's SMTP account.
    Email,
    /// A note the owner copies or opens in their own mail app and sends themselves.
    ByHand,
}

impl FollowUpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpMethod::Email => "email",
            FollowUpMethod::ByHand => "by_hand",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpMethod> {
        match s {
            "email" => Some(FollowUpMethod::Email),
            "by_hand" => Some(FollowUpMethod::ByHand),
            _ => None,
        }
    }
}

/// Where a follow-up stands. `sending` is written before an e-mail goes out: one left so by a
/// crash is never sent again on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpState {
    Sending,
    Sent,
    Failed,
    /// A note for the owner to send by hand.
    Prepared,
}

impl FollowUpState {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpState::Sending => "sending",
            FollowUpState::Sent => "sent",
            FollowUpState::Failed => "failed",
            FollowUpState::Prepared => "prepared",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpState> {
        match s {
            "sending" => Some(FollowUpState::Sending),
            "sent" => Some(FollowUpState::Sent),
            "failed" => Some(FollowUpState::Failed),
            "prepared" => Some(FollowUpState::Prepared),
            _ => None,
        }
    }
}

/// One ask to a customer to update their review (see `crate::replies::follow_up`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub review_id: ReviewId,
    /// 1 for the first ask, 2 when the owner asked again, …
    pub round: i64,
    pub method: FollowUpMethod,
    /// The customer's e-mail address, when there is one.
    pub recipient: Option<String>,
    pub body: String,
    pub state: FollowUpState,
    /// The review's rating when it was asked.
    pub rating_at_ask: Option<f64>,
    #[serde(serialize_with = "super::ser_rfc3339")]
    pub asked_at: DateTime<Utc>,
    #[serde(serialize_with = "super::ser_rfc3339_opt")]
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// A follow-up to record: what [`crate::store::Store::begin_follow_up`] writes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUp {
    pub review_id: ReviewId,
    pub method: FollowUpMethod,
    pub recipient: Option<String>,
    pub body: String,
    pub rating_at_ask: Option<f64>,
}
