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
//! An **edit** of a posted reply goes through the same row: [`crate::store::Store::queue_edit`] files the text
//! the platform shows in the reply's history and queues the new one, and the row's `posted_at`
//! marks it as an edit. Every edit replaces (the review's one reply, or the reply by its own id),
//! so it is always safe to resend; one the platform refuses puts the earlier text back.
//!
//! **On its own** (issue 28): every sync round runs the outbox ([`Outbox::run`]). A reply that
//! failed where nothing can have been published (no connection, 5xx, 429: the owner pressed
//! Post while offline or the platform was down) keeps a retry time, and each round queues the
//! ones whose time has come again ([`crate::store::Store::requeue_due_replies`]), waiting longer after each
//! failed round, until [`AUTO_RETRY_ROUNDS`]. The claim still makes each send happen once.
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

use serde_json::Value;

use super::{ReplyError, Result};

use crate::model::replies::{Reply, ReplyOrigin, ReplyState};
use crate::model::{Review, ReviewId, SourceId};
use crate::platforms::http::{self, Http, HttpConfig};
use crate::platforms::Replier;
use crate::store::{ReplyStore, Store};

use crate::secrets::SecretError;
use crate::secrets::{ReplyCredentials, Secret};

/// The same token for every source; for tests.
#[derive(Debug, Clone)]
pub struct StaticCredentials(pub Secret);

