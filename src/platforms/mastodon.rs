//! Mastodon: a hashtag's public timeline on one instance (`GET /api/v1/timelines/tag/{tag}`),
//! keyless; with an access token, status search (`GET /api/v2/search?type=statuses`). Paging
//! goes older with `max_id`; an incremental run asks only for statuses after the last run's
//! newest (`since_id`). Ids are strings compared numerically; `content` is HTML.

use serde::Deserialize;
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{IncomingReview, Kind};
use crate::platforms::http::{parse_json, Http, Pace};
use crate::platforms::oauth::{self, Flow, Redirect, SignIn};
use crate::platforms::{
    json_request, reply_url, setting, sign_in_first, stored_token, Has, LocalBoxFuture,
};
use crate::platforms::{sent_time, shaped};
use crate::platforms::{BodyParser, BoxFuture, Platform, Replier};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::coach::Limit;
use crate::replies::outbox::Auth;
use crate::replies::outbox::{Planned, Target};
use crate::replies::ReplyError;
use crate::replies::Result as ReplyResult;
use crate::secrets::ReplyCredentials;
use crate::secrets::{Secret, SecretStore};
use crate::sources::text::{html_to_text, newer, parse_time, path_segment};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;
use serde_json::json;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::NoAccount,
    cost: "Free.",
    approval: "None for a hashtag on most servers; an access token from your server to search words (some servers also ask for one for hashtags).",
    steps: &[
        "Pick the server (mastodon.social or yours) and the hashtag to follow, without #.",
        "To search words instead: on your server, Preferences → Development → New application, with read:search, and copy its access token.",
        "Connect it here.",
    ],
    without_api: "A hashtag needs no account: its public timeline is read as a feed.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "mastodon",
    platform: "mastodon",
    browser_sign_in: true,
    label: "Mastodon",
    feed: Feed::Mentions,
    help: "No account needed for a hashtag: give the instance (mastodon.social) and the tag \
           without #. Searching words and replying need your account: sign in with `earshot \
           sources auth ID` (or Review sites → Sign in), which registers Earshot on your instance and \
           asks for read and write:statuses. A token you made yourself under Preferences → \
           Development only reads unless it has write:statuses.",
    guide: GUIDE,
    default_base_url: "",
    settings: &[
        crate::platforms::s(
            "instance",
            "Instance",
            "The server to read from, such as mastodon.social.",
            true,
            false,
        ),
        crate::platforms::s(
            "tag",
            "Hashtag",
            "A hashtag to follow, without #.",
            false,
            false,
        ),
        crate::platforms::s(
            "query",
            "Search for",
            "Words to search for (needs an access token).",
            false,
            false,
        ),
        crate::platforms::s(
            "access_token",
            "Access token",
            "Only for word search; signing in sets it, with the right to reply.",
            false,
            true,
        ),
    ],
    interval_minutes: 5,
    lists_everything: false,
    // 300 requests per 5 minutes per address.
    min_interval_ms: 1000,
    review_hosts: crate::platforms::LinkHosts::Unfixed,
};

const LIMIT: u32 = 40;

#[derive(Deserialize)]
struct Status {
    id: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    created_at: String,
    #[serde(default)]
    edited_at: Option<String>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    spoiler_text: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    account: Option<Account>,
}

#[derive(Deserialize)]
struct Account {
    #[serde(default)]
    acct: Option<String>,
}

fn base(ctx: &Ctx<'_>) -> Result<String> {
    if ctx.base_url_overridden() {
        return Ok(ctx.base_url());
    }
    let instance = ctx.require("instance")?;
    let host = instance
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    Ok(format!("https://{host}"))
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    ctx.require("instance")?;
    let base = base(ctx)?;
    let mut params: Vec<(&str, String)> = vec![("limit", LIMIT.to_string())];
    if let Some(max_id) = &req.page {
        params.push(("max_id", max_id.clone()));
    }
    if let Some(w) = req.watermark.as_deref().filter(|_| !req.full) {
        params.push(("since_id", w.to_string()));
    }
    let (url, token) = match (ctx.get("tag"), ctx.get("query")) {
        (Some(tag), _) => (
            format!(
                "{base}/api/v1/timelines/tag/{}",
                path_segment(tag.trim_start_matches('#'))
            ),
            // A hashtag is public: a token only widens what it sees, and no keyring is no token.
            ctx.optional_secret("access_token")?,
        ),
        (None, Some(q)) => {
            params.push(("q", q.to_string()));
            params.push(("type", "statuses".to_string()));
            params.push(("resolve", "false".to_string()));
            (
                format!("{base}/api/v2/search"),
                Some(ctx.require_secret("access_token")?),
            )
        }
        (None, None) => {
            return Err(SourceError::Config(
                "give a hashtag (`--set tag=…`) or words to search (`--set query=…`)".into(),
            ))
        }
    };
    let reply = ctx
        .send(|c| {
            let r = c.get(&url).query(&params);
            match &token {
                Some(t) => r.bearer_auth(t.expose()),
                None => r,
            }
        })
        .await?;
    let v: Value = reply.json()?;
    let statuses = match &v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .get("statuses")
            .and_then(|s| s.as_array())
            .cloned()
            .unwrap_or_default(),
        _ => {
            return Err(SourceError::BadResponse(
                "expected a list of statuses".into(),
            ))
        }
    };
    let items = parse_statuses(&statuses)?;
    let high = items
        .iter()
        .map(|i| i.external_id.as_str())
        .reduce(newer)
        .map(str::to_owned);
    let oldest = items
        .iter()
        .map(|i| i.external_id.as_str())
        .reduce(|a, b| if newer(a, b) == a { b } else { a })
        .map(str::to_owned);
    // Search pages by offset, not max_id; one page of search is the newest that matter.
    let paged = ctx.get("tag").is_some();
    Ok(Page {
        items,
        next: oldest.filter(|_| paged && statuses.len() as u32 >= LIMIT / 2),
        high,
    })
}

