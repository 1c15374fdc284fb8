//! Follow-ups (issue 29): after a complaint is answered and sorted out, ask the customer whether
//! they would update their review — by e-mail through the owner's own SMTP account (the e-mail
//! alert channel's settings and password), or as a note the owner sends by hand (the text to copy
//! and a `mailto:` link).
//!
//! Each ask is remembered (`follow_ups`, migration 0018) *before* an e-mail goes out, so a rerun
//! or a second window never sends it twice; asking again is the owner's explicit choice
//! (`again`). A review's later rating change then shows as "updated after your follow-up".
//!
//! The message is plain text, asks without pressure and offers nothing in return: platforms
//! (Google's, Yelp's and Trustpilot's review policies) forbid incentives for a review or its
//! change, and a customer who still feels let down should feel free to say so.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::channels::{self, Channel, ChannelId, ChannelKind};
use crate::model::replies::{FollowUp, FollowUpMethod, FollowUpState, NewFollowUp};
use crate::model::{BusinessId, Kind, Review, ReviewId};
use crate::secrets::SecretStore;
use crate::store::{Begun, RequestStore, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum FollowUpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "review {0} has no reply yet: answer it first, then ask the customer to update their review"
    )]
    NotAnswered(ReviewId),
    #[error("item {0} is a mention, not a review: there is no review to update")]
    NotAReview(ReviewId),
    #[error("the e-mail address {0:?} is not valid")]
    BadAddress(String),
    #[error(
        "no e-mail alert channel to send through: add one (`earshot alerts channels add email \
         --to YOU --server smtp://HOST:PORT`), or send the note yourself (--by-hand)"
    )]
    NoEmailChannel,
    #[error("alert channel {0} is not an e-mail channel")]
    NotEmail(ChannelId),
    #[error("sending the follow-up failed: {0}")]
    Send(String),
}

impl FollowUpError {
    pub fn code(&self) -> &'static str {
        match self {
            FollowUpError::Store(e) => e.code(),
            FollowUpError::NotAnswered(_) => "not_answered",
            FollowUpError::NotAReview(_) => "not_a_review",
            FollowUpError::BadAddress(_) => "bad_address",
            FollowUpError::NoEmailChannel => "no_email_channel",
            FollowUpError::NotEmail(_) => "not_email_channel",
            FollowUpError::Send(_) => "follow_up_send_failed",
        }
    }
}

pub type Result<T, E = FollowUpError> = std::result::Result<T, E>;

/// What the owner asks for.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FollowUpAsk {
    pub review_id: ReviewId,
    /// The customer's address: sent by e-mail unless `by_hand`.
    pub email: Option<String>,
    /// Prepare the note for the owner to send (copy, or their mail app) instead of sending.
    pub by_hand: bool,
    /// Ask once more although the review was asked before.
    pub again: bool,
    /// Show what would happen; record and send nothing.
    pub dry_run: bool,
    /// The e-mail alert channel to send through; the first e-mail channel by default.
    pub channel: Option<ChannelId>,
    /// The owner's own wording instead of the default text.
    pub body: Option<String>,
}

/// What happened to an ask.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpOutcome {
    pub review_id: ReviewId,
    /// `sent`, `prepared` (a note to send by hand), `already_asked`, `dry_run` or `failed`.
    pub status: &'static str,
    /// Whether an e-mail left in this call.
    pub sent: bool,
    pub subject: String,
    pub body: String,
    /// `mailto:` link with the subject and text, to the customer when the address is known.
    pub mailto: String,
    /// The ask as recorded (the earlier one when `already_asked`).
    pub follow_up: Option<FollowUp>,
    pub says: String,
}

/// The customer's first name as the review shows it, for a greeting ("Ben" of "Ben K.");
/// handles (`@ben`) and empty names get "there".
fn first_name(author: Option<&str>) -> String {
    author
        .and_then(|a| a.split_whitespace().next())
        .filter(|w| !w.starts_with('@') && w.chars().any(char::is_alphabetic))
        .unwrap_or("there")
        .to_string()
}

/// The subject and plain text of the ask.
pub fn message_for(review: &Review, signature: Option<&str>) -> (String, String) {
    let platform = crate::platform::platform_label(&review.platform);
    let subject = format!("About your review of {}", review.business);
    let mut body = format!(
        "Hello {},\n\nThank you again for your review of {} on {platform}, and for giving us the \
         chance to put things right.\n\nIf you feel we did, would you consider updating your \
         review? And if anything is still not right, please tell us: we would rather hear it.",
        first_name(review.author.as_deref()),
        review.business,
    );
    if let Some(url) = review
        .url
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        body.push_str(&format!("\n\nYour review: {url}"));
    }
    body.push_str("\n\nThank you,\n");
    body.push_str(signature.unwrap_or(&review.business));
    (subject, body)
}

