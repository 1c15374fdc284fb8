//! Replies: the composer's core, shared by the CLI and the desktop shell.
//!
//! - [`coach`]: pure checks of a draft against its review (too long, canned, defensive…).
//! - [`templates`]: templates by star band and aspect, and their rendering.
//! - [`outbox`]: posts queued replies through the platforms' APIs, at most once.
//! - [`ai`]: an optional draft from any OpenAI-compatible chat endpoint (never posts).
//! - each platform's reply requests, sign-in and reply length live in its home under
//!   [`crate::platforms`].
//! - this module: drafts (one per review, autosave-friendly), the composer's view of a review,
//!   "copy and open" and "mark replied" for platforms without a reply API, and "recovered"
//!   reviews (a rating that rose after the reply).
//!
//! Nothing here posts by itself: posting is the outbox's job, and it only ever sends a reply the
//! owner queued. The functions take a [`Store`] and return model types, so a Tauri command is one
//! call and a test needs no shell.

pub mod ai;
pub mod coach;
pub mod follow_up;
pub mod outbox;
pub mod templates;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{BusinessId, Review, ReviewId};

use crate::model::replies::{Reply, ReplyRevision, ReplyTemplate};
use crate::store::{ReplyStore, Store, StoreError};
use coach::{CheckContext, Limit, PostedReplies, ReviewContext, Warning};

/// What the owner wants replies to say about them: name, the contact they offer for private
/// follow-up, and a tone guide for AI drafts. Stored per business in `settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplyProfile {
    pub owner_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// Free text: "warm, short, first person, no exclamation marks"…
    pub tone: Option<String>,
}

impl ReplyProfile {
    fn contacts(&self) -> Vec<String> {
        [&self.contact_email, &self.contact_phone]
            .into_iter()
            .flatten()
            .filter(|c| !c.trim().is_empty())
            .cloned()
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "review {0} has no saved draft; write one with `earshot reply save --review {0} \"…\"`"
    )]
    NoDraft(ReviewId),
    #[error("the reply is empty")]
    EmptyReply,
    #[error("no reply template named {0:?}; `earshot reply templates` lists them")]
    UnknownTemplate(String),
    #[error("no reply template suits review {0}; add one for its star band")]
    NoTemplate(ReviewId),
    #[error("template {name:?} is invalid: {reason}")]
    InvalidTemplate { name: String, reason: String },
    #[error(
        "{platform} has no reply API in Earshot; copy the reply, post it on {platform} and then \
         run `earshot reply mark-replied --review {review_id}`"
    )]
    NoReplyApi {
        platform: String,
        review_id: ReviewId,
    },
    #[error("{0}")]
    Outbox(String),
}

impl ReplyError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ReplyError::Store(e) => e.code(),
            ReplyError::NoDraft(_) => "no_draft",
            ReplyError::EmptyReply => "empty_reply",
            ReplyError::UnknownTemplate(_) => "unknown_template",
            ReplyError::NoTemplate(_) => "no_template",
            ReplyError::InvalidTemplate { .. } => "invalid_template",
            ReplyError::NoReplyApi { .. } => "no_reply_api",
            ReplyError::Outbox(_) => "outbox",
        }
    }
}

pub type Result<T, E = ReplyError> = std::result::Result<T, E>;

/// How many posted replies the `canned` check compares a draft with: the recent ones are what
/// readers scrolling the page see side by side.
const CANNED_LOOKBACK: u32 = 500;

/// How many earlier reviews by the same customer the composer shows.
const HISTORY_LIMIT: u32 = 10;

/// How a reply reaches the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyRoute {
    /// The outbox posts it through the platform's API.
    Post { connector: String },
    /// The owner copies the text, opens the review's page and posts it there.
    CopyAndOpen { url: Option<String> },
}

/// Everything the composer shows beside a review.
#[derive(Debug, Clone, Serialize)]
pub struct Composer {
    pub review: Review,
    /// Aspects the review talks about, most negative first, with their clause sentiment.
    pub aspects: Vec<(String, f64)>,
    /// Earlier reviews by the same author on the same platform, newest first.
    pub history: Vec<Review>,
    /// Every reply of this review so far (platform-seen, posted, failed…), oldest first.
    pub replies: Vec<Reply>,
    /// Earlier texts of those replies, from before each edit, oldest first.
    pub reply_revisions: Vec<ReplyRevision>,
    /// The saved draft, if any.
    pub draft: Option<Reply>,
    /// The draft's text, or the chosen template filled in when there is no draft yet.
    pub text: String,
    /// The template `text` came from, when it came from one.
    pub template: Option<String>,
    pub warnings: Vec<Warning>,
    pub limit: Limit,
    pub route: ReplyRoute,
    /// Where the route is to post: what the owner still has to give or do before Earshot can
    /// (sign in, a setting), in a sentence; `None` when nothing is known to be missing.
    pub missing: Option<String>,
}

