//! The domain model: what a business, a source, a review, a reply and an alert are (replies in
//! [`replies`], alerts in [`alerts`]).
//!
//! These types are shared by the store, the connectors, the analysis and both front ends (CLI and
//! desktop shell). They carry no SQL and no I/O. Times are UTC everywhere; the store keeps them as
//! Unix seconds and the outside world sees RFC 3339.

pub mod alerts;
pub mod limits;
pub mod replies;
pub mod words;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// Row id of a business in the store.
pub type BusinessId = i64;
/// Row id of a source (a connected feed) in the store.
pub type SourceId = i64;
/// Row id of a review or mention in the store.
pub type ReviewId = i64;

/// A business the owner watches: their own, or a competitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Business {
    pub id: BusinessId,
    pub name: String,
    pub is_competitor: bool,
    /// Picks the aspect lexicon (cafe, restaurant, hotel, retail, app, …); free text.
    pub category: Option<String>,
}

/// Whether an item is a rated review or an unrated public mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Review,
    Mention,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Review => "review",
            Kind::Mention => "mention",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "review" => Some(Kind::Review),
            "mention" => Some(Kind::Mention),
            _ => None,
        }
    }
}

/// Sentiment label derived from a score in −1..1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Negative,
    Neutral,
    Positive,
}

impl SentimentLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Positive => "positive",
        }
    }

    pub fn parse(s: &str) -> Option<SentimentLabel> {
        match s {
            "negative" => Some(SentimentLabel::Negative),
            "neutral" => Some(SentimentLabel::Neutral),
            "positive" => Some(SentimentLabel::Positive),
            _ => None,
        }
    }
}

/// A reply the business owner already wrote on the platform, as the platform returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerReply {
    pub body: String,
    pub replied_at: Option<DateTime<Utc>>,
}

/// One review or mention as a connector or an import file delivers it, before it is stored.
///
/// Connectors normalise into this shape: rating on 1–5 (or `None`, never invented), times in UTC,
/// text as plain text (HTML stripped where the platform sends HTML).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingReview {
    pub external_id: String,
    /// Display platform of the item (`google`, `yelp`, …); see [`crate::platform`].
    pub platform: String,
    pub kind: Kind,
    pub author: Option<String>,
    pub rating: Option<f64>,
    pub title: Option<String>,
    pub body: String,
    pub url: Option<String>,
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub owner_reply: Option<OwnerReply>,
    /// The platform's original JSON, kept for later re-parsing; never shown.
    pub raw_json: Option<String>,
}

impl IncomingReview {
    /// FNV-1a over the fields whose change makes a review "updated". Stable across builds and
    /// platforms (unlike std's hasher), because it is stored.
    pub fn content_hash(&self) -> i64 {
        let rating = self.rating.map_or(-1.0f64, |r| r).to_le_bytes();
        let created = self.created_at.timestamp().to_le_bytes();
        let updated = self.updated_at.map_or(0, |t| t.timestamp()).to_le_bytes();
        fnv1a(&[
            self.kind.as_str().as_bytes(),
            self.author.as_deref().unwrap_or("").as_bytes(),
            &rating,
            self.title.as_deref().unwrap_or("").as_bytes(),
            self.body.as_bytes(),
            self.url.as_deref().unwrap_or("").as_bytes(),
            &created,
            &updated,
            self.owner_reply
                .as_ref()
                .map_or("", |r| r.body.as_str())
                .as_bytes(),
        ]) as i64
    }
}

#[cfg(test)]
impl IncomingReview {
    /// A rated English Google review with only an id, a text and a time, for tests.
    pub(crate) fn example(id: String, body: String, created_at: DateTime<Utc>) -> IncomingReview {
        IncomingReview {
            external_id: id,
            platform: "google".into(),
            kind: Kind::Review,
            author: None,
            rating: Some(4.0),
            title: None,
            body,
            url: None,
            language: Some("en".into()),
            created_at,
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        }
    }
}

