//! Bluesky post search: `GET /xrpc/app.bsky.feed.searchPosts?sort=latest`, `cursor` paging,
//! newest first.
//!
//! Search needs a login: Bluesky has refused anonymous `searchPosts` since January 2025 (the
//! public AppView answers 403). So the source takes a handle and an app password; once a run
//! the handle is resolved to the account's own server ([`identity`]: DID, then the DID
//! document's `#atproto_pds`), the connector logs in there
//! (`com.atproto.server.createSession`) and searches through it with the session's
//! `accessJwt` (the PDS forwards `app.bsky.*` to the AppView). `record.createdAt` is set by the
//! poster's app and can be anything, so the watermark is the server's `indexedAt`. Posts are
//! mentions: no stars.

pub mod identity;
pub mod records;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{IncomingReview, Kind};
use crate::platforms::http::{parse_json, Http, Pace};
use crate::platforms::shaped;
use crate::platforms::{json_request, missing, reply_url, setting, stored_secret, stored_token};
use crate::platforms::{BodyParser, BoxFuture, Has, LocalBoxFuture, Platform, Replier};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::coach::Limit;
use crate::replies::outbox::{Auth, Planned, Target};
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::ReplyCredentials;
use crate::secrets::Secret;
use crate::sources::text::{parse_time, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::YourAccount,
    cost: "Free.",
    approval: "A Bluesky account: Bluesky lets only signed-in accounts search (since January 2025).",
    steps: &[
        "In Bluesky, Settings → Privacy and security → App passwords → Add, and copy the app password (never your main password).",
        "Connect it here with your search words, your handle and the app password.",
    ],
    without_api: "None: Bluesky's search needs a login, and there is no feed of search results.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "bluesky",
    platform: "bluesky",
    browser_sign_in: false,
    label: "Bluesky",
    feed: Feed::Mentions,
    help: "Posts on Bluesky that mention your search words. Bluesky only lets signed-in \
           accounts search (since January 2025), so Earshot needs your handle and an app \
           password: in Bluesky, Settings → Privacy and security → App passwords → Add. Never \
           give your main password; an app password can be revoked on its own.",
    guide: GUIDE,
    default_base_url: PUBLIC_BASE,
    settings: &[
        crate::platforms::s(
            "query",
            "Search for",
            "Words to search posts for, such as your business's name.",
            true,
            false,
        ),
        crate::platforms::s(
            "handle",
            "Handle",
            "Your Bluesky handle (name.bsky.social, or your own domain), to log in: Bluesky \
             lets only signed-in accounts search.",
            true,
            false,
        ),
        crate::platforms::s(
            "app_password",
            "App password",
            "An app password from Settings → Privacy and security → App passwords (not your \
             main password).",
            true,
            true,
        ),
        crate::platforms::s(
            PDS,
            "Your Bluesky server",
            "Only if you host your own account server: its address. Earshot otherwise finds it \
             from your handle.",
            false,
            false,
        ),
    ],
    interval_minutes: 5,
    lists_everything: false,
    // 3,000 requests per 5 minutes per address.
    min_interval_ms: 100,
    review_hosts: crate::platforms::LinkHosts::Only(&["bsky.app"]),
};

/// The public AppView: the spec's address (a test server or proxy replaces it, and then every
/// lookup goes there).
const PUBLIC_BASE: &str = "https://public.api.bsky.app";
/// Bluesky's entryway, which forwards to the account's PDS (the reply half's default).
const PDS_BASE: &str = "https://bsky.social";

/// The setting naming the account's PDS, skipping resolution (an address: a restore compares
/// it like the others).
const PDS: &str = "pds_url";

/// Posts per page: the API's maximum.
const LIMIT: u32 = 100;

const SESSION: &str = "bluesky_access_jwt";
/// The secret a session's access token is kept under between runs.
pub const STORED_SESSION: &str = "bluesky_session";
/// The PDS found this run (not a secret; kept beside the session).
const PDS_FOUND: &str = "bluesky_pds";

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
struct SessionAnswer {
    #[serde(default)]
    access_jwt: Option<String>,
    #[serde(default)]
    did: Option<String>,
}

