//! Facebook Page via the Graph API with a Page access token: the Page's feed
//! (`GET /{page-id}/feed`, its own posts and visitors' posts, paged by `paging.cursors.after`),
//! then each post's comments (`GET /{post-id}/comments?filter=stream&order=reverse_chronological`,
//! replies included, paged the same way).
//!
//! Ratings are gone from the Graph API (Recommendations are deprecated from v22), so everything
//! here is a mention without stars: visitors' posts on the Page and comments by anyone but the
//! Page. The Page's own answer to a comment (or to a visitor's post) is the owner's reply.
//! A post's `updated_time` moves when someone comments, so an incremental run reads the
//! comments only of posts updated since the last run, and stops paging the feed at the first
//! page where none was. Times come as `+0000` without a colon. Throttling arrives in the body
//! (`error.code` 4, 17, 32, 613, 80001) and is handled by [`crate::platforms::http::classify`].

use serde::Deserialize;
use serde_json::Value;

use crate::model::{IncomingReview, Kind, OwnerReply};
use crate::platforms::http::parse_json;
use crate::platforms::http::Refusal;
use crate::platforms::{reply_url, BodyParser, BoxFuture, Platform, Replier};
use crate::platforms::{sent_time, shaped};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::coach::Limit;
use crate::replies::outbox::{Planned, Target};
use crate::replies::Result as ReplyResult;
use crate::sources::text::{parse_time, path_segment, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;

/// The Graph API version every request goes to, named here only: v25.0, released 2026-02-18 and
/// available until 2028-07-29 (developers.facebook.com/docs/graph-api/changelog/versions). v21.0,
/// the last that read Recommendations, retires on 2027-01-21; no later version gives ratings.
macro_rules! graph_version {
    () => {
        "v25.0"
    };
}

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::DeveloperKey,
    cost: "Free.",
    approval: "A Meta developer app of your own, in development mode, with you as its administrator: no App Review is needed to read your own Page. Facebook no longer gives ratings or recommendations, only posts and comments.",
    steps: &[
        "At developers.facebook.com/apps create an app (use case: manage everything on your Page).",
        "In the Graph API Explorer pick the app and your Page, grant pages_read_engagement, pages_read_user_content and pages_manage_engagement, and copy the Page access token.",
        "Extend it in the Access Token Debugger so it does not expire within the hour.",
        "Connect it here with your Page id and the token.",
    ],
    without_api: "Facebook's \"Download your information\" may include your Page's activity, but Earshot could not confirm that it holds reviews; there is no import for it yet.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "facebook",
    platform: "facebook",
    browser_sign_in: false,
    label: "Facebook",
    feed: Feed::Mentions,
    help: "Comments on your Facebook Page's posts and visitors' posts on the Page, and replies \
           from Earshot (Facebook no longer gives ratings or recommendations). Needs a Page \
           access token: create an app at https://developers.facebook.com/apps, add \"Facebook \
           Login for Business\", then in the Graph API Explorer (Tools → Graph API Explorer) pick \
           the app and your Page, grant pages_read_engagement, pages_read_user_content and \
           pages_manage_engagement (to reply), and copy the Page access token (extend it in the \
           Access Token Debugger so it does not expire in an hour). The Page id is under the \
           Page's About → Page transparency, or in the Explorer.",
    guide: GUIDE,
    default_base_url: concat!("https://graph.facebook.com/", graph_version!()),
    settings: &[
        crate::platforms::s(
            "page_id",
            "Page id",
            "Your Facebook Page's numeric id (About → Page transparency, or the Graph API \
             Explorer).",
            true,
            false,
        ),
        crate::platforms::s(
            "page_token",
            "Page access token",
            "A long-lived Page access token with pages_read_engagement and \
             pages_read_user_content (and pages_manage_engagement to reply).",
            true,
            true,
        ),
    ],
    interval_minutes: 15,
    lists_everything: false,
    // App-level limit: 200 calls per hour per user of the app (X-App-Usage), shared by pages.
    min_interval_ms: 1000,
    review_hosts: crate::platforms::LinkHosts::Only(&["facebook.com", "fb.com", "fb.me"]),
};

