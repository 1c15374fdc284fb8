//! X (Twitter) API v2 recent search: `GET /2/tweets/search/recent` with an app-only bearer
//! token, `next_token` paging, newest first. An incremental run asks only for posts after the
//! last run's newest id (`since_id`), so every page it gets is new.
//!
//! Beside search, the account's @-mentions: `GET /2/users/:id/mentions` (the cheaper read for
//! them, paged by `pagination_token`), where the source names the account (`user_id`, or
//! `username`, looked up once a run with `GET /2/users/by/username/:username`). A run reads
//! search first, then mentions; the page token says which (`m:` before a mentions token).
//! Either may be left out, not both.
//!
//! Recent search reaches back seven days and refuses a `since_id` older than that, so a
//! watermark that has aged out (a laptop closed for a week) is dropped rather than failing the
//! source for good. Posts are mentions: no stars. Authors come from the `includes.users`
//! expansion; without it a post still maps, with no author.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{IncomingReview, Kind};
use crate::platforms::http::parse_json;
use crate::platforms::http::Http;
use crate::platforms::oauth::{self, Flow, Redirect, SignIn};
use crate::platforms::shaped;
use crate::platforms::SignedIn;
use crate::platforms::{json_request, missing, reply_url, setting, stored_secret};
use crate::platforms::{sign_in_first, BodyParser, BoxFuture, Has};
use crate::platforms::{ConnectorSpec, Feed};
use crate::platforms::{Platform, Replier};
use crate::replies::coach::Limit;
use crate::replies::outbox::{Planned, Target};
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::ReplyCredentials;
use crate::secrets::Secret;
use crate::sources::text::{newer, parse_time, path_segment};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;
use serde_json::json;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::DeveloperKey,
    cost: "Paid per use: X charges for every post read (about US$0.005 each in 2026) from credits you buy in the X developer console. Earshot reads only new posts each time it checks.",
    approval: "An X developer account and app; no review by X.",
    steps: &[
        "Sign in at developer.x.com, create a project and app, and buy credits.",
        "Under the app's Keys and tokens, copy the Bearer token.",
        "Connect it here with your search words, your X username for @-mentions, or both.",
    ],
    without_api: "None: X has no feed or export of posts about you that Earshot can read.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "x",
    platform: "x",
    browser_sign_in: true,
    label: "X",
    feed: Feed::Mentions,
    help: "Needs a Bearer token from an app in the X developer portal \
           (https://developer.x.com → Projects & Apps → your app → Keys and tokens → Bearer \
           token). Recent search is paid per post read and reaches back 7 days.",
    guide: GUIDE,
    default_base_url: "https://api.x.com",
    settings: &[
        crate::platforms::s(
            "query",
            "Search for",
            "An X search query (≤ 512 characters), such as `\"Joe's Cafe\" OR @joescafe -is:retweet`. \
             Optional when your account is named below.",
            false,
            false,
        ),
        crate::platforms::s(
            USERNAME,
            "Your X account",
            "Your business's X username (without @), to read every post that @-mentions it.",
            false,
            false,
        ),
        crate::platforms::s(
            USER_ID,
            "Your X account's id",
            "Its numeric id, if you know it: saves one lookup each check.",
            false,
            false,
        ),
        crate::platforms::s(
            "bearer_token",
            "Bearer token",
            "The app-only Bearer token from your app's Keys and tokens page.",
            true,
            true,
        ),
        crate::platforms::s(
            "client_id",
            "OAuth 2.0 Client ID (to reply)",
            "To reply from Earshot: in your app's User authentication settings choose \
             \"Native App\" (a public client), add the callback http://127.0.0.1:53682/callback \
             exactly, and copy the OAuth 2.0 Client ID from Keys and tokens. Then sign in: \
             `earshot sources auth ID` or Review sites → Sign in. Each reply costs X credits, and X \
             may refuse replies to people who did not mention you.",
            false,
            false,
        ),
        crate::platforms::s(
            "redirect_uri",
            "Callback address",
            "The callback registered for your app, if not http://127.0.0.1:53682/callback; X \
             needs it to match exactly.",
            false,
            false,
        ),
    ],
    interval_minutes: 5,
    lists_everything: false,
    // 450 requests per 15 minutes per app: one every 2 s.
    min_interval_ms: 2000,
    review_hosts: crate::platforms::LinkHosts::Only(&["x.com", "twitter.com", "t.co"]),
};

/// The settings naming the account whose @-mentions are read.
const USERNAME: &str = "username";
const USER_ID: &str = "user_id";

/// Where a mentions page token starts: `m:` alone is the first page of mentions.
const MENTIONS: &str = "m:";