/// A `mailto:` link (RFC 6068) with the subject and text percent-encoded.
pub fn mailto(to: Option<&str>, subject: &str, body: &str) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    out.push(b as char)
                }
                // RFC 6068: line breaks in a body are %0D%0A.
                b'\n' => out.push_str("%0D%0A"),
                b'\r' => {}
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    let to = to.map(|t| enc(t).replace("%40", "@")).unwrap_or_default();
    format!("mailto:{to}?subject={}&body={}", enc(subject), enc(body))
}

fn valid_address(s: &str) -> Result<String> {
    let t = s.trim();
    t.parse::<lettre::Address>()
        .map(|a| a.to_string())
        .map_err(|_| FollowUpError::BadAddress(t.to_string()))
}

/// The e-mail channel to send through: the one named, else the first confirmed e-mail channel.
fn email_channel<S: RequestStore>(store: &S, id: Option<ChannelId>) -> Result<Channel> {
    let all = store.alert_channels()?;
    match id {
        Some(id) => {
            let c = all
                .into_iter()
                .find(|c| c.id == id)
                .ok_or(FollowUpError::NoEmailChannel)?;
            if c.kind != ChannelKind::Email {
                return Err(FollowUpError::NotEmail(id));
            }
            Ok(c)
        }
        None => all
            .into_iter()
            .find(|c| c.kind == ChannelKind::Email && c.unconfirmed.is_none())
            .ok_or(FollowUpError::NoEmailChannel),
    }
}

fn signature<S: RequestStore>(store: &S, business_id: BusinessId) -> Result<Option<String>> {
    Ok(super::profile(store, business_id)
        .map_err(|e| match e {
            super::ReplyError::Store(s) => FollowUpError::Store(s),
            other => FollowUpError::Send(other.to_string()),
        })?
        .owner_name
        .filter(|n| !n.trim().is_empty()))
}

/// Asks the customer of an answered review to update it: by e-mail, or as a note to send by hand.
/// At most one ask per review unless `again`; the ask is recorded before the e-mail leaves.
///
/// The store is taken `&mut` only so the future is `Send` (see [`channels::deliver`]).
pub async fn follow_up<S: RequestStore>(
    store: &mut S,
    secrets: &dyn SecretStore,
    ask: &FollowUpAsk,
    now: DateTime<Utc>,
) -> Result<FollowUpOutcome> {
    let review = store.review(ask.review_id)?;
    if review.kind != Kind::Review {
        return Err(FollowUpError::NotAReview(review.id));
    }
    if review.replied_at.is_none() {
        return Err(FollowUpError::NotAnswered(review.id));
    }
    let to = ask.email.as_deref().map(valid_address).transpose()?;
    let by_hand = ask.by_hand || to.is_none();
    let (subject, default_body) =
        message_for(&review, signature(store, review.business_id)?.as_deref());
    let body = ask
        .body
        .clone()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or(default_body);
    let link = mailto(to.as_deref(), &subject, &body);
    let channel = if by_hand {
        None
    } else {
        Some(email_channel(store, ask.channel)?)
    };
    let outcome = |status, sent, follow_up: Option<FollowUp>, says: String| FollowUpOutcome {
        review_id: review.id,
        status,
        sent,
        subject: subject.clone(),
        body: body.clone(),
        mailto: link.clone(),
        follow_up,
        says,
    };
    let earlier = store.follow_ups_of_review(review.id)?.pop();
    if ask.dry_run {
        let says = match (&earlier, ask.again, &to, by_hand) {
            (Some(e), false, _, _) if e.state != FollowUpState::Failed => format!(
                "Already asked on {}; nothing would be sent (--again asks once more).",
                e.asked_at.format("%Y-%m-%d")
            ),
            (_, _, Some(to), false) => format!("Would send this e-mail to {to}."),
            _ => "Would prepare this note for you to send.".into(),
        };
        return Ok(outcome("dry_run", false, earlier, says));
    }
    let new = NewFollowUp {
        review_id: review.id,
        method: if by_hand {
            FollowUpMethod::ByHand
        } else {
            FollowUpMethod::Email
        },
        recipient: to.clone(),
        body: body.clone(),
        rating_at_ask: review.rating,
    };
    let row = match store.begin_follow_up(&new, ask.again, now.timestamp())? {
        Begun::Already(f) => {
            let says = format!(
                "Already asked on {} ({}); nothing sent again. Ask once more with --again.",
                f.asked_at.format("%Y-%m-%d"),
                f.state.as_str()
            );
            return Ok(outcome("already_asked", false, Some(f), says));
        }
        Begun::Go(f) => f,
    };
    let Some(channel) = channel else {
        return Ok(outcome(
            "prepared",
            false,
            Some(row),
            "Remembered: send the note yourself (copy it, or open it in your mail app).".into(),
        ));
    };
    // The channel's server, sender and password; the customer as the recipient.
    let to = to.unwrap_or_default();
    let sent = match channels::mail_account(&channel, secrets) {
        Ok((account, password)) => {
            channels::email::send_plain(&account, password.as_ref(), &to, &subject, &body)
                .await
                .map_err(|e| e.message)
        }
        Err(e) => Err(e.message),
    };
    let finished = store.finish_follow_up(
        row.id,
        sent.as_ref().err().map(String::as_str),
        Utc::now().timestamp(),
    )?;
    match sent {
        Ok(()) => Ok(outcome(
            "sent",
            true,
            Some(finished),
            format!("Sent to {to}."),
        )),
        Err(e) => Err(FollowUpError::Send(e)),
    }
}

