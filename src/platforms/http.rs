//! The one HTTP policy, for syncing and posting alike: one client builder ([`client`]),
//! timeouts on every request, polite pacing per platform, retries with exponential backoff and
//! jitter on 429, 5xx and dropped connections ([`backoff`]), `Retry-After` ([`retry_after`]) and
//! the platforms' quota headers honoured.
//!
//! Deciding what a response means ([`classify`]) is a pure function of status, headers and body,
//! so every platform's throttling signal (PLATFORMS.md §3) is tested without a server. The reply
//! outbox sends through the same client, reads `Retry-After` and backs off the same way, and
//! reads a refusal through the same [`read_refusal`] (the platform's own rules, [`Refusal`],
//! then the status); only what it does about each differs (a create-only post is never blindly
//! resent, a 401 renews the token).
//!
//! Bounded (issue 33): every answer is read through [`read_body`], which stops at
//! [`MAX_BODY_BYTES`] (a platform may declare more, [`crate::platforms::Platform::max_body_bytes`])
//! and refuses a `Content-Length` over it before reading a byte, so an endless or enormous body
//! is a plain error ([`BodyError::TooLarge`]), never an allocation. The outbox, the AI call and
//! the token exchanges read through it too. Redirects ([`redirect_policy`]) never go from https
//! to http, and a request that carries a key (an `Authorization`, `apikey` or `X-Goog-Api-Key`
//! header, a key in the query, or a body) follows none to another origin: the client that sends
//! it ([`Http`] picks by looking at the built request) stops there with a plain error.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::sources::SourceError;

/// Retry and timing knobs. Defaults suit a background sync; tests shrink them.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Per request, connect to last byte.
    pub timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First backoff; doubled after each retry, plus up to 25% jitter.
    pub backoff: Duration,
    /// The longest wait a sync sits through; a platform asking for longer pauses the source
    /// until then instead ("paused until 14:05").
    pub max_wait: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(20),
            max_attempts: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// What a platform's refusal says in its body, beyond its status: the platform's own rule,
/// read by its home ([`crate::platforms::Platform::refusal`]) for syncs and replies alike.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    /// Slow down (Facebook's throttling codes): a sync pauses until the quota headers say, a
    /// reply is tried again.
    Throttled,
    /// A quota is spent until `resets_at` (from now); `resets` says when, in words.
    QuotaSpent {
        resets_at: fn(DateTime<Utc>) -> DateTime<Utc>,
        resets: &'static str,
    },
}

/// Which pacing slot requests take, the least time between two of them, and whose rules read
/// their refusals.
#[derive(Clone)]
pub struct Pace {
    pub key: String,
    pub min_interval: Duration,
    pub platform: Option<&'static dyn crate::platforms::Platform>,
}

impl Pace {
    /// A slot of its own with no pacing and no platform's rules: sign-ins and the outbox's
    /// sessions, where a person waits and requests are few.
    pub fn unpaced(key: &str) -> Pace {
        Pace {
            key: key.into(),
            min_interval: Duration::ZERO,
            platform: None,
        }
    }

    /// The slot of the outbox's sign-ins and sessions.
    pub fn replies() -> Pace {
        Pace::unpaced("replies")
    }
}

/// The user agent of every request Earshot sends.
const USER_AGENT: &str = concat!(
    "Earshot/",
    env!("CARGO_PKG_VERSION"),
    " (desktop review monitor; +https://github.com/earshot-app)"
);

/// The most bytes Earshot reads of one answer, unless its platform declares more. The largest
/// page a platform documents is a few hundred kilobytes (Trustpilot's 100 reviews, App Store
/// Connect's 200); 16 MB leaves room for any honest answer and bounds a broken or hostile one.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Redirects followed at most (reqwest's default).
const MAX_REDIRECTS: usize = 10;

/// Headers that carry a credential: a request holding one follows no redirect to another
/// origin (reqwest itself only strips `Authorization` and cookies on a cross-host redirect, and
/// sends `apikey` or `X-Goog-Api-Key` on to the new host).
const KEY_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "apikey",
    "x-api-key",
    "x-goog-api-key",
];

