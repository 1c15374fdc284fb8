//! Platforms: everything Earshot knows of each platform, one home per platform, and the registry
//! that is the only list of them.
//!
//! A platform's home (`yelp.rs`, `google/`, `bluesky/`) holds its spec (settings, help text, what
//! it costs and needs), how it is read (fetch, parse, its rate and quota rules), how a reply is
//! written there (post, edit and delete requests, the posted reply's id, whether a resend is
//! safe, its sign-in), and its reply length unit. It implements [`Platform`], and its reply half
//! [`Replier`] where the platform has a reply API. [`REGISTRY`] lists one value per platform:
//! adding a platform is one new module and one line there.
//!
//! What is common to every platform is written once against these traits and lives elsewhere:
//! the page loop, cursors and transactions in [`crate::sync`], a request's context and errors in
//! [`crate::sources`], the outbox's claim/record/retry machine in [`crate::replies::outbox`], and
//! the one HTTP policy (client, classification, backoff, `Retry-After`) in [`http`].
//!
//! Issue 25 adds per-platform OAuth flows, headline ratings and more: they belong on these
//! traits, as default methods the platforms that have them override.

pub mod bluesky;
pub mod google;
pub mod http;

mod app_store;
pub(crate) mod app_store_connect;
mod facebook;
mod file;
mod hackernews;
pub mod links;
mod mastodon;
pub mod oauth;
mod reddit;
mod rss;
pub mod trustpilot;
mod x;
mod yelp;

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use reqwest::Method;
use serde_json::Value;

use crate::model::{IncomingReview, SourceId};
use crate::replies::coach::Limit;
use crate::replies::outbox::{Auth, Planned, Target};
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::ReplyCredentials;
use crate::sources::{Ctx, Page, PageRequest, Result};

pub use links::LinkHosts;

/// Every platform, in the order the CLI and the Sources screen list them. The only list.
pub static REGISTRY: &[&dyn Platform] = &[
    &google::business::GoogleBusiness,
    &google::places::GooglePlaces,
    &yelp::Yelp,
    &facebook::Facebook,
    &trustpilot::Trustpilot,
    &app_store::AppStore,
    &app_store_connect::AppStoreConnect,
    &google::play::GooglePlay,
    &x::X,
    &google::youtube::YouTube,
    &reddit::Reddit,
    &mastodon::Mastodon,
    &bluesky::Bluesky,
    &hackernews::HackerNews,
    &rss::Rss,
    &file::File,
];

/// A future a platform hands back; `Send`, since the sync engine reads sources on worker tasks.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A future of the reply half. The outbox runs on one task (it borrows the store), so these need
/// not be `Send`, and credentials need not be shareable across threads.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A whole response body through a platform's parser, without a request (fuzzing, hostile input).
pub type BodyParser = fn(&[u8]) -> Result<Vec<IncomingReview>>;

/// One platform: how it is described, read and measured. See the module docs.
pub trait Platform: Sync {
    /// Its settings, help text and limits.
    fn spec(&self) -> &'static ConnectorSpec;

    /// Fetches one page of items.
    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>>;

    /// The most bytes one answer of this platform may hold ([`http::MAX_BODY_BYTES`] unless a
    /// platform's documented pages need more); a larger one fails the sync in plain words.
    fn max_body_bytes(&self) -> usize {
        http::MAX_BODY_BYTES
    }

    /// The parser a whole response body goes through, where the platform has one.
    fn body_parser(&self) -> Option<BodyParser> {
        None
    }

