//! Alert channels beyond the desktop (issue 28): e-mail through the owner's own SMTP account, a
//! webhook (generic JSON, or Slack- and Discord-compatible bodies) and an ntfy topic.
//!
//! [`deliver`] is the one function that sends: it files a delivery row for every recent alert a
//! channel wants, then claims each row in one statement before sending it (as the reply outbox
//! does), so an alert reaches a channel once however many runs, restarts or processes there are.
//! A failure is retried with backoff over later runs and marked failed after [`MAX_ATTEMPTS`];
//! one channel's failure never holds up another's. A run interrupted mid-send leaves its row
//! `sending`; a later run marks it failed rather than risk a second copy.
//!
//! Messages are plain text made from the alert and the review's own words. Nothing from a review
//! becomes markup: Slack gets `mrkdwn: false` and its three escapes, Discord gets its markdown
//! escaped and no mentions, e-mail is `text/plain`, ntfy is a plain body. This module reads the
//! secret store only for an e-mail password, which is never stored in the database, printed or
//! put in an error.

pub mod email;
pub mod ntfy;
pub mod webhook;

use std::time::Duration;

use chrono::{DateTime, Duration as Span, FixedOffset, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::model::alerts::{Alert, AlertId, AlertKind, QuietHours};
use crate::model::Review;
use crate::secrets::{Secret, SecretError, SecretStore};
use crate::store::{ChannelStore, StoreError, APP_WIDE_CREDENTIALS};

/// Row id of a channel.
pub type ChannelId = i64;

/// Alerts about data older than this are listed, never sent: a phone buzzing about last year's
/// review after a first import is noise (issue 28: "older than a day are not sent").
pub const SEND_WINDOW: Span = Span::days(1);

/// Tries before a delivery is marked failed: enough to ride out a server restart or a short
/// outage, few enough that the owner sees a broken channel the same day.
pub const MAX_ATTEMPTS: u32 = 4;

/// Wait before each retry (after the 1st, 2nd, 3rd failure): a minute, five, half an hour.
const BACKOFF_SECS: [i64; 3] = [60, 300, 1800];

/// A claimed delivery not recorded after this long belonged to a run that stopped mid-send.
/// Longer than any send can take ([`REQUEST_TIMEOUT`] and SMTP's own timeouts).
const STALE_CLAIM_SECS: i64 = 15 * 60;

/// Per-request timeout of webhooks and ntfy, and of each SMTP command.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Bytes of a server's answer read for an error message; a server may answer with anything.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// Characters of a review's text carried in a message; the rest is in the app.
const MAX_REVIEW_CHARS: usize = 1500;

/// Reviews quoted in one alert's message (a spike links dozens).
const MAX_QUOTED_REVIEWS: usize = 3;

/// Alerts spelled out in one digest; a day of review bombing would otherwise make a message too
/// big for ntfy, Discord or a mailbox. The rest are counted and wait in the app.
const MAX_DIGEST_ALERTS: usize = 30;

/// The secret store key of an e-mail channel's password (in the app-wide slot):
/// `alert_channel_<id>_<digest of server and user>`. The key names where the password may go,
/// so a database file whose channel row was changed to another server (a restore, an edit by
/// hand) finds no password for it, and nothing is sent there.
pub fn password_key(channel: &Channel) -> String {
    password_key_for(channel.id, &channel.settings)
}

fn password_key_for(id: ChannelId, settings: &Json) -> String {
    use sha2::Digest;
    let field = |k: &str| settings.get(k).and_then(Json::as_str).unwrap_or("");
    let digest = sha2::Sha256::digest(format!("{}\n{}", field("server"), field("user")));
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("alert_channel_{id}_{hex}")
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secrets(#[from] SecretError),
    #[error("no alert channel with id {0}; list them with `earshot alerts channels list`")]
    Unknown(ChannelId),
    #[error("{0}")]
    Invalid(String),
    #[error("sending failed: {0}")]
    Send(String),
}

impl ChannelError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ChannelError::Store(e) => e.code(),
            ChannelError::Secrets(_) => "secrets",
            ChannelError::Unknown(_) => "unknown_channel",
            ChannelError::Invalid(_) => "invalid_channel",
            ChannelError::Send(_) => "channel_send_failed",
        }
    }
}

