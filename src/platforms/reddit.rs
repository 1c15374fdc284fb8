//! Reddit search, two ways in.
//!
//! Without an approved app (Reddit closed self-service API keys in November 2025, and refuses
//! anonymous `.json` since about May 2026), the public search feed: `GET
//! https://www.reddit.com/search.rss?q=…&sort=new`, Atom, posts only, the 25 newest; one
//! request a sync, at most [`FEED_PER_MINUTE`] a minute for all Reddit feed sources together,
//! with an honest, descriptive User-Agent (Reddit's API rules; it bans agents that pretend to
//! be browsers).
//!
//! With an approved app (a client id and secret), app-only OAuth as before: a token from
//! `POST /api/v1/access_token` (Basic `client_id:client_secret`,
//! `grant_type=client_credentials`), kept for the run, then `GET /search?sort=new` with `after`
//! paging, newest first. Both ways key posts by their fullname (`t3_…`), so a source that gets
//! an app later keeps its items.
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
use crate::platforms::{shaped, BodyParser, BoxFuture, Platform};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::coach::Limit;
use crate::secrets::Secret;
use crate::sources::text::{parse_time, time_mark, unix_time};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::NoAccount,
    cost: "Free.",
    approval: "None for the public search feed. Reddit's API needs Reddit's approval since November 2025 (self-service keys are closed); only with an approved app add its client id and secret.",
    steps: &[
        "Connect it here with your search words, such as your business's name in quotes.",
        "Optionally set `user_agent` to name your Reddit account, as Reddit asks.",
        "If Reddit approves an app of yours, add its client id and secret to read comments too.",
    ],
    without_api: "This works without the API: Reddit's public search feed gives the newest posts (not comments). Reddit may close the feed; Earshot then says so.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "reddit",
    platform: "reddit",
    browser_sign_in: false,
    label: "Reddit",
    feed: Feed::Mentions,
    help: "Posts on Reddit that mention your search words. Works without any account: Earshot \
           reads Reddit's public search feed (new posts only, not comments). Reddit stopped \
           giving out API keys to everyone in November 2025; if Reddit has approved an app of \
           yours, add its client id and secret to read comments too.",
    guide: GUIDE,
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
            "Client id (approved apps only)",
            "Only if Reddit approved an app of yours: the id under the app's name at \
             reddit.com/prefs/apps. Leave empty to read the public search feed.",
            false,
            false,
        ),
        crate::platforms::s(
            "client_secret",
            "Client secret (approved apps only)",
            "The approved app's secret, with its client id.",
            false,
            true,
        ),
        crate::platforms::s(
            "user_agent",
            "User agent",
            "How Earshot introduces itself to Reddit, e.g. `desktop:earshot:0.1 (by /u/yourname)`. \
             Reddit blocks vague ones; the default names Earshot and its version.",
            false,
            false,
        ),
    ],
    interval_minutes: 5,
    lists_everything: false,
    // About 100 requests a minute per client (reported).
    min_interval_ms: 600,
    review_hosts: crate::platforms::LinkHosts::Only(&["reddit.com", "redd.it"]),
};

/// Items per page: Reddit's maximum.
const LIMIT: u32 = 100;

/// Where app-only tokens and the public search feed come from, unless the source points at a
/// test server.
const AUTH_BASE: &str = "https://www.reddit.com";

/// Feed requests a minute at most, for all Reddit feed sources together (Reddit's limit for
/// callers without OAuth).
pub const FEED_PER_MINUTE: usize = 10;

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

