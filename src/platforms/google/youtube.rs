//! YouTube Data API v3 comment threads: `GET /youtube/v3/commentThreads` on every video of a
//! channel (`allThreadsRelatedToChannelId`) or on one video (`videoId`), with an API key,
//! `pageToken` paging, newest first.
//!
//! The API has no "since" filter, so an incremental run stops paging at the first page that
//! reaches the last run's newest comment. A thread's time is its top-level comment's latest
//! (`updatedAt` when edited), which is also how an edit shows. The channel's own replies in a
//! thread are the owner's reply. Comments are mentions: no stars.
//!
//! Quota runs out as a 403 (not a 429) and is paused until midnight Pacific by
//! [`crate::platforms::http::classify`]; comments turned off is a 403 too, which this module rewords so
//! it does not read as refused credentials.

use serde::Deserialize;
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{IncomingReview, Kind, OwnerReply};
use crate::platforms::http::{parse_json, Refusal};
use crate::platforms::SignedIn;
use crate::platforms::{json_request, reply_url, sign_in_first, Has};
use crate::platforms::{sent_time, shaped};
use crate::platforms::{BodyParser, BoxFuture, Platform, Replier};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::coach::Limit;
use crate::replies::outbox::{Planned, Target as ReplyTarget};
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::sources::text::{html_to_text, parse_time, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;
use serde_json::json;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::DeveloperKey,
    cost: "Free: Google gives each project 10,000 quota units a day, and a page of comments costs one.",
    approval: "None for reading: a Google Cloud project and an API key.",
    steps: &[
        "In the Google Cloud console (console.cloud.google.com), create a project and enable \"YouTube Data API v3\".",
        "Under Credentials, create an API key.",
        "Connect it here with your channel id (youtube.com/account_advanced shows it) or one video id.",
    ],
    without_api: "None: YouTube has no export of the comments on your videos.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "youtube",
    platform: "youtube",
    browser_sign_in: true,
    label: "YouTube",
    feed: Feed::Mentions,
    help: "Needs an API key: in the Google Cloud console (https://console.cloud.google.com) \
           enable \"YouTube Data API v3\", then APIs & Services → Credentials → Create \
           credentials → API key. Give your channel id (youtube.com/account_advanced shows it, \
           UC…) for comments on all your videos, or one video id.",
    guide: GUIDE,
    default_base_url: "https://www.googleapis.com",
    settings: &[
        crate::platforms::s(
            "channel_id",
            "Channel id",
            "Your channel's id (starts with UC): comments on all its videos. Give this or a video id.",
            false,
            false,
        ),
        crate::platforms::s(
            "video_id",
            "Video id",
            "One video's id (the v=… in its address): comments on that video only.",
            false,
            false,
        ),
        crate::platforms::s(
            "api_key",
            "API key",
            "A Google Cloud API key with YouTube Data API v3 enabled.",
            true,
            true,
        ),
        crate::platforms::s(
            "client_id",
            "OAuth client ID (to reply)",
            "To reply from Earshot: in the same project, APIs & Services → Credentials → Create \
             credentials → OAuth client ID → \"Desktop app\"; give its client ID and secret, \
             then sign in with the channel's Google account (`earshot sources auth ID` or \
             Review sites → Sign in). Set the OAuth consent screen to \"In production\", or Google \
             ends the sign-in after 7 days.",
            false,
            false,
        ),
        crate::platforms::s(
            "client_secret",
            "OAuth client secret (to reply)",
            "The secret of that \"Desktop app\" OAuth client.",
            false,
            true,
        ),
    ],
    interval_minutes: 5,
    lists_everything: false,
    // Limited by a daily quota (10,000 units, 1 per page), not by rate.
    min_interval_ms: 200,
    review_hosts: crate::platforms::LinkHosts::Only(&["youtube.com", "youtu.be"]),
};