/// The handle and app password: both are needed, since Bluesky refuses anonymous search.
fn credentials(ctx: &Ctx<'_>) -> Result<(String, Secret)> {
    match (ctx.get("handle"), ctx.secret("app_password")?) {
        (Some(h), Some(p)) if !p.expose().trim().is_empty() => {
            Ok((h.trim().trim_start_matches('@').to_string(), p))
        }
        (Some(_), _) => Err(SourceError::Config(
            "a handle is set but no app password is stored; add the source again with \
             `--set app_password=…`"
                .into(),
        )),
        (None, _) => Err(SourceError::Config(
            "Bluesky lets only signed-in accounts search (since January 2025): add the source \
             again with `--set handle=you.bsky.social --set app_password=…` (an app password \
             from Bluesky → Settings → Privacy and security → App passwords)"
                .into(),
        )),
    }
}

/// The account's PDS: the `pds` setting, else resolved from the handle (at the source's
/// overridden address for every lookup, where it has one).
async fn pds(ctx: &Ctx<'_>, handle: &str) -> Result<String> {
    let pds = match ctx.get(PDS) {
        Some(p) => p.trim().trim_end_matches('/').to_string(),
        None => {
            let hosts = if ctx.base_url_overridden() {
                identity::Hosts::at(&ctx.base_url())
            } else {
                identity::Hosts::public()
            };
            identity::resolve(ctx.http, &ctx.pace(), &hosts, handle)
                .await?
                .pds
        }
    };
    // The app password goes there: only https (or http to this computer, a test server).
    crate::store::check_endpoint(&pds).map_err(|why| {
        SourceError::Config(format!(
            "Earshot will not send your app password to the Bluesky server {pds}: {why}"
        ))
    })?;
    Ok(pds)
}

/// The session's access token, and whether it was kept from an earlier run. Bluesky limits
/// logins (30 in 5 minutes, 300 a day per account), so the token is kept with the source's
/// secrets between runs and a login happens only when it has expired (about two hours).
async fn session(
    ctx: &Ctx<'_>,
    base: &str,
    handle: &str,
    password: &Secret,
) -> Result<(Secret, bool)> {
    if let Some(t) = ctx.session_token(SESSION) {
        return Ok((t, false));
    }
    if let Ok(Some(t)) = ctx.secrets.get(ctx.source_id, STORED_SESSION) {
        if !t.expose().is_empty() {
            ctx.keep_session_token(SESSION, t.clone());
            return Ok((t, true));
        }
    }
    let jwt = login(ctx.http, &ctx.pace(), base, handle, password)
        .await?
        .access_jwt;
    ctx.keep_session_token(SESSION, jwt.clone());
    // Best effort: without a keyring the next run logs in again.
    let _ = ctx.secrets.set(ctx.source_id, STORED_SESSION, &jwt);
    Ok((jwt, false))
}

/// Forgets a kept session the server refused (expired, or for another server).
fn forget_session(ctx: &Ctx<'_>) {
    ctx.session.lock().expect("session lock").remove(SESSION);
    let _ = ctx.secrets.delete(ctx.source_id, STORED_SESSION);
}

/// A refusal of the credentials with what to do added to Bluesky's words; other errors as
/// they are.
fn refused_with(e: SourceError, what_to_do: &str) -> SourceError {
    match e {
        SourceError::Auth { status, detail } if detail.is_empty() => SourceError::Auth {
            status,
            detail: what_to_do.to_string(),
        },
        SourceError::Auth { status, detail } => SourceError::Auth {
            status,
            detail: format!("{detail}; {what_to_do}"),
        },
        other => other,
    }
}

/// A logged-in session: its access token and the account's DID.
pub(crate) struct Session {
    pub access_jwt: Secret,
    pub did: Option<String>,
}