/// Query parameters that carry a credential (YouTube's `key`, OAuth's tokens).
const KEY_PARAMS: &[&str] = &[
    "key",
    "api_key",
    "apikey",
    "access_token",
    "refresh_token",
    "client_secret",
    "token",
];

/// Which redirects a client follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// Only to the same origin (scheme, host and port): for requests that carry a key.
    SameOrigin,
    /// To any host, but never from https to http: for requests that carry nothing secret (a
    /// public feed moved to another address).
    AnyHost,
}

/// The redirect rule of the one client builder: never https→http, at most [`MAX_REDIRECTS`],
/// and with [`Redirects::SameOrigin`] never to another origin. A refused redirect is an error
/// (`is_redirect`), which [`request_error`] puts in plain words.
pub fn redirect_policy(rule: Redirects) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        let Some(from) = attempt.previous().last() else {
            return attempt.follow();
        };
        match refused_redirect(rule, from, attempt.url(), attempt.previous().len()) {
            Some(why) => {
                let e = RedirectRefused(why);
                attempt.error(e)
            }
            None => attempt.follow(),
        }
    })
}

/// Why a redirect from `from` to `to` (after `hops` requests) is not followed, if it is not.
pub fn refused_redirect(
    rule: Redirects,
    from: &reqwest::Url,
    to: &reqwest::Url,
    hops: usize,
) -> Option<&'static str> {
    if from.scheme() == "https" && to.scheme() != "https" {
        return Some(
            "from https to plain http; Earshot does not follow it (anyone on the way could read \
             or change the answer)",
        );
    }
    if rule == Redirects::SameOrigin && from.origin() != to.origin() {
        return Some(
            "to another address; Earshot does not follow it, since the request carries your key \
             (check the source's address)",
        );
    }
    if hops > MAX_REDIRECTS {
        return Some("too many times");
    }
    None
}

/// Why a redirect was not followed, for the error's words.
#[derive(Debug)]
struct RedirectRefused(&'static str);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the server redirected the request {}", self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// Whether a request carries a credential: a key header, a key in its query, or a body (a
/// token exchange's form, a sign-in's password, a reply).
pub fn carries_key(req: &reqwest::Request) -> bool {
    req.body().is_some()
        || KEY_HEADERS.iter().any(|h| req.headers().contains_key(*h))
        || req
            .url()
            .query_pairs()
            .any(|(k, _)| KEY_PARAMS.iter().any(|p| k.eq_ignore_ascii_case(p)))
}

/// The one client builder: a timeout on every request and on connecting, Earshot's user agent,
/// and the redirect rule for requests that carry keys ([`Redirects::SameOrigin`]).
/// `honour_proxy` keeps `HTTP(S)_PROXY` in force (the outbox's default); syncs and tests on
/// 127.0.0.1 go direct.
pub fn client(timeout: Duration, honour_proxy: bool) -> reqwest::Result<reqwest::Client> {
    client_with(timeout, honour_proxy, Redirects::SameOrigin)
}

/// [`client`] with a chosen redirect rule.
pub fn client_with(
    timeout: Duration,
    honour_proxy: bool,
    redirects: Redirects,
) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(redirect_policy(redirects))
        .user_agent(USER_AGENT);
    if honour_proxy {
        builder.build()
    } else {
        builder.no_proxy().build()
    }
}

/// Requests one platform may take at once before pacing sets in.
const BURST: u32 = 10;

/// A successful response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as `T`; a body that is not JSON, or not the documented shape, is a clear error.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, SourceError> {
        parse_json(&self.body)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why an answer's body could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// More than the cap arrived, or the server announced more (then nothing was read).
    #[error(
        "the answer is larger than {} MB{}, far more than any page of reviews; Earshot stopped \
         reading it (check the address, or the server is broken)",
        .limit / (1024 * 1024),
        declared_suffix(*.declared)
    )]
    TooLarge { limit: usize, declared: Option<u64> },
    #[error("the answer did not arrive in time")]
    Timeout,
    #[error("the connection closed before the whole answer arrived")]
    Cut,
}