/// Posts per feed page.
const POSTS_PER_PAGE: u32 = 25;
/// Comments per request: Graph's usual maximum.
const COMMENTS_PER_PAGE: u32 = 100;
/// Comment pages read per post in one run; the busiest posts continue on the next run.
const COMMENT_PAGES: usize = 5;

const POST_FIELDS: &str = "id,message,created_time,updated_time,permalink_url,from";
const COMMENT_FIELDS: &str = "id,message,created_time,from,permalink_url,parent{id}";

#[derive(Deserialize, Default)]
struct Listing {
    #[serde(default)]
    data: Vec<Value>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize, Default)]
struct Paging {
    #[serde(default)]
    cursors: Option<Cursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct Cursors {
    #[serde(default)]
    after: Option<String>,
}

impl Listing {
    /// The cursor of the next page, when Facebook says there is one.
    fn after(&self) -> Option<String> {
        let p = self.paging.as_ref()?;
        p.next.as_ref()?;
        p.cursors.as_ref()?.after.clone().filter(|a| !a.is_empty())
    }
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    created_time: Option<String>,
    #[serde(default)]
    permalink_url: Option<String>,
    #[serde(default)]
    from: Option<From>,
    #[serde(default)]
    parent: Option<Parent>,
}

#[derive(Deserialize)]
struct From {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Parent {
    #[serde(default)]
    id: Option<String>,
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let page_id = ctx.require("page_id")?;
    let token = ctx.require_secret("page_token")?;
    let base = ctx.base_url();
    let get = |url: String, params: Vec<(&'static str, String)>| {
        let token = token.clone();
        async move {
            let reply = ctx
                .send(|c| c.get(&url).bearer_auth(token.expose()).query(&params))
                .await
                .map_err(|e| reword(e, token.expose()))?;
            let listing: Listing = reply.json()?;
            Ok::<Listing, SourceError>(listing)
        }
    };
    let mut params = vec![
        ("fields", POST_FIELDS.to_string()),
        ("limit", POSTS_PER_PAGE.to_string()),
    ];
    if let Some(after) = &req.page {
        params.push(("after", after.clone()));
    }
    let feed = get(format!("{base}/{}/feed", path_segment(page_id)), params).await?;
    let watermark = req.watermark.as_deref().filter(|_| !req.full);
    let mut items = Vec::new();
    let mut marks: Vec<String> = Vec::new();
    let mut any_changed = false;
    for post in &feed.data {
        let Some(post_id) = post.get("id").and_then(Value::as_str) else {
            continue;
        };
        // When someone comments, the post's updated_time moves.
        let touched = ["updated_time", "created_time"]
            .iter()
            .find_map(|k| post.get(*k).and_then(Value::as_str).and_then(parse_time))
            .map(|t| time_mark(&t));
        let changed = match (&touched, watermark) {
            (Some(t), Some(w)) => t.as_str() > w,
            _ => true,
        };
        if !changed {
            continue;
        }
        any_changed = true;
        marks.extend(touched);
        let mut comments = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..COMMENT_PAGES {
            let mut params = vec![
                ("filter", "stream".to_string()),
                ("order", "reverse_chronological".to_string()),
                ("fields", COMMENT_FIELDS.to_string()),
                ("limit", COMMENTS_PER_PAGE.to_string()),
            ];
            if let Some(a) = &after {
                params.push(("after", a.clone()));
            }
            let page = get(format!("{base}/{}/comments", path_segment(post_id)), params).await?;
            after = page.after();
            comments.extend(page.data);
            if after.is_none() {
                break;
            }
        }
        let thread = parse_thread(post, &comments, Some(page_id))?;
        marks.extend(thread.iter().map(|i| time_mark(&i.created_at)));
        items.extend(thread);
    }
    let high = marks.into_iter().max();
    let next = feed.after().filter(|_| any_changed);
    Ok(Page { items, next, high })
}

/// Facebook's refusals of a token or a permission come as 400 with `OAuthException` (codes
/// 190, 200, 10); they are refused credentials, not a bad request. A malformed token may be
/// quoted back, so the token is scrubbed from every error.
fn reword(e: SourceError, token: &str) -> SourceError {
    let e = match e {
        SourceError::Rejected {
            status: 400,
            detail,
        } if is_token_problem(&detail) => SourceError::Auth {
            status: 400,
            detail: format!(
                "{detail} — get a new Page access token with the permissions listed in \
                 `earshot sources add facebook --help`"
            ),
        },
        other => other,
    };
    e.redacted(&[crate::secrets::Secret::new(token)])
}

fn is_token_problem(detail: &str) -> bool {
    let d = detail.to_lowercase();
    d.contains("access token")
        || d.contains("oauth")
        || d.contains("session has expired")
        || d.starts_with("(#200)")
        || d.starts_with("(#10)")
        || d.starts_with("(#190)")
}

/// Maps one post and its comments (`filter=stream`: replies flattened, with `parent`). With
/// `page_id`, the Page's own post and comments are not mentions: its answers are the owner's
/// replies. Without it (a body parsed on its own) every entry is a mention.
pub fn parse_thread(
    post: &Value,
    comments: &[Value],
    page_id: Option<&str>,
) -> Result<Vec<IncomingReview>> {
    let post_entry: Entry = shaped(post, "a Facebook post or comment")?;
    let post_id = post_entry.id.clone().filter(|i| !i.is_empty());
    let by_page = |e: &Entry| {
        page_id.is_some_and(|p| e.from.as_ref().and_then(|f| f.id.as_deref()) == Some(p))
    };
    // Without `from` (no pages_read_user_content) a post's author is unknown: it is taken to be
    // the Page's, so the Page's own posts never show as mentions.
    let visitor_post = post_entry.from.is_some() && !by_page(&post_entry);
    let mut out: Vec<IncomingReview> = Vec::new();
    let mut answers: Vec<(Option<String>, OwnerReply)> = Vec::new();
    if visitor_post {
        if let Some(it) = to_item(&post_entry, post, None)? {
            out.push(it);
        }
    }
    let post_url = post_entry.permalink_url.as_deref();
    for raw in comments {
        let c: Entry = shaped(raw, "a Facebook post or comment")?;
        if by_page(&c) {
            let Some(at) = c.created_time.as_deref().and_then(parse_time) else {
                continue;
            };
            let body = c.message.clone().unwrap_or_default().trim().to_string();
            if !body.is_empty() {
                let parent = c.parent.and_then(|p| p.id).or(post_id.clone());
                answers.push((
                    parent,
                    OwnerReply {
                        body,
                        replied_at: Some(at),
                    },
                ));
            }
            continue;
        }
        if let Some(it) = to_item(&c, raw, post_url)? {
            out.push(it);
        }
    }
    // The Page's first answer to each entry is its reply (response time is measured by it).
    answers.sort_by_key(|(_, r)| r.replied_at);
    for (parent, reply) in answers {
        if let Some(it) = out
            .iter_mut()
            .find(|i| Some(&i.external_id) == parent.as_ref() && i.owner_reply.is_none())
        {
            it.owner_reply = Some(reply);
        }
    }
    Ok(out)
}

/// A feed body on its own (posts with their `comments` expanded), every entry a mention: what
/// [`crate::sources::parse::parse_body`] feeds.
pub fn parse_feed(body: &Value) -> Result<Vec<IncomingReview>> {
    let mut out = Vec::new();
    let posts = body.get("data").and_then(Value::as_array);
    for post in posts.map(Vec::as_slice).unwrap_or_default() {
        let comments = post
            .pointer("/comments/data")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        out.extend(parse_thread(post, comments, None)?);
    }
    Ok(out)
}

/// A post or comment as a mention; `None` for one without an id.
fn to_item(e: &Entry, raw: &Value, fallback_url: Option<&str>) -> Result<Option<IncomingReview>> {
    let Some(id) = e.id.clone().filter(|i| !i.trim().is_empty()) else {
        return Ok(None);
    };
    let when = e.created_time.as_deref().unwrap_or_default();
    let created = sent_time(when)?;
    let body = e.message.clone().unwrap_or_default().trim().to_string();
    let mut it = item("facebook", id, Kind::Mention, body, created);
    it.author = e
        .from
        .as_ref()
        .and_then(|f| f.name.clone())
        .filter(|n| !n.trim().is_empty());
    // A post's `updated_time` moves with every comment: it is no edit of the post.
    it.url = e
        .permalink_url
        .as_deref()
        .or(fallback_url)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_owned);
    it.raw_json = Some(raw.to_string());
    Ok(Some(it))
}

/// Facebook Pages, as the registry knows it.
pub struct Facebook;

impl Platform for Facebook {
    /// `https://www.facebook.com/{page id}/reviews`: the Page's reviews (recommendations) tab,
    /// where a visitor recommends it or not.
    fn review_link(&self, settings: &Value) -> Option<String> {
        let id = crate::platforms::setting(settings, &["page_id"])?;
        crate::platforms::link_with("https://www.facebook.com/", &[id, "reviews"], &[])
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_feed(&parse_json(body)?))
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }

    /// Facebook reports throttling in the body (`error.code`), not always with a 429.
    fn refusal(&self, _status: u16, body: &Value) -> Option<Refusal> {
        let code = body.pointer("/error/code").and_then(Value::as_i64)?;
        THROTTLE_CODES.contains(&code).then_some(Refusal::Throttled)
    }

    fn reply_limit(&self) -> Option<Limit> {
        // Facebook comments: 8 000 characters.
        Some(Limit::Chars(8_000))
    }
}

/// The Graph API's form `POST` of a comment's `message`: a new one (on a post or rating) or an
/// edit (to the comment itself).
fn message(url: String, body: &str, replaces: bool) -> Planned {
    Planned {
        method: Method::POST,
        url,
        json: None,
        form: Some(vec![("message".into(), body.into())]),
        replaces,
    }
}

/// A reply is a comment on the post or rating: posting again adds another, and a comment is
/// edited by its own id.
impl Replier for Facebook {
    fn edits_in_place(&self) -> bool {
        true
    }

    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        Ok(message(
            reply_url(base, format_args!("/{}/comments", target.external_id)),
            body,
            false,
        ))
    }

    /// Graph API: updating a comment is a POST to the comment with its new `message`.
    fn plan_update(&self, base: &str, reply_id: &str, body: &str) -> ReplyResult<Planned> {
        Ok(message(
            reply_url(base, format_args!("/{reply_id}")),
            body,
            true,
        ))
    }

    fn delete_path(&self) -> Option<&'static str> {
        Some("/")
    }
}

