//! Yelp Fusion: `GET /v3/businesses/{id}/reviews`, bearer API key.
//!
//! Yelp gives at most three review excerpts per business (truncated text) whatever its `total`
//! says (that is the business's whole review count), so a sync is one request: paging by
//! `total` would only spend calls. Earshot stores the excerpts as they come and links out for
//! the rest. `time_created` is Pacific time without an offset.
//!
//! Yelp's plans cap calls per day for all of an account's locations together (Starter: 300 a
//! day); [`Platform::daily_call_cap`] tells the scheduler, which spaces every Yelp source's
//! syncs so that together they stay under it.
//!
//! The business's own figures (`rating`, `review_count`) come from the business details
//! (`GET /v3/businesses/{id}`), one more call: made at most once a day per source and counted
//! against the cap ([`Platform::daily_extra_calls`]).

use serde::Deserialize;
use serde_json::Value;

use crate::model::{Headline, IncomingReview, Kind};
use crate::platforms::http::parse_json;
use crate::platforms::shaped;
use crate::platforms::{BodyParser, BoxFuture, Platform};
use crate::platforms::{ConnectorSpec, Feed};
use crate::replies::coach::Limit;
use crate::sources::text::{local_time_to_utc, path_segment, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::DeveloperKey,
    cost: "Paid: Yelp's API plans start after a free trial; the Starter plan allows 300 calls a day for all your locations together. Earshot makes one call per check and spaces its checks to stay under your plan.",
    approval: "A Yelp developer account and app. Yelp shows only three excerpts per business, and replying through the API is for Yelp partners only: Earshot copies your reply and opens Yelp for Business.",
    steps: &[
        "Sign in at yelp.com/developers, create an app and choose a plan.",
        "Copy the app's API key.",
        "Find your business id (the `id` from Yelp's business search, not the name in the page address) and connect it here; set `daily_calls` if your plan allows more or fewer than 300 calls a day.",
    ],
    without_api: "None: Yelp for Business has no review export. Earshot keeps the excerpts it sees and links to the rest on Yelp.",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "yelp",
    platform: "yelp",
    browser_sign_in: false,
    label: "Yelp",
    feed: Feed::Reviews,
    help: "Create an app at https://www.yelp.com/developers/v3/manage_app for an API key. The \
           business id is the `id` from Yelp's business search (not the alias in the page address). \
           Yelp shares only three review excerpts per business.",
    guide: GUIDE,
    default_base_url: "https://api.yelp.com",
    settings: &[
        crate::platforms::s("business_id", "Yelp business id", "The `id` field of your business in Yelp Fusion.", true, false),
        crate::platforms::s("api_key", "API key", "From your app on Yelp's developer site.", true, true),
        crate::platforms::s(
            DAILY_CALLS,
            "Calls a day on your plan",
            "How many calls your Yelp plan allows a day for all your locations together \
             (300 on Starter, the default). Earshot spaces its checks of all your Yelp locations \
             to stay under it.",
            false,
            false,
        ),
    ],
    interval_minutes: 15,
    lists_everything: false,
    // A daily cap shared by all locations: there is no hurry.
    min_interval_ms: 250,
    review_hosts: crate::platforms::LinkHosts::Only(&["yelp.com", "yelp.*"]),
};

/// The setting naming the plan's daily cap.
const DAILY_CALLS: &str = "daily_calls";

/// Calls a day on Yelp's Starter plan, for all locations together.
pub const DEFAULT_DAILY_CALLS: u32 = 300;

/// Reviews Yelp returns at most, whatever `limit` asks.
const EXCERPTS: u32 = 3;

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    reviews: Vec<Value>,
}

#[derive(Deserialize)]
struct YelpReview {
    id: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    rating: Option<f64>,
    time_created: String,
    #[serde(default)]
    user: Option<User>,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    name: Option<String>,
}

/// One request a sync: the (at most three) newest excerpts. There is no next page.
pub async fn fetch(ctx: &Ctx<'_>, _req: &PageRequest) -> Result<Page> {
    let business = ctx.require("business_id")?;
    let key = ctx.require_secret("api_key")?;
    let url = format!(
        "{}/v3/businesses/{}/reviews",
        ctx.base_url(),
        path_segment(business)
    );
    let query = [
        ("limit", EXCERPTS.to_string()),
        ("sort_by", "newest".to_string()),
    ];
    let reply = ctx
        .send(|c| c.get(&url).bearer_auth(key.expose()).query(&query))
        .await?;
    let body: Body = reply.json()?;
    let items = parse_reviews(&body.reviews)?;
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    if !ctx.figures_fresh() {
        ctx.figures_call();
        ctx.report_headline(business_figures(ctx, business, key.expose()).await);
    }
    Ok(Page {
        items,
        next: None,
        high,
    })
}

/// The business details' `rating` and `review_count`
/// (https://docs.developer.yelp.com/reference/v3_business_info). The reviews were read: a
/// refusal here costs only the figures, never the sync.
async fn business_figures(ctx: &Ctx<'_>, business: &str, key: &str) -> Option<Headline> {
    let url = format!(
        "{}/v3/businesses/{}",
        ctx.base_url(),
        path_segment(business)
    );
    let reply = ctx.send(|c| c.get(&url).bearer_auth(key)).await.ok()?;
    parse_business(&reply.json().ok()?)
}

/// What Yelp shows for a business in its details: `rating` (1–5, halves) and `review_count`.
pub fn parse_business(body: &Value) -> Option<Headline> {
    Headline::new(
        body.get("rating").and_then(Value::as_f64),
        body.get("review_count").and_then(Value::as_i64),
    )
}

