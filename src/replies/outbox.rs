//! The outbox: posts queued replies through each platform's reply API, at most once.
//!
//! A reply is queued from its draft (see [`crate::store::Store::queue_reply`]), then claimed
//! (`queued → posting`) in one statement *before* the request goes out, then recorded as
//! `posted` (with the platform's id) or `failed` (with the platform's reason). Two clicks, or the
//! app and the CLI at once, cannot both claim it, so a reply is sent by one run only.
//!
//! The hard case is a crash (or a kill, or a lost connection) after the request left and before
//! the answer was recorded: the reply stays in `posting` and nobody knows whether the platform
//! has it. What to do depends on the API:
//! - **create-or-replace** (Google Business Profile `PUT …/reply`, Google Play `:reply`, App Store
//!   Connect `customerReviewResponses`, Trustpilot's one company reply per review): sending again
//!   replaces what may be there, so the reply is queued again and resent;
//! - **create-only** (Facebook comments, YouTube `comments.insert`, X `POST /2/tweets`, Mastodon
//!   statuses, Bluesky `createRecord`): sending again could publish it twice, so it is marked
//!   `failed` with "may have been posted; check the platform" — unless a sync has since brought
//!   the reply back from the platform, which proves it was posted.
//!
//! An **edit** of a posted reply goes through the same row: [`Store::queue_edit`] files the text
//! the platform shows in the reply's history and queues the new one, and the row's `posted_at`
//! marks it as an edit. Every edit replaces (the review's one reply, or the reply by its own id),
//! so it is always safe to resend; one the platform refuses puts the earlier text back.
//!
//! The same reasoning covers retries inside a run. 5xx answers, 429s and connection failures are
//! retried with exponential backoff (honouring `Retry-After`); a timeout or a gateway error
//! (502/504) after the request was sent is retried only on create-or-replace APIs — on a
//! create-only API it may already have been published, so it ends as "check the platform".
//!
//! Base URLs are configurable per connector (tests point them at 127.0.0.1); credentials come from
//! a [`ReplyCredentials`] implementation and are never logged or stored in the database.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::{Reply, ReplyError, ReplyOrigin, ReplyState, Result};
use crate::model::{ReviewId, SourceId};
use crate::store::Store;

/// A platform reply API the outbox can post to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyApi {
    GoogleBusiness,
    Facebook,
    Trustpilot,
    AppStoreConnect,
    GooglePlay,
    YouTube,
    X,
    Mastodon,
    Bluesky,
}

impl ReplyApi {
    pub const ALL: [ReplyApi; 9] = [
        ReplyApi::GoogleBusiness,
        ReplyApi::Facebook,
        ReplyApi::Trustpilot,
        ReplyApi::AppStoreConnect,
        ReplyApi::GooglePlay,
        ReplyApi::YouTube,
        ReplyApi::X,
        ReplyApi::Mastodon,
        ReplyApi::Bluesky,
    ];

    /// The API behind a connector name (`google-business`…); `None` means "copy and open".
    pub fn for_connector(connector: &str) -> Option<ReplyApi> {
        ReplyApi::ALL
            .into_iter()
            .find(|a| a.connector() == connector)
    }

    pub fn connector(self) -> &'static str {
        match self {
            ReplyApi::GoogleBusiness => "google-business",
            ReplyApi::Facebook => "facebook",
            ReplyApi::Trustpilot => "trustpilot",
            ReplyApi::AppStoreConnect => "app-store-connect",
            ReplyApi::GooglePlay => "google-play",
            ReplyApi::YouTube => "youtube",
            ReplyApi::X => "x",
            ReplyApi::Mastodon => "mastodon",
            ReplyApi::Bluesky => "bluesky",
        }
    }

    pub fn label(self) -> &'static str {
        crate::platform::connector(self.connector()).map_or("the platform", |c| c.label)
    }

    /// Where requests go when neither the config nor the source overrides it.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ReplyApi::GoogleBusiness => "https://mybusiness.googleapis.com",
            ReplyApi::Facebook => "https://graph.facebook.com/v21.0",
            ReplyApi::Trustpilot => "https://api.trustpilot.com",
            ReplyApi::AppStoreConnect => "https://api.appstoreconnect.apple.com",
            ReplyApi::GooglePlay => "https://androidpublisher.googleapis.com",
            ReplyApi::YouTube => "https://www.googleapis.com",
            ReplyApi::X => "https://api.x.com",
            // Per instance: the source's `instance` setting (see `Outbox::base_url`).
            ReplyApi::Mastodon => "https://mastodon.social",
            // The owner's PDS, or Bluesky's entryway, which forwards to it.
            ReplyApi::Bluesky => "https://bsky.social",
        }
    }

    /// Whether sending the same reply again replaces it rather than adding a second one. Only
    /// then is a resend after an unknown outcome safe.
    pub fn resend_is_safe(self) -> bool {
        matches!(
            self,
            ReplyApi::GoogleBusiness
                | ReplyApi::GooglePlay
                | ReplyApi::AppStoreConnect
                | ReplyApi::Trustpilot
        )
    }

    /// Whether a posted reply's text can be changed: by sending it again where the review has one
    /// reply that the API replaces (Google Business Profile, Google Play, Trustpilot, App Store
    /// Connect), or by updating the reply itself (Facebook `POST /{comment-id}`, YouTube
    /// `comments.update`, Mastodon `PUT /api/v1/statuses/:id`). X and Bluesky have no edit.
    pub fn can_edit(self) -> bool {
        self.resend_is_safe()
            || matches!(
                self,
                ReplyApi::Facebook | ReplyApi::YouTube | ReplyApi::Mastodon
            )
    }

    /// Why a posted reply cannot be edited here, in words; `None` where it can.
    pub fn no_edit_reason(self) -> Option<String> {
        (!self.can_edit()).then(|| {
            format!(
                "{} does not let anyone change a posted reply through its API; delete the reply \
                 and post the new text as a new one",
                self.label()
            )
        })
    }

    /// Whether the API deletes replies: all but Google Play, which has no delete.
    pub fn can_delete(self) -> bool {
        self != ReplyApi::GooglePlay
    }

    /// Whether a review has one reply on this platform, which posting again replaces; elsewhere
    /// (comments, posts in a thread) posting again adds another reply.
    pub fn one_reply_per_review(self) -> bool {
        self.resend_is_safe()
    }
}

pub use crate::secrets::Secret;

/// Gives the outbox a token that may post replies for a source: an OAuth access token (Google,
/// YouTube, X, Trustpilot business user), a Page token (Facebook) or a signed JWT (App Store
/// Connect). Implemented over the OS keyring by the shell; tests and scripts use
/// [`StaticCredentials`] or [`EnvCredentials`].
pub trait ReplyCredentials {
    /// `Ok(None)` when nothing is stored for this source.
    fn bearer_token(&self, source_id: SourceId, connector: &str) -> Result<Option<Secret>>;