    /// The exports this platform gives owners to download (a Takeout, monthly CSVs), which
    /// `earshot import` recognises and reads ([`crate::import::ExportFormat`]).
    fn exports(&self) -> &'static [&'static dyn crate::import::ExportFormat] {
        &[]
    }

    /// Its reply half, where the outbox can post replies; `None` means "copy and open".
    fn replies(&self) -> Option<&dyn Replier> {
        None
    }

    /// Calls a day the owner's plan allows for all sources of this platform together, where
    /// the platform caps them (Yelp), read from a source's `settings`. The scheduler spaces
    /// the syncs of all those sources to stay under it ([`shared_cap_interval_secs`]); a sync
    /// of such a platform makes one call.
    fn daily_call_cap(&self, _settings: &Value) -> Option<u32> {
        None
    }

    /// How long a reply may be, in the platform's own unit, where it says.
    fn reply_limit(&self) -> Option<Limit> {
        None
    }

    /// What a refusal (`status`, its JSON `body`, `Null` if none) says beyond its status, by
    /// this platform's rules: throttling in the body, a spent quota. Syncs and replies read
    /// refusals through it alike.
    fn refusal(&self, _status: u16, _body: &Value) -> Option<http::Refusal> {
        None
    }

    /// Other spellings of it in files and by people (`Twitter`, `Google Maps`), lower case;
    /// they fold to its display platform.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// How its display platform is named for people, where capitalising the name is not
    /// right (`Google Play`, `RSS`).
    fn display_label(&self) -> Option<&'static str> {
        None
    }

    /// Starts the owner's sign-in for `source` (a browser consent, or a login the owner types),
    /// where the platform has one: `None` means its keys are all in its settings.
    fn sign_in(
        &self,
        _source: &crate::store::Source,
        _secrets: &dyn crate::secrets::SecretStore,
    ) -> Option<Result<oauth::SignIn>> {
        None
    }

    /// Signs the owner in with the login and password they type (a terminal prompt; the
    /// password is sent once and never kept), where that is the platform's way in for a desktop
    /// app: `None` where the platform signs in through a browser or not at all.
    fn password_sign_in(
        &self,
        _store: &dyn SourceLookup,
        _secrets: &dyn crate::secrets::SecretStore,
        _source: SourceId,
        _username: &str,
        _password: &crate::secrets::Secret,
    ) -> Option<Result<()>> {
        None
    }

    /// Whether [`Platform::password_sign_in`] is how this platform signs in.
    fn signs_in_with_password(&self) -> bool {
        false
    }

    /// Days its terms let Earshot keep what it read (reviews, the business's figures) after
    /// the platform last sent them, where they limit it (Google Places: 30); `None` keeps them.
    /// The sync round deletes what is older ([`crate::sync`]).
    fn keeps_content_days(&self) -> Option<i64> {
        None
    }

    /// Calls a day each source of it makes beyond its syncs, counted against
    /// [`Platform::daily_call_cap`] (Yelp reads the business's figures once a day).
    fn daily_extra_calls(&self) -> u32 {
        0
    }

    /// The page where a customer writes a review of the owner's profile here, built from a
    /// source's `settings` (issue 29: Google's write-a-review form from the place id, an app's
    /// store page); `None` where the settings do not say or the platform has no such page. The
    /// owner can always set one by hand (`earshot requests link --url`).
    fn review_link(&self, _settings: &Value) -> Option<String> {
        None
    }

    /// What this platform's rules say about a business asking its customers for reviews, where
    /// they say more than "ask everyone the same way".
    fn asking_rule(&self) -> Option<AskingRule> {
        None
    }
}