/// Maps Yelp's review objects; a review without an id or a readable time is a changed response.
pub fn parse_reviews(reviews: &[Value]) -> Result<Vec<IncomingReview>> {
    reviews
        .iter()
        .map(|raw| {
            let r: YelpReview = shaped(raw, "a Yelp review")?;
            let created = local_time_to_utc(&r.time_created, chrono_tz::America::Los_Angeles)
                .or_else(|| crate::sources::text::parse_time(&r.time_created))
                .ok_or_else(|| {
                    SourceError::BadResponse(format!("unreadable time {:?}", r.time_created))
                })?;
            let mut it = item(
                "yelp",
                r.id,
                Kind::Review,
                r.text.unwrap_or_default(),
                created,
            );
            it.rating = r.rating.filter(|x| (1.0..=5.0).contains(x));
            it.author = r.user.and_then(|u| u.name);
            it.url = r.url;
            it.raw_json = Some(raw.to_string());
            Ok(it)
        })
        .collect()
}

/// Yelp, as the registry knows it.
pub struct Yelp;

impl Platform for Yelp {
    /// `https://www.yelp.com/writeareview/biz/{business id}`, Yelp's own "write a review" page.
    fn review_link(&self, settings: &Value) -> Option<String> {
        let id = crate::platforms::setting(settings, &["business_id"])?;
        crate::platforms::link_with("https://www.yelp.com/writeareview/biz/", &[id], &[])
    }

    fn asking_rule(&self) -> Option<crate::platforms::AskingRule> {
        Some(crate::platforms::AskingRule::Forbidden(
            "Yelp's guidelines ask businesses not to ask customers for reviews (\"Don't ask \
             customers, friends or family to write reviews\"); a \"Find us on Yelp\" sign is \
             fine, so the link and its QR code are here, but Earshot sends no request to Yelp.",
        ))
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_reviews(&crate::platforms::list(&parse_json(body)?, "reviews")))
    }

    fn daily_call_cap(&self, settings: &Value) -> Option<u32> {
        let cap = crate::platforms::setting(settings, &[DAILY_CALLS])
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_DAILY_CALLS);
        Some(cap)
    }

    fn daily_extra_calls(&self) -> u32 {
        // The business details, once a day per source (see the module docs).
        1
    }

    fn reply_limit(&self) -> Option<Limit> {
        // Yelp's partner Respond-to-Reviews API: ≤ 5 000 characters.
        Some(Limit::Chars(5_000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn documented_review_maps_with_pacific_time() {
        let v: Value = serde_json::from_str(
            r#"[{"id":"xAG4","url":"https://www.yelp.com/biz/x?hrid=xAG4","text":"Best tacos in town, the…","rating":5,"time_created":"2024-05-01 18:04:11","user":{"name":"Lee"},"extra":1}]"#,
        )
        .unwrap();
        let items = parse_reviews(v.as_array().unwrap()).unwrap();
        assert_eq!(items.len(), 1);
        let r = &items[0];
        assert_eq!(r.external_id, "xAG4");
        assert_eq!(r.rating, Some(5.0));
        assert_eq!(r.author.as_deref(), Some("Lee"));
        assert_eq!(
            r.created_at,
            Utc.with_ymd_and_hms(2024, 5, 2, 1, 4, 11).unwrap()
        );
        assert_eq!(r.platform, "yelp");
    }

    #[test]
    fn business_details_give_the_headline_figures() {
        // Shape: Yelp Fusion "Business Details" (docs.developer.yelp.com/reference/v3_business_info).
        let v: Value = serde_json::from_str(
            r#"{"id":"WavvLdfdP6g8aZTtbBQHTw","alias":"gary-danko-san-francisco","name":"Gary Danko",
                "review_count":5296,"rating":4.5,"price":"$$$$"}"#,
        )
        .unwrap();
        let h = parse_business(&v).unwrap();
        assert_eq!((h.rating, h.review_count), (Some(4.5), Some(5296)));
        assert_eq!(parse_business(&serde_json::json!({"name": "x"})), None);
    }

    #[test]
    fn a_review_without_time_is_a_clear_error() {
        let v: Value = serde_json::from_str(r#"[{"id":"a","rating":3}]"#).unwrap();
        let e = parse_reviews(v.as_array().unwrap()).unwrap_err();
        assert!(e.to_string().contains("expected shape"), "{e}");
    }

    #[test]
    fn settings_are_checked_and_secrets_kept_apart() {
        let yelp = &SPEC;
        let mut given = crate::sources::Settings::new();
        given.insert("business_id".into(), "abc".into());
        given.insert("api_key".into(), "k".into());
        let (plain, secret) = crate::sources::split_settings(yelp, &given).unwrap();
        assert_eq!(plain.get("business_id").map(String::as_str), Some("abc"));
        assert!(!plain.contains_key("api_key"));
        assert_eq!(secret.get("api_key").map(String::as_str), Some("k"));

        given.insert("colour".into(), "red".into());
        let e = crate::sources::split_settings(yelp, &given).unwrap_err();
        assert!(e.to_string().contains("not a setting"), "{e}");

        let mut missing = crate::sources::Settings::new();
        missing.insert("api_key".into(), "k".into());
        let e = crate::sources::split_settings(yelp, &missing).unwrap_err();
        assert!(e.to_string().contains("business_id"), "{e}");
    }

    #[test]
    fn its_name_folds_to_itself() {
        assert_eq!(crate::platform::normalise_platform("Yelp"), "yelp");
    }
}