/// Graph API error codes that mean "slow down" (application, user, page and BUC limits).
const THROTTLE_CODES: &[i64] = &[4, 17, 32, 613, 80001];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_go_to_a_graph_version_supported_into_2028() {
        // v25.0 is available until 2028-07-29 (Graph API changelog, versions table).
        assert_eq!(graph_version!(), "v25.0");
        assert_eq!(SPEC.default_base_url, "https://graph.facebook.com/v25.0");
    }

    fn v(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn comments_are_mentions_and_the_pages_answers_are_replies() {
        let post = v(
            r#"{"id":"100_1","message":"New menu!","created_time":"2024-05-01T08:00:00+0000","updated_time":"2024-05-01T19:00:00+0000","permalink_url":"https://www.facebook.com/100/posts/1","from":{"id":"100","name":"Harbour Lane"}}"#,
        );
        let comments = v(r#"[
            {"id":"1_c3","message":"Thanks Kim, fixed!","created_time":"2024-05-01T19:00:00+0000","from":{"id":"100","name":"Harbour Lane"},"parent":{"id":"1_c1"}},
            {"id":"1_c2","message":"Love it","created_time":"2024-05-01T18:30:00+0000","from":{"id":"7","name":"Bo"},"permalink_url":"https://www.facebook.com/100/posts/1?comment_id=2"},
            {"id":"1_c1","message":"Waited 40 min","created_time":"2024-05-01T18:04:11+0000","from":{"id":"8","name":"Kim"}}]"#);
        let items = parse_thread(&post, comments.as_array().unwrap(), Some("100")).unwrap();
        assert_eq!(
            items.len(),
            2,
            "the Page's post and answer are not mentions"
        );
        let kim = items.iter().find(|i| i.external_id == "1_c1").unwrap();
        assert_eq!(kim.kind, Kind::Mention);
        assert_eq!(kim.rating, None);
        assert_eq!(kim.author.as_deref(), Some("Kim"));
        assert_eq!(kim.body, "Waited 40 min");
        assert_eq!(kim.created_at.to_rfc3339(), "2024-05-01T18:04:11+00:00");
        assert_eq!(
            kim.url.as_deref(),
            Some("https://www.facebook.com/100/posts/1"),
            "a comment without its own link opens the post"
        );
        assert_eq!(kim.owner_reply.as_ref().unwrap().body, "Thanks Kim, fixed!");
        let bo = items.iter().find(|i| i.external_id == "1_c2").unwrap();
        assert!(bo.owner_reply.is_none());
        assert_eq!(
            bo.url.as_deref(),
            Some("https://www.facebook.com/100/posts/1?comment_id=2")
        );
    }

    #[test]
    fn a_visitors_post_is_a_mention_answered_by_a_top_level_page_comment() {
        let post = v(
            r#"{"id":"100_9","message":"Lost my scarf here","created_time":"2024-05-02T10:00:00+0000","from":{"id":"55","name":"Lee"}}"#,
        );
        let comments = v(
            r#"[{"id":"9_c1","message":"We have it!","created_time":"2024-05-02T11:00:00+0000","from":{"id":"100","name":"Harbour Lane"}}]"#,
        );
        let items = parse_thread(&post, comments.as_array().unwrap(), Some("100")).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].external_id, "100_9");
        assert_eq!(items[0].owner_reply.as_ref().unwrap().body, "We have it!");
    }

    #[test]
    fn token_refusals_are_credentials_and_never_quote_the_token() {
        let e = reword(
            SourceError::Rejected {
                status: 400,
                detail: "Malformed access token EAAGsecret123".into(),
            },
            "EAAGsecret123",
        );
        assert_eq!(e.code(), "auth");
        assert!(!e.to_string().contains("EAAGsecret123"), "{e}");
    }

    #[test]
    fn a_sync_stops_on_throttling_in_the_body() {
        use crate::platforms::http::{classify, Verdict};
        let body = br#"{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"fbtrace_id":"A1"}}"#;
        let now = chrono::Utc::now();
        assert!(matches!(
            classify(400, &Default::default(), body, now, Some(&Facebook)),
            Verdict::Stop(SourceError::RateLimited { .. })
        ));
    }

    #[test]
    fn a_gateway_error_on_a_comment_may_have_posted_it_and_is_not_resent() {
        use crate::replies::outbox::{classify, Outcome};
        let fb = classify(&Facebook, false, 504, None, "");
        assert!(matches!(fb, Outcome::Unknown(_)));
        let fb = classify(&Facebook, false, 503, None, "");
        assert!(matches!(fb, Outcome::Retry { .. }));
    }

    #[test]
    fn throttling_in_a_replys_refusal_is_retried() {
        use crate::replies::outbox::{classify, Outcome};
        let body = r#"{"error":{"message":"Application request limit reached","code":4}}"#;
        assert!(matches!(
            classify(&Facebook, false, 400, None, body),
            Outcome::Retry { .. }
        ));
        let body = r#"{"error":{"message":"Invalid parameter","code":100}}"#;
        assert!(matches!(
            classify(&Facebook, false, 400, None, body),
            Outcome::Refused(_)
        ));
    }

    #[test]
    fn a_reply_is_measured_in_characters_not_bytes() {
        use crate::replies::coach::{check, CheckContext};
        // 4 200 bytes (over Google's limit) but 1 400 characters.
        let euro = "€".repeat(1_400);
        let ctx = CheckContext {
            platform: SPEC.platform,
            ..Default::default()
        };
        assert!(check(&euro, &ctx).is_empty());
    }
}
