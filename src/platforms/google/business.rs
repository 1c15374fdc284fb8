//! Google Business Profile reviews of the owner's own, verified location:
//! `GET /v4/accounts/{a}/locations/{l}/reviews?pageSize=50&orderBy=updateTime desc`, paged by
//! `nextPageToken`.
//!
//! Auth is the owner's Google account through an OAuth client of type "Desktop app":
//! `earshot sources auth ID` runs the installed-app flow (PKCE, loopback redirect) once and keeps
//! the refresh token in the secret store; each sync trades it (with the client id and secret)
//! for an access token at the token endpoint, kept for the run. The access token is also kept
//! in the secret store, where the reply outbox finds it to post `PUT …/reply`.
//!
//! Ratings are `ONE`…`FIVE` (`STAR_RATING_UNSPECIFIED` is none); rating-only reviews have no
//! `comment`; `reviewReply` is the owner's reply. The API lists every review, so a full listing
//! finds removals. Until Google approves the project's "Application for Basic API Access", every
//! call fails on a quota of 0, which the errors here say in words.

use serde::Deserialize;
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{Headline, IncomingReview, Kind, OwnerReply};
use crate::platforms::http::{parse_json, Http, Refusal};
use crate::platforms::{json_request, missing, reply_url, setting};
use crate::platforms::{sent_time, shaped};
use crate::platforms::{BodyParser, BoxFuture, Has, LocalBoxFuture, Platform, Replier};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::coach::Limit;
use crate::replies::outbox::{Auth, Planned, Target};
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::ReplyCredentials;
use crate::secrets::Secret;
use crate::sources::text::{parse_time, path_segment, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;
use serde_json::json;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::Approval,
    cost: "Free.",
    approval: "Google must approve your Google Cloud project for the Business Profile API (the \"Application for Basic API Access\" form). Approval can take weeks; until then every request fails. Only verified businesses can be read.",
    steps: &[
        "In the Google Cloud console (console.cloud.google.com), create a project and enable the three My Business APIs.",
        "Send Google the \"Application for Basic API Access\" form (support.google.com/business/contact/api_default) and wait for the approval e-mail.",
        "Under OAuth consent screen, add yourself as a test user, then publish the app (\"In production\") so the sign-in does not expire every 7 days.",
        "Under Credentials, create an OAuth client ID of type \"Desktop app\" and copy its client id and secret.",
        "Connect it here with your account and location ids, then press \"Sign in with Google\" (or run `earshot sources auth ID`).",
    ],
    without_api: "Google Takeout (takeout.google.com, choose \"Google Business Profile\") downloads every review and your replies as files: import them with `earshot import`.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "google-business",
    platform: "google",
    browser_sign_in: true,
    label: "Google Business Profile",
    feed: Feed::Reviews,
    help: "Every Google review of your own verified business, with your replies, and replies \
           from Earshot. Needs an OAuth client of your own: in the Google Cloud console \
           (https://console.cloud.google.com) create or pick a project; under APIs & Services → \
           Library enable \"Google My Business API\", \"My Business Account Management API\" \
           and \"My Business Business Information API\"; under APIs & Services → OAuth consent \
           screen add yourself as a test user; then APIs & Services → Credentials → Create \
           credentials → OAuth client ID → Application type \"Desktop app\", and copy its client \
           id and client secret. Google also requires the project's \"Application for Basic API \
           Access\" (https://support.google.com/business/contact/api_default) to be approved: \
           until then every request fails. The account and location ids are the numbers in \
           accounts/…/locations/… (Business Profile Manager → the location's Advanced \
           settings shows the location id). After connecting it, sign in once with \
           `earshot sources auth ID`.",
    guide: GUIDE,
    default_base_url: "https://mybusiness.googleapis.com",
    settings: &[
        crate::platforms::s(
            "account_id",
            "Account id",
            "The number in accounts/… of the Business Profile account that manages the location.",
            true,
            false,
        ),
        crate::platforms::s(
            "location_id",
            "Location id",
            "The number in locations/… (Business Profile → Advanced settings → Business Profile \
             ID).",
            true,
            false,
        ),
        crate::platforms::s(
            "client_id",
            "OAuth client id",
            "The client id of your \"Desktop app\" OAuth client (…apps.googleusercontent.com), \
             from APIs & Services → Credentials.",
            true,
            false,
        ),
        crate::platforms::s(
            "client_secret",
            "OAuth client secret",
            "The client secret shown with that OAuth client.",
            true,
            true,
        ),
        crate::platforms::s(
            "refresh_token",
            "Refresh token",
            "Kept by `earshot sources auth ID`; give one here only if you signed in elsewhere \
             with the business.manage scope.",
            false,
            true,
        ),
        crate::platforms::s(
            "auth_url",
            "Sign-in address",
            "Google's consent page; change only for a test server. Default: \
             https://accounts.google.com/o/oauth2/v2/auth.",
            false,
            false,
        ),
        super::TOKEN_URL_SETTING,
    ],
    interval_minutes: 15,
    lists_everything: true,
    // 300 requests a minute per project.
    min_interval_ms: 200,
    review_hosts: super::REVIEW_HOSTS,
};