/// A platform's rule on review requests (issue 29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "why", rename_all = "snake_case")]
pub enum AskingRule {
    /// Its guidelines forbid asking: Earshot shows the link (a "find us on" sign is allowed)
    /// but sends no request to it.
    Forbidden(&'static str),
    /// Asking is allowed, with something the owner should know.
    Note(&'static str),
}

/// `https://host/path…` with `segments` appended as path segments (percent-encoded: an id
/// from a source's settings can never add a query or another path) and `query` pairs: how each
/// platform builds its review link.
pub(crate) fn link_with(base: &str, segments: &[&str], query: &[(&str, &str)]) -> Option<String> {
    let mut url = reqwest::Url::parse(base).ok()?;
    if segments.iter().any(|s| s.trim().is_empty()) {
        return None;
    }
    url.path_segments_mut()
        .ok()?
        .pop_if_empty()
        .extend(segments.iter().map(|s| s.trim()));
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Some(url.to_string())
}

/// Where a sign-in reads the source it signs in: a database file's store or a team database
/// (`Db`). A sign-in reads the source and writes only to the seat's secret store, so this is all
/// it needs of either; on a team database the source id is the team's and the tokens go to this
/// seat's keyring named by the team database's identity (`Db::secrets`).
pub trait SourceLookup {
    fn source(&self, id: SourceId) -> crate::store::Result<crate::store::Source>;
}

impl SourceLookup for crate::store::Store {
    fn source(&self, id: SourceId) -> crate::store::Result<crate::store::Source> {
        crate::store::Store::source(self, id)
    }
}

impl SourceLookup for crate::store::Db {
    fn source(&self, id: SourceId) -> crate::store::Result<crate::store::Source> {
        crate::store::Db::source(self, id)
    }
}

/// Starts the sign-in of source `id` on its platform ([`Platform::sign_in`]).
pub fn sign_in(
    store: &(impl SourceLookup + ?Sized),
    secrets: &dyn crate::secrets::SecretStore,
    id: SourceId,
) -> Result<oauth::SignIn> {
    let source = store.source(id)?;
    let platform = find(&source.connector).ok_or_else(|| {
        crate::sources::SourceError::Config(format!(
            "source {id} has the unknown connector `{}`",
            source.connector
        ))
    })?;
    platform.sign_in(&source, secrets).unwrap_or_else(|| {
        let with: Vec<&str> = REGISTRY
            .iter()
            .filter(|p| p.spec().browser_sign_in)
            .map(|p| p.spec().label)
            .collect();
        Err(crate::sources::SourceError::Config(format!(
            "source {id} ({}) takes its keys in its settings; signing in is for {} sources",
            source.label,
            with.join(", ")
        )))
    })
}

/// The reply half of a platform: the requests the outbox sends and how their answers read.
/// Requests are planned without credentials (pure, so each shape is tested without a server);
/// the outbox adds the token, sends, retries and records.
pub trait Replier: Platform {
    /// Where reply requests go when neither the outbox's config nor the source's `base_url`
    /// says otherwise.
    fn reply_base_url(&self, _settings: &Value) -> String {
        self.spec().default_base_url.to_string()
    }

    /// Whether sending the same reply again replaces it rather than adding a second one
    /// (create-or-replace: the review has one reply). Only then is a resend after an unknown
    /// outcome safe.
    fn resend_is_safe(&self) -> bool {
        false
    }

    /// Whether a posted reply is changed by updating the reply itself (by its own id), where
    /// resending does not replace it.
    fn edits_in_place(&self) -> bool {
        false
    }

    /// Whether the API deletes replies.
    fn can_delete(&self) -> bool {
        true
    }

    /// Whether planning needs the item as the platform sent it (its `raw_json`).
    fn needs_raw_json(&self) -> bool {
        false
    }

    /// The request that posts `body` in answer to the review.
    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned>;

    /// The request that changes the posted reply `reply_id` to `body`, where
    /// [`Replier::edits_in_place`].
    fn plan_update(&self, _base: &str, _reply_id: &str, _body: &str) -> ReplyResult<Planned> {
        Err(ReplyError::Outbox(format!(
            "{} replies cannot be edited",
            self.spec().label
        )))
    }

    /// Where a posted reply is deleted by its own id: `DELETE {base}{path}{reply id}`.
    fn delete_path(&self) -> Option<&'static str> {
        None
    }

    /// Where the review's one reply is kept (`/v4/…/reply`), on platforms whose reviews have a
    /// single reply with no id of its own: posting there sets or replaces it, and a `DELETE`
    /// there clears it. `None` (the default) where replies have ids of their own.
    fn one_reply_path(
        &self,
        _review_external_id: &str,
        _settings: &Value,
    ) -> ReplyResult<Option<String>> {
        Ok(None)
    }

    /// The request that deletes the posted reply. `reply_id` is the platform's id of the reply
    /// itself, which all but the one-reply-per-review platforms need. The default deletes the
    /// review's one reply at [`Replier::one_reply_path`], else the reply at
    /// [`Replier::delete_path`].
    fn plan_delete(
        &self,
        base: &str,
        review_external_id: &str,
        reply_id: Option<&str>,
        settings: &Value,
    ) -> ReplyResult<Planned> {
        if let Some(path) = self.one_reply_path(review_external_id, settings)? {
            return Ok(delete_request(reply_url(base, path)));
        }
        match self.delete_path() {
            Some(path) => delete_reply(self.spec(), base, path, reply_id),
            None => Err(ReplyError::Outbox(format!(
                "{} does not let Earshot delete a reply through its API; delete it there",
                self.spec().label
            ))),
        }
    }

    /// The platform's id of a reply it accepted, from its answer.
    fn posted_id(&self, answer: &Value) -> Option<String> {
        answer.get("id").and_then(Value::as_str).map(str::to_owned)
    }

    /// How replies are signed in where the owner signs in once and Earshot renews the token
    /// (X, Trustpilot, YouTube); `None` (the default) elsewhere. With it, the default
    /// [`Replier::authorise`] and [`Replier::renew`] are that sign-in's.
    fn signed_in(&self) -> Option<&'static SignedIn> {
        None
    }

