//! Trustpilot service reviews: `GET /v1/business-units/{buId}/reviews`, `apikey` header,
//! `page`/`perPage` paging, newest first; past the end the list is empty.

use serde::Deserialize;
use serde_json::Value;

use crate::model::{IncomingReview, Kind, OwnerReply};
use crate::platforms::http::parse_json;
use crate::platforms::{delete_request, json_request, missing, setting};
use crate::platforms::{BodyParser, BoxFuture, Platform, Replier};
use crate::replies::outbox::{Planned, Target};
use crate::replies::Result as ReplyResult;
use crate::sources::text::{parse_time, path_segment, time_mark};
use crate::sources::{item, ConnectorSpec, Ctx, Feed, Page, PageRequest, Result, SourceError};
use reqwest::Method;
use serde_json::json;

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    cost: "Paid: Trustpilot's API is an add-on to a Trustpilot Business plan; ask Trustpilot for the price.",
    approval: "Trustpilot must switch API access on for your business.",
    steps: &[
        "Ask Trustpilot for API access.",
        "In Trustpilot Business, go to Integrations → Developers → APIs, create an application and copy its API key.",
        "Copy your business unit id from the same page and add the source here.",
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
    ],
    interval_minutes: 15,
    lists_everything: true,
    // ≤ 833 calls per 5 minutes: one every 360 ms.
    min_interval_ms: 360,
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
    // Newest first: once a page reaches what the last run saw, older pages hold nothing new.
    let reached = !req.full
        && req
            .watermark
            .as_deref()
            .is_some_and(|w| items.iter().any(|i| time_mark(&i.created_at).as_str() <= w));
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
            let r: TpReview = serde_json::from_value(raw.clone()).map_err(|e| {
                SourceError::BadResponse(format!(
                    "a Trustpilot review did not have the expected shape: {e}"
                ))
            })?;
            let created = parse_time(&r.created_at).ok_or_else(|| {
                SourceError::BadResponse(format!("unreadable time {:?}", r.created_at))
            })?;
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
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
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
            format!(
                "{}/v1/private/reviews/{}/reply",
                base.trim_end_matches('/'),
                target.external_id
            ),
            json!({ "authorBusinessUserId": author, "message": body }),
            true,
        ))
    }

    fn plan_delete(
        &self,
        base: &str,
        review_external_id: &str,
        _reply_id: Option<&str>,
        _settings: &Value,
    ) -> ReplyResult<Planned> {
        Ok(delete_request(format!(
            "{}/v1/private/reviews/{review_external_id}/reply",
            base.trim_end_matches('/')
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