/// Threads per page: the API's maximum.
const MAX_RESULTS: u32 = 100;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    #[serde(default)]
    items: Vec<Value>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct Thread {
    #[serde(default)]
    id: Option<String>,
    snippet: ThreadSnippet,
    #[serde(default)]
    replies: Option<Replies>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadSnippet {
    #[serde(default)]
    channel_id: Option<String>,
    #[serde(default)]
    video_id: Option<String>,
    top_level_comment: Comment,
}

#[derive(Deserialize, Default)]
struct Replies {
    #[serde(default)]
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    #[serde(default)]
    id: Option<String>,
    snippet: CommentSnippet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentSnippet {
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default)]
    text_display: String,
    #[serde(default)]
    text_original: Option<String>,
    #[serde(default)]
    author_display_name: Option<String>,
    #[serde(default)]
    author_channel_id: Option<ChannelRef>,
    published_at: String,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct ChannelRef {
    #[serde(default)]
    value: Option<String>,
}

/// Which comments a source follows: exactly one of the two.
enum Target<'a> {
    Channel(&'a str),
    Video(&'a str),
}

fn target<'a>(ctx: &'a Ctx<'_>) -> Result<Target<'a>> {
    match (ctx.get("channel_id"), ctx.get("video_id")) {
        (Some(c), None) => Ok(Target::Channel(c)),
        (None, Some(v)) => Ok(Target::Video(v)),
        (Some(_), Some(_)) => Err(SourceError::Config(
            "give either a channel id or a video id, not both: add the source again with one \
             of `--set channel_id=…` or `--set video_id=…`"
                .into(),
        )),
        (None, None) => Err(SourceError::Config(
            "give a channel id (`--set channel_id=UC…`) for all your videos, or a video id \
             (`--set video_id=…`) for one"
                .into(),
        )),
    }
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let target = target(ctx)?;
    let key = ctx.require_secret("api_key")?;
    let url = format!("{}/youtube/v3/commentThreads", ctx.base_url());
    let mut params: Vec<(&str, String)> = vec![("part", "snippet,replies".into())];
    match target {
        Target::Channel(c) => params.push(("allThreadsRelatedToChannelId", c.to_string())),
        Target::Video(v) => params.push(("videoId", v.to_string())),
    }
    params.extend([
        ("maxResults", MAX_RESULTS.to_string()),
        ("order", "time".to_string()),
        ("textFormat", "plainText".to_string()),
    ]);
    if let Some(t) = &req.page {
        params.push(("pageToken", t.clone()));
    }
    let reply = ctx
        .send(|c| c.get(&url).query(&params).query(&[("key", key.expose())]))
        .await
        .map_err(reword)?;
    let body: Body = reply.json()?;
    let owner = match target {
        Target::Channel(c) => Some(c),
        Target::Video(_) => None,
    };
    let items = parse_threads(&body.items, owner)?;
    // Newest first: once a page reaches what the last run saw, older pages hold nothing new.
    Ok(crate::platforms::newest_first_page(
        req,
        items,
        mark,
        body.next_page_token,
    ))
}

/// A comment's place in time: its last edit, or when it was posted.
fn mark(it: &IncomingReview) -> String {
    time_mark(&it.updated_at.unwrap_or(it.created_at).max(it.created_at))
}

/// YouTube's errors that are not what [`crate::platforms::http::classify`] makes of them by status.
fn reword(e: SourceError) -> SourceError {
    match e {
        SourceError::Auth {
            status: 403,
            detail,
        } if detail.to_lowercase().contains("disabled comments") => SourceError::Rejected {
            status: 403,
            detail: "comments are turned off for this video or channel, so there is \
                         nothing to read; turn them on in YouTube Studio or follow another video"
                .into(),
        },
        other => super::bad_key_is_auth(other),
    }
}

/// Maps comment threads. `owner` is the channel whose replies count as the owner's; without it
/// (a single video) each thread's own `channelId` (the video's channel) is used.
pub fn parse_threads(threads: &[Value], owner: Option<&str>) -> Result<Vec<IncomingReview>> {
    threads
        .iter()
        .map(|raw| {
            let t: Thread = shaped(raw, "a YouTube comment thread")?;
            let top = &t.snippet.top_level_comment;
            let id = top
                .id
                .clone()
                .or(t.id.clone())
                .filter(|i| !i.is_empty())
                .ok_or_else(|| SourceError::BadResponse("a comment thread has no id".into()))?;
            let created = sent_time(&top.snippet.published_at)?;
            let mut it = item(
                "youtube",
                id.clone(),
                Kind::Mention,
                text(&top.snippet),
                created,
            );
            it.author = top
                .snippet
                .author_display_name
                .clone()
                .filter(|a| !a.is_empty());
            it.updated_at = top
                .snippet
                .updated_at
                .as_deref()
                .and_then(parse_time)
                .filter(|u| *u > created);
            let video = t
                .snippet
                .video_id
                .as_deref()
                .or(top.snippet.video_id.as_deref());
            it.url = video.map(|v| format!("https://www.youtube.com/watch?v={v}&lc={id}"));
            let owner = owner.or(t.snippet.channel_id.as_deref());
            it.owner_reply = owner.and_then(|o| owner_reply(&t.replies, o));
            it.raw_json = Some(raw.to_string());
            Ok(it)
        })
        .collect()
}

/// Text of a comment. `textFormat=plainText` is asked for, but HTML (`<br>`, `&#39;`) has been
/// seen anyway, and a key without that parameter gets HTML: either way plain text is stored.
fn text(s: &CommentSnippet) -> String {
    let shown = if s.text_display.is_empty() {
        s.text_original.as_deref().unwrap_or("")
    } else {
        &s.text_display
    };
    if looks_like_html(shown) {
        html_to_text(shown)
    } else {
        shown.trim().to_string()
    }
}

fn looks_like_html(s: &str) -> bool {
    [
        "<br", "</", "<a ", "<b>", "<i>", "&amp;", "&quot;", "&#", "&lt;", "&gt;",
    ]
    .iter()
    .any(|m| s.contains(m))
}

/// The owner's first reply in the thread (the one response time is measured by). `replies`
/// holds only some of a thread's replies, so a reply may be found on a later sync.
fn owner_reply(replies: &Option<Replies>, owner: &str) -> Option<OwnerReply> {
    replies
        .as_ref()?
        .comments
        .iter()
        .filter(|c| {
            c.snippet
                .author_channel_id
                .as_ref()
                .and_then(|a| a.value.as_deref())
                == Some(owner)
        })
        .filter_map(|c| Some((parse_time(&c.snippet.published_at)?, c)))
        .min_by_key(|(t, _)| *t)
        .map(|(t, c)| OwnerReply {
            body: text(&c.snippet),
            replied_at: Some(t),
        })
        .filter(|r| !r.body.is_empty())
}

/// YouTube, as the registry knows it.
pub struct YouTube;

impl Platform for YouTube {
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_threads(&crate::platforms::list(&parse_json(body)?, "items"), None))
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }

    /// Reading needs only the API key; replying needs the owner's consent to
    /// `youtube.force-ssl`, through Google's installed-app sign-in.
    fn sign_in(
        &self,
        source: &crate::store::Source,
        secrets: &dyn crate::secrets::SecretStore,
    ) -> Option<Result<crate::platforms::oauth::SignIn>> {
        Some(super::sign_in::begin(source, secrets))
    }

    fn reply_limit(&self) -> Option<Limit> {
        // YouTube comments are capped at 10 000 characters.
        Some(Limit::Chars(10_000))
    }

    fn refusal(&self, status: u16, body: &Value) -> Option<Refusal> {
        super::daily_quota(status, body)
    }
}

