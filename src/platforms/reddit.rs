//! Reddit search with app-only OAuth: a token from `POST /api/v1/access_token` (Basic
//! `client_id:client_secret`, `grant_type=client_credentials`), kept for the run, then
//! `GET /search?sort=new` with `after` paging, newest first.
//!
//! Reddit requires a unique, descriptive `User-Agent` and blocks generic ones, often with a web
//! page rather than JSON; every request here carries the owner's agent or one naming this
//! client. Posts (`t3`: title and self text) and comments (`t1`: body) are mentions: no stars.
//! An incremental run stops paging at the first page that reaches the last run's newest item.

use base64::Engine;
use serde::Deserialize;
use serde_json::Value;

use crate::model::{IncomingReview, Kind};
use crate::platforms::http::parse_json;
use crate::platforms::{BodyParser, BoxFuture, Platform};
use crate::replies::coach::Limit;
use crate::secrets::Secret;
use crate::sources::text::{parse_time, time_mark, unix_time};
use crate::sources::{item, ConnectorSpec, Ctx, Feed, Page, PageRequest, Result, SourceError};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "reddit",
    platform: "reddit",
    browser_sign_in: false,
    label: "Reddit",
    feed: Feed::Mentions,
    help: "Needs a Reddit app: at https://www.reddit.com/prefs/apps choose \"create another \
           app…\", type \"script\", any redirect URL (http://localhost). The client id is the \
           string under the app's name; the secret is labelled \"secret\".",
    default_base_url: "https://oauth.reddit.com",
    settings: &[
        crate::platforms::s(
            "query",
            "Search for",
            "Words to search Reddit for, such as your business's name in quotes.",
            true,
            false,
        ),
        crate::platforms::s(
            "client_id",
            "Client id",
            "The id shown under your app's name at reddit.com/prefs/apps.",
            true,
            false,
        ),
        crate::platforms::s(
            "client_secret",
            "Client secret",
            "The app's secret from reddit.com/prefs/apps.",
            true,
            true,
        ),
        crate::platforms::s(
            "user_agent",
            "User agent",
            "How Earshot introduces itself to Reddit, e.g. `desktop:earshot:0.1 (by /u/yourname)`. \
             Reddit blocks vague ones; the default names your client id.",
            false,
            false,
        ),
    ],
    interval_minutes: 5,
    lists_everything: false,
    // About 100 requests a minute per client (reported).
    min_interval_ms: 600,
};

/// Items per page: Reddit's maximum.
const LIMIT: u32 = 100;

/// Where app-only tokens come from, unless the source points at a test server.
const AUTH_BASE: &str = "https://www.reddit.com";

const TOKEN: &str = "reddit_access_token";

#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    data: ListingData,
}

#[derive(Deserialize, Default)]
struct ListingData {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    children: Vec<Value>,
}

#[derive(Deserialize)]
struct Thing {
    kind: String,
    data: ThingData,
}

#[derive(Deserialize)]
struct ThingData {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    link_title: Option<String>,
    #[serde(default)]
    selftext: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    created_utc: Option<Value>,
    /// `false`, or when the item was last edited (float Unix seconds).
    #[serde(default)]
    edited: Option<Value>,
    #[serde(default)]
    permalink: Option<String>,
    #[serde(default)]
    subreddit_name_prefixed: Option<String>,
}

#[derive(Deserialize)]
struct TokenReply {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    error: Option<Value>,
}

fn user_agent(ctx: &Ctx<'_>, client_id: &str) -> String {
    ctx.get("user_agent").map(str::to_owned).unwrap_or_else(|| {
        format!(
            "desktop:app.earshot.{client_id}:v{} (Earshot review monitor)",
            env!("CARGO_PKG_VERSION")
        )
    })
}

/// Token requests go to www.reddit.com, or to the overridden base so one test server (or
/// proxy) serves both.
fn auth_base(ctx: &Ctx<'_>) -> String {
    if ctx.base_url_overridden() {
        ctx.base_url()
    } else {
        AUTH_BASE.to_string()
    }
}