pub type Result<T, E = ChannelError> = std::result::Result<T, E>;

/// How a channel is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Email,
    Webhook,
    Ntfy,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Ntfy => "ntfy",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelKind> {
        match s {
            "email" => Some(ChannelKind::Email),
            "webhook" => Some(ChannelKind::Webhook),
            "ntfy" => Some(ChannelKind::Ntfy),
            _ => None,
        }
    }
}

/// The body a webhook gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// `{"title", "text", "alerts": […], "reviews": […]}`.
    Generic,
    /// Slack's incoming webhook: `{"text", "mrkdwn": false}`.
    Slack,
    /// Discord's webhook: `{"content", "allowed_mentions": {"parse": []}}`.
    Discord,
}

impl WebhookFormat {
    pub fn parse(s: &str) -> Option<WebhookFormat> {
        match s {
            "generic" | "json" => Some(WebhookFormat::Generic),
            "slack" => Some(WebhookFormat::Slack),
            "discord" => Some(WebhookFormat::Discord),
            _ => None,
        }
    }

    /// The format a URL's host implies.
    pub fn for_url(url: &reqwest::Url) -> WebhookFormat {
        match url.host_str().unwrap_or("") {
            "hooks.slack.com" => WebhookFormat::Slack,
            "discord.com" | "discordapp.com" | "canary.discord.com" | "ptb.discord.com" => {
                WebhookFormat::Discord
            }
            _ => WebhookFormat::Generic,
        }
    }
}

/// A stored channel with its delivery figures, as `channels list --json` and the app show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    pub id: ChannelId,
    pub kind: ChannelKind,
    /// The webhook or topic URL, or the e-mail recipient.
    pub target: String,
    /// Non-secret settings: `format` (webhook); `server`, `from`, `user`, `password` (whether one
    /// is kept in the secret store) for e-mail.
    pub settings: Json,
    /// The alert kinds it wants; `None` for all.
    pub kinds: Option<Vec<AlertKind>>,
    pub quiet_hours: Option<QuietHours>,
    /// Local hour of the daily digest; `None` sends each alert as it comes.
    pub digest_hour: Option<u8>,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    pub sent: i64,
    pub pending: i64,
    pub failed: i64,
    #[serde(serialize_with = "ser_time_opt")]
    pub last_sent_at: Option<DateTime<Utc>>,
    /// The latest failure's reason (a retry still pending, or a delivery given up).
    pub last_error: Option<String>,
    /// Why the channel is paused until the owner confirms it (a restore changed where it sends,
    /// issue 33): nothing is sent to it and no password is read for it meanwhile.
    pub unconfirmed: Option<String>,
}

impl Channel {
    pub fn wants(&self, kind: AlertKind) -> bool {
        self.kinds.as_ref().is_none_or(|ks| ks.contains(&kind))
    }

    fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).and_then(Json::as_str)
    }

    /// What the owner reads in a list: "webhook https://…", "e-mail to a@b via smtps://…".
    pub fn describe(&self) -> String {
        match self.kind {
            ChannelKind::Email => format!(
                "e-mail to {} via {}",
                self.target,
                self.setting("server").unwrap_or("?")
            ),
            ChannelKind::Webhook => format!(
                "webhook ({}) {}",
                self.setting("format").unwrap_or("generic"),
                self.target
            ),
            ChannelKind::Ntfy => format!("ntfy {}", self.target),
        }
    }
}

fn ser_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::model::rfc3339(t))
}

fn ser_time_opt<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&crate::model::rfc3339(t)),
        None => s.serialize_none(),
    }
}

/// One alert's delivery to one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub alert_id: AlertId,
    /// `pending`, `sending`, `sent` or `failed`.
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// A channel to store (what [`add_channel`] made of the owner's input).
#[derive(Debug, Clone, PartialEq)]
pub struct NewChannel {
    pub kind: ChannelKind,
    pub target: String,
    pub settings: Json,
    pub kinds: Option<Vec<AlertKind>>,
    pub quiet_hours: Option<QuietHours>,
    pub digest_hour: Option<u8>,
}