/// Posts per page: the API's maximum (10–100).
const MAX_RESULTS: u32 = 100;

/// How far back recent search reaches. A `since_id` older than this is refused with a 400, so
/// an older watermark is left out (a margin keeps a request in flight from crossing the line).
const SEARCH_WINDOW: Duration = Duration::hours(7 * 24 - 1);

/// X ids are snowflakes: milliseconds since this epoch, shifted left 22 bits.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

#[derive(Deserialize, Default)]
struct Body {
    #[serde(default)]
    data: Vec<Value>,
    #[serde(default)]
    includes: Includes,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize, Default)]
struct Includes {
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Deserialize)]
struct User {
    id: String,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct Tweet {
    id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    author_id: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let query = ctx.get("query");
    let account = ctx.get(USER_ID).or_else(|| ctx.get(USERNAME)).is_some();
    if query.is_none() && !account {
        return Err(SourceError::Config(
            "an X source needs a search query, your X username, or both".into(),
        ));
    }
    let token = ctx.require_secret("bearer_token")?;
    let mentions_page = req.page.as_deref().and_then(|p| p.strip_prefix(MENTIONS));
    let mut page = match (query, mentions_page) {
        (Some(query), None) => search(ctx, req, query, token.expose()).await?,
        (_, page) => {
            return mentions(ctx, req, page.filter(|p| !p.is_empty()), token.expose()).await
        }
    };
    // Search is done: mentions next, where the source names its account.
    if page.next.is_none() && account {
        page.next = Some(MENTIONS.to_string());
    }
    Ok(page)
}

/// One page of recent search.
async fn search(ctx: &Ctx<'_>, req: &PageRequest, query: &str, token: &str) -> Result<Page> {
    let url = format!("{}/2/tweets/search/recent", ctx.base_url());
    let mut params: Vec<(&str, String)> = vec![
        ("query", query.to_string()),
        ("max_results", MAX_RESULTS.to_string()),
        (
            "tweet.fields",
            "created_at,author_id,lang,public_metrics".to_string(),
        ),
        ("expansions", "author_id".to_string()),
        ("user.fields", "username".to_string()),
    ];
    // The same since_id on every page of a run: X pages within one query.
    if let Some(w) = req
        .watermark
        .as_deref()
        .filter(|_| !req.full)
        .filter(|w| within_window(w, ctx.now))
    {
        params.push(("since_id", w.to_string()));
    }
    if let Some(t) = &req.page {
        params.push(("next_token", t.clone()));
    }
    let reply = ctx
        .send(|c| c.get(&url).bearer_auth(token).query(&params))
        .await?;
    let body: Value = reply.json()?;
    parse_search(&body)
}

/// One page of the account's @-mentions: `page` continues a run's mentions.
async fn mentions(
    ctx: &Ctx<'_>,
    req: &PageRequest,
    page: Option<&str>,
    token: &str,
) -> Result<Page> {
    let id = user_id(ctx, token).await?;
    let url = format!("{}/2/users/{}/mentions", ctx.base_url(), path_segment(&id));
    let mut params: Vec<(&str, String)> = vec![
        ("max_results", MAX_RESULTS.to_string()),
        ("tweet.fields", "created_at,author_id,lang".to_string()),
        ("expansions", "author_id".to_string()),
        ("user.fields", "username".to_string()),
    ];
    if let Some(w) = req.watermark.as_deref().filter(|_| !req.full) {
        params.push(("since_id", w.to_string()));
    }
    if let Some(t) = page {
        params.push(("pagination_token", t.to_string()));
    }
    let reply = ctx
        .send(|c| c.get(&url).bearer_auth(token).query(&params))
        .await?;
    let body: Value = reply.json()?;
    let mut out = parse_search(&body)?;
    out.next = out.next.map(|t| format!("{MENTIONS}{t}"));
    Ok(out)
}

/// The account's numeric id: the `user_id` setting, else looked up by `username` (once a run).
async fn user_id(ctx: &Ctx<'_>, token: &str) -> Result<String> {
    if let Some(id) = ctx.get(USER_ID) {
        return Ok(id.trim().to_string());
    }
    if let Some(id) = ctx.session_token(USER_ID) {
        return Ok(id.expose().to_string());
    }
    let name = ctx.require(USERNAME)?.trim().trim_start_matches('@');
    let url = format!(
        "{}/2/users/by/username/{}",
        ctx.base_url(),
        path_segment(name)
    );
    let reply = ctx.send(|c| c.get(&url).bearer_auth(token)).await?;
    let body: Value = reply.json()?;
    let id = body
        .pointer("/data/id")
        .and_then(Value::as_str)
        .filter(|i| !i.is_empty())
        .ok_or_else(|| {
            SourceError::Config(format!(
                "X knows no account @{name} ({}); check `username`",
                crate::platforms::http::platform_message(&reply.body)
                    .unwrap_or_else(|| "no id in its answer".into())
            ))
        })?;
    ctx.keep_session_token(USER_ID, crate::secrets::Secret::new(id));
    Ok(id.to_string())
}

/// Maps one search response. No matches means no `data` key at all, which is an empty page.
pub fn parse_search(body: &Value) -> Result<Page> {
    if !body.is_object() {
        return Err(SourceError::BadResponse(
            "expected an object with `data`".into(),
        ));
    }
    let parsed: Body = shaped(body, "the X search response")?;
    let users: HashMap<&str, &str> = parsed
        .includes
        .users
        .iter()
        .filter_map(|u| Some((u.id.as_str(), u.username.as_deref()?)))
        .collect();
    let items = parsed
        .data
        .iter()
        .map(|raw| parse_tweet(raw, &users))
        .collect::<Result<Vec<_>>>()?;
    let high = items
        .iter()
        .map(|i| i.external_id.as_str())
        .reduce(newer)
        .map(str::to_owned);
    let next = parsed
        .meta
        .next_token
        .filter(|t| !t.is_empty() && !items.is_empty());
    Ok(Page { items, next, high })
}

fn parse_tweet(raw: &Value, users: &HashMap<&str, &str>) -> Result<IncomingReview> {
    let t: Tweet = shaped(raw, "a post from X")?;
    // created_at is asked for; should X leave it out, the id itself holds the time.
    let created = t
        .created_at
        .as_deref()
        .and_then(parse_time)
        .or_else(|| snowflake_time(&t.id))
        .ok_or_else(|| SourceError::BadResponse(format!("post {} has no readable time", t.id)))?;
    let username = t.author_id.as_deref().and_then(|a| users.get(a).copied());
    let mut it = item("x", t.id.clone(), Kind::Mention, t.text, created);
    it.author = username.map(|u| format!("@{u}"));
    it.url = Some(match username {
        Some(u) => format!("https://x.com/{u}/status/{}", t.id),
        None => format!("https://x.com/i/web/status/{}", t.id),
    });
    // `und` (undetermined) and `zxx` (no linguistic content) are not languages.
    it.language = t.lang.filter(|l| !matches!(l.as_str(), "und" | "zxx" | ""));
    it.raw_json = Some(raw.to_string());
    Ok(it)
}

/// When a post with this id was created, from the id alone.
fn snowflake_time(id: &str) -> Option<DateTime<Utc>> {
    let n: u64 = id.parse().ok()?;
    let ms = i64::try_from(n >> 22).ok()? + SNOWFLAKE_EPOCH_MS;
    Utc.timestamp_millis_opt(ms).single()
}

/// Whether recent search still accepts this id as `since_id`. An id that does not read as a
/// snowflake is sent as it is: X's answer then says what is wrong.
fn within_window(id: &str, now: DateTime<Utc>) -> bool {
    snowflake_time(id).is_none_or(|t| now - t < SEARCH_WINDOW)
}

/// X, as the registry knows it.
pub struct X;

impl Platform for X {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_search(&parse_json(body)?).map(|p| p.items))
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }

    fn reply_limit(&self) -> Option<Limit> {
        Some(Limit::Weighted(280))
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["twitter", "x.com", "x/twitter"]
    }

    fn display_label(&self) -> Option<&'static str> {
        Some("X")
    }

    fn sign_in(
        &self,
        source: &crate::store::Source,
        _secrets: &dyn crate::secrets::SecretStore,
    ) -> Option<Result<SignIn>> {
        Some(sign_in_flow(source).and_then(|f| oauth::begin(source.id, source.label.clone(), f)))
    }
}

