//! Google Play Developer API reviews of the owner's own app:
//! `GET /androidpublisher/v3/applications/{package}/reviews?maxResults=100&token=…`, newest
//! first, paged by `tokenPagination.nextPageToken`.
//!
//! Auth is a service account: a JWT (RS256) signed with its key is exchanged at Google's token
//! endpoint (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`) for an access token,
//! kept for the run. The API only lists reviews with text created or edited in the last 7 days,
//! so this source must sync at least daily; Earshot keeps the history. A review's time is its
//! `lastModified` (seconds as a string); a developer comment is the owner's reply; the title,
//! when there is one, is joined to the text with a tab. The access token is also kept in the
//! secret store, where the reply outbox finds it to post `reviews/{id}:reply`.

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{IncomingReview, Kind, OwnerReply};
use crate::platforms::http::{parse_json, Refusal};
use crate::platforms::http::{Http, Pace};
use crate::platforms::{
    json_request, missing, oauth, reply_url, setting, stored_secret, stored_token,
};
use crate::platforms::{BodyParser, BoxFuture, Platform, Replier};
use crate::platforms::{ConnectorSpec, Feed};
use crate::platforms::{Has, LocalBoxFuture};
use crate::replies::coach::Limit;
use crate::replies::outbox::Auth;
use crate::replies::outbox::{Planned, Target};
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::ReplyCredentials;
use crate::secrets::Secret;
use crate::sources::text::{path_segment, time_mark, unix_time};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;
use serde_json::json;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::DeveloperKey,
    cost: "Free.",
    approval: "An owner or admin of your Play Console account must invite a service account with \"View app information\" and \"Reply to reviews\".",
    steps: &[
        "In the Google Cloud console enable \"Google Play Android Developer API\".",
        "Create a service account and download a JSON key for it.",
        "In Play Console → Users and permissions, invite the service account's e-mail with \"View app information\" and \"Reply to reviews\".",
        "Connect it here with your app's package name and the key file's contents.",
    ],
    without_api: "Play Console → Download reports → Reviews gives a CSV file per month with every review and your replies (the API shows only the last 7 days): import them with `earshot import`.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "google-play",
    platform: "google-play",
    browser_sign_in: false,
    label: "Google Play",
    feed: Feed::Reviews,
    help: "Google Play reviews of your own app, with your replies, and replies from Earshot. \
           Google lists only reviews written or edited in the last 7 days, so let Earshot \
           check it at least daily (the default is hourly). Needs a service account: in the \
           Google Cloud console (https://console.cloud.google.com) enable \"Google Play Android \
           Developer API\", then IAM & Admin → Service accounts → Create service account → Keys \
           → Add key → JSON, and download the file. In Play Console → Users and permissions, \
           invite the service account's e-mail with \"View app information\" and \"Reply to \
           reviews\" for the app. Give the file's contents: --set \
           service_account_json=\"$(cat key.json)\".",
    guide: GUIDE,
    default_base_url: "https://androidpublisher.googleapis.com",
    settings: &[
        crate::platforms::s(
            "package_name",
            "Package name",
            "The app's package name, e.g. com.example.app (the id=… in its Play Store address).",
            true,
            false,
        ),
        crate::platforms::s(
            "service_account_json",
            "Service account key (JSON)",
            "The contents of the service account's JSON key file from the Google Cloud console.",
            true,
            true,
        ),
        super::TOKEN_URL_SETTING,
    ],
    interval_minutes: 60,
    lists_everything: false,
    // About 200 list requests an hour per app (reported); a burst of ten goes at once.
    min_interval_ms: 18_000,
    review_hosts: crate::platforms::LinkHosts::Only(&["play.google.com"]),
};

const SCOPE: &str = "https://www.googleapis.com/auth/androidpublisher";

const TOKEN: &str = "google_play_access_token";