/// 64-bit FNV-1a over `parts`, each followed by a 0xff byte (which UTF-8 never contains), so
/// that moving bytes from one part to the next changes the hash.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for part in parts {
        for b in part.iter().chain(std::iter::once(&0xffu8)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    }
    h
}

/// A stored review or mention, as read back for listing and display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: ReviewId,
    pub business: String,
    pub business_id: BusinessId,
    pub source_id: SourceId,
    pub platform: String,
    pub external_id: String,
    pub kind: Kind,
    pub author: Option<String>,
    pub rating: Option<f64>,
    pub title: Option<String>,
    pub body: String,
    #[serde(serialize_with = "ser_rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "ser_rfc3339_opt")]
    pub updated_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub replied: bool,
    #[serde(serialize_with = "ser_rfc3339_opt")]
    pub replied_at: Option<DateTime<Utc>>,
    pub sentiment: Option<f64>,
    pub sentiment_label: Option<SentimentLabel>,
    pub removed: bool,
    pub unread: bool,
    /// The person the review is handed to (`earshot assign`): a name as typed on a file, a
    /// team member's login on a team database; `null` when nobody.
    #[serde(default)]
    pub assigned_to: Option<String>,
}

/// Formats a time the way every JSON output of Earshot does: RFC 3339, UTC, whole seconds.
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Serialises a time as [`rfc3339`] does (for `#[serde(serialize_with)]`).
pub(crate) fn ser_rfc3339<S: serde::Serializer>(
    t: &DateTime<Utc>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(t))
}

/// [`ser_rfc3339`] for an optional time (`None` is `null`).
pub(crate) fn ser_rfc3339_opt<S: serde::Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&rfc3339(t)),
        None => s.serialize_none(),
    }
}

/// Counts of what a batch of writes did; the import and every sync report these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

impl WriteCounts {
    pub fn add(&mut self, other: WriteCounts) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.rejected += other.rejected;
    }

    /// Whether anything in the store changed, so views must refresh.
    pub fn changed(&self) -> bool {
        self.new + self.updated > 0
    }
}

/// What a platform itself shows for a business: its overall rating (0–5) and how many reviews
/// it counts (issue 25). Read by the platform's home during a sync, where the platform reports
/// them; kept per source with the time read.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Headline {
    pub rating: Option<f64>,
    pub review_count: Option<i64>,
}

impl Headline {
    /// The figures as a platform sent them, out-of-range values dropped; `None` when neither
    /// remains (a platform that says nothing, or a business with no rating yet).
    pub fn new(rating: Option<f64>, review_count: Option<i64>) -> Option<Headline> {
        let rating = rating.filter(|r| r.is_finite() && (0.0..=5.0).contains(r));
        let review_count = review_count.filter(|n| *n >= 0);
        (rating.is_some() || review_count.is_some()).then_some(Headline {
            rating,
            review_count,
        })
    }
}

/// An earlier text of an edited review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub rating: Option<f64>,
    pub title: Option<String>,
    pub body: String,
    #[serde(serialize_with = "ser_rfc3339_opt")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "ser_rfc3339")]
    pub recorded_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash is stored: every review would look edited on its next sync if it changed.
    /// The value was worked out by the implementation before `fnv1a` was split out of it.
    #[test]
    fn the_content_hash_of_an_item_never_changes() {
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        let item = IncomingReview {
            external_id: "g1".into(),
            platform: "google".into(),
            kind: Kind::Review,
            author: Some("Ana".into()),
            rating: Some(4.5),
            title: Some("Lovely".into()),
            body: "Great coffee, slow service.".into(),
            url: Some("https://example.com/r/1".into()),
            language: None,
            created_at: at(1_700_000_000),
            updated_at: Some(at(1_700_000_600)),
            owner_reply: Some(OwnerReply {
                body: "Thank you, Ana".into(),
                replied_at: None,
            }),
            raw_json: None,
        };
        assert_eq!(item.content_hash(), 4_344_453_283_031_541_190);
    }
}