/// How a review changed after its latest follow-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedAfter {
    /// When Earshot saw the change.
    #[serde(serialize_with = "crate::model::ser_rfc3339")]
    pub at: DateTime<Utc>,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

/// A review's follow-up state, as the review and the follow-ups list show it.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpStatus {
    pub review_id: ReviewId,
    pub follow_up: FollowUp,
    /// How many times the customer was asked.
    pub asks: usize,
    pub changed_after: Option<ChangedAfter>,
    pub says: String,
}

fn stars(r: Option<f64>) -> String {
    r.map_or_else(|| "no stars".into(), |r| format!("{r}★"))
}

/// The change after `f` from a review's revisions (each keeps the text replaced at
/// `recorded_at`): the first one replaced after the ask (or in its second: times are whole
/// seconds, and an edit cannot be seen before the ask that prompted it was made).
pub fn changed_after(
    f: &FollowUp,
    current: Option<f64>,
    revisions: &[crate::model::Revision],
) -> Option<ChangedAfter> {
    let first = revisions
        .iter()
        .filter(|r| r.recorded_at >= f.asked_at)
        .min_by_key(|r| r.recorded_at)?;
    Some(ChangedAfter {
        at: first.recorded_at,
        before: first.rating.or(f.rating_at_ask),
        after: current,
    })
}

/// The status sentence.
pub fn status_says(f: &FollowUp, changed: Option<&ChangedAfter>) -> String {
    let how = match (f.method, f.state) {
        (FollowUpMethod::Email, FollowUpState::Sent) => format!(
            "Asked by e-mail{}",
            f.recipient
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        (FollowUpMethod::Email, FollowUpState::Sending) => {
            "An e-mail ask was interrupted (it may not have left)".into()
        }
        (FollowUpMethod::Email, FollowUpState::Failed) => format!(
            "The e-mail ask failed: {}",
            f.last_error.as_deref().unwrap_or("unknown error")
        ),
        _ => "Asked by a note you sent yourself".into(),
    };
    let on = f.asked_at.format("%Y-%m-%d");
    match changed {
        Some(c) if c.after > c.before => format!(
            "Updated after your follow-up: {} → {} ({}). {how} on {on}.",
            stars(c.before),
            stars(c.after),
            c.at.format("%Y-%m-%d")
        ),
        Some(c) => format!(
            "Changed after your follow-up ({}), now {}. {how} on {on}.",
            c.at.format("%Y-%m-%d"),
            stars(c.after)
        ),
        None => format!("{how} on {on}; no change to the review since."),
    }
}

/// The follow-up state of one review; `None` when never asked.
pub fn status<S: RequestStore>(store: &S, review_id: ReviewId) -> Result<Option<FollowUpStatus>> {
    let mut all = store.follow_ups_of_review(review_id)?;
    let asks = all.len();
    let Some(f) = all.pop() else {
        return Ok(None);
    };
    let review = store.review(review_id)?;
    let revisions = store.revisions(review_id)?;
    let changed = changed_after(&f, review.rating, &revisions);
    Ok(Some(FollowUpStatus {
        review_id,
        says: status_says(&f, changed.as_ref()),
        follow_up: f,
        asks,
        changed_after: changed,
    }))
}

/// Every review asked, latest ask first, with its state; optionally of one business.
pub fn list<S: RequestStore>(
    store: &S,
    business_id: Option<BusinessId>,
) -> Result<Vec<FollowUpStatus>> {
    let mut out = Vec::new();
    for f in store.latest_follow_ups(business_id)? {
        if let Some(s) = status(store, f.review_id)? {
            out.push(s);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailto_link_keeps_the_lines_and_escapes_the_rest() {
        let link = mailto(
            Some("ben@example.com"),
            "About your review",
            "Hi Ben,\nthanks & bye?",
        );
        assert_eq!(
            link,
            "mailto:ben@example.com?subject=About%20your%20review&body=Hi%20Ben%2C%0D%0Athanks%20%26%20bye%3F"
        );
        assert!(mailto(None, "s", "b").starts_with("mailto:?subject=s"));
    }

    #[test]
    fn the_greeting_uses_a_first_name_or_there() {
        assert_eq!(first_name(Some("Ben K.")), "Ben");
        assert_eq!(first_name(Some("@ben42")), "there");
        assert_eq!(first_name(None), "there");
    }

    #[test]
    fn a_bad_address_is_refused_with_what_was_typed() {
        assert!(valid_address(" ben@example.com ").is_ok());
        for bad in ["ben", "ben@example.com\r\nBcc: x@y.z", ""] {
            assert!(
                matches!(valid_address(bad), Err(FollowUpError::BadAddress(_))),
                "{bad}"
            );
        }
    }
}