impl From<BodyError> for SourceError {
    fn from(e: BodyError) -> SourceError {
        match e {
            BodyError::TooLarge { .. } => SourceError::TooLarge(e.to_string()),
            BodyError::Timeout => SourceError::Timeout,
            BodyError::Cut => SourceError::Network(e.to_string()),
        }
    }
}

fn declared_suffix(declared: Option<u64>) -> String {
    match declared {
        Some(n) => format!(" (it announced {} MB)", n / (1024 * 1024)),
        None => String::new(),
    }
}

/// Reads an answer's body chunk by chunk, up to `limit` bytes: a `Content-Length` over the
/// limit is refused before anything is read, and a body that grows past it (an endless chunked
/// answer) is dropped at the limit. Memory stays at most `limit` whatever the server sends.
pub async fn read_body(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    let declared = resp.content_length();
    if let Some(n) = declared.filter(|n| *n > limit as u64) {
        return Err(BodyError::TooLarge {
            limit,
            declared: Some(n),
        });
    }
    // Sized to what was announced (at most the limit), else grown as chunks arrive.
    let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(BodyError::TooLarge {
                        limit,
                        declared: None,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err(BodyError::Timeout),
            Err(_) => return Err(BodyError::Cut),
        }
    }
}

/// Parses a JSON body, saying in plain words what is wrong when it cannot.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, SourceError> {
    serde_json::from_slice(body).map_err(|e| {
        let start = String::from_utf8_lossy(&body[..body.len().min(200)]).to_lowercase();
        if looks_like_html(&start) {
            SourceError::BadResponse("it sent a web page instead of data".into())
        } else if e.is_eof() {
            SourceError::BadResponse(format!("the response was cut off ({e})"))
        } else if e.is_data() {
            SourceError::BadResponse(format!("the response did not have the expected shape: {e}"))
        } else {
            SourceError::BadResponse(format!("the response was not valid JSON ({e})"))
        }
    })
}

fn looks_like_html(start: &str) -> bool {
    let t = start.trim_start();
    t.starts_with("<!doctype html") || t.starts_with("<html") || t.starts_with("<head")
}

/// What a response means for the request that got it.
#[derive(Debug)]
pub enum Verdict {
    Ok,
    /// Try again, after at least this long when the platform said so.
    Retry {
        after: Option<Duration>,
        error: SourceError,
    },
    /// Do not retry in this sync: a limit resets at `until` (or later, unknown).
    Stop(SourceError),
}

/// What a refusal (a status outside 2xx) means under the one policy, for syncs and replies
/// alike: what the platform's own rules say of its body first, then the status.
#[derive(Debug, Clone, Copy)]
pub enum Refused {
    /// The platform's rules say slow down.
    Throttled,
    /// The platform's rules say a quota is spent until `resets_at`.
    QuotaSpent {
        resets_at: fn(DateTime<Utc>) -> DateTime<Utc>,
        resets: &'static str,
    },
    /// 429: too many requests.
    TooMany,
    /// 401 or 403: the credentials or their scope were refused.
    Unauthorised,
    /// 404 or 410: what was asked for is not there.
    Gone,
    /// 5xx: the platform failed; worth another try.
    Failed,
    /// Any other refusal.
    Rejected,
}

/// Reads a refusal of `status`; `platform_says` is the platform's reading of its body
/// ([`crate::platforms::Platform::refusal`]).
pub fn read_refusal(status: u16, platform_says: Option<Refusal>) -> Refused {
    match (platform_says, status) {
        (Some(Refusal::Throttled), _) => Refused::Throttled,
        (Some(Refusal::QuotaSpent { resets_at, resets }), _) => {
            Refused::QuotaSpent { resets_at, resets }
        }
        (None, 429) => Refused::TooMany,
        (None, 401 | 403) => Refused::Unauthorised,
        (None, 404 | 410) => Refused::Gone,
        (None, 500..=599) => Refused::Failed,
        (None, _) => Refused::Rejected,
    }
}