/// Logs in at `base` with a handle and an app password (`com.atproto.server.createSession`):
/// the one Bluesky login, for reading and for replies. A refusal says to use an app password.
pub(crate) async fn login(
    http: &Http,
    pace: &Pace,
    base: &str,
    handle: &str,
    password: &Secret,
) -> Result<Session> {
    let url = format!(
        "{}/xrpc/com.atproto.server.createSession",
        base.trim_end_matches('/')
    );
    let login = Login {
        identifier: handle,
        password: password.expose(),
    };
    let reply = http
        .send(pace, |c| c.post(&url).json(&login))
        .await
        .map_err(|e| {
            refused_with(
                e,
                "check the handle, and use an app password, not the account password",
            )
        })?;
    let s: SessionAnswer = reply.json()?;
    let access_jwt = s
        .access_jwt
        .filter(|j| !j.is_empty())
        .ok_or_else(|| SourceError::BadResponse("the login answer had no access token".into()))?;
    Ok(Session {
        access_jwt: Secret::new(access_jwt),
        did: s.did.filter(|d| !d.is_empty()),
    })
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let query = ctx.require("query")?;
    let (handle, password) = credentials(ctx)?;
    let base = match ctx.session_token(PDS_FOUND) {
        Some(b) => b.expose().to_string(),
        None => {
            let b = pds(ctx, &handle).await?;
            ctx.keep_session_token(PDS_FOUND, Secret::new(b.clone()));
            b
        }
    };
    let (mut jwt, kept) = session(ctx, &base, &handle, &password).await?;
    let url = format!("{base}/xrpc/app.bsky.feed.searchPosts");
    let mut params: Vec<(&str, String)> = vec![
        ("q", query.to_string()),
        ("sort", "latest".into()),
        ("limit", LIMIT.to_string()),
    ];
    if let Some(c) = &req.page {
        params.push(("cursor", c.clone()));
    }
    let search = |jwt: Secret| {
        let (url, params) = (&url, &params);
        async move {
            ctx.send(|c| c.get(url).query(params).bearer_auth(jwt.expose()))
                .await
        }
    };
    let reply = match search(jwt.clone()).await {
        // A kept session has expired (Bluesky answers 400 ExpiredToken, or 401): log in anew,
        // once.
        Err(SourceError::Auth { .. } | SourceError::Rejected { status: 400, .. }) if kept => {
            forget_session(ctx);
            jwt = session(ctx, &base, &handle, &password).await?.0;
            search(jwt).await?
        }
        other => other?,
    };
    let body: Body = reply.json()?;
    let parsed = parse_posts(&body.posts)?;
    let high = parsed.iter().map(|(_, m)| m.clone()).max();
    // Newest first: once a page reaches what the last run saw, older pages hold nothing new.
    let reached = crate::platforms::reached_watermark(req, parsed.iter().map(|(_, m)| m));
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
            let p: Post = shaped(raw, "a Bluesky post")?;
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

/// Bluesky, as the registry knows it.
pub struct Bluesky;

impl Platform for Bluesky {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| {
            parse_posts(&crate::platforms::list(&parse_json(body)?, "posts"))
                .map(|p| p.into_iter().map(|(i, _)| i).collect())
        })
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }

    fn reply_limit(&self) -> Option<Limit> {
        // app.bsky.feed.post `text`: at most 300 graphemes.
        Some(Limit::Graphemes(300))
    }
}

/// A reply is a post record in the owner's repository, in the mention's thread (see
/// [`records`]); posts are never edited.
impl Replier for Bluesky {
    /// The owner's PDS, or Bluesky's entryway, which forwards to it.
    fn reply_base_url(&self, _settings: &Value) -> String {
        PDS_BASE.to_string()
    }

