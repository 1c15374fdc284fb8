//! Yelp Fusion: `GET /v3/businesses/{id}/reviews`, bearer API key, `limit`/`offset` paging.
//!
//! Yelp gives at most three review excerpts per business (truncated text); Earshot stores them
//! as they come and links out for the rest. `time_created` is Pacific time without an offset.

use serde::Deserialize;
use serde_json::Value;

use crate::model::{IncomingReview, Kind};
use crate::platforms::http::parse_json;
use crate::platforms::{BodyParser, BoxFuture, Platform};
use crate::replies::coach::Limit;
use crate::sources::text::{local_time_to_utc, path_segment, time_mark};
use crate::sources::{item, ConnectorSpec, Ctx, Feed, Page, PageRequest, Result, SourceError};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "yelp",
    platform: "yelp",
    browser_sign_in: false,
    label: "Yelp",
    feed: Feed::Reviews,
    help: "Create an app at https://www.yelp.com/developers/v3/manage_app for an API key. The \
           business id is the `id` from Yelp's business search (not the alias in the page address). \
           Yelp shares only three review excerpts per business.",
    default_base_url: "https://api.yelp.com",
    settings: &[
        crate::platforms::s("business_id", "Yelp business id", "The `id` field of your business in Yelp Fusion.", true, false),
        crate::platforms::s("api_key", "API key", "From your app on Yelp's developer site.", true, true),
    ],
    interval_minutes: 15,
    lists_everything: false,
    // A daily cap shared by all locations: there is no hurry.
    min_interval_ms: 250,
};

const PAGE_SIZE: u32 = 20;

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    reviews: Vec<Value>,
    #[serde(default)]
    total: Option<u64>,
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

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let business = ctx.require("business_id")?;
    let key = ctx.require_secret("api_key")?;
    let offset: u64 = req
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let url = format!(
        "{}/v3/businesses/{}/reviews",
        ctx.base_url(),
        path_segment(business)
    );
    let query = [
        ("limit", PAGE_SIZE.to_string()),
        ("offset", offset.to_string()),
        ("sort_by", "newest".to_string()),
    ];
    let reply = ctx
        .send(|c| c.get(&url).bearer_auth(key.expose()).query(&query))
        .await?;
    let body: Body = reply.json()?;
    let items = parse_reviews(&body.reviews)?;
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    let seen = offset + body.reviews.len() as u64;
    let more = !body.reviews.is_empty() && body.total.is_none_or(|t| seen < t);
    Ok(Page {
        items,
        next: more.then(|| seen.to_string()),
        high,
    })
}

/// Maps Yelp's review objects; a review without an id or a readable time is a changed response.
pub fn parse_reviews(reviews: &[Value]) -> Result<Vec<IncomingReview>> {
    reviews
        .iter()
        .map(|raw| {
            let r: YelpReview = serde_json::from_value(raw.clone()).map_err(|e| {
                SourceError::BadResponse(format!(
                    "a Yelp review did not have the expected shape: {e}"
                ))
            })?;
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
    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_reviews(&crate::platforms::list(&parse_json(body)?, "reviews")))
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