const TOKEN: &str = "google_business_access_token";

/// Reviews per page: the API's maximum.
const PAGE_SIZE: u32 = 50;

/// The run's access token, from the stored refresh token.
async fn access_token(ctx: &Ctx<'_>) -> Result<Secret> {
    if let Some(t) = ctx.session_token(TOKEN) {
        return Ok(t);
    }
    let id = ctx.source_id;
    let refresh = ctx.secret("refresh_token")?.ok_or_else(|| {
        SourceError::Config(format!(
            "not signed in to Google yet: run `earshot sources auth {id}` and allow Earshot in \
             the browser"
        ))
    })?;
    let client_id = ctx.require("client_id")?;
    let client_secret = ctx.require_secret("client_secret")?;
    // The `token_url` setting, else the overridden base's `/token`, else Google's; `earshot
    // sources auth` resolves it the same way.
    let token = super::token(
        ctx.http,
        &ctx.pace(),
        &super::token_url(ctx.get("token_url"), ctx.get("base_url")),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
        ],
        &format!(
            "the sign-in was revoked or has expired (test-mode consent screens expire after 7 \
             days), or the client id or secret changed: sign in again with `earshot sources \
             auth {id}`"
        ),
    )
    .await?;
    ctx.keep_session_token(TOKEN, token.clone());
    // The reply outbox posts with the latest access token; failing to keep it only costs that.
    let _ = ctx.secrets.set(id, "access_token", &token);
    Ok(token)
}

/// `accounts/123` or `123` → `123`; `accounts/1/locations/456` or `456` → `456`.
fn last_segment(s: &str) -> &str {
    s.trim_end_matches('/').rsplit('/').next().unwrap_or(s)
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let account = last_segment(ctx.require("account_id")?);
    let location = last_segment(ctx.require("location_id")?);
    let token = access_token(ctx).await?;
    let url = format!(
        "{}/v4/accounts/{}/locations/{}/reviews",
        ctx.base_url(),
        path_segment(account),
        path_segment(location)
    );
    let mut params: Vec<(&str, String)> = vec![
        ("pageSize", PAGE_SIZE.to_string()),
        ("orderBy", "updateTime desc".to_string()),
    ];
    if let Some(t) = &req.page {
        params.push(("pageToken", t.clone()));
    }
    let reply = ctx
        .send(|c| c.get(&url).bearer_auth(token.expose()).query(&params))
        .await
        .map_err(reword)?;
    let body: Value = reply.json()?;
    let items = parse_reviews(&body)?;
    // Every page of the list carries the location's own figures.
    ctx.report_headline(parse_headline(&body));
    let next = body
        .get("nextPageToken")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(crate::platforms::newest_first_page(req, items, mark, next))
}

/// What Google shows for the location, from a reviews page: `averageRating` and
/// `totalReviewCount` (https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list).
pub fn parse_headline(body: &Value) -> Option<Headline> {
    Headline::new(
        body.get("averageRating").and_then(Value::as_f64),
        body.get("totalReviewCount").and_then(Value::as_i64),
    )
}

/// A review's place in the listing's order: its last update.
fn mark(it: &IncomingReview) -> String {
    time_mark(&it.updated_at.unwrap_or(it.created_at).max(it.created_at))
}

