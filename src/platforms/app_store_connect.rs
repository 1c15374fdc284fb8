//! App Store Connect API customer reviews of the owner's own app:
//! `GET /v1/apps/{appId}/customerReviews?limit=200&sort=-createdDate&include=response`, newest
//! first, paged by following `links.next`.
//!
//! Every request carries a short-lived JWT (ES256) signed with the team's `.p8` key: header
//! `kid` = key id, claims `iss` = issuer id, `aud` = `appstoreconnect-v1`, `exp` under 20
//! minutes. The developer's response (`included` `customerReviewResponses`, pending or
//! published) is recorded as the owner's reply. An incremental run stops at the first page that
//! reaches the last run's newest review.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{IncomingReview, Kind, OwnerReply};
use crate::platforms::http::parse_json;
use crate::platforms::{json_request, missing, reply_url, setting, stored_secret, stored_token};
use crate::platforms::{sent_time, shaped};
use crate::platforms::{BodyParser, BoxFuture, LocalBoxFuture, Platform, Replier};
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
    access: crate::platforms::Access::DeveloperKey,
    cost: "Free with your Apple Developer Program membership (US$99 a year).",
    approval: "You must be the Account Holder or an Admin in App Store Connect to create an API key.",
    steps: &[
        "In App Store Connect → Users and Access → Integrations → App Store Connect API → Team Keys, generate a key with the Customer Support role.",
        "Download its .p8 file (Apple lets you download it once) and note the issuer id and key id.",
        "Connect it here with the app's Apple ID and the key.",
    ],
    without_api: "Apple has no review export. The \"App Store\" platform reads the newest public reviews without any key.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "app-store-connect",
    platform: "app-store",
    browser_sign_in: false,
    label: "App Store Connect",
    feed: Feed::Reviews,
    help: "Every App Store review of your own app, with your responses, and replies from \
           Earshot. Needs an App Store Connect API key: in App Store Connect → Users and Access \
           → Integrations → App Store Connect API → Team Keys, generate a key with the Customer \
           Support (or App Manager) role and download its .p8 file (Apple lets you download it \
           once). The issuer id is shown above the keys, the key id in the key's row. The app \
           id is the Apple ID under your app's App Information. Give the key file's contents: \
           --set private_key=\"$(cat AuthKey_ABC123.p8)\".",
    guide: GUIDE,
    default_base_url: "https://api.appstoreconnect.apple.com",
    settings: &[
        crate::platforms::s(
            "app_id",
            "App id",
            "Your app's Apple ID (a number), under App Information in App Store Connect.",
            true,
            false,
        ),
        crate::platforms::s(
            "issuer_id",
            "Issuer id",
            "Shown above the keys in Users and Access → Integrations → App Store Connect API.",
            true,
            false,
        ),
        crate::platforms::s(
            "key_id",
            "Key id",
            "The API key's id (10 characters), in its row under Team Keys.",
            true,
            false,
        ),
        crate::platforms::s(
            "private_key",
            "Private key (.p8)",
            "The contents of the AuthKey_….p8 file downloaded when the key was made.",
            true,
            true,
        ),
    ],
    interval_minutes: 30,
    lists_everything: false,
    // 3,600 requests an hour per key.
    min_interval_ms: 1000,
    review_hosts: crate::platforms::app_store::REVIEW_HOSTS,
};

/// Reviews per page: the API's maximum.
const LIMIT: u32 = 200;

/// Tokens live 19 minutes: Apple refuses any that lives longer than 20.
const TOKEN_MINUTES: i64 = 19;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: i64,
    exp: i64,
    aud: &'a str,
}

/// A signed token for one request. Signing is cheap, so each request gets a fresh one and a
/// long backfill never meets an expired token.
fn bearer(ctx: &Ctx<'_>, now: DateTime<Utc>) -> Result<String> {
    let issuer = ctx.require("issuer_id")?;
    let key_id = ctx.require("key_id")?;
    let pem = ctx.require_secret("private_key")?;
    sign(issuer, key_id, pem.expose(), now)
}