    /// A stored secret a token is made from: Bluesky's `app_password`, App Store Connect's
    /// `private_key`, Google's `refresh_token` and `client_secret`. The default has none, for
    /// implementations that only hand out ready-made tokens.
    fn secret(&self, _source_id: SourceId, _key: &str) -> Result<Option<Secret>> {
        Ok(None)
    }

    /// Keeps a renewed token (a refreshed Google access token) for the next post. Failing to keep
    /// it only costs another refresh, so it returns nothing.
    fn keep(&self, _source_id: SourceId, _key: &str, _value: &Secret) {}
}

/// The same token for every source; for tests.
#[derive(Debug, Clone)]
pub struct StaticCredentials(pub Secret);

impl ReplyCredentials for StaticCredentials {
    fn bearer_token(&self, _: SourceId, _: &str) -> Result<Option<Secret>> {
        Ok(Some(self.0.clone()))
    }
}

/// Tokens from the environment, `EARSHOT_TOKEN_<CONNECTOR>` (`EARSHOT_TOKEN_GOOGLE_BUSINESS`):
/// for the CLI in scripts and CI, where no keyring is unlocked.
#[derive(Debug, Clone, Default)]
pub struct EnvCredentials;

impl EnvCredentials {
    pub fn variable(connector: &str) -> String {
        format!(
            "EARSHOT_TOKEN_{}",
            connector.to_ascii_uppercase().replace('-', "_")
        )
    }
}

impl ReplyCredentials for EnvCredentials {
    fn bearer_token(&self, _: SourceId, connector: &str) -> Result<Option<Secret>> {
        Ok(std::env::var(EnvCredentials::variable(connector))
            .ok()
            .filter(|v| !v.is_empty())
            .map(Secret::new))
    }
}

/// Retry and timing knobs. The defaults suit a person waiting on a click; tests shrink them.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// Base URL per connector name, overriding the source's `base_url` setting and the default.
    pub base_urls: HashMap<String, String>,
    /// Attempts per reply in one run, the first included.
    pub max_attempts: u32,
    /// First backoff; doubled after each retry, plus up to 25% jitter.
    pub backoff: Duration,
    /// No single wait is longer than this; a `Retry-After` beyond it ends the run for the reply.
    pub max_backoff: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// A reply in `posting` for longer than this was left by a run that died. It must exceed one
    /// request's timeout plus its backoff, or a live run's reply would be taken for a dead one.
    pub posting_lease: Duration,
    /// Ignore `HTTP(S)_PROXY` (tests on 127.0.0.1).
    pub no_proxy: bool,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            base_urls: HashMap::new(),
            max_attempts: 4,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            posting_lease: Duration::from_secs(300),
            no_proxy: false,
        }
    }
}

/// What "check the platform" replies say, so the UI can offer "it's there" / "post again".
pub const MAY_HAVE_BEEN_POSTED: &str = "may have been posted; check the platform";

/// The request a reply turns into, before credentials are added. Pure, so each platform's shape
/// is tested without a server.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub method: Method,
    pub url: String,
    pub json: Option<Value>,
    pub form: Option<Vec<(String, String)>>,
    /// Whether sending it twice has the effect of sending it once (a create-or-replace, an update
    /// of a reply by its id, a delete). Only then is a timeout or a gateway error retried: the
    /// first try may have been applied.
    pub replaces: bool,
}

impl Planned {
    fn json(method: Method, url: String, json: Value, replaces: bool) -> Planned {
        Planned {
            method,
            url,
            json: Some(json),
            form: None,
            replaces,
        }
    }
}

/// What a reply answers, as planning needs it.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The platform's id of the review or mention.
    pub external_id: &'a str,
    /// The source's settings (account, location, package, business user, handle…).
    pub settings: &'a Value,
    /// The item as the platform sent it, where a reply needs more than its id (Bluesky's content
    /// id and thread root).
    pub raw_json: Option<&'a str>,
    /// The account the reply is written as, where the request names it (Bluesky's repository:
    /// the DID of the session, or the handle).
    pub account: Option<&'a str>,
    /// When the reply is written (Bluesky records carry it).
    pub now: chrono::DateTime<chrono::Utc>,
}

impl<'a> Target<'a> {
    /// A target with nothing but the id and the settings, written now.
    pub fn new(external_id: &'a str, settings: &'a Value) -> Target<'a> {
        Target {
            external_id,
            settings,
            raw_json: None,
            account: None,
            now: chrono::Utc::now(),
        }
    }
}

/// A string setting under any of `keys` (connectors name them differently).
pub(super) fn setting<'a>(settings: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| settings.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
}

pub(super) fn missing(api: ReplyApi, what: &str) -> ReplyError {
    ReplyError::Outbox(format!(
        "the {} source has no {what} in its settings, so Earshot cannot address the reply; \
         reconnect the source",
        api.label()
    ))
}

/// Google Business Profile's resource name of a review: the external id when the connector
/// stored the full name, else built from the source's account and location.
fn gbp_review_name(external_id: &str, settings: &Value) -> Result<String> {
    if external_id.starts_with("accounts/") {
        return Ok(external_id.to_string());
    }
    let api = ReplyApi::GoogleBusiness;
    let account = setting(settings, &["account", "account_id", "accountId"])
        .ok_or_else(|| missing(api, "account"))?;
    let location = setting(settings, &["location", "location_id", "locationId"])
        .ok_or_else(|| missing(api, "location"))?;
    let account = account.trim_start_matches("accounts/");
    let location = location.rsplit('/').next().unwrap_or(location);
    Ok(format!(
        "accounts/{account}/locations/{location}/reviews/{external_id}"
    ))
}