    fn needs_raw_json(&self) -> bool {
        true
    }

    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        let repo = target
            .account
            .or_else(|| setting(target.settings, &["handle"]).map(|h| h.trim_start_matches('@')))
            .ok_or_else(|| missing(&SPEC, "handle"))?;
        let refs =
            records::reply_refs(target.external_id, target.raw_json).map_err(ReplyError::Outbox)?;
        let record = records::post_record(body, refs, target.now);
        Ok(json_request(
            Method::POST,
            reply_url(base, "/xrpc/com.atproto.repo.createRecord"),
            records::create_input(repo, record),
            false,
        ))
    }

    fn plan_delete(
        &self,
        base: &str,
        _review_external_id: &str,
        reply_id: Option<&str>,
        _settings: &Value,
    ) -> ReplyResult<Planned> {
        let uri = crate::platforms::reply_id(&SPEC, reply_id, "delete")?;
        let input = records::delete_input(uri).ok_or_else(|| {
            ReplyError::Outbox(format!(
                "{uri:?} is not a Bluesky post address, so Earshot cannot delete it; delete \
                 it on Bluesky"
            ))
        })?;
        Ok(json_request(
            Method::POST,
            reply_url(base, "/xrpc/com.atproto.repo.deleteRecord"),
            input,
            true,
        ))
    }

    /// The new post's `at://` address: what deleting it needs.
    fn posted_id(&self, answer: &Value) -> Option<String> {
        answer.get("uri").and_then(Value::as_str).map(str::to_owned)
    }

    /// The handle and the app password themselves: Bluesky keeps no token to fall back on.
    fn missing(&self, _source_id: SourceId, settings: &Value, has: &Has) -> Option<String> {
        let password = self.credential_keys().iter().any(|key| has(key));
        (setting(settings, &["handle"]).is_none() || !password).then(|| {
            "Bluesky replies are posted as your account: add the source again with your handle \
             and an app password (Bluesky → Settings → Privacy and security → App passwords)."
                .into()
        })
    }

    /// The app password a session logs in with.
    fn credential_keys(&self) -> &'static [&'static str] {
        &["app_password"]
    }

    /// A session logged in with the owner's handle and app password, writing to the session's
    /// DID; not kept, since replies are rare and a session costs one request. A ready-made
    /// token (`EARSHOT_TOKEN_BLUESKY`) is used where no app password is stored.
    fn authorise<'a>(
        &'a self,
        http: &'a Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
        base: &'a str,
    ) -> LocalBoxFuture<'a, ReplyResult<Auth>> {
        Box::pin(async move {
            let handle = setting(settings, &["handle"]).map(|h| h.trim().trim_start_matches('@'));
            match (handle, stored_secret(creds, source_id, "app_password")?) {
                (Some(handle), Some(password)) => {
                    // The account's own PDS, unless the source or the outbox names a server.
                    let home = if base == PDS_BASE {
                        let hosts = identity::Hosts {
                            resolver: setting(settings, &["resolver_url"])
                                .unwrap_or(identity::RESOLVER)
                                .to_owned(),
                            plc: setting(settings, &["plc_url"])
                                .unwrap_or(identity::PLC_DIRECTORY)
                                .to_owned(),
                            did_web: None,
                        };
                        let found = identity::resolve(http, &Pace::replies(), &hosts, handle)
                            .await
                            .map_err(|e| ReplyError::Outbox(e.to_string()))?;
                        Some(found)
                    } else {
                        None
                    };
                    let server = home.as_ref().map_or(base, |h| h.pds.as_str());
                    let session = login(http, &Pace::replies(), server, handle, &password)
                        .await
                        .map_err(|e| ReplyError::Outbox(format!("Bluesky did not log in: {e}")))?;
                    Ok(Auth {
                        token: session.access_jwt,
                        account: session
                            .did
                            .or_else(|| home.as_ref().map(|h| h.did.clone()))
                            .or_else(|| Some(handle.to_string())),
                        base: home.map(|h| h.pds),
                    })
                }
                (handle, _) => match stored_token(&SPEC, creds, source_id) {
                    Ok(auth) => Ok(Auth {
                        account: handle.map(str::to_owned),
                        ..auth
                    }),
                    Err(_) => Err(ReplyError::Outbox(
                        "no Bluesky app password is stored for this source; add the source \
                         again with your handle and an app password (Bluesky → Settings → \
                         Privacy and security → App passwords)"
                            .into(),
                    )),
                },
            }
        })
    }
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

    #[test]
    fn replies_count_graphemes_so_a_family_emoji_is_one_character() {
        use crate::replies::coach::{check, CheckContext, WarningCode};
        let ctx = CheckContext {
            platform: SPEC.platform,
            ..Default::default()
        };
        // 299 letters and a family emoji of seven code points: 300 graphemes, within the limit.
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}";
        let draft = format!("{}{family}", "a".repeat(299));
        assert!(draft.chars().count() > 300);
        assert!(check(&draft, &ctx).is_empty());
        let over = format!("{draft}!");
        let w = &check(&over, &ctx)[0];
        assert_eq!(w.code, WarningCode::TooLong);
        assert!(
            w.message.contains("300 characters; this one is 301"),
            "{}",
            w.message
        );
    }
}
