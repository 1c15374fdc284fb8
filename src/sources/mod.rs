//! Sources: what every connector shares. The connectors themselves live in their platforms'
//! homes ([`crate::platforms`]), each turning its platform's documented JSON into
//! [`IncomingReview`]s a page at a time.
//!
//! A connector is a platform's `fetch(ctx, request) -> Result<Page>`: it builds the request for
//! the page asked for, sends it through [`http::Http`] (timeouts, pacing, retries), and maps the
//! body with pure `parse_*` functions that the unit tests feed documented JSON. This module gives
//! it its context ([`Ctx`]), its errors ([`SourceError`]) and the page types; the sync engine
//! ([`crate::sync`]) owns cursors, transactions and health.
//!
//! Settings live in `sources.settings` as a JSON object of strings. Settings marked secret (API
//! keys, tokens, passwords) never go there: [`add_source`] puts them in a [`SecretStore`].

pub mod parse;
pub mod text;

use crate::platforms::http;
use crate::platforms::{all_settings, specs, ConnectorSpec, SettingSpec, COMMON_SETTINGS};

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::{IncomingReview, SourceId};
use crate::secrets::{Secret, SecretStore};
use crate::store::{Store, StoreError};
use http::Http;

/// Hours between two reads of a business's figures where they cost a call of their own: they
/// move slowly, and the calls come off a daily cap (Yelp).
pub const FIGURES_EVERY_HOURS: i64 = 24;

/// Non-secret settings of a source, as stored.
pub type Settings = BTreeMap<String, String>;

/// Why a source could not be read, in words an owner can act on.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Config(String),
    #[error("the platform refused the credentials (HTTP {status}){}", detail_suffix(.detail))]
    Auth { status: u16, detail: String },
    #[error("the platform says this was not found — check the id or address{}", detail_suffix(.detail))]
    NotFound { detail: String },
    #[error("the platform's rate limit was reached{}{}", until_suffix(.until), detail_suffix(.detail))]
    RateLimited {
        until: Option<DateTime<Utc>>,
        detail: String,
    },
    #[error("the platform had a server error (HTTP {status}); it will be retried")]
    Server { status: u16 },
    #[error("the platform rejected the request (HTTP {status}){}", detail_suffix(.detail))]
    Rejected { status: u16, detail: String },
    #[error("the platform did not answer in time")]
    Timeout,
    #[error("network problem: {0}")]
    Network(String),
    #[error("the platform's answer could not be read: {}", clip(.0))]
    BadResponse(String),
    #[error("credentials: {0}")]
    Secrets(String),
    /// An answer over the size cap (issue 33): words from [`http::BodyError::TooLarge`].
    #[error("{0}")]
    TooLarge(String),
    /// A redirect the HTTP policy refuses (another host for a request with a key, or https to
    /// http): words from the policy.
    #[error("{0}")]
    Redirect(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Error texts quote what a platform sent; a hostile or broken body must not make them huge.
fn clip(s: &str) -> String {
    const MAX: usize = 300;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        s.chars().take(MAX).collect::<String>() + "…"
    }
}

fn detail_suffix(d: &str) -> String {
    if d.is_empty() {
        String::new()
    } else {
        format!(": {d}")
    }
}

fn until_suffix(u: &Option<DateTime<Utc>>) -> String {
    match u {
        Some(t) => format!("; paused until {}", t.format("%Y-%m-%d %H:%M UTC")),
        None => String::new(),
    }
}