/// The request that posts `body` in answer to the review.
pub fn plan_post(api: ReplyApi, base: &str, target: &Target<'_>, body: &str) -> Result<Planned> {
    let base = base.trim_end_matches('/');
    let (external_id, settings) = (target.external_id, target.settings);
    let replaces = api.resend_is_safe();
    let planned = |method, url, json| Planned::json(method, url, json, replaces);
    Ok(match api {
        ReplyApi::GoogleBusiness => planned(
            Method::PUT,
            format!(
                "{base}/v4/{}/reply",
                gbp_review_name(external_id, settings)?
            ),
            json!({ "comment": body }),
        ),
        ReplyApi::Facebook => Planned {
            method: Method::POST,
            url: format!("{base}/{external_id}/comments"),
            json: None,
            form: Some(vec![("message".into(), body.into())]),
            replaces,
        },
        ReplyApi::Trustpilot => {
            let author = setting(settings, &["business_user_id", "authorBusinessUserId"])
                .ok_or_else(|| missing(api, "business user id"))?;
            planned(
                Method::POST,
                format!("{base}/v1/private/reviews/{external_id}/reply"),
                json!({ "authorBusinessUserId": author, "message": body }),
            )
        }
        // "Create or update a response": one response per review, overwritten by a new one.
        ReplyApi::AppStoreConnect => planned(
            Method::POST,
            format!("{base}/v1/customerReviewResponses"),
            json!({ "data": {
                "type": "customerReviewResponses",
                "attributes": { "responseBody": body },
                "relationships": { "review": { "data": {
                    "type": "customerReviews", "id": external_id } } }
            } }),
        ),
        ReplyApi::GooglePlay => {
            let package = setting(settings, &["package_name", "package", "packageName"])
                .ok_or_else(|| missing(api, "package name"))?;
            planned(
                Method::POST,
                format!(
                    "{base}/androidpublisher/v3/applications/{package}/reviews/{external_id}:reply"
                ),
                json!({ "replyText": body }),
            )
        }
        ReplyApi::YouTube => planned(
            Method::POST,
            format!("{base}/youtube/v3/comments?part=snippet"),
            json!({ "snippet": { "parentId": external_id, "textOriginal": body } }),
        ),
        ReplyApi::X => planned(
            Method::POST,
            format!("{base}/2/tweets"),
            json!({ "text": body, "reply": { "in_reply_to_tweet_id": external_id } }),
        ),
        // A public status in the thread of the mention, posted with the owner's access token.
        ReplyApi::Mastodon => planned(
            Method::POST,
            format!("{base}/api/v1/statuses"),
            json!({ "status": body, "in_reply_to_id": external_id, "visibility": "public" }),
        ),
        // A post record in the owner's repository, in the mention's thread.
        ReplyApi::Bluesky => {
            let repo = target
                .account
                .or_else(|| setting(settings, &["handle"]).map(|h| h.trim_start_matches('@')))
                .ok_or_else(|| missing(api, "handle"))?;
            let refs = super::bluesky::reply_refs(external_id, target.raw_json)
                .map_err(ReplyError::Outbox)?;
            let record = super::bluesky::post_record(body, refs, target.now);
            planned(
                Method::POST,
                format!("{base}/xrpc/com.atproto.repo.createRecord"),
                super::bluesky::create_input(repo, record),
            )
        }
    })
}

/// The platform's id of a posted reply, or why a request on it cannot be addressed.
fn reply_id<'a>(api: ReplyApi, reply_external_id: Option<&'a str>, doing: &str) -> Result<&'a str> {
    reply_external_id.filter(|s| !s.is_empty()).ok_or_else(|| {
        ReplyError::Outbox(format!(
            "Earshot does not know this reply's id on {0}, so it cannot {doing} it; do it on \
             {0}",
            api.label()
        ))
    })
}

/// The request that changes a posted reply's text to `body`. `reply_external_id` is the
/// platform's id of the reply itself (the comment, status or post); platforms with one reply per
/// review replace it by posting again.
pub fn plan_edit(
    api: ReplyApi,
    base: &str,
    target: &Target<'_>,
    reply_external_id: Option<&str>,
    body: &str,
) -> Result<Planned> {
    if let Some(reason) = api.no_edit_reason() {
        return Err(ReplyError::Outbox(reason));
    }
    if api.one_reply_per_review() {
        return plan_post(api, base, target, body);
    }
    let base = base.trim_end_matches('/');
    let id = reply_id(api, reply_external_id, "edit")?;
    Ok(match api {
        // Graph API: updating a comment is a POST to the comment with its new `message`.
        ReplyApi::Facebook => Planned {
            method: Method::POST,
            url: format!("{base}/{id}"),
            json: None,
            form: Some(vec![("message".into(), body.into())]),
            replaces: true,
        },
        ReplyApi::YouTube => Planned::json(
            Method::PUT,
            format!("{base}/youtube/v3/comments?part=snippet"),
            json!({ "id": id, "snippet": { "textOriginal": body } }),
            true,
        ),
        ReplyApi::Mastodon => Planned::json(
            Method::PUT,
            format!("{base}/api/v1/statuses/{id}"),
            json!({ "status": body }),
            true,
        ),
        other => {
            return Err(ReplyError::Outbox(format!(
                "{} replies cannot be edited",
                other.label()
            )))
        }
    })
}

/// The request that deletes the posted reply (`reply_external_id` is the platform's id of the
/// reply itself, which all but the one-reply-per-review platforms need).
pub fn plan_delete(
    api: ReplyApi,
    base: &str,
    review_external_id: &str,
    reply_external_id: Option<&str>,
    settings: &Value,
) -> Result<Planned> {
    let base = base.trim_end_matches('/');
    let delete = |url| Planned {
        method: Method::DELETE,
        url,
        json: None,
        form: None,
        replaces: true,
    };
    Ok(match api {
        ReplyApi::GoogleBusiness => delete(format!(
            "{base}/v4/{}/reply",
            gbp_review_name(review_external_id, settings)?
        )),
        ReplyApi::Trustpilot => delete(format!(
            "{base}/v1/private/reviews/{review_external_id}/reply"
        )),
        ReplyApi::AppStoreConnect => delete(format!(
            "{base}/v1/customerReviewResponses/{}",
            reply_id(api, reply_external_id, "delete")?
        )),
        ReplyApi::Facebook => delete(format!(
            "{base}/{}",
            reply_id(api, reply_external_id, "delete")?
        )),
        ReplyApi::YouTube => delete(format!(
            "{base}/youtube/v3/comments?id={}",
            reply_id(api, reply_external_id, "delete")?
        )),
        ReplyApi::X => delete(format!(
            "{base}/2/tweets/{}",
            reply_id(api, reply_external_id, "delete")?
        )),
        ReplyApi::Mastodon => delete(format!(
            "{base}/api/v1/statuses/{}",
            reply_id(api, reply_external_id, "delete")?
        )),
        ReplyApi::Bluesky => {
            let uri = reply_id(api, reply_external_id, "delete")?;
            let input = super::bluesky::delete_input(uri).ok_or_else(|| {
                ReplyError::Outbox(format!(
                    "{uri:?} is not a Bluesky post address, so Earshot cannot delete it; delete \
                     it on Bluesky"
                ))
            })?;
            Planned::json(
                Method::POST,
                format!("{base}/xrpc/com.atproto.repo.deleteRecord"),
                input,
                true,
            )
        }
        ReplyApi::GooglePlay => {
            return Err(ReplyError::Outbox(
                "Google Play does not let Earshot delete a reply through its API; edit it, or \
                 delete it in the Play Console"
                    .into(),
            ))
        }
    })
}