/// Google's answers for a project that is not set up yet, in words that say what to do.
fn reword(e: SourceError) -> SourceError {
    const SETUP: &str = "enable the Business Profile APIs in the Cloud project and make sure \
                         Google approved its Application for Basic API Access (the quota is 0 \
                         until then)";
    match e {
        SourceError::Auth {
            status: 403,
            detail,
        } if detail.contains("has not been used")
            || detail.contains("is disabled")
            || detail.to_lowercase().contains("quota") =>
        {
            SourceError::Auth {
                status: 403,
                detail: format!("{detail} — {SETUP}"),
            }
        }
        SourceError::RateLimited { until, detail } if detail.contains("Quota exceeded") => {
            SourceError::RateLimited {
                until,
                detail: format!("{detail} — if this never clears, {SETUP}"),
            }
        }
        other => other,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    #[serde(default)]
    review_id: Option<String>,
    /// `accounts/{a}/locations/{l}/reviews/{id}`.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    reviewer: Option<Reviewer>,
    #[serde(default)]
    star_rating: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    create_time: Option<String>,
    #[serde(default)]
    update_time: Option<String>,
    #[serde(default)]
    review_reply: Option<ReviewReply>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reviewer {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    is_anonymous: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewReply {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    update_time: Option<String>,
}

/// `"ONE"`…`"FIVE"` → 1–5; anything else (`STAR_RATING_UNSPECIFIED`) → none.
pub fn stars(s: &str) -> Option<f64> {
    Some(match s {
        "ONE" => 1.0,
        "TWO" => 2.0,
        "THREE" => 3.0,
        "FOUR" => 4.0,
        "FIVE" => 5.0,
        _ => return None,
    })
}

/// What the reviewer wrote. For a review in another language than the owner's, Google sends
/// `(Translated by Google) <translation>\n\n(Original)\n<original>` (or the original first, then
/// `(Translated by Google)` and the translation); the Takeout export holds the same text. The
/// original is kept, so the API and an imported Takeout store the same body (issue 26).
pub fn original_comment(comment: &str) -> &str {
    const ORIGINAL: &str = "(Original)";
    const TRANSLATED: &str = "(Translated by Google)";
    let comment = comment.trim();
    if let Some(i) = comment.find(ORIGINAL) {
        let after = &comment[i + ORIGINAL.len()..];
        let end = after.find(TRANSLATED).unwrap_or(after.len());
        let original = after[..end].trim();
        if !original.is_empty() {
            return original;
        }
    }
    match comment.find(TRANSLATED) {
        Some(i) if i > 0 => comment[..i].trim(),
        _ => comment,
    }
}

/// Maps a page's `reviews`. Ids are the `reviewId`s (the outbox builds the review's resource
/// name from the source's account and location).
pub fn parse_reviews(body: &Value) -> Result<Vec<IncomingReview>> {
    let list = crate::platforms::page_list(body, "reviews", "Google's")?;
    let mut out = Vec::with_capacity(list.len());
    for raw in list {
        let r: Review = shaped(raw, "a Google Business Profile review")?;
        let id = r
            .review_id
            .filter(|i| !i.trim().is_empty())
            .or_else(|| r.name.as_deref().map(|n| last_segment(n).to_string()))
            .filter(|i| !i.trim().is_empty())
            .ok_or_else(|| SourceError::BadResponse("a review has no reviewId".into()))?;
        let when = r
            .create_time
            .as_deref()
            .or(r.update_time.as_deref())
            .unwrap_or_default();
        let created = sent_time(when)?;
        let mut it = item(
            "google",
            id,
            Kind::Review,
            original_comment(r.comment.as_deref().unwrap_or_default()).to_string(),
            created,
        );
        it.rating = r.star_rating.as_deref().and_then(stars);
        it.author = r
            .reviewer
            .filter(|p| p.is_anonymous != Some(true))
            .and_then(|p| p.display_name)
            .filter(|n| !n.trim().is_empty());
        it.updated_at = r
            .update_time
            .as_deref()
            .and_then(parse_time)
            .filter(|u| *u > created);
        it.owner_reply = r.review_reply.and_then(|rr| {
            let body = rr.comment.filter(|c| !c.trim().is_empty())?;
            Some(OwnerReply {
                body,
                replied_at: rr.update_time.as_deref().and_then(parse_time),
            })
        });
        it.raw_json = Some(raw.to_string());
        out.push(it);
    }
    Ok(out)
}

/// Google Business Profile, as the registry knows it.
pub struct GoogleBusiness;

impl Platform for GoogleBusiness {
    fn review_link(&self, settings: &Value) -> Option<String> {
        super::write_review_link(settings)
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn exports(&self) -> &'static [&'static dyn crate::import::ExportFormat] {
        &[&super::takeout::Takeout]
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_reviews(&parse_json(body)?))
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }

    fn reply_limit(&self) -> Option<Limit> {
        // `comment` ≤ 4096 bytes.
        Some(Limit::Bytes(4096))
    }

    fn aliases(&self) -> &'static [&'static str] {
        &[
            "google maps",
            "google-maps",
            "googlemaps",
            "google business",
            "gbp",
        ]
    }

    fn display_label(&self) -> Option<&'static str> {
        Some("Google")
    }

    fn sign_in(
        &self,
        source: &crate::store::Source,
        secrets: &dyn crate::secrets::SecretStore,
    ) -> Option<Result<crate::platforms::oauth::SignIn>> {
        Some(super::sign_in::begin(source, secrets))
    }

    fn refusal(&self, status: u16, body: &Value) -> Option<Refusal> {
        super::daily_quota(status, body)
    }
}