impl ReplyCredentials for StaticCredentials {
    fn bearer_token(&self, _: SourceId, _: &str) -> Result<Option<Secret>, SecretError> {
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
    fn bearer_token(&self, _: SourceId, connector: &str) -> Result<Option<Secret>, SecretError> {
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

/// Runs that try a reply before it is left for the owner, the first (the owner's Post, or a
/// round) included: with the waits of [`auto_retry_at`] the last is about 20 hours after the
/// first, long enough to outlast a night offline or a platform's bad day.
pub const AUTO_RETRY_ROUNDS: u32 = 12;

/// The first automatic retry waits this long; each later one twice the one before, up to
/// [`AUTO_RETRY_MAX_WAIT`].
const AUTO_RETRY_FIRST_WAIT: i64 = 60;
const AUTO_RETRY_MAX_WAIT: i64 = 6 * 3600;

/// When a reply that failed with nothing published is queued again on its own, after `attempts`
/// requests in all (each run makes up to `per_run`); `None` once [`AUTO_RETRY_ROUNDS`] runs
/// have failed.
pub fn auto_retry_at(now: i64, attempts: u32, per_run: u32) -> Option<i64> {
    let runs = attempts.div_ceil(per_run.max(1)).max(1);
    if runs >= AUTO_RETRY_ROUNDS {
        return None;
    }
    let wait = AUTO_RETRY_FIRST_WAIT
        .saturating_mul(1i64 << (runs - 1).min(20))
        .min(AUTO_RETRY_MAX_WAIT);
    Some(now + wait)
}

/// What "check the platform" replies say, so the UI can offer "it's there" / "post again".
pub const MAY_HAVE_BEEN_POSTED: &str = "may have been posted; check the platform";

/// The request a reply turns into, before credentials are added. Pure, so each platform's shape
/// is tested without a server.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub method: reqwest::Method,
    pub url: String,
    pub json: Option<Value>,
    pub form: Option<Vec<(String, String)>>,
    /// Whether sending it twice has the effect of sending it once (a create-or-replace, an update
    /// of a reply by its id, a delete). Only then is a timeout or a gateway error retried: the
    /// first try may have been applied.
    pub replaces: bool,
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

/// The credentials a request goes with.
#[derive(Debug)]
pub struct Auth {
    pub token: Secret,
    /// The account the request writes as, where the API names it: Bluesky's repository (the
    /// session's DID, or the source's handle with a ready-made token).
    pub account: Option<String>,
    /// Where the account's requests go, where signing in found it (a Bluesky account's own
    /// PDS); `None` keeps the outbox's base URL.
    pub base: Option<String>,
}

impl Auth {
    /// A bearer token alone.
    pub fn bearer(token: Secret) -> Auth {
        Auth {
            token,
            account: None,
            base: None,
        }
    }
}

/// The reply half of the platform behind a connector name; `None` means "copy and open".
pub fn replier(connector: &str) -> Option<&'static dyn Replier> {
    crate::platforms::replier(connector)
}

/// Whether a posted reply's text can be changed: by sending it again where the review has one
/// reply that the API replaces, or by updating the reply itself where the platform allows
/// ([`Replier::edits_in_place`]).
pub fn can_edit(api: &dyn Replier) -> bool {
    api.resend_is_safe() || api.edits_in_place()
}

/// Why a posted reply cannot be edited here, in words; `None` where it can.
pub fn no_edit_reason(api: &dyn Replier) -> Option<String> {
    (!can_edit(api)).then(|| {
        format!(
            "{} does not let anyone change a posted reply through its API; delete the reply \
             and post the new text as a new one",
            api.spec().label
        )
    })
}

/// Whether a review has one reply on this platform, which posting again replaces; elsewhere
/// (comments, posts in a thread) posting again adds another reply.
fn one_reply_per_review(api: &dyn Replier) -> bool {
    api.resend_is_safe()
}

/// The request that posts `body` in answer to the review.
pub fn plan_post(
    api: &dyn Replier,
    base: &str,
    target: &Target<'_>,
    body: &str,
) -> Result<Planned> {
    api.plan_post(base, target, body)
}

/// The request that changes a posted reply's text to `body`. `reply_external_id` is the
/// platform's id of the reply itself (the comment, status or post); platforms with one reply per
/// review replace it by posting again.
pub fn plan_edit(
    api: &dyn Replier,
    base: &str,
    target: &Target<'_>,
    reply_external_id: Option<&str>,
    body: &str,
) -> Result<Planned> {
    if let Some(reason) = no_edit_reason(api) {
        return Err(ReplyError::Outbox(reason));
    }
    if one_reply_per_review(api) {
        return api.plan_post(base, target, body);
    }
    let id = crate::platforms::reply_id(api.spec(), reply_external_id, "edit")?;
    api.plan_update(base, id, body)
}

/// The request that deletes the posted reply (`reply_external_id` is the platform's id of the
/// reply itself, which all but the one-reply-per-review platforms need).
pub fn plan_delete(
    api: &dyn Replier,
    base: &str,
    review_external_id: &str,
    reply_external_id: Option<&str>,
    settings: &Value,
) -> Result<Planned> {
    api.plan_delete(base, review_external_id, reply_external_id, settings)
}

/// How one request ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
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
pub(crate) fn classify(
    api: &dyn Replier,
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
    // The one reading of a refusal (http::read_refusal); what the outbox does about each is its
    // own: a throttled reply waits and is sent again, a spent quota is for the owner.
    match http::read_refusal(status, api.refusal(status, &parsed)) {
        http::Refused::Throttled | http::Refused::TooMany => Outcome::Retry {
            reason,
            after: retry_after,
        },
        http::Refused::QuotaSpent { resets, .. } => {
            Outcome::Refused(format!("{reason} ({resets})"))
        }
        http::Refused::Unauthorised if status == 401 => Outcome::Unauthorized(reason),
        // A gateway gave up waiting: the platform may have published the reply.
        http::Refused::Failed if matches!(status, 502 | 504) && !replaces => {
            Outcome::Unknown(reason)
        }
        http::Refused::Failed => Outcome::Retry {
            reason,
            after: retry_after,
        },
        _ => match api.refusal_hint(status, &parsed) {
            Some(hint) => Outcome::Refused(format!("{reason}; {hint}")),
            None => Outcome::Refused(reason),
        },
    }
}

/// The wait before retry number `retry` (1-based): the one backoff of [`http`], doubling from
/// the config's base and capped, with up to 25% jitter so replies that failed together do not
/// retry in lockstep.
fn backoff(config: &OutboxConfig, retry: u32) -> Duration {
    http::backoff_capped(config.backoff, retry, config.max_backoff)
}

/// What an outbox run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    pub posted: Vec<Reply>,
    pub failed: Vec<Reply>,
    /// Replies found in `posting` after a crash and put back in the queue (safe to resend).
    pub requeued: Vec<Reply>,
}

/// The outbox over one store: the SQLite file's unless named (`S`: a team database's `Db`).
pub struct Outbox<'a, C: ReplyCredentials, S: ReplyStore + ?Sized = Store> {
    store: &'a S,
    credentials: &'a C,
    config: OutboxConfig,
    http: Http,
}