    /// The stored secrets, besides a ready-made token ([`ReplyCredentials::bearer_token`]), that
    /// [`Replier::authorise`] makes this platform's credentials from: what a seat must hold to
    /// send here, told with no network (a team database's outbox asks it before claiming a
    /// reply; `authorise` itself may renew a token or log in). The default is the
    /// [`Replier::signed_in`] sign-in's refresh token, else none.
    fn credential_keys(&self) -> &'static [&'static str] {
        match self.signed_in() {
            Some(_) => &[oauth::REFRESH],
            None => &[],
        }
    }

    /// Whether the source holds, by `has`, what this platform posts with: a kept access token or
    /// one of its [`Replier::credential_keys`]. Both the composer's [`Replier::missing`] and the
    /// team outbox's wait ask this, so the secrets a platform needs are listed once, in
    /// `credential_keys`; not overridden.
    fn holds_credentials(&self, has: &Has) -> bool {
        has(oauth::ACCESS) || self.credential_keys().iter().any(|key| has(key))
    }

    /// The credentials a request goes with; `base` is where it goes. The default is the
    /// [`Replier::signed_in`] sign-in's token ([`oauth::reply_auth`]), else the source's stored
    /// token.
    fn authorise<'a>(
        &'a self,
        http: &'a http::Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
        _base: &'a str,
    ) -> LocalBoxFuture<'a, ReplyResult<Auth>> {
        match self.signed_in() {
            Some(s) => Box::pin(oauth::reply_auth(
                self.spec(),
                creds,
                source_id,
                move || (s.renew)(http, creds, source_id, settings),
                move || (s.not_signed_in)(source_id),
            )),
            None => Box::pin(std::future::ready(stored_token(
                self.spec(),
                creds,
                source_id,
            ))),
        }
    }

    /// What to do about a refusal of a reply (`status`, its JSON `body`), where the platform's
    /// words do not say it: sign in again to grant a missing scope, or post it by hand.
    fn refusal_hint(&self, _status: u16, _body: &Value) -> Option<&'static str> {
        None
    }

    /// What the owner still has to give or do before a reply can be posted here, in a sentence
    /// the composer shows; `None` when nothing is known to be missing. `has` says whether a
    /// secret of the source is stored.
    fn missing(&self, _source_id: SourceId, _settings: &Value, _has: &Has) -> Option<String> {
        None
    }

    /// A fresh token after the platform refused the one sent (HTTP 401), where the platform's
    /// tokens can be renewed; tried once per request. The default is the
    /// [`Replier::signed_in`] sign-in's renewal.
    fn renew<'a>(
        &'a self,
        http: &'a http::Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
    ) -> Option<LocalBoxFuture<'a, ReplyResult<crate::secrets::Secret>>> {
        self.signed_in()
            .map(|s| (s.renew)(http, creds, source_id, settings))
    }
}

/// A renewable reply sign-in (X, Trustpilot, YouTube): the kept access token while it has
/// minutes left, else one renewed with the stored refresh token, else a token given
/// ready-made (`EARSHOT_TOKEN_…`). Data, so that each such platform names its renewal and its
/// wording once and the order of the three stays [`oauth::reply_auth`]'s.
pub struct SignedIn {
    /// A new access token from the stored refresh token.
    pub renew: for<'a> fn(
        &'a http::Http,
        &'a dyn ReplyCredentials,
        SourceId,
        &'a Value,
    ) -> LocalBoxFuture<'a, ReplyResult<crate::secrets::Secret>>,
    /// What the owner is told when no sign-in is kept and no token is given.
    pub not_signed_in: fn(SourceId) -> ReplyError,
}

/// Whether a secret of the source is stored, by its key.
pub type Has<'a> = dyn Fn(&str) -> bool + 'a;

/// What the composer says when a source holds what reads but not what posts: sign in.
pub(crate) fn sign_in_first(label: &str, source_id: SourceId, how: &str) -> String {
    format!(
        "Earshot is not signed in to {label} for replies yet: {how}, then sign in (Review sites → \
         Sign in, or `earshot sources auth {source_id}`)."
    )
}

/// Whether a newest-first listing has come to what the last run saw: one of this page's marks
/// is at or before the watermark. A full listing never stops early. Every connector that pages
/// newest first stops this way, so it is said once; each gives its own marks (creation or last
/// edit time, an id).
pub(crate) fn reached_watermark<M: AsRef<str>>(
    req: &PageRequest,
    marks: impl IntoIterator<Item = M>,
) -> bool {
    !req.full
        && req
            .watermark
            .as_deref()
            .is_some_and(|w| marks.into_iter().any(|m| m.as_ref() <= w))
}