/// What the owner asks for: the CLI's and the app's arguments of `channels add`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChannelSpec {
    /// `email`, `webhook` or `ntfy`.
    pub kind: String,
    /// The webhook or topic URL; for e-mail, the recipient (`--to`).
    pub target: String,
    /// Webhook body: `generic`, `slack` or `discord`; default from the URL.
    pub format: Option<String>,
    /// E-mail: `smtp://HOST:PORT` (STARTTLS when offered) or `smtps://HOST:PORT`.
    pub server: Option<String>,
    pub from: Option<String>,
    pub user: Option<String>,
    /// Alert kinds by name; empty for all.
    pub kinds: Vec<String>,
    pub quiet_hours: Option<QuietHours>,
    pub digest_hour: Option<u8>,
}

/// Checks the owner's input and stores the channel; an e-mail password goes to the secret
/// store, never the database.
pub fn add_channel<S: ChannelStore + ?Sized>(
    store: &S,
    secrets: &dyn SecretStore,
    spec: &ChannelSpec,
    password: Option<&Secret>,
    now: DateTime<Utc>,
) -> Result<Channel> {
    let kind = ChannelKind::parse(spec.kind.trim()).ok_or_else(|| {
        ChannelError::Invalid(format!(
            "no channel kind {:?}; the kinds are email, webhook and ntfy",
            spec.kind
        ))
    })?;
    let kinds = if spec.kinds.is_empty() {
        None
    } else {
        let mut out = Vec::new();
        for k in spec
            .kinds
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
        {
            out.push(AlertKind::parse(k).ok_or_else(|| {
                let all: Vec<&str> = AlertKind::ALL.iter().map(|k| k.as_str()).collect();
                ChannelError::Invalid(format!(
                    "no alert kind {k:?}; the kinds are {}",
                    all.join(", ")
                ))
            })?);
        }
        Some(out)
    };
    if let Some(q) = spec.quiet_hours {
        if q.start_hour > 23 || q.end_hour > 23 {
            return Err(ChannelError::Invalid(
                "quiet hours are hours of the day, 0 to 23".into(),
            ));
        }
    }
    if spec.digest_hour.is_some_and(|h| h > 23) {
        return Err(ChannelError::Invalid(
            "the digest hour is an hour of the day, 0 to 23".into(),
        ));
    }
    if password.is_some() && kind != ChannelKind::Email {
        return Err(ChannelError::Invalid(
            "only an e-mail channel takes a password".into(),
        ));
    }
    let (target, settings) = match kind {
        ChannelKind::Webhook => {
            let url = web_url(&spec.target, "webhook")?;
            let format = match spec.format.as_deref() {
                Some(f) => WebhookFormat::parse(f).ok_or_else(|| {
                    ChannelError::Invalid(format!(
                        "no webhook format {f:?}; the formats are generic, slack and discord"
                    ))
                })?,
                None => WebhookFormat::for_url(&url),
            };
            (url.to_string(), json!({ "format": format }))
        }
        ChannelKind::Ntfy => (web_url(&spec.target, "ntfy topic")?.to_string(), json!({})),
        ChannelKind::Email => email::settings(spec, password.is_some())?,
    };
    let new = NewChannel {
        kind,
        target,
        settings,
        kinds,
        quiet_hours: spec.quiet_hours,
        digest_hour: spec.digest_hour,
    };
    let id = store.add_alert_channel(&new, now.timestamp())?;
    if let Some(p) = password {
        if let Err(e) = secrets.set(
            APP_WIDE_CREDENTIALS,
            &password_key_for(id, &new.settings),
            p,
        ) {
            store.remove_alert_channel(id)?;
            return Err(e.into());
        }
    }
    store.alert_channel(id)?.ok_or(ChannelError::Unknown(id))
}

/// A webhook or topic URL: https anywhere, or http to this computer (the store's rule for any
/// address that receives the owner's data).
fn web_url(s: &str, what: &str) -> Result<reqwest::Url> {
    let url = reqwest::Url::parse(s.trim())
        .map_err(|e| ChannelError::Invalid(format!("the {what} URL {s:?}: {e}")))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(ChannelError::Invalid(format!(
            "the {what} URL must start with https://"
        )));
    }
    crate::store::check_endpoint(url.as_str())
        .map_err(|why| ChannelError::Invalid(format!("the {what} URL: {why}")))?;
    Ok(url)
}