/// The platform's id of a reply it accepted, from its answer.
pub fn posted_id(api: ReplyApi, answer: &Value) -> Option<String> {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    match api {
        ReplyApi::Facebook | ReplyApi::YouTube | ReplyApi::Mastodon => answer.get("id").and_then(s),
        ReplyApi::X | ReplyApi::AppStoreConnect => {
            answer.get("data").and_then(|d| d.get("id")).and_then(s)
        }
        ReplyApi::Trustpilot => answer.get("id").and_then(s),
        // The new post's `at://` address: what deleting it needs.
        ReplyApi::Bluesky => answer.get("uri").and_then(s),
        // Both replace the one reply of the review; it has no id of its own.
        ReplyApi::GoogleBusiness | ReplyApi::GooglePlay => None,
    }
}

/// How one request ended.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Done(Value),
    /// The platform refused; retrying will not help.
    Refused(String),
    /// The platform did not accept the credentials (HTTP 401). [`Outbox::execute`] renews a
    /// Google sign-in once and tries again; callers only ever see it as `Refused`.
    Unauthorized(String),
    /// Nothing was (or could have been) published; try again after the wait.
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// The request may have been applied (a timeout or gateway error after sending).
    Unknown(String),
}

impl Outcome {
    /// The same outcome with every secret in its reason replaced by `[hidden]`.
    fn redacted(self, secrets: &[Secret]) -> Outcome {
        let hide = |reason: String| crate::secrets::redact(&reason, secrets);
        match self {
            Outcome::Done(v) => Outcome::Done(v),
            Outcome::Refused(r) => Outcome::Refused(hide(r)),
            Outcome::Unauthorized(r) => Outcome::Unauthorized(hide(r)),
            Outcome::Retry { reason, after } => Outcome::Retry {
                reason: hide(reason),
                after,
            },
            Outcome::Unknown(r) => Outcome::Unknown(hide(r)),
        }
    }
}

/// Facebook reports throttling in the body (`error.code`), not always with a 429.
const FACEBOOK_THROTTLE_CODES: &[i64] = &[4, 17, 32, 613, 80001];

/// The platform's own words for a refusal: Google and Facebook `error.message`, Apple's
/// JSON:API `errors[].detail`, X's problem `detail`, Trustpilot's `message`.
pub fn platform_reason(status: u16, body: &str) -> String {
    const MAX: usize = 300;
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        s(v.get("error").and_then(|e| e.get("message")))
            .or_else(|| s(v.pointer("/errors/0/detail")))
            .or_else(|| s(v.pointer("/errors/0/title")))
            .or_else(|| s(v.pointer("/errors/0/message")))
            .or_else(|| s(v.get("detail")))
            .or_else(|| s(v.get("title")))
            .or_else(|| s(v.get("message")))
            .or_else(|| s(v.get("error")))
    });
    let text = from_json.unwrap_or_else(|| body.trim().chars().take(MAX).collect());
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {text}")
    }
}

/// Sorts an HTTP answer into done, refused, retry or unknown.
/// `replaces` says whether the request may be sent again after a timeout (see [`Planned`]).
fn classify(
    api: ReplyApi,
    replaces: bool,
    status: u16,
    retry_after: Option<Duration>,
    body: &str,
) -> Outcome {
    if (200..300).contains(&status) {
        return Outcome::Done(serde_json::from_str(body).unwrap_or(Value::Null));
    }
    let reason = platform_reason(status, body);
    let parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    if api == ReplyApi::Facebook {
        if let Some(code) = parsed.pointer("/error/code").and_then(Value::as_i64) {
            if FACEBOOK_THROTTLE_CODES.contains(&code) {
                return Outcome::Retry {
                    reason,
                    after: retry_after,
                };
            }
        }
    }
    if api == ReplyApi::YouTube
        && parsed
            .pointer("/error/errors/0/reason")
            .and_then(Value::as_str)
            == Some("quotaExceeded")
    {
        return Outcome::Refused(format!(
            "{reason} (YouTube's daily quota is used up; it resets at midnight Pacific time)"
        ));
    }
    match status {
        429 => Outcome::Retry {
            reason,
            after: retry_after,
        },
        401 => Outcome::Unauthorized(reason),
        // A gateway gave up waiting: the platform may have published the reply.
        502 | 504 if !replaces => Outcome::Unknown(reason),
        500..=599 => Outcome::Retry {
            reason,
            after: retry_after,
        },
        _ => Outcome::Refused(reason),
    }
}

/// `Retry-After` in seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (when.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

/// The wait before retry number `retry` (1-based): doubling from `base`, capped, with up to 25%
/// jitter so replies that failed together do not retry in lockstep.
fn backoff(config: &OutboxConfig, retry: u32) -> Duration {
    let exp = config
        .backoff
        .saturating_mul(1u32 << (retry.saturating_sub(1)).min(16));
    let capped = exp.min(config.max_backoff);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = capped.mul_f64(f64::from(nanos % 1000) / 4000.0);
    capped + jitter
}

/// What an outbox run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    pub posted: Vec<Reply>,
    pub failed: Vec<Reply>,
    /// Replies found in `posting` after a crash and put back in the queue (safe to resend).
    pub requeued: Vec<Reply>,
}

/// The outbox over one store.
pub struct Outbox<'a, C: ReplyCredentials> {
    store: &'a Store,
    credentials: &'a C,
    config: OutboxConfig,
    http: reqwest::Client,
}