/// The channel owner's token from Google's sign-in (`youtube.force-ssl`) while it has minutes
/// left (access tokens live an hour), else a renewed one; a token given ready-made
/// (`EARSHOT_TOKEN_YOUTUBE`) serves where no sign-in is kept. The API key only reads: YouTube
/// answers a reply sent with it 401 "Login Required".
const SIGNED_IN: SignedIn = SignedIn {
    renew: |http, creds, source_id, settings| {
        Box::pin(super::renew_sign_in(
            &SPEC, http, creds, source_id, settings,
        ))
    },
    not_signed_in: |source_id| {
        ReplyError::Outbox(format!(
            "YouTube replies are posted as your channel, and Earshot is not signed in to it: set \
             the source's OAuth client ID and secret (a \"Desktop app\" client), then sign in \
             (Review sites → Sign in, or `earshot sources auth {source_id}`). The API key only reads"
        ))
    },
};

/// A reply is a comment in the thread (`comments.insert`), edited by its own id.
impl Replier for YouTube {
    fn edits_in_place(&self) -> bool {
        true
    }

    fn plan_post(&self, base: &str, target: &ReplyTarget<'_>, body: &str) -> ReplyResult<Planned> {
        Ok(json_request(
            Method::POST,
            reply_url(base, "/youtube/v3/comments?part=snippet"),
            json!({ "snippet": { "parentId": target.external_id, "textOriginal": body } }),
            false,
        ))
    }