/// Removes a channel, its deliveries and its password.
pub fn remove_channel<S: ChannelStore + ?Sized>(
    store: &S,
    secrets: &dyn SecretStore,
    id: ChannelId,
) -> Result<()> {
    let channel = store.alert_channel(id)?.ok_or(ChannelError::Unknown(id))?;
    if channel.kind == ChannelKind::Email {
        secrets.delete(APP_WIDE_CREDENTIALS, &password_key(&channel))?;
    }
    store.remove_alert_channel(id)?;
    Ok(())
}

/// The HTTP client for webhooks and ntfy: explicit timeouts, no redirects (a webhook that
/// redirects elsewhere would send the owner's reviews to an address they never gave).
pub fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("earshot/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ChannelError::Send(format!("cannot start the HTTP client: {e}")))
}

/// One message to a channel: plain text only.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub title: String,
    pub body: String,
    /// High for what wants a fast answer (a bad review, a watch word, a spike).
    pub urgent: bool,
    pub tags: Vec<String>,
    /// Where a tap leads: the review on its platform, when there is one.
    pub click: Option<String>,
    pub alerts: Vec<Alert>,
    pub reviews: Vec<Review>,
}

/// Why a send failed, and whether trying again could help.
#[derive(Debug, Clone, PartialEq)]
pub struct SendError {
    pub message: String,
    /// A refusal that will not change (a 404, a bad address, no TLS for a password).
    pub permanent: bool,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            permanent: true,
        }
    }
}

/// Confirms a channel a restore changed (see `Channel::unconfirmed`): it is sent to again.
pub fn confirm_channel<S: ChannelStore + ?Sized>(store: &S, id: ChannelId) -> Result<()> {
    if !store.confirm_alert_channel(id)? {
        return Err(ChannelError::Unknown(id));
    }
    Ok(())
}

/// Sends one message to one channel.
pub async fn send(
    channel: &Channel,
    secrets: &dyn SecretStore,
    http: &reqwest::Client,
    message: &Message,
) -> std::result::Result<(), SendError> {
    if let Some(why) = &channel.unconfirmed {
        return Err(SendError::permanent(format!(
            "paused until you confirm it: {why}; check where it sends and confirm it \
             (`earshot alerts channels confirm {}`)",
            channel.id
        )));
    }
    match channel.kind {
        ChannelKind::Webhook => webhook::send(channel, http, message).await,
        ChannelKind::Ntfy => ntfy::send(channel, http, message).await,
        ChannelKind::Email => {
            let (account, password) = mail_account(channel, secrets)?;
            email::send_plain(
                &account,
                password.as_ref(),
                &channel.target,
                &message.title,
                &message.body,
            )
            .await
        }
    }
}

/// An e-mail channel's SMTP account and its password from the keyring: what alerts, review
/// requests and follow-ups all send through, so each refuses a paused channel and a missing
/// password the same way (and none borrows the channel with another recipient in its place).
pub fn mail_account(
    channel: &Channel,
    secrets: &dyn SecretStore,
) -> std::result::Result<(email::SmtpAccount, Option<crate::secrets::Secret>), SendError> {
    if let Some(why) = &channel.unconfirmed {
        return Err(SendError::permanent(format!(
            "paused until you confirm it: {why}; check where it sends and confirm it \
             (`earshot alerts channels confirm {}`)",
            channel.id
        )));
    }
    if channel.kind != ChannelKind::Email {
        return Err(SendError::permanent(format!(
            "channel {} is not an e-mail channel",
            channel.id
        )));
    }
    let password = if channel.settings.get("password").and_then(Json::as_bool) == Some(true) {
        match secrets.get(APP_WIDE_CREDENTIALS, &password_key(channel)) {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                return Err(SendError::permanent(
                    "no password in the keyring for this server and user (a restored or \
                     changed database?); remove the channel and add it again",
                ))
            }
            Err(e) => return Err(SendError::transient(e.to_string())),
        }
    } else {
        None
    };
    Ok((email::SmtpAccount::of_channel(channel), password))
}