fn user_agent(ctx: &Ctx<'_>, client_id: Option<&str>) -> String {
    ctx.get("user_agent").map(str::to_owned).unwrap_or_else(|| {
        let app =
            client_id.map_or_else(|| "app.earshot".to_string(), |c| format!("app.earshot.{c}"));
        format!(
            "desktop:{app}:v{} (Earshot review monitor; https://earshot.app)",
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
    let Some(client_id) = ctx.get("client_id") else {
        return fetch_feed(ctx, query).await;
    };
    let agent = user_agent(ctx, Some(client_id));
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
    Ok(super::newest_first_page(
        req,
        items,
        |i| time_mark(&i.created_at),
        listing.data.after,
    ))
}

/// One read of the public search feed: the newest posts matching `query`, no paging.
async fn fetch_feed(ctx: &Ctx<'_>, query: &str) -> Result<Page> {
    let agent = user_agent(ctx, None);
    let url = format!("{}/search.rss", auth_base(ctx));
    feed_turn(&url).await;
    let params = [("q", query), ("sort", "new")];
    let reply = ctx
        .send(|c| {
            c.get(&url)
                .header(reqwest::header::USER_AGENT, &agent)
                .query(&params)
        })
        .await
        .map_err(|e| match e {
            SourceError::Auth { status, detail } => SourceError::Auth {
                status,
                detail: format!(
                    "Reddit refused its public search feed ({detail}); it blocks some networks \
                     and may close the feed. Try again later; an approved Reddit app \
                     (client id and secret) reads through the API instead"
                ),
            },
            other => other,
        })?;
    let (items, skipped) = crate::platforms::rss::parse_entries(&reply.body, "reddit")?;
    ctx.skip(skipped);
    let items: Vec<IncomingReview> = items.into_iter().map(feed_item).collect();
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    Ok(Page {
        items,
        next: None,
        high,
    })
}

/// A feed entry as the API would give it: `u/name` for `/u/name`, the post's fullname as its id.
fn feed_item(mut it: IncomingReview) -> IncomingReview {
    it.author = it
        .author
        .take()
        .map(|a| a.trim().trim_start_matches('/').to_string())
        .filter(|a| !a.is_empty() && a != "u/[deleted]");
    it
}

/// Waits until a feed request keeps within [`FEED_PER_MINUTE`] in any minute, for every
/// feed source of this process at `url`.
async fn feed_turn(url: &str) {
    use std::collections::{HashMap, VecDeque};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    static SENT: Mutex<Option<HashMap<String, VecDeque<Instant>>>> = Mutex::new(None);
    let minute = Duration::from_secs(60);
    loop {
        let wait = {
            let mut all = SENT.lock().expect("feed pacing lock");
            let sent = all
                .get_or_insert_with(HashMap::new)
                .entry(url.to_string())
                .or_default();
            let now = Instant::now();
            while sent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= minute)
            {
                sent.pop_front();
            }
            if sent.len() < FEED_PER_MINUTE {
                sent.push_back(now);
                return;
            }
            minute - now.duration_since(sent[0])
        };
        tokio::time::sleep(wait).await;
    }
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
        let t: Thing = shaped(raw, "a Reddit item")?;
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

    /// The public search feed's Atom entry, as Reddit serves it (a saved
    /// https://www.reddit.com/search.rss?q=…&sort=new, trimmed), plus an entry without dates.
    const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><category term=" reddit.com" label="r/ reddit.com"/><updated>2026-11-20T10:00:00+00:00</updated><id>/search.rss?q=harbour+lane&amp;sort=new</id><link rel="self" href="https://www.reddit.com/search.rss?q=harbour+lane&amp;sort=new" type="application/atom+xml" /><link rel="alternate" href="https://www.reddit.com/search?q=harbour+lane&amp;sort=new" type="text/html" /><title>reddit.com: search results - harbour lane</title>
<entry><author><name>/u/breadfan</name><uri>https://www.reddit.com/user/breadfan</uri></author><category term="portland" label="r/portland"/><content type="html">&lt;!-- SC_OFF --&gt;&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Harbour Lane buns are back!&lt;/p&gt;&lt;/div&gt;</content><id>t3_1abcde</id><link href="https://www.reddit.com/r/portland/comments/1abcde/harbour_lane_buns/" /><updated>2026-11-20T09:58:00+00:00</updated><published>2026-11-20T09:58:00+00:00</published><title>Harbour Lane buns</title></entry>
<entry><author><name>/u/nodate</name></author><id>t3_zzz</id><title>No date</title></entry>
</feed>"#;

    #[test]
    fn the_public_search_feed_maps_posts_like_the_api_and_counts_undated_entries() {
        let (items, skipped) =
            crate::platforms::rss::parse_entries(FEED.as_bytes(), "reddit").unwrap();
        assert_eq!(skipped, 1);
        let it = feed_item(items.into_iter().next().unwrap());
        assert_eq!(it.external_id, "t3_1abcde");
        assert_eq!(it.platform, "reddit");
        assert_eq!(it.author.as_deref(), Some("u/breadfan"));
        assert_eq!(it.title.as_deref(), Some("Harbour Lane buns"));
        assert!(
            it.body.contains("Harbour Lane buns are back!"),
            "{}",
            it.body
        );
        assert_eq!(
            it.url.as_deref(),
            Some("https://www.reddit.com/r/portland/comments/1abcde/harbour_lane_buns/")
        );
    }

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