/// What is done to a review's reply on the platform.
#[derive(Debug, Clone, Copy)]
enum Action<'a> {
    Post(&'a str),
    /// A new text for a posted reply; the reply's own platform id where the API needs it.
    Edit(&'a str, Option<&'a str>),
    Delete(Option<&'a str>),
}

impl<'a, C: ReplyCredentials> Outbox<'a, C> {
    pub fn new(store: &'a Store, credentials: &'a C, config: OutboxConfig) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("earshot/", env!("CARGO_PKG_VERSION")));
        if config.no_proxy {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ReplyError::Outbox(format!("cannot start the HTTP client: {e}")))?;
        Ok(Outbox {
            store,
            credentials,
            config,
            http,
        })
    }

    /// The reply API of a review's source.
    fn api_of(&self, review_id: ReviewId) -> Result<(ReplyApi, Value)> {
        let review = self.store.review(review_id)?;
        let (connector, settings) = self.store.review_source_settings(review_id)?;
        match ReplyApi::for_connector(&connector) {
            Some(api) => Ok((api, settings)),
            None => Err(ReplyError::NoReplyApi {
                platform: crate::platform::platform_label(&review.platform),
                review_id,
            }),
        }
    }

    /// Queues the review's draft and posts it now: what the composer's Post button and
    /// `earshot reply post` do. A second call while the first is under way, or after it
    /// succeeded, sends nothing and returns the same reply. With a posted reply and a new draft,
    /// platforms with one reply per review get the reply edited ([`Outbox::edit_review_reply`]);
    /// elsewhere (comments, posts in a thread) the draft is posted as another reply.
    pub async fn post_review(&self, review_id: ReviewId, key: Option<&str>) -> Result<Reply> {
        let (api, _) = self.api_of(review_id)?;
        let draft = self.store.draft(review_id)?;
        let key = match (key, &draft) {
            (Some(k), _) => k.to_string(),
            (None, Some(d)) => format!("reply-{}-{:016x}", d.id, fnv(&d.body)),
            (None, None) => format!("review-{review_id}"),
        };
        let posted = self.latest(review_id, ReplyState::Posted)?;
        if let (Some(d), Some(_)) = (&draft, &posted) {
            if api.one_reply_per_review() {
                return self.edit_review_reply(review_id, &d.body, Some(&key)).await;
            }
        }
        let reply = match self.store.queue_reply(review_id, &key)? {
            Some(r) => r,
            None => match posted {
                Some(p) => return Ok(p),
                None => return Err(ReplyError::NoDraft(review_id)),
            },
        };
        self.send(reply).await
    }

    /// Changes the text of the review's posted reply on the platform, where its API allows
    /// (see [`ReplyApi::can_edit`]), with the outbox's guarantees: the edit is recorded before it
    /// is sent, retried on 5xx and timeouts (an edit replaces, so resending is safe), and sent
    /// once however often it is asked for. The text it replaces is kept in the reply's history.
    /// If the platform does not take it, the reply stays as the platform shows it, the new text
    /// becomes the review's draft and the error gives the platform's reason.
    pub async fn edit_review_reply(
        &self,
        review_id: ReviewId,
        text: &str,
        key: Option<&str>,
    ) -> Result<Reply> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ReplyError::EmptyReply);
        }
        let (api, _) = self.api_of(review_id)?;
        if let Some(reason) = api.no_edit_reason() {
            return Err(ReplyError::Outbox(reason));
        }
        let reply = self
            .store
            .replies_of_review(review_id)?
            .into_iter()
            .rev()
            .find(|r| {
                r.origin == ReplyOrigin::Earshot
                    && r.posted_at.is_some()
                    && matches!(
                        r.state,
                        ReplyState::Posted | ReplyState::Queued | ReplyState::Posting
                    )
            })
            .ok_or_else(|| {
                ReplyError::Outbox(format!(
                    "review {review_id} has no reply posted from Earshot to edit"
                ))
            })?;
        let reply =
            match reply.state {
                // Asked again after it was done (a double click, a retried script): nothing to send.
                ReplyState::Posted if reply.body == text => {
                    self.consume_draft(review_id, text)?;
                    return Ok(reply);
                }
                ReplyState::Posted => {
                    let key = key.map_or_else(
                        || format!("edit-{}-{:016x}", reply.id, fnv(text)),
                        str::to_owned,
                    );
                    self.store.queue_edit(reply.id, text, &key)?
                }
                // The same edit is on its way; `send` leaves it to the run that holds it.
                _ if reply.body == text => reply,
                _ => return Err(ReplyError::Outbox(
                    "an earlier edit of this reply is still being sent; wait for it to finish, \
                     then edit again"
                        .into(),
                )),
            };
        let done = self.send(reply).await?;
        match done.state {
            ReplyState::Posted if done.body == text && done.last_error.is_none() => {
                self.consume_draft(review_id, text)?;
                Ok(done)
            }
            ReplyState::Queued | ReplyState::Posting => Ok(done),
            _ => Err(ReplyError::Outbox(done.last_error.unwrap_or_else(|| {
                format!("{} did not take the edit", api.label())
            }))),
        }
    }

    /// Discards the review's draft when it holds `text`, which has just reached the platform.
    fn consume_draft(&self, review_id: ReviewId, text: &str) -> Result<()> {
        if let Some(d) = self.store.draft(review_id)? {
            if d.body.trim() == text {
                self.store.discard_draft(review_id)?;
            }
        }
        Ok(())
    }

    /// Posts every queued reply, after reconciling replies a crashed run left in `posting`.
    pub async fn run(&self) -> Result<RunReport> {
        let mut report = RunReport {
            requeued: self.reconcile()?,
            ..Default::default()
        };
        for reply in self.store.queued_replies()? {
            let done = self.send(reply).await?;
            match done.state {
                // An edit the platform refused leaves the reply posted, with the reason.
                ReplyState::Posted if done.last_error.is_some() => report.failed.push(done),
                ReplyState::Posted => report.posted.push(done),
                ReplyState::Failed => report.failed.push(done),
                _ => {}
            }
        }
        Ok(report)
    }

    /// Settles replies left in `posting` longer than the lease (their run died mid-request):
    /// posted if a sync has since seen the same text on the platform, queued again where
    /// resending replaces, else failed with [`MAY_HAVE_BEEN_POSTED`]. Returns the requeued ones.
    pub fn reconcile(&self) -> Result<Vec<Reply>> {
        let lease = i64::try_from(self.config.posting_lease.as_secs()).unwrap_or(i64::MAX);
        let before = chrono::Utc::now().timestamp().saturating_sub(lease);
        let mut requeued = Vec::new();
        for reply in self.store.stale_posting_replies(before)? {
            if let Some(r) = self.settle(&reply)? {
                requeued.push(r);
            }
        }
        Ok(requeued)
    }

    /// Settles one stale `posting` reply; `Some` when it was queued again.
    fn settle(&self, reply: &Reply) -> Result<Option<Reply>> {
        let seen = self
            .store
            .replies_of_review(reply.review_id)?
            .into_iter()
            .find(|r| r.origin == ReplyOrigin::Platform && same_text(&r.body, &reply.body));
        if let Some(seen) = seen {
            if is_edit(reply) {
                self.store.record_reply_edited(reply.id, None)?;
            } else {
                let at = seen.posted_at.unwrap_or(seen.updated_at).timestamp();
                self.store.record_reply_posted(reply.id, None, at)?;
            }
            return Ok(None);
        }
        let (connector, _) = self.store.review_source_settings(reply.review_id)?;
        // An edit sets a reply's text by its id or replaces the review's one reply: sending it
        // again cannot add a second reply.
        let safe = is_edit(reply)
            || ReplyApi::for_connector(&connector).is_some_and(ReplyApi::resend_is_safe);
        if safe {
            let note = "an earlier run stopped while posting; sent again (this platform replaces \
                        replies, so it cannot appear twice)";
            Ok(Some(self.store.requeue_reply(reply.id, note)?))
        } else {
            self.store.record_reply_failed(
                reply.id,
                &format!("{MAY_HAVE_BEEN_POSTED}: an earlier run stopped while posting it"),
            )?;
            Ok(None)
        }
    }

    /// The newest Earshot reply of a review in `state`.
    fn latest(&self, review_id: ReviewId, state: ReplyState) -> Result<Option<Reply>> {
        Ok(self
            .store
            .replies_of_review(review_id)?
            .into_iter()
            .rev()
            .find(|r| r.origin == ReplyOrigin::Earshot && r.state == state))
    }

    /// Sends one reply (a first post or an edit): claims it, tries with backoff, records the
    /// outcome.
    async fn send(&self, reply: Reply) -> Result<Reply> {
        match reply.state {
            ReplyState::Queued => {}
            ReplyState::Posting => {
                // Another run holds it, unless that run died: then settle it like reconcile.
                let lease = self.config.posting_lease.as_secs() as i64;
                let stale = reply.updated_at.timestamp() <= chrono::Utc::now().timestamp() - lease;
                if !stale {
                    return Ok(reply);
                }
                match self.settle(&reply)? {
                    Some(requeued) => return Box::pin(self.send(requeued)).await,
                    None => return Ok(self.store.reply(reply.id)?),
                }
            }
            _ => return Ok(reply),
        }
        if !self.store.claim_reply(reply.id)? {
            // Someone else claimed it between our read and now.
            return Ok(self.store.reply(reply.id)?);
        }
        let edit = is_edit(&reply);
        let (connector, _) = self.store.review_source_settings(reply.review_id)?;
        let Some(api) = ReplyApi::for_connector(&connector) else {
            return Ok(self.store.record_reply_failed(
                reply.id,
                "this platform has no reply API; copy the reply and post it by hand",
            )?);
        };
        let action = if edit {
            Action::Edit(&reply.body, reply.external_id.as_deref())
        } else {
            Action::Post(&reply.body)
        };
        let outcome = self
            .perform(api, reply.review_id, action, Some(reply.id))
            .await?;
        let failure = |reason: String| -> Result<Reply> {
            if edit {
                // The platform still shows the earlier text: say so, and keep the new one.
                let note = format!("the edit was not saved: {reason}");
                if let Ok((back, unsaved)) = self.store.undo_edit(reply.id, &note) {
                    if self.store.draft(reply.review_id)?.is_none() {
                        self.store.save_draft(reply.review_id, &unsaved)?;
                    }
                    return Ok(back);
                }
            }
            Ok(self.store.record_reply_failed(reply.id, &reason)?)
        };
        match outcome {
            Outcome::Done(answer) if edit => Ok(self
                .store
                .record_reply_edited(reply.id, posted_id(api, &answer).as_deref())?),
            Outcome::Done(answer) => Ok(self.store.record_reply_posted(
                reply.id,
                posted_id(api, &answer).as_deref(),
                chrono::Utc::now().timestamp(),
            )?),
            Outcome::Refused(reason) | Outcome::Unauthorized(reason) => failure(reason),
            Outcome::Retry { reason, .. } => failure(format!(
                "{} kept failing after {} attempts ({reason}); try again later",
                api.label(),
                self.config.max_attempts
            )),
            Outcome::Unknown(reason) => failure(format!("{MAY_HAVE_BEEN_POSTED} ({reason})")),
        }
    }

    /// Deletes the review's posted reply on the platform (where the API allows) and records it.
    pub async fn delete_review_reply(&self, review_id: ReviewId) -> Result<Reply> {
        let (api, _) = self.api_of(review_id)?;
        let reply = self
            .store
            .replies_of_review(review_id)?
            .into_iter()
            .rev()
            .find(|r| r.state == ReplyState::Posted && r.origin != ReplyOrigin::Manual)
            .ok_or_else(|| {
                ReplyError::Outbox(format!("review {review_id} has no posted reply to delete"))
            })?;
        let action = Action::Delete(reply.external_id.as_deref());
        match self.perform(api, review_id, action, None).await? {
            Outcome::Done(_) => Ok(self.store.record_reply_deleted(reply.id)?),
            // Already gone on the platform: record what is true.
            Outcome::Refused(reason) if reason.starts_with("HTTP 404") => {
                Ok(self.store.record_reply_deleted(reply.id)?)
            }
            Outcome::Refused(reason)
            | Outcome::Unauthorized(reason)
            | Outcome::Retry { reason, .. }
            | Outcome::Unknown(reason) => Err(ReplyError::Outbox(format!(
                "{} did not delete the reply: {reason}",
                api.label()
            ))),
        }
    }

    /// Authorises, plans and sends one action on a review's reply. What cannot even be sent
    /// (no credentials, a source missing an id) comes back as `Refused` with the reason.
    async fn perform(
        &self,
        api: ReplyApi,
        review_id: ReviewId,
        action: Action<'_>,
        reply_id: Option<i64>,
    ) -> Result<Outcome> {
        let review = self.store.review(review_id)?;
        let (_, settings) = self.store.review_source_settings(review_id)?;
        let base = self.base_url(api, &settings);
        let mut auth = match super::auth::authorise(
            &self.http,
            self.credentials,
            api,
            review.source_id,
            &settings,
            &base,
        )
        .await
        {
            Ok(a) => a,
            Err(ReplyError::Outbox(reason)) => return Ok(Outcome::Refused(reason)),
            Err(e) => return Err(e),
        };
        let raw = match api {
            ReplyApi::Bluesky => self.store.review_raw_json(review_id)?,
            _ => None,
        };
        let target = Target {
            external_id: &review.external_id,
            settings: &settings,
            raw_json: raw.as_deref(),
            account: auth.account.as_deref(),
            now: chrono::Utc::now(),
        };
        let planned = match action {
            Action::Post(body) => plan_post(api, &base, &target, body),
            Action::Edit(body, id) => plan_edit(api, &base, &target, id, body),
            Action::Delete(id) => plan_delete(api, &base, &review.external_id, id, &settings),
        };
        let planned = match planned {
            Ok(p) => p,
            Err(ReplyError::Outbox(reason)) => return Ok(Outcome::Refused(reason)),
            Err(e) => return Err(e),
        };
        let ctx = (review.source_id, &settings);
        Ok(self.execute(api, &planned, &mut auth, ctx, reply_id).await)
    }

    fn base_url(&self, api: ReplyApi, settings: &Value) -> String {
        self.config
            .base_urls
            .get(api.connector())
            .cloned()
            .or_else(|| setting(settings, &["base_url"]).map(str::to_owned))
            .or_else(|| {
                // Mastodon lives on the owner's instance.
                (api == ReplyApi::Mastodon)
                    .then(|| setting(settings, &["instance"]))
                    .flatten()
                    .map(|i| format!("https://{}", i.trim_start_matches("https://")))
            })
            .unwrap_or_else(|| api.default_base_url().to_string())
    }

    /// Sends a planned request with retries. `reply_id` gets each extra attempt noted, which
    /// also renews its `posting` lease. A 401 from Google Business Profile renews the sign-in
    /// with the refresh token once and tries again (access tokens live an hour; the sign-in or
    /// the last sync may be older). Returns no `Unauthorized`: it ends as `Refused`.
    async fn execute(
        &self,
        api: ReplyApi,
        planned: &Planned,
        auth: &mut super::auth::Auth,
        (source_id, settings): (crate::model::SourceId, &Value),
        reply_id: Option<i64>,
    ) -> Outcome {
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            let outcome = self.once(api, planned, &auth.token).await;
            let (reason, after) = match outcome {
                Outcome::Retry { reason, after } => (reason, after),
                Outcome::Unauthorized(reason) if api == ReplyApi::GoogleBusiness && !renewed => {
                    renewed = true;
                    match super::auth::renew_google(
                        &self.http,
                        self.credentials,
                        source_id,
                        settings,
                    )
                    .await
                    {
                        Ok(token) => {
                            auth.token = token;
                            continue;
                        }
                        Err(e) => return Outcome::Refused(format!("{reason}; {e}")),
                    }
                }
                Outcome::Unauthorized(reason) => return Outcome::Refused(reason),
                other => return other,
            };
            if attempt >= self.config.max_attempts {
                return Outcome::Retry { reason, after };
            }
            // A platform that asks for a longer pause than a person waits on a click gets it:
            // the reply ends failed with the reason, to be posted again later.
            if let Some(a) = after.filter(|a| *a > self.config.max_backoff) {
                return Outcome::Retry {
                    reason: format!("{reason}; the platform asked to wait {}s", a.as_secs()),
                    after,
                };
            }
            let wait = after.unwrap_or_else(|| backoff(&self.config, attempt));
            tokio::time::sleep(wait).await;
            attempt += 1;
            if let Some(id) = reply_id {
                // A failed note must not stop the retry; the outcome is recorded at the end.
                let _ = self.store.note_reply_attempt(id, &reason);
            }
        }
    }

    /// One HTTP exchange, classified. A platform may quote the request in its refusal (a 401
    /// that echoes the bearer token): the reason is kept in the database and shown, so the token
    /// is hidden from it.
    async fn once(&self, api: ReplyApi, planned: &Planned, token: &Secret) -> Outcome {
        self.exchange(api, planned, token)
            .await
            .redacted(std::slice::from_ref(token))
    }

    async fn exchange(&self, api: ReplyApi, planned: &Planned, token: &Secret) -> Outcome {
        let mut req = self
            .http
            .request(planned.method.clone(), &planned.url)
            .bearer_auth(token.expose());
        if let Some(j) = &planned.json {
            req = req.json(j);
        }
        if let Some(f) = &planned.form {
            req = req.form(f);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return transport_failure(api, planned.replaces, &e),
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        match resp.text().await {
            Ok(body) => classify(api, planned.replaces, status, retry_after, &body),
            // The platform said yes; only its answer's body was lost.
            Err(_) if (200..300).contains(&status) => Outcome::Done(Value::Null),
            Err(e) => transport_failure(api, planned.replaces, &e),
        }
    }
}