impl SourceError {
    /// The same error with any of `secrets` hidden from the texts it carries.
    pub fn redacted(self, secrets: &[Secret]) -> SourceError {
        let r = |t: String| crate::secrets::redact(&t, secrets);
        match self {
            SourceError::Config(t) => SourceError::Config(r(t)),
            SourceError::Auth { status, detail } => SourceError::Auth {
                status,
                detail: r(detail),
            },
            SourceError::NotFound { detail } => SourceError::NotFound { detail: r(detail) },
            SourceError::RateLimited { until, detail } => SourceError::RateLimited {
                until,
                detail: r(detail),
            },
            SourceError::Rejected { status, detail } => SourceError::Rejected {
                status,
                detail: r(detail),
            },
            SourceError::Network(t) => SourceError::Network(r(t)),
            SourceError::BadResponse(t) => SourceError::BadResponse(r(t)),
            SourceError::Secrets(t) => SourceError::Secrets(r(t)),
            other @ (SourceError::Server { .. }
            | SourceError::Timeout
            | SourceError::Store(_)
            | SourceError::TooLarge(_)
            | SourceError::Redirect(_)) => other,
        }
    }

    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SourceError::Server { .. }
                | SourceError::Timeout
                | SourceError::Network(_)
                | SourceError::RateLimited { .. }
        )
    }

    /// A stable short code for JSON output and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::Config(_) => "config",
            SourceError::Auth { .. } => "auth",
            SourceError::NotFound { .. } => "not_found",
            SourceError::RateLimited { .. } => "rate_limited",
            SourceError::Server { .. } => "server",
            SourceError::Rejected { .. } => "rejected",
            SourceError::Timeout => "timeout",
            SourceError::Network(_) => "network",
            SourceError::BadResponse(_) => "bad_response",
            SourceError::Secrets(_) => "secrets",
            SourceError::TooLarge(_) => "too_large",
            SourceError::Redirect(_) => "redirect_refused",
            SourceError::Store(_) => "store",
        }
    }
}

pub type Result<T, E = SourceError> = std::result::Result<T, E>;

/// The spec of the connector named `name`.
pub fn spec(name: &str) -> Option<&'static ConnectorSpec> {
    crate::platforms::find(name).map(|p| p.spec())
}

/// The page a sync asks for.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// The continuation from the previous page of this run (a page token, an offset, a URL);
    /// `None` starts at the newest.
    pub page: Option<String>,
    /// The newest mark of the last completed run (an id or a time, see [`text::newer`]).
    /// Connectors stop paging once they reach it, unless `full` is set.
    pub watermark: Option<String>,
    /// List everything, ignoring the watermark (finds edits and removals).
    pub full: bool,
}

/// One page of items and where the next one starts.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<IncomingReview>,
    /// `None` when this run has nothing more to fetch.
    pub next: Option<String>,
    /// The newest mark on this page, the next run's watermark once this run completes.
    pub high: Option<String>,
}

/// What a connector gets to work with.
pub struct Ctx<'a> {
    pub source_id: SourceId,
    pub spec: &'static ConnectorSpec,
    pub settings: &'a Settings,
    pub secrets: &'a dyn SecretStore,
    pub http: &'a Http,
    pub now: DateTime<Utc>,
    /// Tokens obtained during this run (OAuth access tokens, sessions), by name.
    pub session: Mutex<BTreeMap<String, Secret>>,
    /// Entries the platform sent that could not be read (a feed entry without its date or id)
    /// and were left out, this run; the rest of their page is kept.
    pub skipped: std::sync::atomic::AtomicU64,
    /// What the platform showed for the business this run (its overall rating and review
    /// count), where it reports them; the sync keeps it on the source (issue 25).
    pub headline: Mutex<Option<crate::model::Headline>>,
    /// When the source's platform figures were last read, before this run; a platform that
    /// spends an extra call on them (Yelp) reads them once a day.
    pub figures_read_at: Option<DateTime<Utc>>,
    /// Set when this run spent a call of its own on the figures (answered or not).
    pub figures_tried: std::sync::atomic::AtomicBool,
}