/// Classifies a response by status, headers and body (PLATFORMS.md §3); `platform`'s own rules
/// read what a refusal's body says beyond its status (throttling in the body, a spent quota).
pub fn classify(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
    platform: Option<&dyn crate::platforms::Platform>,
) -> Verdict {
    if (200..=299).contains(&status) {
        return Verdict::Ok;
    }
    let message = platform_message(body);
    let parsed = || serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    match read_refusal(status, platform.and_then(|p| p.refusal(status, &parsed()))) {
        Refused::Throttled => Verdict::Stop(SourceError::RateLimited {
            until: reset_time(headers, now),
            detail: message.unwrap_or_else(|| "too many requests".into()),
        }),
        Refused::QuotaSpent { resets_at, .. } => Verdict::Stop(SourceError::RateLimited {
            until: Some(resets_at(now)),
            detail: message.unwrap_or_else(|| "daily quota used up".into()),
        }),
        Refused::TooMany => {
            let after = retry_after(headers, now);
            let until = after
                .map(|d| now + chrono::Duration::from_std(d).unwrap_or_default())
                .or_else(|| reset_time(headers, now));
            let error = SourceError::RateLimited {
                until,
                detail: message.unwrap_or_else(|| "too many requests".into()),
            };
            match until {
                Some(u) => Verdict::Retry {
                    after: Some((u - now).to_std().unwrap_or_default()),
                    error,
                },
                None => Verdict::Retry { after: None, error },
            }
        }
        Refused::Unauthorised => Verdict::Stop(SourceError::Auth {
            status,
            detail: message.unwrap_or_default(),
        }),
        Refused::Gone => Verdict::Stop(SourceError::NotFound {
            detail: message.unwrap_or_default(),
        }),
        Refused::Failed => Verdict::Retry {
            after: retry_after(headers, now),
            error: SourceError::Server { status },
        },
        Refused::Rejected => Verdict::Stop(SourceError::Rejected {
            status,
            detail: message.unwrap_or_default(),
        }),
    }
}

/// The human message a platform put in its error body, in any of the shapes they use.
pub fn platform_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let pick = |v: &serde_json::Value| -> Option<String> {
        v.as_str().map(str::to_owned).or_else(|| {
            [
                "message",
                "description",
                "error_description",
                "detail",
                "title",
            ]
            .iter()
            .find_map(|k| v.get(k).and_then(|m| m.as_str()).map(str::to_owned))
        })
    };
    let found = match v.get("error").and_then(serde_json::Value::as_str) {
        // An OAuth or AT Protocol refusal: a code, with the words for people beside it.
        Some(code) => match ["error_description", "message"]
            .iter()
            .find_map(|k| v.get(k).and_then(|m| m.as_str()))
        {
            Some(words) => format!("{words} ({code})"),
            None => code.to_string(),
        },
        None => v
            .get("error")
            .and_then(pick)
            .or_else(|| v.get("errors").and_then(|e| e.get(0)).and_then(pick))
            .or_else(|| pick(&v))?,
    };
    let mut m: String = found.split_whitespace().collect::<Vec<_>>().join(" ");
    if m.chars().count() > 200 {
        m = m.chars().take(200).collect::<String>() + "…";
    }
    Some(m)
}

/// `Retry-After` in seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let v = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or_default())
}