/// A page of a newest-first listing: its items, the highest of their marks, and the platform's
/// `next` cursor only while there is more to read, that is while the page held items and did
/// not reach what the last run saw ([`reached_watermark`]).
pub(crate) fn newest_first_page(
    req: &PageRequest,
    items: Vec<IncomingReview>,
    mark: impl Fn(&IncomingReview) -> String,
    next: Option<String>,
) -> Page {
    let high = items.iter().map(&mark).max();
    let reached = reached_watermark(req, items.iter().map(&mark));
    let more = !items.is_empty() && !reached;
    Page {
        next: next.filter(|t| more && !t.is_empty()),
        items,
        high,
    }
}

/// The source's stored reply token, or why there is none.
pub(crate) fn stored_token(
    spec: &ConnectorSpec,
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
) -> ReplyResult<Auth> {
    creds
        .bearer_token(source_id, spec.name)
        .map_err(|e| ReplyError::Outbox(e.to_string()))?
        .map(Auth::bearer)
        .ok_or_else(|| {
            ReplyError::Outbox(format!(
                "no {} credentials are stored; connect the account again",
                spec.label
            ))
        })
}

/// A stored secret of the source for the reply half, errors in the outbox's words.
pub(crate) fn stored_secret(
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
    key: &str,
) -> ReplyResult<Option<crate::secrets::Secret>> {
    creds
        .secret(source_id, key)
        .map_err(|e| ReplyError::Outbox(e.to_string()))
}

/// A string setting under any of `keys` (platforms name them differently).
pub(crate) fn setting<'a>(settings: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| settings.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
}

/// Why a reply cannot be addressed: the source lacks an id the platform needs.
pub(crate) fn missing(spec: &ConnectorSpec, what: &str) -> ReplyError {
    ReplyError::Outbox(format!(
        "the {} source has no {what} in its settings, so Earshot cannot address the reply; \
         reconnect the source",
        spec.label
    ))
}

/// The platform's id of a posted reply, or why a request on it cannot be addressed.
pub(crate) fn reply_id<'a>(
    spec: &ConnectorSpec,
    reply_external_id: Option<&'a str>,
    doing: &str,
) -> ReplyResult<&'a str> {
    reply_external_id.filter(|s| !s.is_empty()).ok_or_else(|| {
        ReplyError::Outbox(format!(
            "Earshot does not know this reply's id on {0}, so it cannot {doing} it; do it on \
             {0}",
            spec.label
        ))
    })
}

/// `{base}{path}`, with no doubled slash where the base ends in one: where every reply request
/// goes.
pub(crate) fn reply_url(base: &str, path: impl std::fmt::Display) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// `{base}{path}` on the API the source's settings name (`base_url`: a test server or a proxy),
/// else the platform's own address: where a platform's token requests go.
pub(crate) fn api_url(spec: &ConnectorSpec, settings: &Value, path: &str) -> String {
    reply_url(
        setting(settings, &["base_url"]).unwrap_or(spec.default_base_url),
        path,
    )
}

/// A JSON request; `replaces` says whether sending it twice has the effect of sending it once.
pub(crate) fn json_request(method: Method, url: String, json: Value, replaces: bool) -> Planned {
    Planned {
        method,
        url,
        json: Some(json),
        form: None,
        replaces,
    }
}

/// A `DELETE` of `url` (deleting twice deletes once).
pub(crate) fn delete_request(url: String) -> Planned {
    Planned {
        method: Method::DELETE,
        url,
        json: None,
        form: None,
        replaces: true,
    }
}

/// A `DELETE` of the posted reply at `{base}{path}{reply id}`, or why it cannot be addressed.
pub(crate) fn delete_reply(
    spec: &ConnectorSpec,
    base: &str,
    path: &str,
    reply_external_id: Option<&str>,
) -> ReplyResult<Planned> {
    let id = reply_id(spec, reply_external_id, "delete")?;
    Ok(delete_request(reply_url(base, format_args!("{path}{id}"))))
}