async fn token(ctx: &Ctx<'_>, client_id: &str, agent: &str) -> Result<Secret> {
    if let Some(t) = ctx.session_token(TOKEN) {
        return Ok(t);
    }
    let secret = ctx.require_secret("client_secret")?;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{client_id}:{}", secret.expose()));
    let url = format!("{}/api/v1/access_token", auth_base(ctx));
    let reply = ctx
        .send(|c| {
            c.post(&url)
                .header(reqwest::header::USER_AGENT, agent)
                .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body("grant_type=client_credentials")
        })
        .await
        .map_err(blocked)?;
    let t: TokenReply = reply.json().map_err(blocked)?;
    // Reddit answers some refusals with 200 and `{"error": …}`.
    let token = match (t.access_token, t.error) {
        (Some(a), _) if !a.is_empty() => Secret::new(a),
        (_, e) => {
            return Err(SourceError::Auth {
                status: reply.status,
                detail: format!(
                    "no access token ({}); check the client id and secret, and that the app \
                     is a \"script\" app",
                    e.map_or_else(|| "none given".into(), |e| e.to_string().replace('"', ""))
                ),
            })
        }
    };
    ctx.keep_session_token(TOKEN, token.clone());
    Ok(token)
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let query = ctx.require("query")?;
    let client_id = ctx.require("client_id")?;
    let agent = user_agent(ctx, client_id);
    let token = token(ctx, client_id, &agent).await?;
    let url = format!("{}/search", ctx.base_url());
    let mut params: Vec<(&str, String)> = vec![
        ("q", query.to_string()),
        ("sort", "new".into()),
        ("t", "week".into()),
        ("limit", LIMIT.to_string()),
        ("raw_json", "1".into()),
    ];
    if let Some(after) = &req.page {
        params.push(("after", after.clone()));
    }
    let reply = ctx
        .send(|c| {
            c.get(&url)
                .header(reqwest::header::USER_AGENT, &agent)
                .bearer_auth(token.expose())
                .query(&params)
        })
        .await
        .map_err(blocked)?;
    let body: Value = reply.json().map_err(blocked)?;
    let listing: Listing = serde_json::from_value(body).map_err(|e| {
        SourceError::BadResponse(format!(
            "the Reddit listing did not have the expected shape: {e}"
        ))
    })?;
    let items = parse_listing(&listing.data.children)?;
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    let reached = !req.full
        && req
            .watermark
            .as_deref()
            .is_some_and(|w| items.iter().any(|i| time_mark(&i.created_at).as_str() <= w));
    let more = !items.is_empty() && !reached;
    Ok(Page {
        items,
        next: listing.data.after.filter(|a| more && !a.is_empty()),
        high,
    })
}

/// Reddit's block page (a web page where JSON was asked for) says nothing by itself.
fn blocked(e: SourceError) -> SourceError {
    match e {
        SourceError::BadResponse(m) if m.contains("web page") => SourceError::BadResponse(format!(
            "{m}; Reddit shows one when it blocks a request — check the client id, and set a \
             `user_agent` naming your Reddit account"
        )),
        other => other,
    }
}