/// Where the review's one reply is kept: `/v4/{review name}/reply`.
fn reply_path(review_external_id: &str, settings: &Value) -> ReplyResult<String> {
    Ok(format!(
        "/v4/{}/reply",
        review_name(review_external_id, settings)?
    ))
}

/// `PUT …/reply` sets the review's one reply: create-or-replace.
impl Replier for GoogleBusiness {
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        Ok(json_request(
            Method::PUT,
            reply_url(base, reply_path(target.external_id, target.settings)?),
            json!({ "comment": body }),
            true,
        ))
    }

    fn one_reply_path(
        &self,
        review_external_id: &str,
        settings: &Value,
    ) -> ReplyResult<Option<String>> {
        reply_path(review_external_id, settings).map(Some)
    }

    /// It replaces the one reply of the review, which has no id of its own.
    fn posted_id(&self, _answer: &Value) -> Option<String> {
        None
    }

    /// The sign-in's refresh token, which a lost or spent access token is renewed with.
    fn credential_keys(&self) -> &'static [&'static str] {
        &[crate::platforms::oauth::REFRESH]
    }

    /// The access token the sign-in or the last sync kept; with none kept (or the keyring lost
    /// it), a renewed one.
    fn authorise<'a>(
        &'a self,
        http: &'a Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
        _base: &'a str,
    ) -> LocalBoxFuture<'a, ReplyResult<Auth>> {
        Box::pin(async move {
            let kept = creds
                .bearer_token(source_id, SPEC.name)
                .map_err(|e| ReplyError::Outbox(e.to_string()))?;
            match kept {
                Some(token) => Ok(Auth::bearer(token)),
                None => renew(http, creds, source_id, settings)
                    .await
                    .map(Auth::bearer),
            }
        })
    }

    fn missing(&self, source_id: SourceId, _settings: &Value, has: &Has) -> Option<String> {
        (!self.holds_credentials(has)).then(|| {
            crate::platforms::sign_in_first(
                "Google",
                source_id,
                "the OAuth client alone cannot answer reviews",
            )
        })
    }

    /// Access tokens live an hour; the sign-in or the last sync may be older.
    fn renew<'a>(
        &'a self,
        http: &'a Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
    ) -> Option<LocalBoxFuture<'a, ReplyResult<Secret>>> {
        Some(Box::pin(renew(http, creds, source_id, settings)))
    }
}

/// Trades the source's refresh token for a new access token ([`super::renew_sign_in`]).
async fn renew(
    http: &Http,
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
    settings: &Value,
) -> ReplyResult<Secret> {
    super::renew_sign_in(&SPEC, http, creds, source_id, settings).await
}