/// The owner's reply profile for a business.
pub fn profile<S: ReplyStore + ?Sized>(store: &S, business_id: BusinessId) -> Result<ReplyProfile> {
    let raw = store.reply_setting(&profile_key(business_id))?;
    Ok(raw
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

pub fn set_profile<S: ReplyStore + ?Sized>(
    store: &S,
    business_id: BusinessId,
    p: &ReplyProfile,
) -> Result<()> {
    let json = serde_json::to_string(p).map_err(|e| StoreError::Invalid {
        what: "reply profile",
        reason: e.to_string(),
    })?;
    store.set_reply_setting(&profile_key(business_id), &json)?;
    Ok(())
}

fn profile_key(business_id: BusinessId) -> String {
    format!("replies.profile.{business_id}")
}

/// How replies to this review are posted.
pub fn route<S: ReplyStore + ?Sized>(store: &S, review: &Review) -> Result<ReplyRoute> {
    let (connector, _) = store.review_source_settings(review.id)?;
    Ok(if crate::platforms::replier(&connector).is_some() {
        ReplyRoute::Post { connector }
    } else {
        ReplyRoute::CopyAndOpen {
            url: review.url.clone(),
        }
    })
}

/// What the owner still has to give or do before Earshot can post replies to this review, where
/// the platform has a reply API; `None` when nothing is known to be missing, or the secret store
/// cannot be opened to tell.
pub fn missing(store: &Store, review: &Review) -> Result<Option<String>> {
    let (connector, settings) = store.review_source_settings(review.id)?;
    let Some(api) = crate::platforms::replier(&connector) else {
        return Ok(None);
    };
    let Ok(secrets) = store.secrets() else {
        return Ok(None);
    };
    Ok(missing_with(
        api,
        review.source_id,
        &settings,
        secrets.as_ref(),
    ))
}

/// [`missing`] against a given secret store.
pub fn missing_with(
    api: &dyn crate::platforms::Replier,
    source_id: crate::model::SourceId,
    settings: &serde_json::Value,
    secrets: &dyn crate::secrets::SecretStore,
) -> Option<String> {
    let has = |key: &str| matches!(secrets.get(source_id, key), Ok(Some(_)));
    api.missing(source_id, settings, &has)
}

/// The composer's view of a review: the review, its aspects and sentiment, the customer's
/// history, the replies so far, the draft (or a template filled in) and the coach's warnings.
pub fn composer(store: &Store, review_id: ReviewId) -> Result<Composer> {
    composer_with(store, review_id, |review| missing(store, review))
}

/// [`composer`] on any store, `missing` saying what the owner still has to give before a post
/// (it needs the store's secrets: on a team database, this seat's own; see
/// `actions::team_composer`).
pub fn composer_with<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
    missing: impl FnOnce(&Review) -> Result<Option<String>>,
) -> Result<Composer> {
    let review = store.review(review_id)?;
    let aspects = store.review_aspects(review_id)?;
    let history = store
        .author_history(&review, HISTORY_LIMIT)?
        .into_iter()
        .map(|id| store.review(id))
        .collect::<Result<Vec<_>, _>>()?;
    let replies = store.replies_of_review(review_id)?;
    let reply_revisions = store.reply_revisions(review_id)?;
    let draft = store.draft(review_id)?;
    let (text, template) = match &draft {
        Some(d) => (d.body.clone(), None),
        None => match render_template(store, &review, None) {
            Ok((name, text)) => (text, Some(name)),
            Err(ReplyError::NoTemplate(_)) => (String::new(), None),
            Err(e) => return Err(e),
        },
    };
    let warnings = check_review_draft(store, &review, &text, None)?;
    Ok(Composer {
        limit: coach::reply_limit(&review.platform),
        route: route(store, &review)?,
        missing: missing(&review)?,
        review,
        aspects,
        history,
        replies,
        reply_revisions,
        draft,
        text,
        template,
        warnings,
    })
}

/// The coach's warnings for a draft of a reply to this review (canned against the business's
/// posted replies, personal data against the review and the owner's profile).
pub fn check_draft<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
    text: &str,
) -> Result<Vec<Warning>> {
    check_draft_from(store, review_id, text, None)
}

/// [`check_draft`] for a text that started from the AI draft `ai_draft` (when it did): the
/// promises the AI wrote and the owner kept are pointed out too.
pub fn check_draft_from<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
    text: &str,
    ai_draft: Option<&str>,
) -> Result<Vec<Warning>> {
    let review = store.review(review_id)?;
    check_review_draft(store, &review, text, ai_draft)
}