pub fn parse_statuses(statuses: &[Value]) -> Result<Vec<IncomingReview>> {
    statuses
        .iter()
        .map(|raw| {
            let s: Status = shaped(raw, "a Mastodon status")?;
            let created = sent_time(&s.created_at)?;
            let mut it = item(
                "mastodon",
                s.id,
                Kind::Mention,
                html_to_text(&s.content),
                created,
            );
            it.title = s.spoiler_text.filter(|t| !t.trim().is_empty());
            it.author = s.account.and_then(|a| a.acct);
            it.url = s.url.or(s.uri);
            it.language = s.language;
            it.updated_at = s.edited_at.as_deref().and_then(parse_time);
            it.raw_json = Some(raw.to_string());
            Ok(it)
        })
        .collect()
}

/// Mastodon, as the registry knows it.
pub struct Mastodon;

impl Platform for Mastodon {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| match parse_json(body)? {
            Value::Array(a) => parse_statuses(&a),
            v => parse_statuses(&crate::platforms::list(&v, "statuses")),
        })
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }

    fn reply_limit(&self) -> Option<Limit> {
        // Mastodon's default instance limit.
        Some(Limit::Chars(500))
    }

    fn sign_in(
        &self,
        source: &crate::store::Source,
        secrets: &dyn crate::secrets::SecretStore,
    ) -> Option<Result<SignIn>> {
        Some(sign_in(source, secrets))
    }
}

/// A reply is a public status in the mention's thread, on the owner's instance.
impl Replier for Mastodon {
    /// Mastodon lives on the owner's instance.
    fn reply_base_url(&self, settings: &Value) -> String {
        setting(settings, &["instance"]).map_or_else(
            || DEFAULT_INSTANCE.to_string(),
            |i| format!("https://{}", i.trim_start_matches("https://")),
        )
    }

    fn edits_in_place(&self) -> bool {
        true
    }

    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        Ok(json_request(
            Method::POST,
            reply_url(base, "/api/v1/statuses"),
            json!({ "status": body, "in_reply_to_id": target.external_id, "visibility": "public" }),
            false,
        ))
    }

    fn plan_update(&self, base: &str, reply_id: &str, body: &str) -> ReplyResult<Planned> {
        Ok(json_request(
            Method::PUT,
            reply_url(base, format_args!("/api/v1/statuses/{reply_id}")),
            json!({ "status": body }),
            true,
        ))
    }

    fn delete_path(&self) -> Option<&'static str> {
        Some("/api/v1/statuses/")
    }

    fn refusal_hint(&self, status: u16, body: &Value) -> Option<&'static str> {
        let error = body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default();
        (status == 403 && error.contains("outside the authorized scopes")).then_some(
            "the token Earshot has cannot post; sign in (Review sites → Sign in, or `earshot sources \
             auth`) and allow write:statuses",
        )
    }

    fn missing(&self, source_id: SourceId, _settings: &Value, has: &Has) -> Option<String> {
        (!self.holds_credentials(has)).then(|| {
            sign_in_first(
                "Mastodon",
                source_id,
                "Earshot registers itself on your instance and asks for write:statuses",
            )
        })
    }

    /// The token the sign-in kept (it does not expire). A token the owner made for search
    /// alone is sent too: Mastodon then answers 403 "This action is outside the authorized
    /// scopes", which the reply shows.
    fn authorise<'a>(
        &'a self,
        _http: &'a Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        _settings: &'a Value,
        _base: &'a str,
    ) -> LocalBoxFuture<'a, ReplyResult<Auth>> {
        Box::pin(std::future::ready(
            stored_token(&SPEC, creds, source_id).map_err(|_| {
                ReplyError::Outbox(format!(
                    "Mastodon replies are posted as your account, and Earshot is not signed in \
                     to it: sign in (Review sites → Sign in, or `earshot sources auth {source_id}`) \
                     and allow write:statuses"
                ))
            }),
        ))
    }
}

