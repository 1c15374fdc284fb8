//! A whole response body through a connector's parser, without a request: what the fuzz
//! targets and the hostile-input tests feed. Each arm picks the list out of the body the way
//! the connector's `fetch` does.

use serde_json::Value;

use super::http::parse_json;
use super::{app_store, app_store_connect, facebook, google_business, google_places, google_play};
use super::{bluesky, hackernews, mastodon, reddit, rss, trustpilot, x, yelp, youtube};
use super::{Result, SourceError};
use crate::model::IncomingReview;

/// Parses `body` as `connector`'s platform would send it. Connectors whose parsers are not
/// listed here answer with a configuration error.
pub fn parse_body(connector: &str, body: &[u8]) -> Result<Vec<IncomingReview>> {
    if connector == "rss" {
        return rss::parse_feed(body);
    }
    let v: Value = parse_json(body)?;
    let list = |key: &str| -> Vec<Value> {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    match connector {
        "yelp" => yelp::parse_reviews(&list("reviews")),
        "trustpilot" => trustpilot::parse_reviews(&list("reviews")),
        "hackernews" => hackernews::parse_hits(&list("hits")),
        "mastodon" => match &v {
            Value::Array(a) => mastodon::parse_statuses(a),
            _ => mastodon::parse_statuses(&list("statuses")),
        },
        "x" => x::parse_search(&v).map(|p| p.items),
        "youtube" => youtube::parse_threads(&list("items"), None),
        "reddit" => {
            let children = v
                .pointer("/data/children")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            reddit::parse_listing(&children)
        }
        "bluesky" => {
            bluesky::parse_posts(&list("posts")).map(|p| p.into_iter().map(|(i, _)| i).collect())
        }
        "google-places" => google_places::parse_place(&v),
        "app-store" => app_store::parse_feed(&v, None),
        "app-store-connect" => app_store_connect::parse_reviews(&v, None),
        "google-play" => google_play::parse_reviews(&v, None),
        "facebook" => facebook::parse_feed(&v),
        "google-business" => google_business::parse_reviews(&v),
        other => Err(SourceError::Config(format!("no body parser for `{other}`"))),
    }
}

/// The connectors [`parse_body`] covers.
pub const PARSED: &[&str] = &[
    "yelp",
    "trustpilot",
    "hackernews",
    "mastodon",
    "x",
    "youtube",
    "reddit",
    "bluesky",
    "rss",
    "google-places",
    "app-store",
    "app-store-connect",
    "google-play",
    "facebook",
    "google-business",
];
