//! Bluesky post search: `GET /xrpc/app.bsky.feed.searchPosts?sort=latest`, `cursor` paging,
//! newest first.
//!
//! With a handle and an app password the connector logs in once per run
//! (`com.atproto.server.createSession`) and searches through the PDS (bsky.social) with the
//! session's `accessJwt`; without them it tries the public AppView anonymously, which Bluesky
//! sometimes refuses. `record.createdAt` is set by the poster's app and can be anything, so the
//! watermark is the server's `indexedAt`. Posts are mentions: no stars.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::text::{parse_time, time_mark};
use super::{item, ConnectorSpec, Ctx, Feed, Page, PageRequest, Result, SourceError};
use crate::model::{IncomingReview, Kind};
use crate::secrets::Secret;

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "bluesky",
    label: "Bluesky",
    feed: Feed::Mentions,
    help: "Searching may work without an account, but Bluesky often asks for one: give your \
           handle and an app password (Bluesky → Settings → Privacy and security → App \
           passwords → Add). Never use your main password.",
    default_base_url: PUBLIC_BASE,
    settings: &[
        super::s(
            "query",
            "Search for",
            "Words to search posts for, such as your business's name.",
            true,
            false,
        ),
        super::s(
            "handle",
            "Handle",
            "Your Bluesky handle (name.bsky.social), to log in.",
            false,
            false,
        ),
        super::s(
            "app_password",
            "App password",
            "An app password from Settings → Privacy and security → App passwords.",
            false,
            true,
        ),
    ],
    interval_minutes: 5,
    lists_everything: false,
    // 3,000 requests per 5 minutes per address.
    min_interval_ms: 100,
};

/// The public AppView, for anonymous search.
const PUBLIC_BASE: &str = "https://public.api.bsky.app";
/// Bluesky's own PDS, for logged-in search.
const PDS_BASE: &str = "https://bsky.social";

/// Posts per page: the API's maximum.
const LIMIT: u32 = 100;

const SESSION: &str = "bluesky_access_jwt";

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    posts: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Post {
    uri: String,
    #[serde(default)]
    author: Author,
    #[serde(default)]
    record: Record,
    #[serde(default)]
    indexed_at: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Author {
    #[serde(default)]
    handle: Option<String>,
    #[serde(default)]
    did: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Record {
    #[serde(default)]
    text: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    langs: Vec<String>,
}

#[derive(Serialize)]
struct Login<'a> {
    identifier: &'a str,
    password: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    #[serde(default)]
    access_jwt: Option<String>,
}

/// The handle and app password, when both are given.
fn credentials(ctx: &Ctx<'_>) -> Result<Option<(String, Secret)>> {
    match (ctx.get("handle"), ctx.secret("app_password")?) {
        (Some(h), Some(p)) if !p.expose().trim().is_empty() => {
            Ok(Some((h.trim_start_matches('@').to_string(), p)))
        }
        (Some(_), _) => Err(SourceError::Config(
            "a handle is set but no app password is stored; add the source again with \
             `--set app_password=…`"
                .into(),
        )),
        (None, Some(_)) => Err(SourceError::Config(
            "an app password is stored but no handle; add the source again with \
             `--set handle=you.bsky.social`"
                .into(),
        )),
        _ => Ok(None),
    }
}

fn base(ctx: &Ctx<'_>, logged_in: bool) -> String {
    match (ctx.base_url_overridden(), logged_in) {
        (true, _) | (false, false) => ctx.base_url(),
        (false, true) => PDS_BASE.to_string(),
    }
}

async fn session(ctx: &Ctx<'_>, base: &str, handle: &str, password: &Secret) -> Result<Secret> {
    if let Some(t) = ctx.session_token(SESSION) {
        return Ok(t);
    }
    let url = format!("{base}/xrpc/com.atproto.server.createSession");
    let login = Login {
        identifier: handle,
        password: password.expose(),
    };
    let reply = ctx
        .send(|c| c.post(&url).json(&login))
        .await
        .map_err(|e| match e {
            SourceError::Auth { status, detail } => SourceError::Auth {
                status,
                detail: format!(
                    "{}check the handle, and use an app password, not the account password",
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!("{detail}; ")
                    }
                ),
            },
            other => other,
        })?;
    let s: Session = reply.json()?;
    let jwt = s
        .access_jwt
        .filter(|j| !j.is_empty())
        .ok_or_else(|| SourceError::BadResponse("the login answer had no access token".into()))?;
    let jwt = Secret::new(jwt);
    ctx.keep_session_token(SESSION, jwt.clone());
    Ok(jwt)
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let query = ctx.require("query")?;
    let creds = credentials(ctx)?;
    let base = base(ctx, creds.is_some());
    let jwt = match &creds {
        Some((handle, password)) => Some(session(ctx, &base, handle, password).await?),
        None => None,
    };
    let url = format!("{base}/xrpc/app.bsky.feed.searchPosts");
    let mut params: Vec<(&str, String)> = vec![
        ("q", query.to_string()),
        ("sort", "latest".into()),
        ("limit", LIMIT.to_string()),
    ];
    if let Some(c) = &req.page {
        params.push(("cursor", c.clone()));
    }
    let reply = ctx
        .send(|c| {
            let r = c.get(&url).query(&params);
            match &jwt {
                Some(t) => r.bearer_auth(t.expose()),
                None => r,
            }
        })
        .await
        .map_err(|e| match e {
            SourceError::Auth { status, detail } if jwt.is_none() => SourceError::Auth {
                status,
                detail: format!(
                    "{}Bluesky wants a login for search: add `handle` and `app_password`",
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!("{detail}; ")
                    }
                ),
            },
            other => other,
        })?;
    let body: Body = reply.json()?;
    let parsed = parse_posts(&body.posts)?;
    let high = parsed.iter().map(|(_, m)| m.clone()).max();
    // Newest first: once a page reaches what the last run saw, older pages hold nothing new.
    let reached = !req.full
        && req
            .watermark
            .as_deref()
            .is_some_and(|w| parsed.iter().any(|(_, m)| m.as_str() <= w));
    let more = !parsed.is_empty() && !reached;
    Ok(Page {
        items: parsed.into_iter().map(|(i, _)| i).collect(),
        next: body.cursor.filter(|c| more && !c.is_empty()),
        high,
    })
}