    fn plan_update(&self, base: &str, reply_id: &str, body: &str) -> ReplyResult<Planned> {
        Ok(json_request(
            Method::PUT,
            reply_url(base, "/youtube/v3/comments?part=snippet"),
            json!({ "id": reply_id, "snippet": { "textOriginal": body } }),
            true,
        ))
    }

    fn delete_path(&self) -> Option<&'static str> {
        Some("/youtube/v3/comments?id=")
    }

    fn signed_in(&self) -> Option<&'static SignedIn> {
        Some(&SIGNED_IN)
    }

    fn refusal_hint(&self, status: u16, body: &Value) -> Option<&'static str> {
        let text = body.to_string();
        (status == 403
            && (text.contains("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
                || text.contains("insufficientPermissions")))
        .then_some(
            "the sign-in did not allow managing YouTube comments; sign in again (Review sites → Sign \
             in) and tick YouTube",
        )
    }

    fn missing(&self, source_id: SourceId, settings: &Value, has: &Has) -> Option<String> {
        if self.holds_credentials(has) {
            return None;
        }
        let how = if crate::platforms::setting(settings, &["client_id"]).is_none()
            || !has("client_secret")
        {
            "set the source's OAuth client ID and secret (a \"Desktop app\" client in the same \
             Google Cloud project)"
        } else {
            "the API key only reads"
        };
        Some(sign_in_first("YouTube", source_id, how))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THREAD: &str = r#"{"kind":"youtube#commentThread","id":"Ugz1","snippet":{"channelId":"UCowner","videoId":"dQw4","canReply":true,"totalReplyCount":2,
        "topLevelComment":{"kind":"youtube#comment","id":"Ugz1","snippet":{"videoId":"dQw4","authorDisplayName":"@sam","authorChannelId":{"value":"UCsam"},
        "textDisplay":"Loved it &amp; the pie<br>Will be back","publishedAt":"2024-05-01T18:04:11Z","updatedAt":"2024-05-02T08:00:00Z"}}},
        "replies":{"comments":[
          {"id":"Ugz1.r2","snippet":{"authorDisplayName":"@joescafe","authorChannelId":{"value":"UCowner"},"textDisplay":"Second","publishedAt":"2024-05-03T09:00:00Z"}},
          {"id":"Ugz1.r1","snippet":{"authorDisplayName":"@joescafe","authorChannelId":{"value":"UCowner"},"textDisplay":"Thanks, Sam!","publishedAt":"2024-05-02T09:00:00Z"}},
          {"id":"Ugz1.r0","snippet":{"authorDisplayName":"@kim","authorChannelId":{"value":"UCkim"},"textDisplay":"Agreed","publishedAt":"2024-05-01T20:00:00Z"}}]}}"#;

    #[test]
    fn documented_thread_maps_with_owner_reply_and_plain_text() {
        let v: Value = serde_json::from_str(&format!("[{THREAD}]")).unwrap();
        let items = parse_threads(v.as_array().unwrap(), Some("UCowner")).unwrap();
        let c = &items[0];
        assert_eq!(c.external_id, "Ugz1");
        assert_eq!(c.kind, Kind::Mention);
        assert_eq!(c.rating, None);
        assert_eq!(c.body, "Loved it & the pie\nWill be back");
        assert_eq!(c.author.as_deref(), Some("@sam"));
        assert_eq!(
            c.url.as_deref(),
            Some("https://www.youtube.com/watch?v=dQw4&lc=Ugz1")
        );
        assert!(c.updated_at.is_some());
        let reply = c.owner_reply.as_ref().unwrap();
        assert_eq!(reply.body, "Thanks, Sam!");
        assert_eq!(mark(c), "2024-05-02T08:00:00.000Z");
    }

    #[test]
    fn a_single_video_finds_the_owner_from_the_thread() {
        let v: Value = serde_json::from_str(&format!("[{THREAD}]")).unwrap();
        let items = parse_threads(v.as_array().unwrap(), None).unwrap();
        assert!(items[0].owner_reply.is_some());
        let items = parse_threads(v.as_array().unwrap(), Some("UCsomeone-else")).unwrap();
        assert!(items[0].owner_reply.is_none());
    }

    #[test]
    fn plain_text_is_left_alone() {
        let v: Value = serde_json::from_str(
            r#"[{"snippet":{"topLevelComment":{"id":"a","snippet":{"textDisplay":"I <3 this, 5 > 4","publishedAt":"2024-05-01T18:04:11Z","updatedAt":"2024-05-01T18:04:11Z"}}}}]"#,
        )
        .unwrap();
        let items = parse_threads(v.as_array().unwrap(), None).unwrap();
        assert_eq!(items[0].body, "I <3 this, 5 > 4");
        assert_eq!(items[0].updated_at, None, "not edited");
        assert_eq!(items[0].url, None);
    }

    #[test]
    fn comments_turned_off_do_not_read_as_refused_credentials() {
        let e = reword(SourceError::Auth {
            status: 403,
            detail:
                "The video identified by the <code>videoId</code> parameter has disabled comments."
                    .into(),
        });
        assert!(e.to_string().contains("comments are turned off"), "{e}");
        assert_eq!(e.code(), "rejected");
        let e = reword(SourceError::Rejected {
            status: 400,
            detail: "API key not valid. Please pass a valid API key.".into(),
        });
        assert_eq!(e.code(), "auth");
    }

    #[test]
    fn a_spent_quota_is_a_403_that_pauses_a_sync_until_pacific_midnight() {
        use crate::platforms::http::{classify, Verdict};
        use chrono::TimeZone;
        let body = br#"{"error":{"code":403,"message":"The request cannot be completed because you have exceeded your quota.","errors":[{"reason":"quotaExceeded"}]}}"#;
        let now = chrono::Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        match classify(403, &Default::default(), body, now, Some(&YouTube)) {
            Verdict::Stop(SourceError::RateLimited { until: Some(u), .. }) => {
                // 12:00 UTC on 1 May is 05:00 in Los Angeles (PDT): midnight is 07:00 UTC on 2 May.
                assert_eq!(
                    u,
                    chrono::Utc.with_ymd_and_hms(2026, 5, 2, 7, 0, 0).unwrap()
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quota_exhaustion_on_a_reply_is_a_refusal_that_says_when_it_resets() {
        use crate::replies::outbox::{classify, Outcome};
        let body =
            r#"{"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded"}]}}"#;
        match classify(&YouTube, false, 403, None, body) {
            Outcome::Refused(r) => assert!(r.contains("midnight Pacific"), "{r}"),
            other => panic!("{other:?}"),
        }
    }
}