fn check_review_draft<S: ReplyStore + ?Sized>(
    store: &S,
    review: &Review,
    text: &str,
    ai_draft: Option<&str>,
) -> Result<Vec<Warning>> {
    let posted = PostedReplies::new(store.posted_reply_bodies(
        review.business_id,
        Some(review.id),
        CANNED_LOOKBACK,
    )?);
    let contacts = profile(store, review.business_id)?.contacts();
    let ctx = CheckContext {
        platform: &review.platform,
        review: Some(ReviewContext {
            rating: review.rating,
            sentiment: review.sentiment_label,
            body: &review.body,
            author: review.author.as_deref(),
        }),
        owner_contacts: &contacts,
        posted: Some(&posted),
        ai_draft,
    };
    Ok(coach::check(text, &ctx))
}

/// The coach's warnings for a text with no review: only the checks that need none (length for
/// the platform, defensive, shouting, personal data).
pub fn check_text(platform: &str, text: &str) -> Vec<Warning> {
    let platform = crate::platform::connector(platform)
        .map(|c| c.platform.to_string())
        .unwrap_or_else(|| crate::platform::normalise_platform(platform));
    coach::check(
        text,
        &CheckContext {
            platform: &platform,
            ..Default::default()
        },
    )
}

/// Every template, the built-in ones seeded on first use.
pub fn list_templates<S: ReplyStore + ?Sized>(store: &S) -> Result<Vec<ReplyTemplate>> {
    store.seed_reply_templates(&templates::defaults())?;
    Ok(store.reply_templates()?)
}

/// Adds or replaces a template after checking its fields and band.
pub fn save_template<S: ReplyStore + ?Sized>(
    store: &S,
    t: &ReplyTemplate,
) -> Result<ReplyTemplate> {
    templates::validate(t)?;
    list_templates(store)?;
    Ok(store.save_reply_template(t)?)
}

pub fn delete_template<S: ReplyStore + ?Sized>(store: &S, name: &str) -> Result<()> {
    list_templates(store)?;
    if !store.delete_reply_template(name)? {
        return Err(ReplyError::UnknownTemplate(name.into()));
    }
    Ok(())
}

/// A draft from a template: the named one, or the one that suits the review's stars and aspects.
/// Returns the template's name and the filled text; nothing is saved.
pub fn draft_from_template<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
    template: Option<&str>,
) -> Result<(String, String)> {
    let review = store.review(review_id)?;
    render_template(store, &review, template)
}

fn render_template<S: ReplyStore + ?Sized>(
    store: &S,
    review: &Review,
    template: Option<&str>,
) -> Result<(String, String)> {
    let all = list_templates(store)?;
    let aspects = store.review_aspects(review.id)?;
    // Complaints name what went worst, praise what went best.
    let ordered: Vec<String> = if review.rating.is_some_and(|r| r >= 3.5) {
        aspects.iter().rev().map(|(a, _)| a.clone()).collect()
    } else {
        aspects.iter().map(|(a, _)| a.clone()).collect()
    };
    let chosen = match template {
        Some(name) => all
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| ReplyError::UnknownTemplate(name.into()))?,
        None => templates::choose(&all, review.rating, &ordered, review.id)
            .ok_or(ReplyError::NoTemplate(review.id))?,
    };
    // A template written for an aspect names that aspect; others name the review's first.
    let aspect = chosen
        .aspect
        .clone()
        .filter(|a| ordered.contains(a))
        .or_else(|| ordered.first().cloned());
    let p = profile(store, review.business_id)?;
    let fill = templates::Fill {
        first_name: templates::first_name(review.author.as_deref()),
        business: review.business.clone(),
        aspect,
        owner_name: p.owner_name,
        contact_email: p.contact_email,
        contact_phone: p.contact_phone,
        platform: review.platform.clone(),
    };
    Ok((chosen.name.clone(), templates::render(&chosen.body, &fill)))
}

/// Saves the review's draft (one per review; saving again overwrites it). An empty text discards
/// the draft and returns `None`.
pub fn save_draft<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
    text: &str,
) -> Result<Option<Reply>> {
    if text.trim().is_empty() {
        store.review(review_id)?;
        store.discard_draft(review_id)?;
        return Ok(None);
    }
    Ok(Some(store.save_draft(review_id, text)?))
}

pub fn get_draft<S: ReplyStore + ?Sized>(store: &S, review_id: ReviewId) -> Result<Option<Reply>> {
    store.review(review_id)?;
    Ok(store.draft(review_id)?)
}

/// What "copy and open" needs: the text to put on the clipboard and the page to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyAndOpen {
    pub text: String,
    pub url: Option<String>,
    pub platform: String,
}