/// Maps a listing's children: `t3` posts and `t1` comments; other kinds are skipped.
pub fn parse_listing(children: &[Value]) -> Result<Vec<IncomingReview>> {
    let mut out = Vec::with_capacity(children.len());
    for raw in children {
        let t: Thing = serde_json::from_value(raw.clone()).map_err(|e| {
            SourceError::BadResponse(format!(
                "a Reddit item did not have the expected shape: {e}"
            ))
        })?;
        if t.kind != "t3" && t.kind != "t1" {
            continue;
        }
        let d = t.data;
        let id = d
            .name
            .clone()
            .or_else(|| d.id.as_ref().map(|i| format!("{}_{i}", t.kind)))
            .filter(|i| !i.is_empty())
            .ok_or_else(|| SourceError::BadResponse("a Reddit item has no name".into()))?;
        let created = d
            .created_utc
            .as_ref()
            .and_then(unix_time)
            .ok_or_else(|| SourceError::BadResponse(format!("{id} has no readable time")))?;
        let (title, body) = if t.kind == "t3" {
            let title = d.title.clone().filter(|s| !s.trim().is_empty());
            let text = d.selftext.clone().unwrap_or_default();
            // A link post has no text of its own: its title is what was said.
            let body = if text.trim().is_empty() {
                title.clone().unwrap_or_default()
            } else {
                text
            };
            (title, body)
        } else {
            (
                d.link_title.clone().filter(|s| !s.trim().is_empty()),
                d.body.clone().unwrap_or_default(),
            )
        };
        let mut it = item(
            "reddit",
            id,
            Kind::Mention,
            body.trim().to_string(),
            created,
        );
        it.title = title;
        it.author = d
            .author
            .clone()
            .filter(|a| !a.is_empty() && a != "[deleted]")
            .map(|a| format!("u/{a}"));
        it.url = d.permalink.as_deref().map(|p| match p.starts_with("http") {
            true => p.to_string(),
            false => format!("https://www.reddit.com{p}"),
        });
        it.updated_at = d
            .edited
            .as_ref()
            .filter(|e| !matches!(e, Value::Bool(_)))
            .and_then(|e| unix_time(e).or_else(|| e.as_str().and_then(parse_time)))
            .filter(|u| *u > created);
        let _ = d.subreddit_name_prefixed;
        it.raw_json = Some(raw.to_string());
        out.push(it);
    }
    Ok(out)
}

/// Reddit, as the registry knows it.
pub struct Reddit;

impl Platform for Reddit {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| {
            let v: Value = parse_json(body)?;
            let children = v
                .pointer("/data/children")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            parse_listing(&children)
        })
    }

    fn reply_limit(&self) -> Option<Limit> {
        Some(Limit::Chars(10_000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_and_comments_map_with_absolute_links() {
        let v: Value = serde_json::from_str(
            r#"[{"kind":"t3","data":{"name":"t3_abc","id":"abc","title":"Joe's Cafe?","selftext":"Anyone tried it?","author":"u1","created_utc":1714586651.0,"permalink":"/r/pdx/comments/abc/joes_cafe/","edited":false,"subreddit_name_prefixed":"r/pdx"}},
                {"kind":"t3","data":{"name":"t3_def","title":"Joe's Cafe review video","selftext":"","author":"[deleted]","created_utc":1714586000,"permalink":"/r/pdx/comments/def/x/","edited":1714590000.5}},
                {"kind":"t1","data":{"name":"t1_ghi","body":"Their pie &gt; everything","link_title":"Best pie?","author":"u2","created_utc":1714580000.25,"permalink":"/r/pdx/comments/xyz/best_pie/ghi/"}},
                {"kind":"t5","data":{"name":"t5_sub","created_utc":1}}]"#,
        )
        .unwrap();
        let items = parse_listing(v.as_array().unwrap()).unwrap();
        assert_eq!(items.len(), 3, "subreddits are skipped");
        let post = &items[0];
        assert_eq!(post.external_id, "t3_abc");
        assert_eq!(post.kind, Kind::Mention);
        assert_eq!(post.rating, None);
        assert_eq!(post.title.as_deref(), Some("Joe's Cafe?"));
        assert_eq!(post.body, "Anyone tried it?");
        assert_eq!(post.author.as_deref(), Some("u/u1"));
        assert_eq!(
            post.url.as_deref(),
            Some("https://www.reddit.com/r/pdx/comments/abc/joes_cafe/")
        );
        assert_eq!(post.created_at.timestamp(), 1714586651);
        assert_eq!(post.updated_at, None);
        let link = &items[1];
        assert_eq!(link.body, "Joe's Cafe review video");
        assert_eq!(link.author, None);
        assert_eq!(link.updated_at.unwrap().timestamp(), 1714590000);
        let comment = &items[2];
        assert_eq!(comment.external_id, "t1_ghi");
        // raw_json=1 is asked for, so entities arrive decoded; this one is literal text.
        assert_eq!(comment.body, "Their pie &gt; everything");
        assert_eq!(comment.title.as_deref(), Some("Best pie?"));
    }

    #[test]
    fn a_block_page_says_what_to_check() {
        let e = blocked(SourceError::BadResponse(
            "it sent a web page instead of data".into(),
        ));
        assert!(e.to_string().contains("user_agent"), "{e}");
    }
}