/// When a quota header says the limit resets: X `x-rate-limit-reset` (Unix seconds), Reddit
/// `X-Ratelimit-Reset` (seconds from now), Mastodon `X-RateLimit-Reset` (a timestamp), Yelp
/// `RateLimit-ResetTime`.
pub fn reset_time(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let v = [
        "x-rate-limit-reset",
        "x-ratelimit-reset",
        "ratelimit-resettime",
        "ratelimit-reset",
    ]
    .iter()
    .find_map(|h| headers.get(*h))?
    .to_str()
    .ok()?
    .trim();
    if let Ok(n) = v.parse::<f64>() {
        return if n > 1_000_000_000.0 {
            Utc.timestamp_opt(n as i64, 0).single()
        } else {
            Some(now + chrono::Duration::seconds(n.ceil() as i64))
        };
    }
    DateTime::parse_from_rfc3339(v)
        .or_else(|_| DateTime::parse_from_rfc2822(v))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether a success response says the quota is spent (remaining 0), and until when.
pub fn exhausted_until(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let remaining = [
        "x-rate-limit-remaining",
        "x-ratelimit-remaining",
        "ratelimit-remaining",
    ]
    .iter()
    .find_map(|h| headers.get(*h))?
    .to_str()
    .ok()?
    .trim()
    .parse::<f64>()
    .ok()?;
    if remaining > 0.0 {
        return None;
    }
    reset_time(headers, now).filter(|t| *t > now)
}

/// Pacing state of one platform.
struct Slot {
    /// Theoretical arrival time of the next request (GCRA).
    tat: Instant,
    /// A quota header said nothing may go before this.
    blocked_until: Option<Instant>,
}

/// The shared client: one connection pool, pacing per platform.
pub struct Http {
    /// Sends requests that carry a key: redirects to the same origin only.
    client: reqwest::Client,
    /// Sends requests that carry nothing secret (a public feed): redirects to any https host.
    open: reqwest::Client,
    pub config: HttpConfig,
    /// Per pacing key: when the next request may go, so sources of one platform share its limit.
    next_slot: Mutex<HashMap<String, Slot>>,
}

impl Http {
    pub fn new(config: HttpConfig) -> Result<Http, SourceError> {
        Http::with_proxy(config, false)
    }

    /// A client that honours `HTTP(S)_PROXY` when `honour_proxy` is set.
    pub fn with_proxy(config: HttpConfig, honour_proxy: bool) -> Result<Http, SourceError> {
        let start = |e: reqwest::Error| SourceError::Network(format!("could not start HTTP: {e}"));
        let client = client(config.timeout, honour_proxy).map_err(start)?;
        let open = client_with(config.timeout, honour_proxy, Redirects::AnyHost).map_err(start)?;
        Ok(Http {
            client,
            open,
            config,
            next_slot: Mutex::new(HashMap::new()),
        })
    }

    /// The client for requests that carry a key (same-origin redirects only).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request built by `build` (called again for each retry), honouring the pacing of
    /// `pace` (its slot and at least its `min_interval` between requests) and reading refusals
    /// by its platform's rules.
    pub async fn send(
        &self,
        pace: &Pace,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Reply, SourceError> {
        let (pace_key, min_interval) = (pace.key.as_str(), pace.min_interval);
        let limit = pace.platform.map_or(MAX_BODY_BYTES, |p| p.max_body_bytes());
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.wait_turn(pace_key, min_interval).await;
            let outcome = self.once(build(&self.client), limit).await;
            let (after, error) = match outcome {
                Ok(reply) => {
                    let now = Utc::now();
                    match classify(
                        reply.status,
                        &reply.headers,
                        &reply.body,
                        now,
                        pace.platform,
                    ) {
                        Verdict::Ok => {
                            if let Some(until) = exhausted_until(&reply.headers, now) {
                                self.block_until(pace_key, until, now);
                            }
                            return Ok(reply);
                        }
                        Verdict::Stop(e) => return Err(e),
                        Verdict::Retry { after, error } => (after, error),
                    }
                }
                Err(e) if e.is_retryable() => (None, e),
                Err(e) => return Err(e),
            };
            // A hung connection is retried once, not max_attempts times: each try costs a full
            // timeout and a sync should not stall for minutes on one source.
            let limit = if matches!(error, SourceError::Timeout) {
                self.config.max_attempts.min(2)
            } else {
                self.config.max_attempts
            };
            if attempt >= limit {
                return Err(error);
            }
            let backoff = backoff(self.config.backoff, attempt);
            let wait = after.map_or(backoff, |a| a.max(backoff));
            if wait > self.config.max_wait {
                // Too long to sit through: the source is paused until then.
                return Err(match error {
                    SourceError::RateLimited { detail, until } => SourceError::RateLimited {
                        until: until.or_else(|| {
                            chrono::Duration::from_std(wait)
                                .ok()
                                .map(|d| Utc::now() + d)
                        }),
                        detail,
                    },
                    other => other,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn once(&self, req: RequestBuilder, limit: usize) -> Result<Reply, SourceError> {
        let req = req.build().map_err(request_error)?;
        // Only a request with nothing secret in it may follow a redirect to another host.
        let client = if carries_key(&req) {
            &self.client
        } else {
            &self.open
        };
        let resp = client.execute(req).await.map_err(request_error)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = read_body(resp, limit).await.map_err(SourceError::from)?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Paces requests per key at one per `min_interval` on average, allowing a burst of
    /// [`BURST`] (GCRA): a handful of sources of one platform sync at once, a long backfill
    /// settles to the platform's rate.
    async fn wait_turn(&self, key: &str, min_interval: Duration) {
        let wait = {
            let mut slots = self.next_slot.lock().expect("pacing lock");
            let now = Instant::now();
            // The theoretical arrival time of the next request.
            let slot = slots.entry(key.to_string()).or_insert(Slot {
                tat: now,
                blocked_until: None,
            });
            let burst = min_interval * (BURST - 1);
            let allowed_at = slot.tat.checked_sub(burst).unwrap_or(now);
            let start = allowed_at.max(now).max(slot.blocked_until.unwrap_or(now));
            slot.tat = slot.tat.max(start) + min_interval;
            start - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait.min(self.config.max_wait)).await;
        }
    }

    fn block_until(&self, key: &str, until: DateTime<Utc>, now: DateTime<Utc>) {
        let d = (until - now).to_std().unwrap_or_default();
        let mut slots = self.next_slot.lock().expect("pacing lock");
        let now_i = Instant::now();
        let slot = slots.entry(key.to_string()).or_insert(Slot {
            tat: now_i,
            blocked_until: None,
        });
        slot.blocked_until = Some(slot.blocked_until.unwrap_or(now_i).max(now_i + d));
    }
}

/// A transport error in plain words. The URL is left out: some platforms take keys in the query.
fn request_error(e: reqwest::Error) -> SourceError {
    let e = e.without_url();
    if e.is_redirect() {
        // The words of `RedirectRefused` sit in the error's source chain.
        let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
        SourceError::Redirect(why)
    } else if e.is_timeout() {
        SourceError::Timeout
    } else if e.is_connect() {
        SourceError::Network("could not connect".into())
    } else if e.is_builder() {
        SourceError::Config(format!("the address is not valid ({e})"))
    } else {
        SourceError::Network(format!("{e}"))
    }
}

/// `base · 2^(attempt-1)` plus up to 25% jitter, so many sources retrying do not align.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    backoff_capped(base, attempt, Duration::MAX)
}

/// [`backoff`] with the doubling stopped at `cap` (the jitter comes on top).
pub fn backoff_capped(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exp = base
        .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16))
        .min(cap);
    let jitter = exp.mul_f64(0.25 * jitter_fraction());
    exp + jitter
}

/// A number in [0, 1) that varies between calls; randomness quality does not matter here.
fn jitter_fraction() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(1);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ seed;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Status code as a `StatusCode`, for callers that match on names.
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")]), now()),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Fri, 01 May 2026 12:00:30 GMT")]),
                now()
            ),
            Some(Duration::from_secs(30))
        );
        // A date already past is no wait; words are no date.
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]),
                now()
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "soon")]), now()),
            None
        );
    }

    #[test]
    fn quota_headers_of_each_platform() {
        // X: Unix seconds.
        let x = headers(&[("x-rate-limit-reset", "1777637100")]);
        assert_eq!(reset_time(&x, now()).unwrap().timestamp(), 1_777_637_100);
        // Reddit: seconds from now.
        let r = headers(&[("x-ratelimit-reset", "42")]);
        assert_eq!(
            reset_time(&r, now()),
            Some(now() + chrono::Duration::seconds(42))
        );
        // Mastodon: a timestamp.
        let m = headers(&[("x-ratelimit-reset", "2026-05-01T12:05:00.000Z")]);
        assert_eq!(
            reset_time(&m, now()),
            Some(now() + chrono::Duration::minutes(5))
        );
        let spent = headers(&[
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "1777637100"),
        ]);
        assert!(exhausted_until(&spent, now()).is_some());
        let left = headers(&[
            ("x-rate-limit-remaining", "12"),
            ("x-rate-limit-reset", "1777637100"),
        ]);
        assert!(exhausted_until(&left, now()).is_none());
    }

    #[test]
    fn statuses_map_to_plain_outcomes() {
        let h = HeaderMap::new();
        assert!(matches!(classify(200, &h, b"{}", now(), None), Verdict::Ok));
        assert!(matches!(
            classify(503, &h, b"", now(), None),
            Verdict::Retry {
                error: SourceError::Server { status: 503 },
                ..
            }
        ));
        assert!(matches!(
            classify(
                401,
                &h,
                br#"{"error":{"description":"bad key"}}"#,
                now(),
                None
            ),
            Verdict::Stop(SourceError::Auth { status: 401, .. })
        ));
        assert!(matches!(
            classify(429, &headers(&[("retry-after", "3")]), b"", now(), None),
            Verdict::Retry { after: Some(d), error: SourceError::RateLimited { .. } } if d == Duration::from_secs(3)
        ));
    }

    #[test]
    fn a_refusal_with_a_code_keeps_the_words_beside_it() {
        assert_eq!(
            platform_message(br#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#).as_deref(),
            Some("Token has been expired or revoked. (invalid_grant)")
        );
        assert_eq!(
            platform_message(
                br#"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#
            )
            .as_deref(),
            Some("Invalid identifier or password (AuthenticationRequired)")
        );
        assert_eq!(
            platform_message(br#"{"error":"invalid_client"}"#).as_deref(),
            Some("invalid_client")
        );
    }

    #[test]
    fn bodies_that_are_not_json_say_why() {
        let e =
            parse_json::<serde_json::Value>(b"<!DOCTYPE html><html>blocked</html>").unwrap_err();
        assert!(e.to_string().contains("web page"), "{e}");
        let e = parse_json::<serde_json::Value>(br#"{"reviews":[{"id":"a""#).unwrap_err();
        assert!(e.to_string().contains("cut off"), "{e}");
        let e = parse_json::<serde_json::Value>(b"{oops}").unwrap_err();
        assert!(e.to_string().contains("not valid JSON"), "{e}");
    }

    #[test]
    fn redirects_never_go_to_http_and_keyed_ones_stay_on_their_origin() {
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        let api = u("https://api.trustpilot.com/v1/a");
        let same = u("https://api.trustpilot.com/v1/b");
        for rule in [Redirects::SameOrigin, Redirects::AnyHost] {
            assert_eq!(refused_redirect(rule, &api, &same, 1), None);
            let down = refused_redirect(rule, &api, &u("http://api.trustpilot.com/v1/b"), 1);
            assert!(down.is_some_and(|w| w.contains("plain http")), "{rule:?}");
            assert!(refused_redirect(rule, &api, &same, MAX_REDIRECTS + 1).is_some());
        }
        // Another host, or another port of the same host, is another origin.
        for other in [
            "https://evil.example/v1/b",
            "https://api.trustpilot.com:8443/v1/b",
        ] {
            let why = refused_redirect(Redirects::SameOrigin, &api, &u(other), 1);
            assert!(
                why.is_some_and(|w| w.contains("another address")),
                "{other}"
            );
            assert_eq!(
                refused_redirect(Redirects::AnyHost, &api, &u(other), 1),
                None
            );
        }
        // http to https is an upgrade, allowed.
        let plain = u("http://feeds.example/rss");
        assert_eq!(
            refused_redirect(
                Redirects::AnyHost,
                &plain,
                &u("https://feeds.example/rss"),
                1
            ),
            None
        );
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 1..5 {
            let d = backoff(base, attempt);
            let exp = base * (1 << (attempt - 1));
            assert!(d >= exp && d <= exp.mul_f64(1.25), "{attempt}: {d:?}");
        }
    }
}