/// One item of a platform's answer read into the shape its API documents; `what` names it in
/// the error ("a Mastodon status"). Every parser words that refusal alike.
pub(crate) fn shaped<T: serde::de::DeserializeOwned>(raw: &Value, what: &str) -> Result<T> {
    serde_json::from_value(raw.clone()).map_err(|e| {
        crate::sources::SourceError::BadResponse(format!(
            "{what} did not have the expected shape: {e}"
        ))
    })
}

/// A time the platform sent (RFC 3339), or a bad response quoting it.
pub(crate) fn sent_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    crate::sources::text::parse_time(s)
        .ok_or_else(|| crate::sources::SourceError::BadResponse(format!("unreadable time {s:?}")))
}

/// The array under `key` of a page: empty where it is absent or null, and a bad response
/// naming `whose` ("Google Play's") where it is anything else.
pub(crate) fn page_list<'a>(body: &'a Value, key: &str, whose: &str) -> Result<&'a [Value]> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(crate::sources::SourceError::BadResponse(format!(
            "{whose} `{key}` is not a list"
        ))),
    }
}

/// The array under `key` of a JSON body, or none.
pub(crate) fn list(v: &Value, key: &str) -> Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The least seconds between two scheduled syncs of a source of `connector` when the sources
/// with these `settings` (all of that platform's sources, the source itself among them) share
/// its daily call cap; `None` where the platform has none. The smallest cap any of them names
/// holds, and each sync is one call.
pub fn shared_cap_interval_secs(connector: &str, settings: &[&Value]) -> Option<i64> {
    let platform = find(connector)?;
    let cap = settings
        .iter()
        .filter_map(|s| platform.daily_call_cap(s))
        .min()?;
    let sources = settings.len().max(1) as i64;
    // Each source's calls beyond its syncs come off the cap first.
    let extra = i64::from(platform.daily_extra_calls()) * sources;
    let cap = (i64::from(cap) - extra).max(1);
    // Rounded up: never more calls than the cap.
    Some((24 * 3600 * sources + cap - 1) / cap)
}

/// The platform whose connector name is `name`.
pub fn find(name: &str) -> Option<&'static dyn Platform> {
    REGISTRY.iter().copied().find(|p| p.spec().name == name)
}

/// The reply half of the platform named `name`, where it has one.
pub fn replier(name: &str) -> Option<&'static dyn Replier> {
    find(name).and_then(|p| p.replies())
}

/// A platform as the Connect form and the source cards describe it: its spec, and how the
/// owner signs it in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlatformInfo {
    #[serde(flatten)]
    pub spec: ConnectorSpec,
    /// The owner types a login and password in the app (Trustpilot's business user); the
    /// password goes to the platform once and is kept nowhere.
    pub password_sign_in: bool,
    /// Days its terms let Earshot keep what it read, where they limit it.
    pub keeps_content_days: Option<i64>,
}

/// Every platform described for the app, in registry order.
pub fn infos() -> Vec<PlatformInfo> {
    REGISTRY
        .iter()
        .map(|p| PlatformInfo {
            spec: *p.spec(),
            password_sign_in: p.signs_in_with_password(),
            keeps_content_days: p.keeps_content_days(),
        })
        .collect()
}

/// Every platform's spec, in registry order.
pub fn specs() -> &'static [ConnectorSpec] {
    static SPECS: OnceLock<Vec<ConnectorSpec>> = OnceLock::new();
    SPECS.get_or_init(|| REGISTRY.iter().map(|p| *p.spec()).collect())
}

/// Whether a source of the platform named `name` can hold secrets: a secret setting, or a
/// sign-in whose tokens Earshot keeps and renews. The rest (a feed, Hacker News, a Mastodon tag)
/// never touch the keyring, which a machine without a Secret Service does not have.
pub fn keeps_secrets(name: &str) -> bool {
    find(name).is_some_and(|p| all_settings(p.spec()).any(|s| s.secret))
        || replier(name).is_some_and(|r| r.signed_in().is_some())
}

/// Every secret setting any platform has, and the tokens platforms keep between runs: what
/// forgetting a source deletes.
pub fn secret_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = specs()
        .iter()
        .flat_map(|s| s.settings.iter())
        .filter(|s| s.secret)
        .map(|s| s.key)
        .collect();
    // Tokens a sign-in leaves, and the AI endpoint's key (in the app-wide slot 0), so that they
    // move with the others when a database gets its identity.
    keys.extend([
        "refresh_token",
        "access_token",
        bluesky::STORED_SESSION,
        oauth::EXPIRES_AT,
        mastodon::CLIENT_ID_KEY,
        crate::replies::ai::KEY_NAME,
    ]);
    keys.sort_unstable();
    keys.dedup();
    keys
}