/// How long an access token minted from a service account lives: the assertion's own limit
/// (`exp` ≤ `iat` + 1 h), and Google's `expires_in` of 3599.
const LIFETIME_SECS: i64 = 3600;

/// Reviews per page.
const MAX_RESULTS: u32 = 100;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

/// The service account's e-mail, key id and private key, read without ever quoting the file.
struct ServiceAccount {
    client_email: String,
    private_key_id: Option<String>,
    private_key: Secret,
}

fn service_account(json: &str) -> Result<ServiceAccount> {
    let bad = |what: &str| {
        SourceError::Config(format!(
            "the service account key is not a Google service-account JSON key file ({what}); \
             download a new JSON key under IAM & Admin → Service accounts → Keys"
        ))
    };
    let v: Value = serde_json::from_str(json.trim()).map_err(|_| bad("not JSON"))?;
    let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if v.get("type").and_then(Value::as_str) == Some("authorized_user") {
        return Err(bad("it is a user's credentials, not a service account's"));
    }
    Ok(ServiceAccount {
        client_email: field("client_email").ok_or_else(|| bad("no client_email"))?,
        private_key_id: field("private_key_id"),
        private_key: Secret::new(field("private_key").ok_or_else(|| bad("no private_key"))?),
    })
}

/// The signed assertion for the token endpoint at `aud`.
fn assertion(sa: &ServiceAccount, aud: &str, now: i64) -> Result<String> {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(sa.private_key.expose().as_bytes()).map_err(
        |_| {
            SourceError::Config(
                "the service account's private_key is not a valid RSA key; download a new \
                 JSON key for the service account"
                    .into(),
            )
        },
    )?;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = sa.private_key_id.clone();
    header.typ = Some("JWT".into());
    let claims = Claims {
        iss: &sa.client_email,
        scope: SCOPE,
        aud,
        iat: now,
        exp: now + LIFETIME_SECS,
    };
    jsonwebtoken::encode(&header, &claims, &key)
        .map_err(|_| SourceError::Config("the service account's private key could not sign".into()))
}

/// The run's access token: asked for once, then reused.
async fn access_token(ctx: &Ctx<'_>) -> Result<Secret> {
    if let Some(t) = ctx.session_token(TOKEN) {
        return Ok(t);
    }
    let json = ctx.require_secret("service_account_json")?;
    let sa = service_account(json.expose())?;
    let url = super::token_url(ctx.get("token_url"), ctx.get("base_url"));
    let jwt = assertion(&sa, &url, Utc::now().timestamp())?;
    let token = super::token(
        ctx.http,
        &ctx.pace(),
        &url,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &jwt),
        ],
        "check that the service account key is current (not deleted in the Cloud console)",
    )
    .await?;
    ctx.keep_session_token(TOKEN, token.clone());
    // The reply outbox posts `:reply` with the latest access token while it has time left (it
    // lives an hour); failing to keep it only costs a new one.
    let _ = ctx.secrets.set(ctx.source_id, "access_token", &token);
    let end = Secret::new((Utc::now().timestamp() + LIFETIME_SECS).to_string());
    let _ = ctx.secrets.set(ctx.source_id, oauth::EXPIRES_AT, &end);
    Ok(token)
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let package = ctx.require("package_name")?;
    let token = access_token(ctx).await?;
    let url = format!(
        "{}/androidpublisher/v3/applications/{}/reviews",
        ctx.base_url(),
        path_segment(package)
    );
    let mut params: Vec<(&str, String)> = vec![("maxResults", MAX_RESULTS.to_string())];
    if let Some(t) = &req.page {
        params.push(("token", t.clone()));
    }
    let reply = ctx
        .send(|c| c.get(&url).bearer_auth(token.expose()).query(&params))
        .await
        .map_err(reword)?;
    let body: Value = reply.json()?;
    let items = parse_reviews(&body, Some(package))?;
    let next = body
        .pointer("/tokenPagination/nextPageToken")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(crate::platforms::newest_first_page(req, items, mark, next))
}

