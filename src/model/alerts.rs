//! Alerts as data: their kinds and states, a stored alert, one to raise, what to list, and the
//! rows the per-item rules read. The rules and the check live in `crate::alerts`; the store reads
//! and writes these types, so they sit here, below both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::{BusinessId, Kind, ReviewId, SentimentLabel};

/// Row id of an alert in the store.
pub type AlertId = i64;

/// What an alert is about. The string forms are the stable names in JSON, the CLI and the
/// `alerts.kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A new review at or below N stars, or a new mention with negative sentiment.
    NewNegative,
    /// A negative review still without a reply after N hours.
    Unanswered,
    /// The rolling 30-day average fell well below the 90 days before it.
    RatingDrop,
    /// Far more reviews and mentions in an hour than the business's own baseline, or far more
    /// complaints (or praise) in a week; `details.direction` says which.
    Spike,
    /// A review or mention uses one of the owner's watch words.
    WatchWord,
    /// A competitor's recent rating passed the owner's.
    Competitor,
    /// A source keeps failing to sync (raised by the sync engine, not by [`crate::alerts::check`]).
    SourceHealth,
    /// One aspect's negative mentions far above their own baseline.
    TopicSurge,
    /// Many low ratings from first-time reviewers within hours.
    ReviewBomb,
    /// A synced source brought nothing for far longer than its usual gap, or far less than usual.
    Silence,
    /// A review the owner had disappeared from its platform.
    Removed,
    /// A kept sign-in that cannot renew itself ends within a few days.
    CredentialsExpiring,
}

impl AlertKind {
    pub const ALL: [AlertKind; 12] = [
        AlertKind::NewNegative,
        AlertKind::Unanswered,
        AlertKind::RatingDrop,
        AlertKind::Spike,
        AlertKind::WatchWord,
        AlertKind::Competitor,
        AlertKind::SourceHealth,
        AlertKind::TopicSurge,
        AlertKind::ReviewBomb,
        AlertKind::Silence,
        AlertKind::Removed,
        AlertKind::CredentialsExpiring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NewNegative => "new_negative",
            AlertKind::Unanswered => "unanswered",
            AlertKind::RatingDrop => "rating_drop",
            AlertKind::Spike => "spike",
            AlertKind::WatchWord => "watch_word",
            AlertKind::Competitor => "competitor",
            AlertKind::SourceHealth => "source_health",
            AlertKind::TopicSurge => "topic_surge",
            AlertKind::ReviewBomb => "review_bomb",
            AlertKind::Silence => "silence",
            AlertKind::Removed => "removed",
            AlertKind::CredentialsExpiring => "credentials_expiring",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A short title for a notification or a list heading.
    pub fn title(self) -> &'static str {
        match self {
            AlertKind::NewNegative => "New negative review",
            AlertKind::Unanswered => "Review waiting for a reply",
            AlertKind::RatingDrop => "Rating dropping",
            AlertKind::Spike => "Sudden burst of reviews",
            AlertKind::WatchWord => "Watch word mentioned",
            AlertKind::Competitor => "Competitor rated higher",
            AlertKind::SourceHealth => "A source stopped syncing",
            AlertKind::TopicSurge => "Complaints about one topic surging",
            AlertKind::ReviewBomb => "Possible review bombing",
            AlertKind::Silence => "A source went quiet",
            AlertKind::Removed => "A review disappeared",
            AlertKind::CredentialsExpiring => "A sign-in expires soon",
        }
    }
}

impl std::fmt::Display for AlertKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read state of an alert: `new` is unread (the tray shows it), `seen` was looked at,
/// `dismissed` is hidden from the default list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    New,
    Seen,
    Dismissed,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::New => "new",
            AlertState::Seen => "seen",
            AlertState::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<AlertState> {
        match s {
            "new" => Some(AlertState::New),
            "seen" => Some(AlertState::Seen),
            "dismissed" => Some(AlertState::Dismissed),
            _ => None,
        }
    }
}

/// A stored alert, as listed by `earshot alerts --json` and the app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: AlertId,
    pub kind: AlertKind,
    /// Name of the business the alert is about (the owner's own; for `competitor`, the one that
    /// was passed). `None` only for alerts not tied to a business.
    pub business: Option<String>,
    pub business_id: Option<BusinessId>,
    /// When the data that raised it happened.
    #[serde(serialize_with = "super::ser_rfc3339")]
    pub created_at: DateTime<Utc>,
    pub review_ids: Vec<ReviewId>,
    pub message: String,
    pub state: AlertState,
    #[serde(serialize_with = "super::ser_rfc3339_opt")]
    pub notified_at: Option<DateTime<Utc>>,
    pub dedup_key: String,
    /// Rule-specific figures (averages, counts, matched words…), for the app to show.
    pub details: Json,
}

/// An alert to raise: what the rules produce and what the sync engine passes for
/// `source_health`. [`crate::store::Store::raise_alert`] stores it unless its `dedup_key` is already there.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub kind: AlertKind,
    pub business_id: Option<BusinessId>,
    /// Names the data that raised the alert; a second alert with the same key is never stored.
    pub dedup_key: String,
    /// Unix seconds of the data that raised it.
    pub created_at: i64,
    pub message: String,
    pub review_ids: Vec<ReviewId>,
    pub details: Json,
    /// `New` for news; `Seen` for history found by a first check (see [`crate::alerts::BACKFILL_SEEN_AFTER`]).
    pub state: AlertState,
}

/// What to list. The default lists every alert that is not dismissed, newest first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AlertFilter {
    pub business_id: Option<BusinessId>,
    pub kind: Option<AlertKind>,
    /// Only alerts in this state (overrides `include_dismissed`).
    pub state: Option<AlertState>,
    pub include_dismissed: bool,
    /// Only alerts not yet shown as a notification (and still `new`): what the shell notifies.
    pub unnotified: bool,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// A stored review or mention, as the per-item rules need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: ReviewId,
    pub business_id: BusinessId,
    pub business: String,
    pub platform: String,
    pub kind: Kind,
    pub author: Option<String>,
    pub rating: Option<f64>,
    pub title: Option<String>,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    pub replied_at: Option<i64>,
    pub sentiment: Option<SentimentLabel>,
    /// When the author last changed it, for an edited review read again after the edit: the
    /// alert is then about the edit and dated by it.
    pub edited_at: Option<i64>,
}

/// When a kept sign-in stops working, as recorded in the store (never the token itself).
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialExpiry {
    pub source_id: super::SourceId,
    pub business_id: BusinessId,
    pub connector: String,
    pub label: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Whether the platform can renew it without the owner (a refresh token, a service account).
    pub renewable: bool,
}

/// Local hours during which nothing pops up. `start == end` means none; `start > end` wraps
/// midnight (22 → 7 is the night).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start_hour: u8,
    pub end_hour: u8,
}

impl QuietHours {
    pub fn contains(&self, hour: u32) -> bool {
        let (s, e) = (u32::from(self.start_hour), u32::from(self.end_hour));
        match s.cmp(&e) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => s <= hour && hour < e,
            std::cmp::Ordering::Greater => hour >= s || hour < e,
        }
    }
}
