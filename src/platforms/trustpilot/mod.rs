//! Trustpilot service reviews: `GET /v1/business-units/{buId}/reviews`, `apikey` header,
//! `page`/`perPage` paging, newest first; past the end the list is empty.

pub mod export;

use serde::Deserialize;
use serde_json::Value;

use crate::model::SourceId;
use crate::model::{Headline, IncomingReview, Kind, OwnerReply};
use crate::platforms::http::{parse_json, Http};
use crate::platforms::{api_url, SignedIn};
use crate::platforms::{json_request, missing, oauth, reply_url, setting};
use crate::platforms::{sent_time, shaped};
use crate::platforms::{stored_secret, Has};
use crate::platforms::{BodyParser, BoxFuture, Platform, Replier};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::outbox::{Planned, Target};
use crate::replies::{ReplyError, Result as ReplyResult};
use crate::secrets::ReplyCredentials;
use crate::secrets::{Secret, SecretStore};
use crate::sources::text::{parse_time, path_segment, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};
use reqwest::Method;
use serde_json::json;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::Approval,
    cost: "Paid: Trustpilot's API is an add-on to a Trustpilot Business plan; ask Trustpilot for the price.",
    approval: "Trustpilot must switch API access on for your business.",
    steps: &[
        "Ask Trustpilot for API access.",
        "In Trustpilot Business, go to Integrations → Developers → APIs, create an application and copy its API key.",
        "Copy your business unit id from the same page and connect it here.",
    ],
    without_api: "Trustpilot Business can export your reviews as a CSV or Excel file: import it with `earshot import`.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "trustpilot",
    platform: "trustpilot",
    browser_sign_in: false,
    label: "Trustpilot",
    feed: Feed::Reviews,
    help:
        "Trustpilot's API is a paid add-on: ask Trustpilot for API access, then find the API key \
           under Integrations → Developers → API in Trustpilot Business. The business unit id is \
           shown there too.",
    guide: GUIDE,
    default_base_url: "https://api.trustpilot.com",
    settings: &[
        crate::platforms::s(
            "business_unit_id",
            "Business unit id",
            "Your Trustpilot business unit id.",
            true,
            false,
        ),
        crate::platforms::s(
            "api_key",
            "API key",
            "From Trustpilot Business → Integrations → API.",
            true,
            true,
        ),
        crate::platforms::s(
            "business_user_id",
            "Business user id (to reply)",
            "To reply from Earshot: the User ID on your Trustpilot Business profile page. The \
             reply is written in that user's name.",
            false,
            false,
        ),
        crate::platforms::s(
            "api_secret",
            "API secret (to reply)",
            "To reply from Earshot: the API secret beside the key. Then sign in once with your \
             Trustpilot Business login (`earshot sources auth ID`); Earshot keeps the tokens it \
             gets, never the password, and renews them for 30 days.",
            false,
            true,
        ),
        crate::platforms::s(
            "domain",
            "Your website (for the review link)",
            "The address Trustpilot lists you under, such as joescafe.com: the Ask for reviews \
             screen makes your Trustpilot review link and QR code from it.",
            false,
            false,
        ),
    ],
    interval_minutes: 15,
    lists_everything: true,
    // ≤ 833 calls per 5 minutes: one every 360 ms.
    min_interval_ms: 360,
    review_hosts: crate::platforms::LinkHosts::Only(&["trustpilot.com", "trustpilot.*"]),
};