impl<'a> Ctx<'a> {
    pub fn new(
        source_id: SourceId,
        spec: &'static ConnectorSpec,
        settings: &'a Settings,
        secrets: &'a dyn SecretStore,
        http: &'a Http,
    ) -> Ctx<'a> {
        Ctx {
            source_id,
            spec,
            settings,
            secrets,
            http,
            now: Utc::now(),
            session: Mutex::new(BTreeMap::new()),
            skipped: std::sync::atomic::AtomicU64::new(0),
            headline: Mutex::new(None),
            figures_read_at: None,
            figures_tried: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Counts `n` entries left out because they could not be read; the sync report says how
    /// many.
    pub fn skip(&self, n: usize) {
        self.skipped
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
    }

    /// Reports what the platform shows for the business (its overall rating and review count);
    /// the first page of a run that carries them is the one kept.
    pub fn report_headline(&self, headline: Option<crate::model::Headline>) {
        if let Some(h) = headline {
            let mut kept = self.headline.lock().expect("headline lock");
            if kept.is_none() {
                *kept = Some(h);
            }
        }
    }

    /// Whether figures read at most a day ago are still kept: a platform whose figures cost an
    /// extra call skips it then.
    pub fn figures_fresh(&self) -> bool {
        self.figures_read_at
            .is_some_and(|t| self.now - t < chrono::Duration::hours(FIGURES_EVERY_HOURS))
    }

    /// Records that this run spends a call of its own on the figures, so that the next runs
    /// within [`FIGURES_EVERY_HOURS`] skip it even when it is refused.
    pub fn figures_call(&self) {
        self.figures_tried
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// What [`Ctx::report_headline`] kept this run.
    pub fn headline(&self) -> Option<crate::model::Headline> {
        *self.headline.lock().expect("headline lock")
    }

    /// A non-empty setting.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    pub fn require(&self, key: &str) -> Result<&str> {
        self.get(key).ok_or_else(|| {
            SourceError::Config(format!(
                "the setting `{key}` is missing; set it with `earshot sources add {} … --set {key}=…`",
                self.spec.name
            ))
        })
    }

    /// A secret setting from the secret store (or `EARSHOT_SECRET_<KEY>` for scripts).
    pub fn secret(&self, key: &str) -> Result<Option<Secret>> {
        self.secrets
            .get(self.source_id, key)
            .map_err(|e| SourceError::Secrets(e.to_string()))
    }

    /// A secret the source may do without (a Mastodon tag reads public posts; a token only
    /// widens what it sees). Where no keyring is available at all it is absent, so a source that
    /// needs no secret syncs on a server, over SSH or from cron (issue 25). Any other failure of
    /// the secret store is reported.
    pub fn optional_secret(&self, key: &str) -> Result<Option<Secret>> {
        match self.secrets.get(self.source_id, key) {
            Err(crate::secrets::SecretError::NoKeyring(_)) => Ok(None),
            other => other.map_err(|e| SourceError::Secrets(e.to_string())),
        }
    }

    pub fn require_secret(&self, key: &str) -> Result<Secret> {
        self.secret(key)?.ok_or_else(|| {
            SourceError::Config(format!(
                "no `{key}` is stored for this source; add it again with `--set {key}=…`"
            ))
        })
    }

    /// The base URL without a trailing slash: the `base_url` setting or the platform's own.
    pub fn base_url(&self) -> String {
        self.get("base_url")
            .unwrap_or(self.spec.default_base_url)
            .trim_end_matches('/')
            .to_string()
    }

    /// Whether the owner pointed this source somewhere other than the platform.
    pub fn base_url_overridden(&self) -> bool {
        self.get("base_url").is_some()
    }

    /// The pacing slot of this platform at this address and its least time between requests:
    /// sources of one platform share its limit.
    pub fn pace(&self) -> http::Pace {
        http::Pace {
            key: format!("{}|{}", self.spec.name, self.base_url()),
            min_interval: Duration::from_millis(self.spec.min_interval_ms),
            platform: crate::platforms::find(self.spec.name),
        }
    }

    /// Sends through the shared client, paced by this platform's limit.
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<http::Reply> {
        self.http.send(&self.pace(), build).await
    }

    pub fn session_token(&self, name: &str) -> Option<Secret> {
        self.session
            .lock()
            .expect("session lock")
            .get(name)
            .cloned()
    }

    pub fn keep_session_token(&self, name: &str, token: Secret) {
        self.session
            .lock()
            .expect("session lock")
            .insert(name.to_string(), token);
    }

    /// Every credential of this source and every token of this run: what no error may quote.
    fn known_secrets(&self) -> Vec<Secret> {
        let stored = self
            .spec
            .settings
            .iter()
            .filter(|s| s.secret)
            .map(|s| s.key)
            // Tokens connectors keep between runs (OAuth access and refresh tokens).
            .chain(["access_token", "refresh_token"])
            .filter_map(|key| self.secrets.get(self.source_id, key).ok().flatten());
        let mut out: Vec<Secret> = stored.collect();
        out.extend(self.session.lock().expect("session lock").values().cloned());
        out
    }

    /// The display platform items of this connector carry.
    pub fn platform(&self) -> &'static str {
        self.spec.platform
    }
}