/// A reply is a post in the mention's thread; X has no edit.
impl Replier for X {
    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        Ok(json_request(
            Method::POST,
            reply_url(base, "/2/tweets"),
            json!({ "text": body, "reply": { "in_reply_to_tweet_id": target.external_id } }),
            false,
        ))
    }

    fn delete_path(&self) -> Option<&'static str> {
        Some("/2/tweets/")
    }

    fn posted_id(&self, answer: &Value) -> Option<String> {
        answer
            .pointer("/data/id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn signed_in(&self) -> Option<&'static SignedIn> {
        Some(&SIGNED_IN)
    }

    /// X refuses API replies in conversations where the author did not mention or engage the
    /// account (docs.x.com, "Reply to this conversation is not allowed…").
    fn refusal_hint(&self, status: u16, body: &Value) -> Option<&'static str> {
        let detail = body
            .get("detail")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match status {
            403 if detail.contains("not allowed") || detail.contains("mentioned") => Some(
                "X lets an account reply through its API only where the author mentioned it; \
                 copy the reply, open the post on X and reply there",
            ),
            403 if detail.contains("Application-Only") => Some(
                "X needs your account's sign-in to post, not the Bearer token; sign in \
                 (Review sites → Sign in)",
            ),
            _ => None,
        }
    }

    fn missing(&self, source_id: SourceId, settings: &Value, has: &Has) -> Option<String> {
        if self.holds_credentials(has) {
            return None;
        }
        let how = if setting(settings, &["client_id"]).is_none() {
            "set the OAuth 2.0 Client ID of your X app (a \"Native App\" with the callback \
             http://127.0.0.1:53682/callback)"
        } else {
            "the Bearer token only reads"
        };
        Some(sign_in_first("X", source_id, how))
    }
}