const PER_PAGE: u32 = 100;

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    reviews: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TpReview {
    id: String,
    #[serde(default)]
    stars: Option<f64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    created_at: String,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    consumer: Option<Consumer>,
    #[serde(default)]
    company_reply: Option<Reply>,
    #[serde(default)]
    language: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Consumer {
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reply {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

/// The public business unit's TrustScore and review count, one call at the start of a run
/// (`GET /v1/business-units/{id}`, the same API key; a few calls an hour against a limit of
/// 833 per 5 minutes). The reviews were read: a refusal here costs only the figures.
async fn business_unit_figures(ctx: &Ctx<'_>, unit: &str, key: &str) -> Option<Headline> {
    let url = format!(
        "{}/v1/business-units/{}",
        ctx.base_url(),
        path_segment(unit)
    );
    let reply = ctx.send(|c| c.get(&url).header("apikey", key)).await.ok()?;
    parse_business_unit(&reply.json().ok()?)
}

/// What Trustpilot shows for a business unit
/// (https://developers.trustpilot.com/business-units-api-public#get-a-business-unit):
/// `score.trustScore` (0–5, one decimal; the stars shown are `score.stars`, rounded to halves)
/// and `numberOfReviews.total`.
pub fn parse_business_unit(body: &Value) -> Option<Headline> {
    Headline::new(
        body.pointer("/score/trustScore").and_then(Value::as_f64),
        body.pointer("/numberOfReviews/total")
            .and_then(Value::as_i64),
    )
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let unit = ctx.require("business_unit_id")?;
    let key = ctx.require_secret("api_key")?;
    let page: u32 = req
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let url = format!(
        "{}/v1/business-units/{}/reviews",
        ctx.base_url(),
        path_segment(unit)
    );
    let query = [
        ("page", page.to_string()),
        ("perPage", PER_PAGE.to_string()),
        ("orderBy", "createdat.desc".to_string()),
    ];
    let reply = ctx
        .send(|c| c.get(&url).header("apikey", key.expose()).query(&query))
        .await?;
    let body: Body = reply.json()?;
    let items = parse_reviews(&body.reviews)?;
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    if req.page.is_none() {
        ctx.report_headline(business_unit_figures(ctx, unit, key.expose()).await);
    }
    // Newest first: once a page reaches what the last run saw, older pages hold nothing new.
    let reached = super::reached_watermark(req, items.iter().map(|i| time_mark(&i.created_at)));
    let more = !items.is_empty() && !reached;
    Ok(Page {
        items,
        next: more.then(|| (page + 1).to_string()),
        high,
    })
}

pub fn parse_reviews(reviews: &[Value]) -> Result<Vec<IncomingReview>> {
    reviews
        .iter()
        .map(|raw| {
            let r: TpReview = shaped(raw, "a Trustpilot review")?;
            let created = sent_time(&r.created_at)?;
            let mut it = item(
                "trustpilot",
                r.id.clone(),
                Kind::Review,
                r.text.unwrap_or_default(),
                created,
            );
            it.rating = r.stars.filter(|x| (1.0..=5.0).contains(x));
            it.title = r.title.filter(|t| !t.trim().is_empty());
            it.author = r.consumer.and_then(|c| c.display_name);
            it.updated_at = r.updated_at.as_deref().and_then(parse_time);
            it.language = r.language;
            it.url = Some(format!("https://www.trustpilot.com/reviews/{}", r.id));
            it.owner_reply = r.company_reply.and_then(|c| {
                let body = c.text.filter(|t| !t.trim().is_empty())?;
                Some(OwnerReply {
                    body,
                    replied_at: c.created_at.as_deref().and_then(parse_time),
                })
            });
            it.raw_json = Some(raw.to_string());
            Ok(it)
        })
        .collect()
}

/// Trustpilot, as the registry knows it.
pub struct Trustpilot;

impl Platform for Trustpilot {
    /// `https://www.trustpilot.com/evaluate/{domain}`: the review form of the business's
    /// domain. A source holds the business unit id, not the domain, so this needs a `domain`
    /// setting, else the owner sets the link by hand.
    fn review_link(&self, settings: &Value) -> Option<String> {
        let domain = crate::platforms::setting(settings, &["domain"])?;
        crate::platforms::link_with("https://www.trustpilot.com/evaluate/", &[domain], &[])
    }

    fn asking_rule(&self) -> Option<crate::platforms::AskingRule> {
        Some(crate::platforms::AskingRule::Note(
            "Trustpilot asks that every customer be invited, or an impartial share of them, in \
             neutral words. Reviews that come from a plain link are shown as unprompted, and a \
             profile that gathers many that way may get a notice; Trustpilot's own invitations \
             label them Verified.",
        ))
    }

    fn signs_in_with_password(&self) -> bool {
        true
    }

    fn password_sign_in(
        &self,
        store: &dyn crate::platforms::SourceLookup,
        secrets: &dyn SecretStore,
        source: SourceId,
        username: &str,
        password: &Secret,
    ) -> Option<Result<()>> {
        Some(sign_in_with_password(
            store, secrets, source, username, password,
        ))
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn exports(&self) -> &'static [&'static dyn crate::import::ExportFormat] {
        &[&export::ReviewExport]
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_reviews(&crate::platforms::list(&parse_json(body)?, "reviews")))
    }

    fn replies(&self) -> Option<&dyn Replier> {
        Some(self)
    }
}

/// Where the review's one company reply is kept.
fn reply_path(review_external_id: &str) -> String {
    format!("/v1/private/reviews/{review_external_id}/reply")
}

/// One company reply per review: posting again replaces it.
impl Replier for Trustpilot {
    fn resend_is_safe(&self) -> bool {
        true
    }

    fn plan_post(&self, base: &str, target: &Target<'_>, body: &str) -> ReplyResult<Planned> {
        let author = setting(
            target.settings,
            &["business_user_id", "authorBusinessUserId"],
        )
        .ok_or_else(|| missing(&SPEC, "business user id"))?;
        Ok(json_request(
            Method::POST,
            reply_url(base, reply_path(target.external_id)),
            json!({ "authorBusinessUserId": author, "message": body }),
            true,
        ))
    }

    fn one_reply_path(
        &self,
        review_external_id: &str,
        _settings: &Value,
    ) -> ReplyResult<Option<String>> {
        Ok(Some(reply_path(review_external_id)))
    }

    fn signed_in(&self) -> Option<&'static SignedIn> {
        Some(&SIGNED_IN)
    }

    fn missing(&self, source_id: SourceId, settings: &Value, has: &Has) -> Option<String> {
        if setting(settings, &["business_user_id", "authorBusinessUserId"]).is_none() {
            return Some(
                "Trustpilot replies are written in a business user's name: set the source's \
                 business_user_id (the User ID on your Trustpilot Business profile page)."
                    .into(),
            );
        }
        if self.holds_credentials(has) {
            return None;
        }
        let how = if has("api_secret") {
            "the API key only reads"
        } else {
            "set the API secret beside the API key"
        };
        Some(format!(
            "Earshot is not signed in to Trustpilot as a business user yet: {how}, then sign in \
             once with your Trustpilot Business login (Review sites → \"Sign in to Trustpilot for \
             replies\" on the source, or `earshot sources auth {source_id}`)."
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// The business-user token. Trustpilot's authorization-code grant needs an https redirect its
// account managers register, which a desktop app has not; its password grant works from the
// owner's machine with the owner's own API key and secret: access 100 hours, refresh 30 days.
// developers.trustpilot.com/authentication, /grant-type-password.

const TOKEN_PATH: &str = "/v1/oauth/oauth-business-users-for-applications/accesstoken";
const REFRESH_PATH: &str = "/v1/oauth/oauth-business-users-for-applications/refresh";

/// The business user's token while it has minutes left (it lives 100 hours), else one
/// renewed with the refresh token (30 days); with no sign-in kept, a token given ready-made
/// (`EARSHOT_TOKEN_TRUSTPILOT`). The API key alone reads but cannot reply.
const SIGNED_IN: SignedIn = SignedIn {
    renew: |http, creds, source_id, settings| Box::pin(refresh(http, creds, source_id, settings)),
    not_signed_in,
};

fn not_signed_in(source_id: SourceId) -> ReplyError {
    ReplyError::Outbox(format!(
        "Trustpilot replies are written by a business user, and Earshot is not signed in as \
         one: set the source's business_user_id and api_secret, then sign in with your \
         Trustpilot Business login (`earshot sources auth {source_id}`). The API key only reads"
    ))
}

/// The application's key and secret, for HTTP Basic authentication at the token endpoint.
fn client(creds: &dyn ReplyCredentials, source_id: SourceId) -> ReplyResult<(Secret, Secret)> {
    let key = stored_secret(creds, source_id, "api_key")?;
    let secret = stored_secret(creds, source_id, "api_secret")?;
    match (key, secret) {
        (Some(k), Some(s)) => Ok((k, s)),
        _ => Err(not_signed_in(source_id)),
    }
}

async fn refresh(
    http: &Http,
    creds: &dyn ReplyCredentials,
    source_id: SourceId,
    settings: &Value,
) -> ReplyResult<Secret> {
    let refresh =
        stored_secret(creds, source_id, oauth::REFRESH)?.ok_or_else(|| not_signed_in(source_id))?;
    let (key, secret) = client(creds, source_id)?;
    let again = format!(
        "sign in again with your Trustpilot Business login (`earshot sources auth {source_id}`)"
    );
    let tokens = oauth::request(
        http,
        &api_url(&SPEC, settings, REFRESH_PATH),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
        ],
        Some((key.expose(), &secret)),
        "Trustpilot",
        &again,
    )
    .await
    .map_err(|e| {
        oauth::reply_error(
            e,
            &[refresh.clone(), key.clone(), secret.clone()],
            "Trustpilot did not renew the sign-in",
        )
    })?;
    tokens.keep(creds, source_id);
    Ok(tokens.access)
}

/// Signs source `id` in as a Trustpilot business user with the password grant: the owner's
/// login goes to Trustpilot once, with the application's key and secret; the tokens are kept in
/// `secrets`, the password nowhere. Blocking: run it off the UI thread.
pub fn sign_in_with_password(
    store: &(impl crate::platforms::SourceLookup + ?Sized),
    secrets: &dyn SecretStore,
    id: SourceId,
    username: &str,
    password: &Secret,
) -> Result<()> {
    let source = store.source(id)?;
    if source.connector != SPEC.name {
        return Err(SourceError::Config(format!(
            "source {id} ({}) is not a Trustpilot source",
            source.label
        )));
    }
    if setting(&source.settings, &["business_user_id"]).is_none() {
        return Err(SourceError::Config(format!(
            "source {id} has no business_user_id: set the User ID from your Trustpilot Business \
             profile page first"
        )));
    }
    let get = |k: &str| {
        secrets
            .get(id, k)
            .map_err(|e| SourceError::Secrets(e.to_string()))?
            .ok_or_else(|| {
                SourceError::Config(format!(
                    "no {k} is stored for source {id}; set the application's API key and secret \
                     from Trustpilot Business → Integrations → Developers → APIs"
                ))
            })
    };
    let (key, secret) = (get("api_key")?, get("api_secret")?);
    let (runtime, http) = oauth::one_shot()?;
    let tokens = runtime
        .block_on(oauth::request(
            &http,
            &api_url(&SPEC, &source.settings, TOKEN_PATH),
            &[
                ("grant_type", "password"),
                ("username", username.trim()),
                ("password", password.expose()),
            ],
            Some((key.expose(), &secret)),
            "Trustpilot",
            "check the Trustpilot Business login and the application's API key and secret",
        ))
        .map_err(|e| e.redacted(&[password.clone(), key.clone(), secret.clone()]))?;
    tokens.store(secrets, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_business_unit_gives_the_trustscore_and_review_count() {
        // Shape: Business Units API (public), "Get a business unit"
        // (developers.trustpilot.com/business-units-api-public).
        let v: Value = serde_json::from_str(
            r#"{"id":"46d6a890000064000500e0c3","displayName":"Joe's Cafe","name":{"identifying":"joescafe.example","referring":["joescafe.example"]},
                "score":{"stars":4.5,"trustScore":4.3},
                "numberOfReviews":{"total":1289,"usedForTrustScoreCalculation":1001,"oneStar":40,"twoStars":21,"threeStars":60,"fourStars":300,"fiveStars":868}}"#,
        )
        .unwrap();
        let h = parse_business_unit(&v).unwrap();
        assert_eq!((h.rating, h.review_count), (Some(4.3), Some(1289)));
    }

    #[test]
    fn documented_review_with_company_reply() {
        let v: Value = serde_json::from_str(
            r#"[{"id":"5f1","stars":2,"title":"Late","text":"Parcel came a week late.","createdAt":"2024-05-01T18:04:11Z","consumer":{"displayName":"Jo"},"companyReply":{"text":"Sorry, Jo.","createdAt":"2024-05-02T08:00:00Z"}}]"#,
        )
        .unwrap();
        let items = parse_reviews(v.as_array().unwrap()).unwrap();
        let r = &items[0];
        assert_eq!(r.rating, Some(2.0));
        assert_eq!(r.title.as_deref(), Some("Late"));
        assert_eq!(r.author.as_deref(), Some("Jo"));
        assert_eq!(r.owner_reply.as_ref().unwrap().body, "Sorry, Jo.");
    }
}