/// Whether a reply being sent is an edit of one already on the platform: only a posted reply
/// has a `posted_at`, and [`Store::queue_edit`] keeps it.
fn is_edit(reply: &Reply) -> bool {
    reply.posted_at.is_some()
}

/// A request that got no HTTP answer. Connection failures never reached the platform and are
/// retried; a timeout after sending may have been applied, which only create-or-replace APIs can
/// shrug off.
fn transport_failure(api: ReplyApi, replaces: bool, e: &reqwest::Error) -> Outcome {
    // reqwest's Display never includes headers, so the token cannot leak through it.
    let reason = format!("no answer from {}: {e}", api.label());
    if e.is_connect() || e.is_builder() {
        return Outcome::Retry {
            reason,
            after: None,
        };
    }
    if replaces {
        Outcome::Retry {
            reason,
            after: None,
        }
    } else {
        Outcome::Unknown(reason)
    }
}

/// Whether two reply texts are the same once whitespace and case are set aside (platforms
/// reflow text and strip HTML).
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// FNV-1a, for a stable idempotency key from a draft's text.
fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::super::POSTING_CONNECTORS;
    use super::*;

    /// Connectors offered "Post" must all be known here, or the composer would offer Post for a
    /// platform the outbox cannot reach.
    #[test]
    fn every_posting_connector_has_an_api() {
        for c in POSTING_CONNECTORS {
            assert!(ReplyApi::for_connector(c).is_some(), "{c}");
        }
        assert_eq!(ReplyApi::for_connector("yelp"), None);
    }

    #[test]
    fn each_platform_gets_its_own_request_shape() {
        let s = json!({"account": "accounts/11", "location": "locations/22",
                       "package_name": "com.joes.app", "business_user_id": "bu1"});
        let p = plan_post(
            ReplyApi::GoogleBusiness,
            "http://h/",
            &Target::new("AbC", &s),
            "Thanks",
        )
        .unwrap();
        assert_eq!(p.method, Method::PUT);
        assert_eq!(
            p.url,
            "http://h/v4/accounts/11/locations/22/reviews/AbC/reply"
        );
        assert_eq!(p.json, Some(json!({"comment": "Thanks"})));
        let p = plan_post(
            ReplyApi::Facebook,
            "http://h",
            &Target::new("12_34", &s),
            "Hi",
        )
        .unwrap();
        assert_eq!(p.url, "http://h/12_34/comments");
        assert_eq!(p.form, Some(vec![("message".into(), "Hi".into())]));
        let p = plan_post(
            ReplyApi::GooglePlay,
            "http://h",
            &Target::new("gp:AO", &s),
            "Hi",
        )
        .unwrap();
        assert_eq!(
            p.url,
            "http://h/androidpublisher/v3/applications/com.joes.app/reviews/gp:AO:reply"
        );
        let p = plan_post(
            ReplyApi::AppStoreConnect,
            "http://h",
            &Target::new("00ab", &s),
            "Hi",
        )
        .unwrap();
        assert_eq!(
            p.json
                .unwrap()
                .pointer("/data/relationships/review/data/id"),
            Some(&json!("00ab"))
        );
        let p = plan_post(ReplyApi::X, "http://h", &Target::new("1790", &s), "Hi").unwrap();
        assert_eq!(
            p.json,
            Some(json!({"text": "Hi", "reply": {"in_reply_to_tweet_id": "1790"}}))
        );
        let p = plan_post(ReplyApi::YouTube, "http://h", &Target::new("Ugz", &s), "Hi").unwrap();
        assert_eq!(p.url, "http://h/youtube/v3/comments?part=snippet");
        let p = plan_post(
            ReplyApi::Mastodon,
            "http://h",
            &Target::new("1123", &s),
            "Thanks!",
        )
        .unwrap();
        assert_eq!(p.url, "http://h/api/v1/statuses");
        assert_eq!(p.json.as_ref().unwrap()["in_reply_to_id"], "1123");
        let p = plan_post(
            ReplyApi::Trustpilot,
            "http://h",
            &Target::new("5f", &s),
            "Hi",
        )
        .unwrap();
        assert_eq!(p.json.unwrap()["authorBusinessUserId"], "bu1");
    }

    #[test]
    fn edits_update_the_reply_itself_or_replace_the_reviews_one_reply() {
        let s = json!({"account": "11", "location": "22"});
        let t = Target::new("AbC", &s);
        let p = plan_edit(ReplyApi::GoogleBusiness, "http://h", &t, None, "New").unwrap();
        assert_eq!(
            (p.method, p.url.as_str()),
            (
                Method::PUT,
                "http://h/v4/accounts/11/locations/22/reviews/AbC/reply"
            )
        );
        let p = plan_edit(ReplyApi::Facebook, "http://h", &t, Some("12_99"), "New").unwrap();
        assert_eq!((p.method, p.url.as_str()), (Method::POST, "http://h/12_99"));
        assert_eq!(p.form, Some(vec![("message".into(), "New".into())]));
        let p = plan_edit(ReplyApi::Mastodon, "http://h", &t, Some("1124"), "New").unwrap();
        assert_eq!(
            (p.method, p.url.as_str()),
            (Method::PUT, "http://h/api/v1/statuses/1124")
        );
        let p = plan_edit(ReplyApi::YouTube, "http://h", &t, Some("Ugz.r"), "New").unwrap();
        assert_eq!(
            p.json,
            Some(json!({"id": "Ugz.r", "snippet": {"textOriginal": "New"}}))
        );
        // Every edit may be sent again after a timeout.
        assert!(p.replaces);
        for api in [ReplyApi::X, ReplyApi::Bluesky] {
            let err = plan_edit(api, "http://h", &t, Some("1"), "New").unwrap_err();
            assert!(
                err.to_string().contains("does not let anyone change"),
                "{err}"
            );
        }
        let err = plan_edit(ReplyApi::Mastodon, "http://h", &t, None, "New").unwrap_err();
        assert!(
            err.to_string().contains("does not know this reply's id"),
            "{err}"
        );
    }

    #[test]
    fn deletes_go_to_the_reply_where_it_has_an_id_and_google_play_has_none() {
        let s = json!({});
        let d = |api, id| plan_delete(api, "http://h", "rev", id, &s);
        assert_eq!(
            d(ReplyApi::X, Some("1791")).unwrap().url,
            "http://h/2/tweets/1791"
        );
        assert_eq!(
            d(ReplyApi::YouTube, Some("Ugz.r")).unwrap().url,
            "http://h/youtube/v3/comments?id=Ugz.r"
        );
        let p = d(
            ReplyApi::Bluesky,
            Some("at://did:plc:joe/app.bsky.feed.post/3l7x"),
        )
        .unwrap();
        assert_eq!(p.url, "http://h/xrpc/com.atproto.repo.deleteRecord");
        assert_eq!(p.json.unwrap()["rkey"], "3l7x");
        assert!(d(ReplyApi::GooglePlay, None).is_err());
        assert!(!ReplyApi::GooglePlay.can_delete());
        assert!(ReplyApi::ALL
            .into_iter()
            .filter(|a| *a != ReplyApi::GooglePlay)
            .all(ReplyApi::can_delete));
    }

    #[test]
    fn a_source_without_the_ids_a_platform_needs_is_explained() {
        let err = plan_post(
            ReplyApi::GooglePlay,
            "http://h",
            &Target::new("x", &json!({})),
            "Hi",
        )
        .unwrap_err();
        assert!(err.to_string().contains("package name"), "{err}");
        // A full resource name as the external id needs no settings.
        let p = plan_post(
            ReplyApi::GoogleBusiness,
            "http://h",
            &Target::new("accounts/1/locations/2/reviews/3", &json!({})),
            "Hi",
        )
        .unwrap();
        assert_eq!(p.url, "http://h/v4/accounts/1/locations/2/reviews/3/reply");
    }

    #[test]
    fn refusals_quote_the_platform() {
        assert_eq!(
            platform_reason(
                400,
                r#"{"error":{"code":400,"message":"Reply too long","status":"INVALID_ARGUMENT"}}"#
            ),
            "HTTP 400: Reply too long"
        );
        assert_eq!(
            platform_reason(
                409,
                r#"{"errors":[{"status":"409","detail":"Review was deleted"}]}"#
            ),
            "HTTP 409: Review was deleted"
        );
        assert_eq!(platform_reason(403, ""), "HTTP 403");
        assert_eq!(platform_reason(500, "oops"), "HTTP 500: oops");
    }

    #[test]
    fn gateway_errors_are_retried_only_where_resending_replaces() {
        let gbp = classify(ReplyApi::GoogleBusiness, true, 504, None, "");
        assert!(matches!(gbp, Outcome::Retry { .. }));
        let fb = classify(ReplyApi::Facebook, false, 504, None, "");
        assert!(matches!(fb, Outcome::Unknown(_)));
        let fb = classify(ReplyApi::Facebook, false, 503, None, "");
        assert!(matches!(fb, Outcome::Retry { .. }));
    }

    #[test]
    fn facebook_throttling_in_the_body_is_retried() {
        let body = r#"{"error":{"message":"Application request limit reached","code":4}}"#;
        assert!(matches!(
            classify(ReplyApi::Facebook, false, 400, None, body),
            Outcome::Retry { .. }
        ));
        let body = r#"{"error":{"message":"Invalid parameter","code":100}}"#;
        assert!(matches!(
            classify(ReplyApi::Facebook, false, 400, None, body),
            Outcome::Refused(_)
        ));
    }

    #[test]
    fn youtube_quota_exhaustion_is_a_refusal_that_says_when_it_resets() {
        let body =
            r#"{"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded"}]}}"#;
        match classify(ReplyApi::YouTube, false, 403, None, body) {
            Outcome::Refused(r) => assert!(r.contains("midnight Pacific"), "{r}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = Secret::new("ya29.very-secret");
        assert_eq!(format!("{s:?}"), "Secret(…)");
        assert!(!format!("{:?}", StaticCredentials(s)).contains("very-secret"));
    }

    #[test]
    fn backoff_doubles_and_stays_under_the_cap_plus_jitter() {
        let c = OutboxConfig {
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..Default::default()
        };
        let b1 = backoff(&c, 1);
        let b3 = backoff(&c, 3);
        assert!(b1 >= Duration::from_millis(100) && b1 <= Duration::from_millis(125));
        assert!(b3 >= Duration::from_millis(350) && b3 <= Duration::from_millis(438));
    }
}