/// A review's place in time: its last edit.
fn mark(it: &IncomingReview) -> String {
    time_mark(&it.updated_at.unwrap_or(it.created_at))
}

/// Play's refusals that are not what their status says: a service account not invited in Play
/// Console gets a 403 that reads like a bad key.
fn reword(e: SourceError) -> SourceError {
    match e {
        SourceError::Auth {
            status: 403,
            detail,
        } if detail.to_lowercase().contains("permission") => SourceError::Auth {
            status: 403,
            detail: format!(
                "{detail} — invite the service account in Play Console → Users and \
                 permissions, with access to this app"
            ),
        },
        other => other,
    }
}

/// Maps a page's `reviews`. `package` builds each review's Play Store link.
pub fn parse_reviews(body: &Value, package: Option<&str>) -> Result<Vec<IncomingReview>> {
    let list = crate::platforms::page_list(body, "reviews", "Google Play's")?;
    let mut out = Vec::with_capacity(list.len());
    for raw in list {
        let id = raw
            .get("reviewId")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .ok_or_else(|| SourceError::BadResponse("a Google Play review has no id".into()))?;
        let comments = raw
            .get("comments")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let user = comments
            .iter()
            .find_map(|c| c.get("userComment"))
            .ok_or_else(|| {
                SourceError::BadResponse(format!("the Google Play review {id} has no text"))
            })?;
        let modified = user
            .pointer("/lastModified/seconds")
            .and_then(unix_time)
            .ok_or_else(|| SourceError::BadResponse(format!("{id} has no readable time")))?;
        let text = user.get("text").and_then(Value::as_str).unwrap_or_default();
        // "Title\tBody" when the reviewer gave a title.
        let (title, body) = match text.split_once('\t') {
            Some((t, b)) => (Some(t.trim()).filter(|t| !t.is_empty()), b.trim()),
            None => (None, text.trim()),
        };
        let mut it = item("google-play", id, Kind::Review, body.to_string(), modified);
        it.title = title.map(str::to_owned);
        it.rating = user
            .get("starRating")
            .and_then(Value::as_f64)
            .filter(|r| (1.0..=5.0).contains(r));
        it.author = raw
            .get("authorName")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        it.language = user
            .get("reviewerLanguage")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
            .map(str::to_owned);
        // Play gives no creation time: the last edit stands for both, and an edit shows as a
        // changed `updated_at`.
        it.updated_at = Some(modified);
        it.url = package.map(|p| {
            format!(
                "https://play.google.com/store/apps/details?id={}&reviewId={}",
                path_segment(p),
                path_segment(id)
            )
        });
        it.owner_reply = comments
            .iter()
            .find_map(|c| c.get("developerComment"))
            .and_then(|d| {
                let body = d.get("text").and_then(Value::as_str)?.trim();
                (!body.is_empty()).then(|| OwnerReply {
                    body: body.to_string(),
                    replied_at: d.pointer("/lastModified/seconds").and_then(unix_time),
                })
            });
        it.raw_json = Some(raw.to_string());
        out.push(it);
    }
    Ok(out)
}

/// Google Play, as the registry knows it.
pub struct GooglePlay;

impl Platform for GooglePlay {
    /// `https://play.google.com/store/apps/details?id={package}&showAllReviews=true`: the app's
    /// store page at its reviews, where a signed-in user rates it.
    fn review_link(&self, settings: &Value) -> Option<String> {
        let package = crate::platforms::setting(settings, &["package_name"])?;
        crate::platforms::link_with(
            "https://play.google.com/store/apps/details",
            &[],
            &[("id", package), ("showAllReviews", "true")],
        )
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn exports(&self) -> &'static [&'static dyn crate::import::ExportFormat] {
        &[&super::play_export::ReviewReports]
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_reviews(&parse_json(body)?, None))
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }

    fn reply_limit(&self) -> Option<Limit> {
        // Play: "replies longer than about 350 characters will be rejected".
        Some(Limit::Chars(350))
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["play", "play store", "google play", "googleplay", "android"]
    }

    fn display_label(&self) -> Option<&'static str> {
        Some("Google Play")
    }

    fn refusal(&self, status: u16, body: &Value) -> Option<Refusal> {
        super::daily_quota(status, body)
    }
}