/// The resource name of a review: the external id when the connector stored the full name,
/// else built from the source's account and location.
fn review_name(external_id: &str, settings: &Value) -> ReplyResult<String> {
    if external_id.starts_with("accounts/") {
        return Ok(external_id.to_string());
    }
    let account = setting(settings, &["account", "account_id", "accountId"])
        .ok_or_else(|| missing(&SPEC, "account"))?;
    let location = setting(settings, &["location", "location_id", "locationId"])
        .ok_or_else(|| missing(&SPEC, "location"))?;
    let account = account.trim_start_matches("accounts/");
    let location = location.rsplit('/').next().unwrap_or(location);
    Ok(format!(
        "accounts/{account}/locations/{location}/reviews/{external_id}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reviews_page_carries_the_locations_figures() {
        // Shape: accounts.locations.reviews.list response body (developers.google.com/
        // my-business/reference/rest/v4/accounts.locations.reviews/list).
        let v: Value = serde_json::from_str(
            r#"{"reviews":[],"averageRating":4.4,"totalReviewCount":312,"nextPageToken":"x"}"#,
        )
        .unwrap();
        let h = parse_headline(&v).unwrap();
        assert_eq!((h.rating, h.review_count), (Some(4.4), Some(312)));
    }

    #[test]
    fn documented_review_with_enum_rating_and_reply() {
        let v: Value = serde_json::from_str(
            r#"{"reviews":[
              {"reviewId":"AbC","name":"accounts/1/locations/2/reviews/AbC","reviewer":{"displayName":"Sam"},"starRating":"FOUR","comment":"Slow coffee.",
               "createTime":"2024-05-01T09:12:03.123Z","updateTime":"2024-05-02T10:00:00Z","reviewReply":{"comment":"Thanks!","updateTime":"2024-05-03T08:00:00Z"}},
              {"reviewId":"DeF","reviewer":{"isAnonymous":true,"displayName":"A Google user"},"starRating":"STAR_RATING_UNSPECIFIED",
               "createTime":"2024-04-01T09:00:00Z","updateTime":"2024-04-01T09:00:00Z"}],
             "averageRating":4.2,"totalReviewCount":2,"nextPageToken":"p2"}"#,
        )
        .unwrap();
        let items = parse_reviews(&v).unwrap();
        let a = &items[0];
        assert_eq!(a.external_id, "AbC");
        assert_eq!(a.platform, "google");
        assert_eq!(a.rating, Some(4.0));
        assert_eq!(a.body, "Slow coffee.");
        assert_eq!(a.author.as_deref(), Some("Sam"));
        assert!(a.updated_at.is_some());
        assert_eq!(a.owner_reply.as_ref().unwrap().body, "Thanks!");
        assert_eq!(mark(a), "2024-05-02T10:00:00.000Z");
        let b = &items[1];
        assert_eq!(b.rating, None);
        assert_eq!(b.body, "", "rating-only reviews have no comment");
        assert_eq!(b.author, None);
        assert_eq!(b.updated_at, None);
    }

    #[test]
    fn a_translated_comment_keeps_what_the_reviewer_wrote() {
        assert_eq!(
            original_comment("(Translated by Google) A quiz night\n\n(Original)\nEn quizkveld"),
            "En quizkveld"
        );
        assert_eq!(
            original_comment("Très bon\n\n(Translated by Google)\nVery good"),
            "Très bon"
        );
        assert_eq!(original_comment(" Plain text "), "Plain text");
    }

    #[test]
    fn ids_and_ratings() {
        assert_eq!(last_segment("accounts/123"), "123");
        assert_eq!(last_segment("accounts/1/locations/456"), "456");
        assert_eq!(last_segment("789"), "789");
        assert_eq!(stars("FIVE"), Some(5.0));
        assert_eq!(stars("SIX"), None);
    }

    #[test]
    fn an_unapproved_project_is_explained() {
        let e = reword(SourceError::Auth {
            status: 403,
            detail: "Google My Business API has not been used in project 42 before or it is \
                     disabled."
                .into(),
        });
        assert!(e.to_string().contains("Basic API Access"), "{e}");
    }

    #[test]
    fn a_gateway_error_on_a_reply_that_replaces_is_retried() {
        use crate::replies::outbox::{classify, Outcome};
        let gbp = classify(&GoogleBusiness, true, 504, None, "");
        assert!(matches!(gbp, Outcome::Retry { .. }));
    }
}