/// Sends a test message to a channel now, outside the deliveries.
pub async fn test_channel<S: ChannelStore + ?Sized>(
    store: &S,
    secrets: &dyn SecretStore,
    http: &reqwest::Client,
    id: ChannelId,
) -> Result<()> {
    let channel = store.alert_channel(id)?.ok_or(ChannelError::Unknown(id))?;
    let message = Message {
        title: "Earshot test message".into(),
        body: format!(
            "This is a test from Earshot. Alerts will reach you here ({}).",
            channel.describe()
        ),
        urgent: false,
        tags: vec!["earshot".into()],
        click: None,
        alerts: Vec::new(),
        reviews: Vec::new(),
    };
    send(&channel, secrets, http, &message)
        .await
        .map_err(|e| ChannelError::Send(e.message))
}

/// The message for one alert: its text and the words of the reviews it is about.
pub fn alert_message<S: ChannelStore + ?Sized>(store: &S, alert: &Alert) -> Result<Message> {
    let mut reviews = Vec::new();
    for id in alert.review_ids.iter().take(MAX_QUOTED_REVIEWS) {
        match store.review(*id) {
            Ok(r) => reviews.push(r),
            Err(StoreError::UnknownReview(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let title = match &alert.business {
        Some(b) => format!("{} · {b}", alert.kind.title()),
        None => alert.kind.title().to_string(),
    };
    let mut body = alert.message.clone();
    for r in &reviews {
        body.push_str("\n\n");
        body.push_str(&quote_review(r));
    }
    if alert.review_ids.len() > reviews.len() {
        body.push_str(&format!(
            "\n\n…and {} more in Earshot.",
            alert.review_ids.len() - reviews.len()
        ));
    }
    let click = reviews
        .iter()
        .filter_map(|r| r.url.clone())
        .find(|u| u.starts_with("https://") || u.starts_with("http://"));
    Ok(Message {
        title,
        body,
        urgent: matches!(
            alert.kind,
            AlertKind::NewNegative | AlertKind::WatchWord | AlertKind::Spike
        ),
        tags: vec![alert.kind.as_str().to_string()],
        click,
        alerts: vec![alert.clone()],
        reviews,
    })
}

/// A review as plain text: who, where, how many stars, and what they wrote.
fn quote_review(r: &Review) -> String {
    let mut head = String::new();
    if let Some(stars) = r.rating {
        head.push_str(&format!("{stars}★ "));
    }
    head.push_str(r.author.as_deref().unwrap_or("Someone"));
    head.push_str(&format!(
        " on {}, {}:",
        r.platform,
        r.created_at.format("%Y-%m-%d")
    ));
    let mut text = String::new();
    if let Some(t) = r.title.as_deref().filter(|t| !t.is_empty()) {
        text.push_str(t);
        text.push('\n');
    }
    text.push_str(&r.body);
    format!("{head}\n{}", truncate_chars(&text, MAX_REVIEW_CHARS))
}

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// One digest message for a day's alerts.
pub fn digest_message<S: ChannelStore + ?Sized>(store: &S, alerts: &[Alert]) -> Result<Message> {
    let title = match alerts.len() {
        1 => "Earshot: 1 alert today".to_string(),
        n => format!("Earshot: {n} alerts today"),
    };
    let mut parts = Vec::new();
    let mut reviews = Vec::new();
    for a in alerts.iter().take(MAX_DIGEST_ALERTS) {
        let m = alert_message(store, a)?;
        parts.push(format!("{}\n{}", m.title, m.body));
        reviews.extend(m.reviews);
    }
    if alerts.len() > MAX_DIGEST_ALERTS {
        parts.push(format!(
            "…and {} more alerts in Earshot.",
            alerts.len() - MAX_DIGEST_ALERTS
        ));
    }
    Ok(Message {
        title,
        body: parts.join("\n\n———\n\n"),
        urgent: false,
        tags: vec!["digest".into()],
        click: None,
        alerts: alerts.to_vec(),
        reviews,
    })
}

/// What a delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeliverReport {
    /// Messages sent (a digest counts once).
    pub sent: usize,
    /// Alerts in the sent messages.
    pub alerts_sent: usize,
    /// Attempts that failed and will be tried again.
    pub retrying: usize,
    /// Deliveries given up in this run.
    pub failed: usize,
    /// Channels left alone because of their quiet hours.
    pub quiet_channels: Vec<ChannelId>,
    /// Channels paused until the owner confirms them (a restore changed where they send).
    pub unconfirmed_channels: Vec<ChannelId>,
    /// On a team database, e-mail channels whose password is not in this computer's keyring:
    /// their alerts wait for a seat that holds it (never failed). Absent on a file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting_channels: Vec<ChannelId>,
}

/// Sends every alert not yet delivered to each channel that wants its kind. `now` is the local
/// time (quiet hours and the digest hour are local hours).
///
/// Safe to call from any number of processes at once and as often as wanted: each (alert,
/// channel) is sent once. Failures are recorded on the delivery (see `channels list`), retried
/// by later runs with backoff, and never stop the other channels.
///
/// The store is taken `&mut` only so that the future is `Send` (a `&Store` held across a send
/// is not, the connection not being `Sync`): the sync round runs on Tauri's shared runtime.
pub async fn deliver<S: ChannelStore + Send + ?Sized>(
    store: &mut S,
    secrets: &dyn SecretStore,
    http: &reqwest::Client,
    now: DateTime<FixedOffset>,
) -> Result<DeliverReport> {
    let now_s = now.timestamp();
    let channels = store.alert_channels()?;
    let mut report = DeliverReport::default();
    if channels.is_empty() {
        // Nothing to write: a round without channels never takes the write lock here.
        return Ok(report);
    }
    store.abandon_stale_alert_deliveries(now_s - STALE_CLAIM_SECS)?;
    let since = now_s - SEND_WINDOW.num_seconds();
    for channel in channels {
        if channel.unconfirmed.is_some() {
            // Nothing queued or sent, and no password read, until the owner confirms it.
            report.unconfirmed_channels.push(channel.id);
            continue;
        }
        let next_at = match channel.digest_hour {
            Some(h) => next_local_hour(now, h).timestamp(),
            None => now_s,
        };
        store.queue_alert_deliveries(&channel, since, next_at)?;
        if channel.quiet_hours.is_some_and(|q| q.contains(now.hour())) {
            report.quiet_channels.push(channel.id);
            continue;
        }
        if store.is_shared() && !holds_password(&channel, secrets) {
            // Asked before any claim, so a seat without the password never holds a delivery
            // in `sending`: the rows stay pending for a seat that has it.
            report.waiting_channels.push(channel.id);
            continue;
        }
        if channel.digest_hour.is_some() {
            let claimed = store.claim_alert_digest(channel.id, now_s)?;
            if claimed.is_empty() {
                continue;
            }
            let ids: Vec<AlertId> = claimed.iter().map(|c| c.alert_id).collect();
            let alerts = store.alerts_by_ids(&ids)?;
            let attempts = claimed.iter().map(|c| c.attempts).max().unwrap_or(1);
            let message = digest_message(store, &alerts)?;
            let outcome = send(&channel, secrets, http, &message).await;
            record(store, &channel, &ids, attempts, outcome, now_s, &mut report)?;
            continue;
        }
        while let Some(c) = store.claim_alert_delivery(channel.id, now_s)? {
            let Some(alert) = store.alert(c.alert_id)? else {
                continue;
            };
            let message = alert_message(store, &alert)?;
            let outcome = send(&channel, secrets, http, &message).await;
            let failed = outcome.is_err();
            record(
                store,
                &channel,
                &[c.alert_id],
                c.attempts,
                outcome,
                now_s,
                &mut report,
            )?;
            if failed {
                // The channel is down: its other alerts wait for the retry rather than each
                // spending a timeout now, and the next channel gets its turn.
                break;
            }
        }
    }
    Ok(report)
}

/// Whether this seat can send to `channel`: anything but an e-mail channel with a password, or
/// one whose password is in this seat's keyring. A keyring that cannot be read counts as not
/// holding it: the deliveries wait rather than fail.
fn holds_password(channel: &Channel, secrets: &dyn SecretStore) -> bool {
    if channel.kind != ChannelKind::Email
        || channel.settings.get("password").and_then(Json::as_bool) != Some(true)
    {
        return true;
    }
    matches!(
        secrets.get(APP_WIDE_CREDENTIALS, &password_key(channel)),
        Ok(Some(_))
    )
}

fn record<S: ChannelStore + ?Sized>(
    store: &S,
    channel: &Channel,
    ids: &[AlertId],
    attempts: u32,
    outcome: std::result::Result<(), SendError>,
    now: i64,
    report: &mut DeliverReport,
) -> Result<()> {
    match outcome {
        Ok(()) => {
            store.record_alert_sent(channel.id, ids, now)?;
            report.sent += 1;
            report.alerts_sent += ids.len();
        }
        Err(e) => {
            let retry_at = (!e.permanent && attempts < MAX_ATTEMPTS).then(|| {
                let i = (attempts.max(1) - 1) as usize;
                now + BACKOFF_SECS[i.min(BACKOFF_SECS.len() - 1)]
            });
            if retry_at.is_some() {
                report.retrying += ids.len();
            } else {
                report.failed += ids.len();
            }
            store.record_alert_failure(channel.id, ids, &e.message, retry_at)?;
        }
    }
    Ok(())
}

/// The next time (strictly after `now`, or `now` itself at the top of that hour) the local
/// clock shows `hour`:00.
fn next_local_hour(now: DateTime<FixedOffset>, hour: u8) -> DateTime<FixedOffset> {
    let today = now
        .date_naive()
        .and_hms_opt(u32::from(hour.min(23)), 0, 0)
        .and_then(|t| now.offset().from_local_datetime(&t).single())
        .unwrap_or(now);
    if today >= now {
        today
    } else {
        today + Span::days(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_digest_waits_for_its_local_hour() {
        let tz = FixedOffset::east_opt(3600).unwrap();
        let at = |h, m| tz.with_ymd_and_hms(2026, 5, 1, h, m, 0).unwrap();
        assert_eq!(next_local_hour(at(9, 30), 18), at(18, 0));
        assert_eq!(next_local_hour(at(18, 0), 18), at(18, 0));
        assert_eq!(
            next_local_hour(at(19, 0), 18),
            tz.with_ymd_and_hms(2026, 5, 2, 18, 0, 0).unwrap()
        );
    }

    /// The sync round awaits [`deliver`] on Tauri's shared runtime, which needs `Send` futures.
    #[test]
    fn a_delivery_run_can_be_awaited_on_a_shared_runtime() {
        fn assert_send<T: Send>(_: &T) {}
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("send.db")).unwrap();
        let secrets = crate::secrets::MemorySecrets::default();
        let http = http_client().unwrap();
        let now = Utc::now().fixed_offset();
        let run = deliver(&mut store, &secrets, &http, now);
        assert_send(&run);
    }

    /// A database whose e-mail channel was pointed at another server (a restore, an edit by
    /// hand) finds no password for it: the password only ever goes where the owner typed it.
    #[tokio::test(flavor = "current_thread")]
    async fn a_channel_moved_to_another_server_gets_no_password() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("moved.db")).unwrap();
        let secrets = crate::secrets::MemorySecrets::default();
        let spec = ChannelSpec {
            kind: "email".into(),
            target: "owner@example.com".into(),
            server: Some("smtps://mail.example.com".into()),
            user: Some("owner".into()),
            ..ChannelSpec::default()
        };
        let password = Secret::new("correct horse battery");
        let channel = add_channel(&store, &secrets, &spec, Some(&password), Utc::now()).unwrap();
        assert_eq!(
            secrets
                .get(APP_WIDE_CREDENTIALS, &password_key(&channel))
                .unwrap(),
            Some(password)
        );
        let mut moved = channel.clone();
        moved.settings["server"] = json!("smtps://attacker.example.net:465");
        let message = Message {
            title: "t".into(),
            body: "b".into(),
            urgent: false,
            tags: Vec::new(),
            click: None,
            alerts: Vec::new(),
            reviews: Vec::new(),
        };
        let http = http_client().unwrap();
        let err = send(&moved, &secrets, &http, &message).await.unwrap_err();
        assert!(
            err.permanent && err.message.contains("no password"),
            "{err:?}"
        );
        // Removing the channel removes its password.
        remove_channel(&store, &secrets, channel.id).unwrap();
        assert_eq!(
            secrets
                .get(APP_WIDE_CREDENTIALS, &password_key(&channel))
                .unwrap(),
            None
        );
    }

    #[test]
    fn long_review_text_is_cut_on_a_character_boundary() {
        assert_eq!(truncate_chars("héllo", 2), "hé…");
        assert_eq!(truncate_chars("hi", 5), "hi");
    }
}