/// Fetches one page from the source's platform.
///
/// An error never quotes a credential of the source, even when the platform's answer does.
pub async fn fetch_page(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    fetch_page_from(ctx, req)
        .await
        .map_err(|e| e.redacted(&ctx.known_secrets()))
}

async fn fetch_page_from(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    match crate::platforms::find(ctx.spec.name) {
        Some(platform) => platform.fetch(ctx, req).await,
        None => Err(SourceError::Config(format!(
            "unknown platform `{}`",
            ctx.spec.name
        ))),
    }
}

/// Why a new source could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("unknown platform `{0}`; one of: {list}", list = platform_names())]
    UnknownPlatform(String),
    #[error("`{key}` is not a setting of {platform}; it takes: {known}")]
    UnknownSetting {
        platform: &'static str,
        key: String,
        known: String,
    },
    #[error("{platform} needs `{key}` ({label}): add `--set {key}=…`. {help}")]
    MissingSetting {
        platform: &'static str,
        key: &'static str,
        label: &'static str,
        help: &'static str,
    },
    #[error("`{key}` must be {what}")]
    BadValue { key: String, what: &'static str },
    #[error("the credentials could not be stored: {0}")]
    Secrets(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn platform_names() -> String {
    specs()
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds a source to a business: checks the settings against the connector's spec, stores the
/// plain ones with the source and the secret ones in `secrets`. Nothing is left half-added.
pub fn add_source(
    store: &Store,
    secrets: &dyn SecretStore,
    business_id: crate::model::BusinessId,
    connector: &str,
    label: Option<&str>,
    given: &Settings,
) -> std::result::Result<SourceId, AddError> {
    let (name, label, settings_json, secret) = prepare_source(connector, label, given)?;
    let id = store.add_source(business_id, name, &label, &settings_json)?;
    keep_secrets(secrets, id, &secret).inspect_err(|_| {
        let _ = store.remove_source(id);
    })?;
    Ok(id)
}

/// [`add_source`] on either store: on a team database the source's non-secret settings go to
/// the shared database and its secrets to this computer's keyring (or secrets file) only.
pub fn add_source_to(
    db: &crate::store::Db,
    secrets: &dyn SecretStore,
    business_id: crate::model::BusinessId,
    connector: &str,
    label: Option<&str>,
    given: &Settings,
) -> std::result::Result<SourceId, AddError> {
    let (name, label, settings_json, secret) = prepare_source(connector, label, given)?;
    let id = db.add_source(business_id, name, &label, &settings_json)?;
    keep_secrets(secrets, id, &secret).inspect_err(|_| {
        let _ = db.remove_source(id);
    })?;
    Ok(id)
}

/// A new source's platform name, label, non-secret settings (JSON) and secret ones, checked.
fn prepare_source(
    connector: &str,
    label: Option<&str>,
    given: &Settings,
) -> std::result::Result<(&'static str, String, serde_json::Value, Settings), AddError> {
    let spec = spec(connector).ok_or_else(|| AddError::UnknownPlatform(connector.to_string()))?;
    let (plain, secret) = split_settings(spec, given)?;
    let label = label
        .map(str::to_owned)
        .unwrap_or_else(|| default_label(spec, &plain));
    let settings_json = serde_json::to_value(&plain).expect("strings serialise");
    Ok((spec.name, label, settings_json, secret))
}

/// Keeps a new source's secrets; on a failure deletes what was kept (the caller removes the
/// source).
fn keep_secrets(
    secrets: &dyn SecretStore,
    id: SourceId,
    secret: &Settings,
) -> std::result::Result<(), AddError> {
    for (k, v) in secret {
        if let Err(e) = secrets.set(id, k, &Secret::new(v.clone())) {
            let _ = secrets.delete_all(id, &crate::platforms::secret_keys());
            return Err(AddError::Secrets(e.to_string()));
        }
    }
    Ok(())
}

/// Splits given settings into plain and secret ones, checking names, required ones and values.
pub fn split_settings(
    spec: &'static ConnectorSpec,
    given: &Settings,
) -> std::result::Result<(Settings, Settings), AddError> {
    let mut plain = Settings::new();
    let mut secret = Settings::new();
    for (k, v) in given {
        let Some(setting) = find_setting(spec, k) else {
            return Err(AddError::UnknownSetting {
                platform: spec.name,
                key: k.clone(),
                known: all_settings(spec)
                    .map(|s| s.key)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let v = v.trim().to_string();
        if k == "base_url" && !(v.starts_with("http://") || v.starts_with("https://")) {
            return Err(AddError::BadValue {
                key: k.clone(),
                what: "an http:// or https:// address",
            });
        }
        if k == "interval_minutes" && v.parse::<u32>().map_or(true, |n| n == 0) {
            return Err(AddError::BadValue {
                key: k.clone(),
                what: "a whole number of minutes",
            });
        }
        if setting.secret {
            secret.insert(k.clone(), v);
        } else {
            plain.insert(k.clone(), v);
        }
    }
    for setting in spec.settings.iter().filter(|s| s.required) {
        if given.get(setting.key).is_none_or(|v| v.trim().is_empty()) {
            return Err(AddError::MissingSetting {
                platform: spec.name,
                key: setting.key,
                label: setting.label,
                help: spec.help,
            });
        }
    }
    Ok((plain, secret))
}

fn find_setting(spec: &'static ConnectorSpec, key: &str) -> Option<&'static SettingSpec> {
    spec.settings
        .iter()
        .chain(COMMON_SETTINGS.iter())
        .find(|s| s.key == key)
}

/// A label from the first required plain setting (`Yelp · abc-123`), so two sources of one
/// platform on one business are told apart.
fn default_label(spec: &ConnectorSpec, plain: &Settings) -> String {
    let target = spec
        .settings
        .iter()
        .filter(|s| !s.secret)
        .find_map(|s| plain.get(s.key).filter(|v| !v.is_empty()));
    match target {
        Some(t) => format!("{} · {}", spec.label, t),
        None => spec.label.to_string(),
    }
}

/// One live request to check a source: fetches its first page without storing anything.
pub async fn test_source(
    source: &crate::store::Source,
    secrets: &dyn SecretStore,
    http: &Http,
) -> std::result::Result<usize, SourceError> {
    let spec = spec(&source.connector)
        .ok_or_else(|| SourceError::Config(format!("unknown platform `{}`", source.connector)))?;
    let settings = settings_of(&source.settings);
    let ctx = Ctx::new(source.id, spec, &settings, secrets, http);
    let page = fetch_page(&ctx, &PageRequest::default()).await?;
    Ok(page.items.len())
}

/// A source's stored settings as strings (numbers and booleans written by hand are accepted).
pub fn settings_of(v: &serde_json::Value) -> Settings {
    let mut out = Settings::new();
    if let Some(obj) = v.as_object() {
        for (k, v) in obj {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            out.insert(k.clone(), s);
        }
    }
    out
}

/// Shorthand for an item with the fields every connector fills.
pub(crate) fn item(
    platform: &str,
    external_id: impl Into<String>,
    kind: crate::model::Kind,
    body: String,
    created_at: DateTime<Utc>,
) -> IncomingReview {
    IncomingReview {
        external_id: external_id.into(),
        platform: platform.to_string(),
        kind,
        author: None,
        rating: None,
        title: None,
        body,
        url: None,
        language: None,
        created_at,
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    }
}