// ---------------------------------------------------------------------------------------------
// Replying as the owner: OAuth 2.0 authorization code with PKCE as a native (public) client.
// docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code and …/user-access-token.

/// X's consent page.
const AUTH_URL: &str = "https://x.com/i/oauth2/authorize";
/// The callback Earshot listens on unless the source names another; X needs the exact address
/// registered for the app, port included.
pub const DEFAULT_REDIRECT: &str = "http://127.0.0.1:53682/callback";
/// Posting a reply as the owner, and a refresh token (`offline.access`).
pub const SCOPES: &str = "tweet.read tweet.write users.read offline.access";

/// `POST /2/oauth2/token` beside the API, unless the source names another address.
fn token_url(settings: &Value) -> String {
    match setting(settings, &["token_url"]) {
        Some(u) => u.to_string(),
        None => super::api_url(&SPEC, settings, "/2/oauth2/token"),
    }
}

/// The owner's user token while it has minutes left (user tokens live two hours), else a
/// renewed one; with no sign-in kept, a user token given ready-made (`EARSHOT_TOKEN_X`). The
/// app-only Bearer token reads but cannot post (X answers 403 "Unsupported Authentication").
const SIGNED_IN: SignedIn = SignedIn {
    renew: |http, creds, source_id, settings| Box::pin(refresh(http, creds, source_id, settings)),
    not_signed_in,
};

fn not_signed_in(source_id: SourceId) -> ReplyError {
    ReplyError::Outbox(format!(
        "X replies are posted as your account, and Earshot is not signed in to it: set the \
         source's OAuth 2.0 Client ID, then sign in (Review sites → Sign in, or `earshot sources auth \
         {source_id}`). The Bearer token only reads"
    ))
}

/// The sign-in of an X source, from its settings.
fn sign_in_flow(source: &crate::store::Source) -> Result<Flow> {
    let settings = &source.settings;
    let client_id = setting(settings, &["client_id"]).ok_or_else(|| {
        SourceError::Config(format!(
            "source {} has no client_id: set the OAuth 2.0 Client ID of your X app (a \
             \"Native App\" with the callback {DEFAULT_REDIRECT}) with `earshot sources add x \
             --help` as a guide",
            source.id
        ))
    })?;
    Ok(Flow {
        who: "X",
        auth_url: setting(settings, &["auth_url"])
            .unwrap_or(AUTH_URL)
            .to_string(),
        token_url: token_url(settings),
        client_id: client_id.to_string(),
        // A public client: PKCE only, no secret.
        client_secret: None,
        scope: SCOPES.into(),
        needs_scope: "tweet.write",
        scope_refused: "X did not grant posting (tweet.write); sign in again and allow it",
        redirect: Redirect::Loopback(
            setting(settings, &["redirect_uri"])
                .unwrap_or(DEFAULT_REDIRECT)
                .to_string(),
        ),
        pkce: true,
        needs_refresh: Some(
            "X sent no refresh token (offline.access was not granted); sign in again and allow it",
        ),
        extra: &[],
        hint: "check the source's client_id (the OAuth 2.0 Client ID of a \"Native App\") and \
               that the callback is registered exactly"
            .into(),
    })
}