/// A review as a send addresses it: the review, its source's reply API (`None` where the
/// platform has none) and its source's settings.
struct Addressed {
    review: Review,
    api: Option<&'static dyn Replier>,
    settings: Value,
}

/// What is done to a review's reply on the platform.
#[derive(Debug, Clone, Copy)]
enum Action<'a> {
    Post(&'a str),
    /// A new text for a posted reply; the reply's own platform id where the API needs it.
    Edit(&'a str, Option<&'a str>),
    Delete(Option<&'a str>),
}

impl<'a, C: ReplyCredentials, S: ReplyStore + ?Sized> Outbox<'a, C, S> {
    pub fn new(store: &'a S, credentials: &'a C, config: OutboxConfig) -> Result<Self> {
        // The one client and policy; sign-ins and sessions retry as a sync does, within the
        // outbox's limits.
        let http_config = HttpConfig {
            timeout: config.timeout,
            max_attempts: config.max_attempts,
            backoff: config.backoff,
            max_wait: config.max_backoff,
        };
        let http = Http::with_proxy(http_config, !config.no_proxy)
            .map_err(|e| ReplyError::Outbox(format!("cannot start the HTTP client: {e}")))?;
        Ok(Outbox {
            store,
            credentials,
            config,
            http,
        })
    }

    /// The review, its source's reply API (`None` where the platform has none) and its source's
    /// settings: read once for each send or delete and passed along, since on a team database
    /// each read is a round trip.
    fn source_of(&self, review_id: ReviewId) -> Result<Addressed> {
        let review = self.store.review(review_id)?;
        let (connector, settings) = self.store.review_source_settings(review_id)?;
        Ok(Addressed {
            review,
            api: replier(&connector),
            settings,
        })
    }

    /// The reply API of a review's source, with what [`Outbox::source_of`] read.
    fn api_of(&self, review_id: ReviewId) -> Result<(&'static dyn Replier, Addressed)> {
        let addressed = self.source_of(review_id)?;
        match addressed.api {
            Some(api) => Ok((api, addressed)),
            None => Err(ReplyError::NoReplyApi {
                platform: crate::platform::platform_label(&addressed.review.platform),
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
            if one_reply_per_review(api) {
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
    /// (see [`can_edit`]), with the outbox's guarantees: the edit is recorded before it
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
        if let Some(reason) = no_edit_reason(api) {
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
                        ReplyState::Posted
                            | ReplyState::AwaitingApproval
                            | ReplyState::Queued
                            | ReplyState::Posting
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
            ReplyState::AwaitingApproval | ReplyState::Queued | ReplyState::Posting => Ok(done),
            _ => Err(ReplyError::Outbox(done.last_error.unwrap_or_else(|| {
                format!("{} did not take the edit", api.spec().label)
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
    /// Failed replies whose automatic retry is due are queued first: the round sends what
    /// waited for the network on its own.
    pub async fn run(&self) -> Result<RunReport> {
        let mut report = RunReport {
            requeued: self.reconcile()?,
            ..Default::default()
        };
        self.store
            .requeue_due_replies(chrono::Utc::now().timestamp())?;
        for reply in self.store.queued_replies()? {
            let (done, here) = self.send_here(reply).await?;
            if !here {
                // Another run or seat holds it, or this seat lacks its platform's key.
                continue;
            }
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
        let safe = is_edit(reply) || replier(&connector).is_some_and(|api| api.resend_is_safe());
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
        Ok(self.send_here(reply).await?.0)
    }

    /// [`Outbox::send`], and whether this run claimed and sent it (on a team database another
    /// seat may have: a round's report counts only what this seat sent).
    async fn send_here(&self, reply: Reply) -> Result<(Reply, bool)> {
        match reply.state {
            ReplyState::Queued => {}
            ReplyState::Posting => {
                // Another run holds it, unless that run died: then settle it like reconcile.
                let lease = self.config.posting_lease.as_secs() as i64;
                let stale = reply.updated_at.timestamp() <= chrono::Utc::now().timestamp() - lease;
                if !stale {
                    return Ok((reply, false));
                }
                match self.settle(&reply)? {
                    Some(requeued) => return Box::pin(self.send_here(requeued)).await,
                    None => return Ok((self.store.reply(reply.id)?, false)),
                }
            }
            _ => return Ok((reply, false)),
        }
        let addressed = self.source_of(reply.review_id)?;
        if self.store.is_shared() {
            if let Some(waiting) = self.wait_for_credentials(&reply, &addressed)? {
                return Ok((waiting, false));
            }
        }
        if !self.store.claim_reply(reply.id)? {
            // Someone else claimed it between our read and now.
            return Ok((self.store.reply(reply.id)?, false));
        }
        let sent = self.send_claimed(reply, &addressed).await?;
        Ok((sent, true))
    }

    /// Sends a reply this run has claimed and records the outcome.
    async fn send_claimed(&self, reply: Reply, addressed: &Addressed) -> Result<Reply> {
        let edit = is_edit(&reply);
        let Some(api) = addressed.api else {
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
        let outcome = self.perform(api, addressed, action, Some(reply.id)).await?;
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
                .record_reply_edited(reply.id, api.posted_id(&answer).as_deref())?),
            Outcome::Done(answer) => Ok(self.store.record_reply_posted(
                reply.id,
                api.posted_id(&answer).as_deref(),
                chrono::Utc::now().timestamp(),
            )?),
            Outcome::Refused(reason) | Outcome::Unauthorized(reason) => failure(reason),
            // Nothing was published: a post is tried again by the next rounds on their own.
            Outcome::Retry { reason, .. } if !edit => {
                let attempts = self.store.reply(reply.id)?.attempts.max(1) as u32;
                let now = chrono::Utc::now().timestamp();
                let retry_at = auto_retry_at(now, attempts, self.config.max_attempts);
                let then = if retry_at.is_some() {
                    "Earshot sends it again on its own when the platform answers"
                } else {
                    "post it again when the platform answers"
                };
                Ok(self.store.record_reply_failed_until(
                    reply.id,
                    &format!(
                        "{} kept failing after {} attempts ({reason}); {then}",
                        api.spec().label,
                        self.config.max_attempts
                    ),
                    retry_at,
                )?)
            }
            Outcome::Retry { reason, .. } => failure(format!(
                "{} kept failing after {} attempts ({reason}); try again later",
                api.spec().label,
                self.config.max_attempts
            )),
            Outcome::Unknown(reason) => failure(format!("{MAY_HAVE_BEEN_POSTED} ({reason})")),
        }
    }

    /// On a shared (team) store, credentials stay on the computers that sync: a seat that holds
    /// none of this reply's platform credentials leaves it queued, with a note saying what it
    /// waits for, for a seat or an `earshot watch` that holds them; it is not failed. `None` when
    /// this seat holds them. Asked before the claim, so a seat without credentials never holds a
    /// reply in `posting`.
    ///
    /// Only whether the secret is stored here: no token renewal or login (the send authorises,
    /// once), and a credential that is held but refused (a revoked sign-in, a wrong password)
    /// is the send's failure to report, not a reason to wait for another seat.
    fn wait_for_credentials(&self, reply: &Reply, addressed: &Addressed) -> Result<Option<Reply>> {
        let Some(api) = addressed.api else {
            return Ok(None);
        };
        if holds_credentials(api, self.credentials, addressed.review.source_id) {
            return Ok(None);
        }
        let note = waiting_for_credentials(api.spec().label);
        Ok(Some(self.store.note_reply_waiting(reply.id, &note)?))
    }

    /// A manager approves a team member's reply (`earshot reply approve`): it joins the
    /// shared outbox and this seat sends it now, or leaves it queued for a seat that holds the
    /// platform's credentials.
    pub async fn approve(&self, reply_id: i64) -> Result<Reply> {
        let approved = self.store.approve_reply(reply_id)?;
        self.send(approved).await
    }

    /// Deletes the review's posted reply on the platform (where the API allows) and records it.
    pub async fn delete_review_reply(&self, review_id: ReviewId) -> Result<Reply> {
        let (api, addressed) = self.api_of(review_id)?;
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
        match self.perform(api, &addressed, action, None).await? {
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
                api.spec().label
            ))),
        }
    }

    /// Authorises, plans and sends one action on a review's reply. What cannot even be sent
    /// (no credentials, a source missing an id) comes back as `Refused` with the reason.
    async fn perform(
        &self,
        api: &'static dyn Replier,
        addressed: &Addressed,
        action: Action<'_>,
        reply_id: Option<i64>,
    ) -> Result<Outcome> {
        let Addressed {
            review, settings, ..
        } = addressed;
        let base = self.base_url(api, settings);
        let creds: &dyn ReplyCredentials = self.credentials;
        let auth = api
            .authorise(&self.http, creds, review.source_id, settings, &base)
            .await;
        let mut auth = match auth {
            Ok(a) => a,
            Err(ReplyError::Outbox(reason)) => return Ok(Outcome::Refused(reason)),
            Err(e) => return Err(e),
        };
        let base = auth.base.clone().unwrap_or(base);
        let raw = if api.needs_raw_json() {
            self.store.review_raw_json(review.id)?
        } else {
            None
        };
        let target = Target {
            external_id: &review.external_id,
            settings,
            raw_json: raw.as_deref(),
            account: auth.account.as_deref(),
            now: chrono::Utc::now(),
        };
        let planned = match action {
            Action::Post(body) => plan_post(api, &base, &target, body),
            Action::Edit(body, id) => plan_edit(api, &base, &target, id, body),
            Action::Delete(id) => plan_delete(api, &base, &review.external_id, id, settings),
        };
        let planned = match planned {
            Ok(p) => p,
            Err(ReplyError::Outbox(reason)) => return Ok(Outcome::Refused(reason)),
            Err(e) => return Err(e),
        };
        let ctx = (review.source_id, settings);
        Ok(self.execute(api, &planned, &mut auth, ctx, reply_id).await)
    }

    fn base_url(&self, api: &dyn Replier, settings: &Value) -> String {
        self.config
            .base_urls
            .get(api.spec().name)
            .cloned()
            .or_else(|| crate::platforms::setting(settings, &["base_url"]).map(str::to_owned))
            .unwrap_or_else(|| api.reply_base_url(settings))
    }

    /// Sends a planned request with retries. `reply_id` gets each extra attempt noted, which
    /// also renews its `posting` lease. A 401 from a platform whose tokens can be renewed
    /// ([`Replier::renew`]: Google Business Profile, whose access tokens live an hour) renews
    /// the sign-in once and tries again. Returns no `Unauthorized`: it ends as `Refused`.
    async fn execute(
        &self,
        api: &dyn Replier,
        planned: &Planned,
        auth: &mut Auth,
        (source_id, settings): (SourceId, &Value),
        reply_id: Option<i64>,
    ) -> Outcome {
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            let outcome = self.once(api, planned, &auth.token).await;
            let (reason, after) = match outcome {
                Outcome::Retry { reason, after } => (reason, after),
                Outcome::Unauthorized(reason) if !renewed => {
                    renewed = true;
                    let creds: &dyn ReplyCredentials = self.credentials;
                    let Some(renewal) = api.renew(&self.http, creds, source_id, settings) else {
                        return Outcome::Refused(reason);
                    };
                    match renewal.await {
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
    async fn once(&self, api: &dyn Replier, planned: &Planned, token: &Secret) -> Outcome {
        self.exchange(api, planned, token)
            .await
            .redacted(std::slice::from_ref(token))
    }

    async fn exchange(&self, api: &dyn Replier, planned: &Planned, token: &Secret) -> Outcome {
        let mut req = self
            .http
            .client()
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
        let retry_after = http::retry_after(resp.headers(), chrono::Utc::now());
        // Read up to the platform's cap (issue 33): an endless answer is not held whole.
        match http::read_body(resp, api.max_body_bytes()).await {
            Ok(body) => classify(
                api,
                planned.replaces,
                status,
                retry_after,
                &String::from_utf8_lossy(&body),
            ),
            // The platform said yes; only its answer's body was lost (or was too large to read).
            Err(_) if (200..300).contains(&status) => Outcome::Done(Value::Null),
            Err(e) => body_failure(api, planned.replaces, &e),
        }
    }
}

/// What a reply queued on a team database waits for when this seat holds no credentials for
/// its platform (`label`, e.g. "Google Business Profile").
pub fn waiting_for_credentials(label: &str) -> String {
    format!("waiting for a computer that holds the {label} key")
}

/// Whether `creds` hold a credential `api` posts with for `source_id`: a ready-made token, or
/// one of the secrets its `authorise` makes one from ([`Replier::holds_credentials`], which the
/// composer asks too). Read from this seat's own secret store, no network; a store that cannot
/// be read holds nothing.
fn holds_credentials(api: &dyn Replier, creds: &dyn ReplyCredentials, source_id: SourceId) -> bool {
    matches!(creds.bearer_token(source_id, api.spec().name), Ok(Some(_)))
        || api.holds_credentials(&|key| matches!(creds.secret(source_id, key), Ok(Some(_))))
}

/// Whether a reply being sent is an edit of one already on the platform: only a posted reply
/// has a `posted_at`, and [`crate::store::Store::queue_edit`] keeps it.
fn is_edit(reply: &Reply) -> bool {
    reply.posted_at.is_some()
}

/// A request that got no HTTP answer. Connection failures never reached the platform and are
/// retried; a timeout after sending may have been applied, which only create-or-replace APIs can
/// shrug off.
fn transport_failure(api: &dyn Replier, replaces: bool, e: &reqwest::Error) -> Outcome {
    // reqwest's Display never includes headers, so the token cannot leak through it.
    let reason = format!("no answer from {}: {e}", api.spec().label);
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

/// An answer whose body could not be read: like a transport failure, the platform's verdict is
/// unknown.
fn body_failure(api: &dyn Replier, replaces: bool, e: &http::BodyError) -> Outcome {
    let reason = format!("no readable answer from {}: {e}", api.spec().label);
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
    use super::*;

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
    fn secrets_never_show_in_debug_output() {
        let s = Secret::new("ya29.very-secret");
        assert_eq!(format!("{s:?}"), "Secret(…)");
        assert!(!format!("{:?}", StaticCredentials(s)).contains("very-secret"));
    }

    #[test]
    fn automatic_retries_wait_longer_after_each_failed_round_then_stop() {
        assert_eq!(auto_retry_at(1000, 4, 4), Some(1060));
        assert_eq!(auto_retry_at(1000, 8, 4), Some(1120));
        assert_eq!(
            auto_retry_at(1000, 5, 4),
            Some(1120),
            "a part-run counts as a run"
        );
        assert_eq!(auto_retry_at(1000, 40, 4), Some(1000 + AUTO_RETRY_MAX_WAIT));
        assert_eq!(auto_retry_at(1000, 4 * AUTO_RETRY_ROUNDS, 4), None);
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