/// `:reply` sets the review's one developer reply; there is no delete.
impl Replier for GooglePlay {
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn can_delete(&self) -> bool {
        false
    }

    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        let package = setting(target.settings, &["package_name", "package", "packageName"])
            .ok_or_else(|| missing(&SPEC, "package name"))?;
        Ok(json_request(
            Method::POST,
            reply_url(
                base,
                format_args!(
                    "/androidpublisher/v3/applications/{package}/reviews/{}:reply",
                    target.external_id
                ),
            ),
            json!({ "replyText": body }),
            true,
        ))
    }

    fn plan_delete(
        &self,
        _base: &str,
        _review_external_id: &str,
        _reply_id: Option<&str>,
        _settings: &Value,
    ) -> ReplyResult<Planned> {
        Err(ReplyError::Outbox(
            "Google Play does not let Earshot delete a reply through its API; edit it, or \
             delete it in the Play Console"
                .into(),
        ))
    }

    /// It replaces the one reply of the review, which has no id of its own.
    fn posted_id(&self, _answer: &Value) -> Option<String> {
        None
    }

    /// The service account's key, which every access token is minted from.
    fn credential_keys(&self) -> &'static [&'static str] {
        &["service_account_json"]
    }

    /// The access token the last sync or reply minted while it has minutes left; else a fresh
    /// one from the service account's key. Without a key (a token from the environment) the
    /// token given is sent as it is.
    fn authorise<'a>(
        &'a self,
        http: &'a Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
        _base: &'a str,
    ) -> LocalBoxFuture<'a, ReplyResult<Auth>> {
        Box::pin(async move {
            if let Some(token) = oauth::fresh(creds, source_id)? {
                return Ok(Auth::bearer(token));
            }
            match stored_secret(creds, source_id, "service_account_json")? {
                Some(key) => mint(http, creds, source_id, settings, &key)
                    .await
                    .map(Auth::bearer),
                None => stored_token(&SPEC, creds, source_id),
            }
        })
    }

    fn missing(&self, _source_id: SourceId, _settings: &Value, has: &Has) -> Option<String> {
        (!self.holds_credentials(has)).then(|| {
            "Google Play replies need the service account's JSON key, invited in Play Console \
             with \"Reply to reviews\"; add the source again with it."
                .into()
        })
    }

    /// Play refused the token (401): Google revoked it early, or the clock was wrong.
    fn renew<'a>(
        &'a self,
        http: &'a Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
    ) -> Option<LocalBoxFuture<'a, ReplyResult<Secret>>> {
        Some(Box::pin(async move {
            let key =
                stored_secret(creds, source_id, "service_account_json")?.ok_or_else(|| {
                    ReplyError::Outbox(
                    "Google Play refused the access token and no service account key is stored \
                     to get a new one; add the Google Play source again with its JSON key"
                        .into(),
                )
                })?;
            mint(http, creds, source_id, settings, &key).await
        }))
    }
}