impl crate::store::Store {
    /// This database's credentials: [`crate::store::Store::secrets_named`] with every secret
    /// setting name the registry knows. It lives here, not in the store, because the store knows
    /// no platform.
    pub fn secrets(&self) -> crate::store::Result<Box<dyn crate::secrets::SecretStore>> {
        self.secrets_named(&secret_keys())
    }
}

/// The reply length limit of a display platform: the first platform showing its items there
/// that names one.
pub fn reply_limit(display_platform: &str) -> Option<Limit> {
    REGISTRY
        .iter()
        .filter(|p| p.spec().platform == display_platform)
        .find_map(|p| p.reply_limit())
}

/// What a connector needs from the owner.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct SettingSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub required: bool,
    /// Kept in the keyring, never in the database.
    pub secret: bool,
}

/// Whether a connector brings reviews (rated), mentions, or a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Feed {
    Reviews,
    Mentions,
    File,
}

/// A connector as the CLI help and the Sources screen describe it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ConnectorSpec {
    /// The connector name the CLI takes (`google-business`): how Earshot talks to the platform.
    pub name: &'static str,
    /// The display platform its items carry (`google`): where the customer wrote. Two
    /// connectors can feed one display platform, and trends group by it.
    pub platform: &'static str,
    /// The hosts its review links may point to (see [`links`]); connectors of one display
    /// platform declare the same.
    pub review_hosts: LinkHosts,
    /// Whether the owner signs in through the browser once the source is added (Google's
    /// installed-app flow); the Sources screen offers the button by it.
    pub browser_sign_in: bool,
    pub label: &'static str,
    pub feed: Feed,
    /// Where the owner gets the credential, in a sentence or two.
    pub help: &'static str,
    /// The honest guide: what it costs, what approval it needs, the steps, and the way in
    /// without the API. The CLI's `sources add PLATFORM --help` and the connect form show it.
    pub guide: Guide,
    pub default_base_url: &'static str,
    pub settings: &'static [SettingSpec],
    /// Minutes between scheduled syncs unless `interval_minutes` says otherwise.
    pub interval_minutes: u32,
    /// A full listing returns every review, so one that is missing was removed.
    pub lists_everything: bool,
    /// Least time between two requests to this platform (its documented rate limit).
    pub min_interval_ms: u64,
}

/// What an owner should know before connecting a platform, in plain words for an owner, not a
/// developer. One text, read by the CLI and the app alike.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Guide {
    /// What the owner needs before connecting: the label the Sources screen and the welcome sort
    /// and tag platforms by, so connecting starts with what needs no account (issue 32).
    pub access: Access,
    /// What it costs.
    pub cost: &'static str,
    /// What approval, account or plan it needs.
    pub approval: &'static str,
    /// What to do, in order.
    pub steps: &'static [&'static str],
    /// The way in without the platform's API: an export to import, a feed.
    pub without_api: &'static str,
}

/// What a platform asks of the owner before Earshot can read it, from least to most. The words
/// are the owner's ([`Access::label`]); the guide's `approval` says the detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Public reviews, a public feed or the owner's own export file: nothing to sign up for.
    NoAccount,
    /// The owner's own account on the platform (an app password), no developer sign-up.
    YourAccount,
    /// A developer account, app or API key of the owner's own (some are paid).
    DeveloperKey,
    /// The platform must approve the owner's access first (weeks, or a paid add-on).
    Approval,
}

impl Access {
    /// The tag the owner reads beside the platform's name.
    pub fn label(self) -> &'static str {
        match self {
            Access::NoAccount => "no account needed",
            Access::YourAccount => "needs your account",
            Access::DeveloperKey => "needs a developer key",
            Access::Approval => "needs approval",
        }
    }
}

pub(crate) const fn s(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    required: bool,
    secret: bool,
) -> SettingSpec {
    SettingSpec {
        key,
        label,
        help,
        required,
        secret,
    }
}

/// Settings every connector takes.
pub const COMMON_SETTINGS: &[SettingSpec] = &[
    s(
        "base_url",
        "API address",
        "Where requests go; change only for a proxy or a test server.",
        false,
        false,
    ),
    s(
        "interval_minutes",
        "Check every (minutes)",
        "How often to look for new reviews and posts.",
        false,
        false,
    ),
];