/// Where replies go when the source names no instance.
const DEFAULT_INSTANCE: &str = "https://mastodon.social";

// ---------------------------------------------------------------------------------------------
// Signing in: Earshot registers itself on the owner's instance (`POST /api/v1/apps`, a
// confidential client whose id and secret are kept in the keyring), then the authorization-code
// flow. Instances from 4.3.0 announce PKCE in `/.well-known/oauth-authorization-server` and get a
// loopback redirect with PKCE; older ones get the out-of-band code the owner pastes. Tokens do
// not expire (no refresh grant). docs.joinmastodon.org/methods/apps, /methods/oauth,
// /spec/oauth.

/// Reading (search included) and posting replies.
pub const SCOPES: &str = "read write:statuses";
/// Where the app's registered client id is kept (its secret is `client_secret`).
pub const CLIENT_ID_KEY: &str = "app_client_id";

/// The instance's address: the `base_url` override, else `https://{instance}`.
fn instance_base(settings: &Value) -> String {
    setting(settings, &["base_url"])
        .map(|b| b.trim_end_matches('/').to_string())
        .unwrap_or_else(|| Mastodon.reply_base_url(settings))
}

fn sign_in(source: &crate::store::Source, secrets: &dyn SecretStore) -> Result<SignIn> {
    let base = instance_base(&source.settings);
    // Registering twice leaves two apps: no blind retries.
    let (runtime, http) = oauth::one_shot()?;
    let pace = Pace::unpaced("mastodon-sign-in");
    // 4.3.0 and later describe their OAuth server; before, the discovery address is a 404.
    let meta: Option<Value> = runtime
        .block_on(http.send(&pace, |c| {
            c.get(format!("{base}/.well-known/oauth-authorization-server"))
        }))
        .ok()
        .and_then(|r| r.json().ok());
    let endpoint = |key: &str, path: &str| {
        meta.as_ref()
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .map_or_else(|| format!("{base}{path}"), str::to_owned)
    };
    let pkce = meta
        .as_ref()
        .and_then(|m| m.get("code_challenge_methods_supported"))
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|m| m == "S256"));
    let redirect = if pkce {
        let (listener, address) = oauth::listen(0, "/callback", "Mastodon")?;
        Redirect::Bound(listener, address)
    } else {
        Redirect::OutOfBand
    };
    let redirect_uri = match &redirect {
        Redirect::Bound(_, a) => a.clone(),
        _ => oauth::OUT_OF_BAND.to_string(),
    };
    // The redirect must match the registered one exactly, and the port is new each time: one
    // registration per sign-in.
    let form = [
        ("client_name", "Earshot"),
        ("redirect_uris", redirect_uri.as_str()),
        ("scopes", SCOPES),
    ];
    let app: Value = runtime
        .block_on(http.send(&pace, |c| c.post(format!("{base}/api/v1/apps")).form(&form)))
        .map_err(|e| {
            SourceError::Config(format!(
                "the instance {base} did not register Earshot: {e}; check the instance's name"
            ))
        })?
        .json()?;
    let text = |k: &str| app.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let (Some(client_id), Some(client_secret)) = (text("client_id"), text("client_secret")) else {
        return Err(SourceError::BadResponse(format!(
            "the instance {base} registered Earshot but sent no client id and secret"
        )));
    };
    let client_secret = Secret::new(client_secret);
    let keep = |k: &str, v: &Secret| {
        secrets
            .set(source.id, k, v)
            .map_err(|e| SourceError::Secrets(format!("the registration could not be kept: {e}")))
    };
    keep(CLIENT_ID_KEY, &Secret::new(client_id))?;
    keep("client_secret", &client_secret)?;
    oauth::begin(
        source.id,
        source.label.clone(),
        Flow {
            who: "Mastodon",
            auth_url: endpoint("authorization_endpoint", "/oauth/authorize"),
            token_url: endpoint("token_endpoint", "/oauth/token"),
            client_id: client_id.to_string(),
            client_secret: Some(client_secret),
            scope: SCOPES.into(),
            needs_scope: "write:statuses",
            scope_refused: "Mastodon did not grant posting (write:statuses); sign in again and \
                            allow it",
            redirect,
            pkce,
            // Mastodon's tokens live until revoked.
            needs_refresh: None,
            extra: &[],
            hint: "sign in again from Earshot (the code works once and only for a few minutes)"
                .into(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_content_becomes_text() {
        let v: Value = serde_json::from_str(
            r#"[{"id":"1123","url":"https://ex.social/@kim/1123","created_at":"2024-05-01T18:04:11.000Z","content":"<p>Great pie <a href=\"x\">#joescafe</a></p>","spoiler_text":"","account":{"acct":"kim@ex.social"}}]"#,
        )
        .unwrap();
        let items = parse_statuses(v.as_array().unwrap()).unwrap();
        assert_eq!(items[0].body, "Great pie #joescafe");
        assert_eq!(items[0].author.as_deref(), Some("kim@ex.social"));
        assert_eq!(items[0].title, None);
    }
}