/// A new access token from the service account's key (no refresh token exists: each one is
/// minted from a new assertion), kept with its end for the next reply.
async fn mint(
    http: &Http,
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
    settings: &Value,
    key: &Secret,
) -> ReplyResult<Secret> {
    let now = Utc::now().timestamp();
    let url = super::token_url(
        setting(settings, &["token_url"]),
        setting(settings, &["base_url"]),
    );
    let fail = |e: SourceError| {
        ReplyError::Outbox(format!(
            "Google Play's reply token could not be made: {}",
            e.redacted(std::slice::from_ref(key))
        ))
    };
    let sa = service_account(key.expose()).map_err(fail)?;
    let jwt = assertion(&sa, &url, now).map_err(fail)?;
    let token = super::token(
        http,
        &Pace::replies(),
        &url,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &jwt),
        ],
        "check that the service account key is current (not deleted in the Cloud console)",
    )
    .await
    .map_err(fail)?;
    creds.keep(source_id, oauth::ACCESS, &token);
    creds.keep(
        source_id,
        oauth::EXPIRES_AT,
        &Secret::new((now + LIFETIME_SECS).to_string()),
    );
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_review_with_string_seconds_tab_title_and_developer_reply() {
        let v: Value = serde_json::from_str(
            r#"{"reviews":[{"reviewId":"gp:AOqp1","authorName":"Alex","comments":[
                {"userComment":{"text":"Crashes\tIt crashes at login","starRating":1,"reviewerLanguage":"en",
                  "lastModified":{"seconds":"1714561451","nanos":713000000}}},
                {"developerComment":{"text":"Fixed in 2.1","lastModified":{"seconds":"1714600000"}}}]},
              {"reviewId":"gp:AOqp2","comments":[{"userComment":{"text":"Fine","starRating":0,"lastModified":{"seconds":1714500000}}}]}],
              "tokenPagination":{"nextPageToken":"t2"}}"#,
        )
        .unwrap();
        let items = parse_reviews(&v, Some("com.example.app")).unwrap();
        let a = &items[0];
        assert_eq!(a.external_id, "gp:AOqp1");
        assert_eq!(a.platform, "google-play");
        assert_eq!(a.rating, Some(1.0));
        assert_eq!(a.title.as_deref(), Some("Crashes"));
        assert_eq!(a.body, "It crashes at login");
        assert_eq!(a.author.as_deref(), Some("Alex"));
        assert_eq!(a.created_at.timestamp(), 1714561451);
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://play.google.com/store/apps/details?id=com.example.app&reviewId=gp:AOqp1")
        );
        let reply = a.owner_reply.as_ref().unwrap();
        assert_eq!(reply.body, "Fixed in 2.1");
        assert_eq!(reply.replied_at.unwrap().timestamp(), 1714600000);
        let b = &items[1];
        assert_eq!(
            (b.rating, b.title.as_deref(), b.body.as_str()),
            (None, None, "Fine")
        );
    }

    #[test]
    fn a_broken_key_file_is_explained_without_quoting_it() {
        let e = service_account(r#"{"type":"service_account","private_key":"-----BEGIN s3cr3t"}"#)
            .err()
            .unwrap();
        assert!(e.to_string().contains("client_email"), "{e}");
        assert!(!e.to_string().contains("s3cr3t"));
        let e = service_account("s3cr3t").err().unwrap();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
    }

    #[test]
    fn a_too_long_reply_says_the_limit_and_how_much_to_cut() {
        use crate::replies::coach::{check, CheckContext, WarningCode};
        let ctx = CheckContext {
            platform: SPEC.platform,
            ..Default::default()
        };
        let draft = "x".repeat(360);
        let w = &check(&draft, &ctx)[0];
        assert_eq!(w.code, WarningCode::TooLong);
        assert!(w.message.contains("350 characters"), "{}", w.message);
        assert!(w.message.contains("Cut 10"), "{}", w.message);
        assert!(w.message.starts_with("Google Play"), "{}", w.message);
        // A whole reply of ordinary length is over too.
        let reply =
            "Thank you for the detailed feedback about the sync problem. We have found the \
                     cause: a change in the last release broke background refresh on some Android \
                     14 phones. A fix is in review now and should reach you within two days. In \
                     the meantime, opening the app once a day will keep your lists in sync. We \
                     are sorry for the trouble this caused and appreciate your patience while we \
                     sort it out.";
        let codes: Vec<_> = check(reply, &ctx).into_iter().map(|w| w.code).collect();
        assert_eq!(codes, [WarningCode::TooLong]);
    }
}