/// Signs the API's JWT. Errors never quote the key.
pub(crate) fn sign(issuer: &str, key_id: &str, pem: &str, now: DateTime<Utc>) -> Result<String> {
    let pem = normalise_pem(pem);
    let key = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).map_err(|_| {
        SourceError::Config(
            "the private key is not an App Store Connect .p8 key: give the whole contents of \
             the AuthKey_….p8 file, from -----BEGIN PRIVATE KEY----- to the END line"
                .into(),
        )
    })?;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(key_id.to_string());
    header.typ = Some("JWT".into());
    let claims = Claims {
        iss: issuer,
        iat: now.timestamp(),
        exp: now.timestamp() + TOKEN_MINUTES * 60,
        aud: "appstoreconnect-v1",
    };
    jsonwebtoken::encode(&header, &claims, &key).map_err(|_| {
        SourceError::Config(
            "the private key could not sign: it must be an ES256 (P-256) .p8 key from App \
             Store Connect"
                .into(),
        )
    })
}

/// A key pasted through a shell or a form: literal `\n`s, or the base64 body alone.
fn normalise_pem(pem: &str) -> String {
    let pem = pem.trim();
    let pem = if !pem.contains('\n') && pem.contains("\\n") {
        pem.replace("\\n", "\n")
    } else {
        pem.to_string()
    };
    if pem.contains("-----BEGIN") {
        return pem;
    }
    let body: String = pem.split_whitespace().collect();
    let lines: Vec<String> = body
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// The part of a `links.next` address after the API's base, so the next page goes to the same
/// (possibly overridden) base and the token never leaves for another host.
pub(crate) fn relative_next(next: &str, base: &str) -> Option<String> {
    if let Some(rest) = next.strip_prefix(base) {
        return Some(rest.to_string()).filter(|r| r.starts_with('/'));
    }
    let url = reqwest::Url::parse(next).ok()?;
    Some(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    })
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let app = ctx.require("app_id")?;
    let base = ctx.base_url();
    let url = match req.page.as_deref().filter(|p| p.starts_with('/')) {
        Some(rest) => format!("{base}{rest}"),
        None => format!(
            "{base}/v1/apps/{}/customerReviews?limit={LIMIT}&sort=-createdDate&include=response",
            path_segment(app)
        ),
    };
    let token = bearer(ctx, Utc::now())?;
    let reply = ctx.send(|c| c.get(&url).bearer_auth(&token)).await?;
    let body: Value = reply.json()?;
    let items = parse_reviews(&body, Some(app))?;
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    let reached = super::reached_watermark(req, items.iter().map(|i| time_mark(&i.created_at)));
    let more = !items.is_empty() && !reached;
    let next = body
        .pointer("/links/next")
        .and_then(Value::as_str)
        .filter(|_| more)
        .and_then(|n| relative_next(n, &base));
    Ok(Page { items, next, high })
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    attributes: Value,
    #[serde(default)]
    relationships: Value,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ReviewAttributes {
    #[serde(default)]
    rating: Option<f64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    reviewer_nickname: Option<String>,
    #[serde(default)]
    created_date: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ResponseAttributes {
    #[serde(default)]
    response_body: Option<String>,
    #[serde(default)]
    last_modified_date: Option<String>,
}

/// Maps a JSON:API page: `data` reviews, their responses from `included`.
pub fn parse_reviews(body: &Value, app: Option<&str>) -> Result<Vec<IncomingReview>> {
    let data = crate::platforms::page_list(body, "data", "App Store Connect's")?;
    let included: Vec<Resource> = body
        .get("included")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| serde_json::from_value(r.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::with_capacity(data.len());
    for raw in data {
        let r: Resource = shaped(raw, "an App Store Connect review")?;
        if r.kind != "customerReviews" && !r.kind.is_empty() {
            continue;
        }
        let id =
            r.id.clone()
                .filter(|i| !i.trim().is_empty())
                .ok_or_else(|| SourceError::BadResponse("a review has no id".into()))?;
        let a: ReviewAttributes = shaped(&r.attributes, "an App Store Connect review")?;
        let when = a.created_date.as_deref().unwrap_or_default();
        let created = sent_time(when)?;
        let mut it = item(
            "app-store",
            id.clone(),
            Kind::Review,
            a.body.unwrap_or_default().trim().to_string(),
            created,
        );
        it.rating = a.rating.filter(|x| (1.0..=5.0).contains(x));
        it.title = a.title.filter(|t| !t.trim().is_empty());
        it.author = a.reviewer_nickname.filter(|n| !n.trim().is_empty());
        it.url = app.map(|a| format!("https://apps.apple.com/app/id{a}?see-all=reviews"));
        it.owner_reply = response_of(&r, &id, &included);
        it.raw_json = Some(raw.to_string());
        out.push(it);
    }
    Ok(out)
}

/// The developer's response to a review: by the review's `response` relationship, or by the
/// response's `review` relationship.
fn response_of(review: &Resource, review_id: &str, included: &[Resource]) -> Option<OwnerReply> {
    let linked = review
        .relationships
        .pointer("/response/data/id")
        .and_then(Value::as_str);
    let found = included.iter().find(|inc| {
        inc.kind == "customerReviewResponses"
            && (linked.is_some() && inc.id.as_deref() == linked
                || inc
                    .relationships
                    .pointer("/review/data/id")
                    .and_then(Value::as_str)
                    == Some(review_id))
    })?;
    let a: ResponseAttributes = serde_json::from_value(found.attributes.clone()).ok()?;
    let body = a.response_body.filter(|b| !b.trim().is_empty())?;
    Some(OwnerReply {
        body,
        replied_at: a.last_modified_date.as_deref().and_then(parse_time),
    })
}

/// App Store Connect, as the registry knows it.
pub struct AppStoreConnect;

impl Platform for AppStoreConnect {
    /// `https://apps.apple.com/app/id{app id}?action=write-review`: the App Store opens the
    /// app's review form.
    fn review_link(&self, settings: &Value) -> Option<String> {
        super::app_store::review_link(settings)
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
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
        // App Store Connect documents none; its response box stops at 5 970 (reported).
        Some(Limit::Chars(5_970))
    }
}

/// "Create or update a response": one response per review, overwritten by a new one.
impl Replier for AppStoreConnect {
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        Ok(json_request(
            Method::POST,
            reply_url(base, "/v1/customerReviewResponses"),
            json!({ "data": {
                "type": "customerReviewResponses",
                "attributes": { "responseBody": body },
                "relationships": { "review": { "data": {
                    "type": "customerReviews", "id": target.external_id } } }
            } }),
            true,
        ))
    }

    fn delete_path(&self) -> Option<&'static str> {
        Some("/v1/customerReviewResponses/")
    }

    fn posted_id(&self, answer: &Value) -> Option<String> {
        answer
            .pointer("/data/id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// The team's `.p8` key, which every token is signed with.
    fn credential_keys(&self) -> &'static [&'static str] {
        &["private_key"]
    }

    /// A short-lived ES256 JWT signed with the team's `.p8` key, the way the connector signs
    /// one; a ready-made token where no key is stored.
    fn authorise<'a>(
        &'a self,
        _http: &'a crate::platforms::http::Http,
        creds: &'a dyn ReplyCredentials,
        source_id: SourceId,
        settings: &'a Value,
        _base: &'a str,
    ) -> LocalBoxFuture<'a, ReplyResult<Auth>> {
        let auth = || -> ReplyResult<Auth> {
            let Some(pem) = stored_secret(creds, source_id, "private_key")? else {
                return stored_token(&SPEC, creds, source_id);
            };
            let issuer =
                setting(settings, &["issuer_id"]).ok_or_else(|| missing(&SPEC, "issuer id"))?;
            let key_id = setting(settings, &["key_id"]).ok_or_else(|| missing(&SPEC, "key id"))?;
            let jwt = sign(issuer, key_id, pem.expose(), Utc::now())
                .map_err(|e| ReplyError::Outbox(format!("App Store Connect: {e}")))?;
            Ok(Auth::bearer(Secret::new(jwt)))
        };
        Box::pin(std::future::ready(auth()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpISS06RwdLkJOqGe
ASDpLoRV07DKZ8VjQ6STwgnccUShRANCAAQfAPI1tXBl/gQr3U9OJKGJVpq3wTYl
rllcs7eYzWgcJJfApXxFHhO7UfGO1ONcGQ/GD/hzL6rttVLMXYF2+TyQ
-----END PRIVATE KEY-----";

    const PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHwDyNbVwZf4EK91PTiShiVaat8E2
Ja5ZXLO3mM1oHCSXwKV8RR4Tu1HxjtTjXBkPxg/4cy+q7bVSzF2Bdvk8kA==
-----END PUBLIC KEY-----";

    #[test]
    fn the_token_is_es256_with_apples_claims() {
        let now = Utc::now();
        let flat = KEY.replace('\n', "\\n");
        for pem in [KEY, flat.as_str()] {
            let token = sign("iss-1", "KEY123", pem, now).unwrap();
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
            assert_eq!(header.kid.as_deref(), Some("KEY123"));
            let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
            v.set_audience(&["appstoreconnect-v1"]);
            v.set_issuer(&["iss-1"]);
            let key = jsonwebtoken::DecodingKey::from_ec_pem(PUBLIC.as_bytes()).unwrap();
            let data = jsonwebtoken::decode::<Value>(&token, &key, &v).unwrap();
            let exp = data.claims["exp"].as_i64().unwrap();
            assert!(exp - now.timestamp() <= 20 * 60);
        }
        let e = sign("iss-1", "KEY123", "not a key", now).unwrap_err();
        assert_eq!(e.code(), "config");
        assert!(!e.to_string().contains("not a key"));
    }

    #[test]
    fn documented_reviews_with_an_included_response() {
        let v: Value = serde_json::from_str(
            r#"{"data":[
              {"type":"customerReviews","id":"00000001","attributes":{"rating":4,"title":"Nice","body":"Works well","reviewerNickname":"pat","createdDate":"2024-05-01T11:04:11-07:00","territory":"USA"},
               "relationships":{"response":{"data":{"type":"customerReviewResponses","id":"r-1"}}}},
              {"type":"customerReviews","id":"00000002","attributes":{"rating":1,"body":"Crashes","reviewerNickname":"kim","createdDate":"2024-04-30T09:00:00-07:00"}}],
             "included":[{"type":"customerReviewResponses","id":"r-1","attributes":{"responseBody":"Thanks, pat!","lastModifiedDate":"2024-05-02T10:00:00-07:00","state":"PUBLISHED"}}],
             "links":{"self":"https://api.appstoreconnect.apple.com/v1/apps/42/customerReviews","next":"https://api.appstoreconnect.apple.com/v1/apps/42/customerReviews?cursor=AQ&limit=200"}}"#,
        )
        .unwrap();
        let items = parse_reviews(&v, Some("42")).unwrap();
        assert_eq!(items.len(), 2);
        let a = &items[0];
        assert_eq!(a.external_id, "00000001");
        assert_eq!(a.platform, "app-store");
        assert_eq!(a.rating, Some(4.0));
        assert_eq!(a.title.as_deref(), Some("Nice"));
        assert_eq!(a.author.as_deref(), Some("pat"));
        assert_eq!(a.owner_reply.as_ref().unwrap().body, "Thanks, pat!");
        assert!(items[1].owner_reply.is_none());
        assert_eq!(
            relative_next(v["links"]["next"].as_str().unwrap(), "http://127.0.0.1:9").as_deref(),
            Some("/v1/apps/42/customerReviews?cursor=AQ&limit=200")
        );
        assert_eq!(
            relative_next("http://127.0.0.1:9/v1/x?cursor=B", "http://127.0.0.1:9").as_deref(),
            Some("/v1/x?cursor=B")
        );
    }
}