/// Trades the newest refresh token for a new access token, and keeps both: X may rotate the
/// refresh token, and the old one then stops working.
async fn refresh(
    http: &Http,
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
    settings: &Value,
) -> ReplyResult<Secret> {
    let refresh =
        stored_secret(creds, source_id, oauth::REFRESH)?.ok_or_else(|| not_signed_in(source_id))?;
    let client_id =
        setting(settings, &["client_id"]).ok_or_else(|| missing(&SPEC, "OAuth 2.0 Client ID"))?;
    let again = format!(
        "sign in to X again (Review sites → Sign in, or `earshot sources auth {source_id}`)"
    );
    let tokens = oauth::request(
        http,
        &token_url(settings),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("client_id", client_id),
        ],
        None,
        "X",
        &again,
    )
    .await;
    let tokens = match tokens {
        Ok(t) => t,
        Err(e) => {
            // The app and the CLI may both have renewed with the same refresh token: the other
            // one's rotation made this one stale, and its new token is kept.
            let rotated = stored_secret(creds, source_id, oauth::REFRESH)?
                .is_some_and(|now| now.expose() != refresh.expose());
            if rotated {
                if let Some(token) = oauth::fresh(creds, source_id)? {
                    return Ok(token);
                }
            }
            return Err(oauth::reply_error(
                e,
                std::slice::from_ref(&refresh),
                "X did not renew the sign-in",
            ));
        }
    };
    tokens.keep(creds, source_id);
    Ok(tokens.access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_response_maps_authors_from_includes() {
        let v: Value = serde_json::from_str(
            r#"{"data":[{"id":"1790000000000000001","text":"@joescafe nice","created_at":"2024-05-01T18:04:11.000Z","author_id":"2244","lang":"en","edit_history_tweet_ids":["1790000000000000001"]},
                        {"id":"1790000000000000002","text":"pie?","created_at":"2024-05-01T19:00:00.000Z","author_id":"9999","lang":"und"}],
                "includes":{"users":[{"id":"2244","username":"kim","name":"Kim"}]},
                "meta":{"result_count":2,"newest_id":"1790000000000000002","next_token":"b26v"}}"#,
        )
        .unwrap();
        let page = parse_search(&v).unwrap();
        assert_eq!(page.items.len(), 2);
        let a = &page.items[0];
        assert_eq!(a.kind, Kind::Mention);
        assert_eq!(a.rating, None);
        assert_eq!(a.author.as_deref(), Some("@kim"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://x.com/kim/status/1790000000000000001")
        );
        assert_eq!(a.language.as_deref(), Some("en"));
        assert!(a.raw_json.as_deref().unwrap().contains("edit_history"));
        let b = &page.items[1];
        assert_eq!(b.author, None);
        assert_eq!(
            b.url.as_deref(),
            Some("https://x.com/i/web/status/1790000000000000002")
        );
        assert_eq!(b.language, None);
        assert_eq!(page.high.as_deref(), Some("1790000000000000002"));
        assert_eq!(page.next.as_deref(), Some("b26v"));
    }

    #[test]
    fn no_matches_has_no_data_key_and_is_an_empty_page() {
        let v: Value = serde_json::from_str(r#"{"meta":{"result_count":0}}"#).unwrap();
        let page = parse_search(&v).unwrap();
        assert!(page.items.is_empty());
        assert_eq!((page.next, page.high), (None, None));
    }

    #[test]
    fn ids_carry_their_time_and_old_watermarks_are_dropped() {
        // 1790000000000000000 >> 22 is 426770329583 ms after the X epoch: 2024-05-13.
        let t = snowflake_time("1790000000000000000").unwrap();
        assert_eq!(t.format("%Y-%m-%d").to_string(), "2024-05-13");
        assert!(within_window("1790000000000000000", t + Duration::days(6)));
        assert!(!within_window("1790000000000000000", t + Duration::days(8)));
        assert!(within_window("not-a-number", t));
    }

    #[test]
    fn twitter_folds_to_x() {
        assert_eq!(crate::platform::normalise_platform("Twitter"), "x");
        assert_eq!(crate::platform::platform_label("x"), "X");
    }

    #[test]
    fn a_reply_is_measured_by_xs_weighted_count() {
        use crate::replies::coach::{check, CheckContext, WarningCode};
        // The link is to the owner's own site (their contact's domain), so the coach's `link`
        // check has nothing to say and only the length counts.
        let contacts = ["joe@joescafe.com".to_string()];
        let ctx = CheckContext {
            platform: SPEC.platform,
            owner_contacts: &contacts,
            ..Default::default()
        };
        // A link counts 23 whatever its length.
        let tweet = format!("{} https://joescafe.com/menu", "a".repeat(256));
        assert!(check(&tweet, &ctx).is_empty());
        let over = format!("a{tweet}");
        let codes: Vec<_> = check(&over, &ctx).into_iter().map(|w| w.code).collect();
        assert!(codes.contains(&WarningCode::TooLong));
    }
}