/// The connector's own settings followed by the common ones.
pub fn all_settings(spec: &ConnectorSpec) -> impl Iterator<Item = &SettingSpec> {
    spec.settings.iter().chain(COMMON_SETTINGS.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_platforms_that_hold_secrets_are_looked_up_in_the_keyring() {
        for free in ["rss", "hackernews", "app-store"] {
            assert!(!keeps_secrets(free), "{free}");
        }
        for keyed in ["trustpilot", "x", "youtube", "google-places", "yelp"] {
            assert!(keeps_secrets(keyed), "{keyed}");
        }
        assert!(!keeps_secrets("no-such-platform"));
    }

    #[test]
    fn every_platform_is_found_by_its_connector_name() {
        for p in REGISTRY {
            let found = find(p.spec().name).expect("registered");
            assert!(std::ptr::eq(found.spec(), p.spec()));
        }
        assert!(find("myspace").is_none());
    }

    #[test]
    fn yelp_sources_share_the_plans_daily_cap_and_others_have_none() {
        let default = serde_json::json!({});
        // One source on Starter's 300 calls a day, one of them the daily read of the
        // business's figures: 299 syncs, every 289 s.
        assert_eq!(shared_cap_interval_secs("yelp", &[&default]), Some(289));
        // Three locations: 297 syncs a day together, 300 calls with the figures.
        assert_eq!(
            shared_cap_interval_secs("yelp", &[&default, &default, &default]),
            Some(873)
        );
        // The smallest cap any of them names holds: 48 less two reads of the figures.
        let small = serde_json::json!({"daily_calls": "48"});
        assert_eq!(
            shared_cap_interval_secs("yelp", &[&default, &small]),
            Some(3757)
        );
        assert_eq!(shared_cap_interval_secs("trustpilot", &[&default]), None);
    }

    #[test]
    fn every_platform_has_an_honest_guide() {
        for spec in specs() {
            let g = &spec.guide;
            assert!(!g.cost.is_empty(), "{}: cost", spec.name);
            assert!(!g.approval.is_empty(), "{}: approval", spec.name);
            assert!(!g.steps.is_empty(), "{}: steps", spec.name);
            assert!(!g.without_api.is_empty(), "{}: without_api", spec.name);
        }
        let json = serde_json::to_value(find("yelp").unwrap().spec()).unwrap();
        assert!(json.pointer("/guide/steps/0").is_some(), "{json}");
        assert_eq!(json.pointer("/guide/access"), Some(&"developer_key".into()));
    }

    #[test]
    fn a_platform_that_asks_for_no_key_or_approval_says_no_account_is_needed() {
        // The tag must not promise more than the guide: a platform tagged "no account needed"
        // asks for no secret the owner must get first (issue 32).
        for spec in specs() {
            let required_secret = spec.settings.iter().any(|s| s.secret && s.required);
            if spec.guide.access == Access::NoAccount {
                assert!(!required_secret, "{}: tagged no account needed", spec.name);
            }
        }
        let access = |name: &str| find(name).unwrap().spec().guide.access;
        assert_eq!(access("app-store"), Access::NoAccount);
        assert_eq!(access("google-business"), Access::Approval);
        assert_eq!(access("trustpilot"), Access::Approval);
        assert_eq!(access("yelp"), Access::DeveloperKey);
        assert_eq!(Access::Approval.label(), "needs approval");
    }

    #[test]
    fn every_platform_declares_where_its_review_pages_are() {
        for spec in specs() {
            if let LinkHosts::Only(hosts) = spec.review_hosts {
                assert!(!hosts.is_empty(), "{}: no hosts", spec.name);
                for h in hosts {
                    assert!(links::well_formed(h), "{}: {h:?}", spec.name);
                }
            }
            // Two connectors of one display platform show the same review pages.
            for other in specs().iter().filter(|o| o.platform == spec.platform) {
                assert_eq!(other.review_hosts, spec.review_hosts, "{}", spec.platform);
            }
        }
        let json = serde_json::to_value(find("yelp").unwrap().spec()).unwrap();
        assert_eq!(json["review_hosts"][0], "yelp.com", "{json}");
        assert_eq!(json["platform"], "yelp", "{json}");
        let json = serde_json::to_value(find("mastodon").unwrap().spec()).unwrap();
        assert!(json["review_hosts"].is_null(), "{json}");
    }

    #[test]
    fn a_connector_name_is_registered_once() {
        let mut names: Vec<&str> = specs().iter().map(|s| s.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }
}