/// The draft's text and the review's page, for platforms without a reply API (or when the owner
/// prefers to post by hand). After posting, the owner calls [`mark_replied`].
pub fn copy_and_open<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
) -> Result<CopyAndOpen> {
    let review = store.review(review_id)?;
    let draft = store
        .draft(review_id)?
        .ok_or(ReplyError::NoDraft(review_id))?;
    Ok(CopyAndOpen {
        text: draft.body,
        url: review.url,
        platform: crate::platform::platform_label(&review.platform),
    })
}

/// Records that the owner replied outside Earshot, with the text they posted (the saved draft
/// when none is given), so the response rate and time to first reply count it.
pub fn mark_replied<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
    text: Option<&str>,
) -> Result<Reply> {
    let body = match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => store.draft(review_id)?.map(|d| d.body).unwrap_or_default(),
    };
    store.review(review_id)?;
    Ok(store.record_manual_reply(review_id, &body, Utc::now().timestamp())?)
}

/// An AI draft for a review, from the endpoint in `config`, with the owner's profile and tone
/// guide. Returns the text only: the owner edits it, and nothing is saved or posted.
pub async fn ai_draft<S: ReplyStore + ?Sized>(
    store: &S,
    review_id: ReviewId,
    config: &ai::AiConfig,
    api_key: Option<&crate::secrets::Secret>,
) -> Result<String> {
    let review = store.review(review_id)?;
    let p = profile(store, review.business_id)?;
    ai::draft(config, api_key, &review, &p).await
}

/// The owner's AI endpoint (defaults, off, when never set).
pub fn ai_settings<S: ReplyStore + ?Sized>(store: &S) -> Result<ai::AiSettings> {
    Ok(store
        .setting::<ai::AiSettings>(ai::SETTINGS_KEY)?
        .unwrap_or_default())
}

pub fn set_ai_settings<S: ReplyStore + ?Sized>(store: &S, settings: &ai::AiSettings) -> Result<()> {
    store.set_setting(ai::SETTINGS_KEY, settings)?;
    Ok(())
}

/// A review whose rating rose after the business replied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovered {
    pub review_id: ReviewId,
    pub before: f64,
    pub after: f64,
    #[serde(serialize_with = "crate::model::ser_rfc3339")]
    pub replied_at: DateTime<Utc>,
}

/// The rating in force at `at`: a revision holds the text that was replaced at `recorded_at`, so
/// the rating at `at` is that of the first revision replaced after `at`, else the current one.
/// Returns `(before, after)` when the rating rose after `at`.
pub fn rating_rose_after(
    at: i64,
    current: Option<f64>,
    earlier: &[(Option<f64>, i64)],
) -> Option<(f64, f64)> {
    let before = earlier
        .iter()
        .filter(|(_, replaced_at)| *replaced_at > at)
        .min_by_key(|(_, replaced_at)| *replaced_at)
        .map(|(r, _)| *r)?;
    match (before, current) {
        (Some(b), Some(a)) if a > b => Some((b, a)),
        _ => None,
    }
}

/// Reviews of a business that were answered and then re-rated higher: the payoff of replying.
pub fn recovered<S: ReplyStore + ?Sized>(
    store: &S,
    business_id: BusinessId,
) -> Result<Vec<Recovered>> {
    Ok(store
        .replied_then_edited(business_id)?
        .into_iter()
        .filter_map(|h| {
            rating_rose_after(h.replied_at, h.rating, &h.earlier).map(|(before, after)| Recovered {
                review_id: h.review_id,
                before,
                after,
                replied_at: DateTime::from_timestamp(h.replied_at, 0).unwrap_or_default(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_that_rose_after_the_reply_is_recovered() {
        // Two stars at first, edited to three before the reply, to five after it.
        let earlier = [(Some(2.0), 100), (Some(3.0), 300)];
        assert_eq!(
            rating_rose_after(200, Some(5.0), &earlier),
            Some((3.0, 5.0))
        );
        // Replied after the last edit: nothing changed since.
        assert_eq!(rating_rose_after(400, Some(5.0), &earlier), None);
        // Edited down after the reply.
        assert_eq!(rating_rose_after(50, Some(1.0), &earlier), None);
        // A rating-less mention never "recovers".
        assert_eq!(rating_rose_after(50, None, &[(None, 100)]), None);
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(ReplyError::NoDraft(1).code(), "no_draft");
        assert_eq!(
            ReplyError::NoReplyApi {
                platform: "Yelp".into(),
                review_id: 1
            }
            .code(),
            "no_reply_api"
        );
        assert_eq!(
            ReplyError::Store(StoreError::UnknownReview(3)).code(),
            "unknown_review"
        );
    }
}