/// Maps posts, each with its watermark (`indexedAt`, as a [`time_mark`]).
pub fn parse_posts(posts: &[Value]) -> Result<Vec<(IncomingReview, String)>> {
    posts
        .iter()
        .map(|raw| {
            let p: Post = serde_json::from_value(raw.clone()).map_err(|e| {
                SourceError::BadResponse(format!(
                    "a Bluesky post did not have the expected shape: {e}"
                ))
            })?;
            let indexed = p.indexed_at.as_deref().and_then(parse_time);
            let claimed = p.record.created_at.as_deref().and_then(parse_time);
            // The poster's clock may be wrong; a post cannot be written after it was indexed.
            let created = match (claimed, indexed) {
                (Some(c), Some(i)) => c.min(i),
                (c, i) => c.or(i).ok_or_else(|| {
                    SourceError::BadResponse(format!("post {} has no readable time", p.uri))
                })?,
            };
            let mark = time_mark(&indexed.unwrap_or(created));
            let mut it = item(
                "bluesky",
                p.uri.clone(),
                Kind::Mention,
                p.record.text.trim().to_string(),
                created,
            );
            let who = p.author.handle.clone().or(p.author.did.clone());
            it.author = p.author.handle.clone().map(|h| format!("@{h}"));
            let _ = p.author.display_name;
            it.url = match (who, rkey(&p.uri)) {
                (Some(h), Some(k)) => Some(format!("https://bsky.app/profile/{h}/post/{k}")),
                _ => None,
            };
            it.language = p.record.langs.into_iter().next();
            it.raw_json = Some(raw.to_string());
            Ok((it, mark))
        })
        .collect()
}

/// The record key of a post: the last segment of `at://did/app.bsky.feed.post/{rkey}`.
fn rkey(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let _did = parts.next()?;
    let collection = parts.next()?;
    let key = parts.next()?;
    (collection == "app.bsky.feed.post" && !key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_post_maps_with_a_web_link_and_indexed_time_mark() {
        let v: Value = serde_json::from_str(
            r#"[{"uri":"at://did:plc:abc/app.bsky.feed.post/3kq2","cid":"bafy","author":{"did":"did:plc:abc","handle":"kim.bsky.social","displayName":"Kim"},
                 "record":{"$type":"app.bsky.feed.post","text":"Joe's pie is great","createdAt":"2024-05-01T18:04:11.000Z","langs":["en"]},
                 "indexedAt":"2024-05-01T18:04:12.345Z","likeCount":3}]"#,
        )
        .unwrap();
        let items = parse_posts(v.as_array().unwrap()).unwrap();
        let (p, mark) = &items[0];
        assert_eq!(p.external_id, "at://did:plc:abc/app.bsky.feed.post/3kq2");
        assert_eq!(p.kind, Kind::Mention);
        assert_eq!(p.rating, None);
        assert_eq!(p.author.as_deref(), Some("@kim.bsky.social"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://bsky.app/profile/kim.bsky.social/post/3kq2")
        );
        assert_eq!(p.language.as_deref(), Some("en"));
        assert_eq!(p.created_at.to_rfc3339(), "2024-05-01T18:04:11+00:00");
        assert_eq!(mark, "2024-05-01T18:04:12.345Z");
    }

    #[test]
    fn a_post_dated_in_the_future_is_dated_when_indexed() {
        let v: Value = serde_json::from_str(
            r#"[{"uri":"at://did:plc:x/app.bsky.feed.post/k","author":{"handle":"a.b"},"record":{"text":"hi","createdAt":"2099-01-01T00:00:00Z"},"indexedAt":"2024-05-01T18:04:12.345Z"}]"#,
        )
        .unwrap();
        let items = parse_posts(v.as_array().unwrap()).unwrap();
        assert_eq!(items[0].0.created_at.format("%Y").to_string(), "2024");
    }

    #[test]
    fn record_keys_come_from_post_uris_only() {
        assert_eq!(
            rkey("at://did:plc:abc/app.bsky.feed.post/3kq2"),
            Some("3kq2")
        );
        assert_eq!(rkey("at://did:plc:abc/app.bsky.feed.like/3kq2"), None);
        assert_eq!(rkey("https://bsky.app"), None);
    }
}
