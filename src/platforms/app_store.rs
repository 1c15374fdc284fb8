//! Apple's public customer-reviews feed (keyless, undocumented):
//! `GET /{cc}/rss/customerreviews/page={n}/id={appId}/sortby=mostrecent/json`, pages 1 to 10
//! (about 500 newest reviews) per storefront, newest first.
//!
//! The feed's quirks: every value is wrapped in `{"label": …}`; the rating is a string; a feed
//! with one review has `entry` as an object, not an array, and one without any has no `entry`;
//! older feeds put the app itself (`im:name`, no rating) first. Each storefront (`cc`) has its
//! own reviews, so several countries are read one after the other; the page token is
//! `{country index}:{page}`. An incremental run moves on to the next country at the first page
//! that reaches the last run's newest review. There is no reply API: copy and open.

use serde_json::Value;

use crate::model::{Headline, IncomingReview, Kind};
use crate::platforms::http::parse_json;
use crate::platforms::{BodyParser, BoxFuture, Platform};
use crate::platforms::{ConnectorSpec, Feed};
use crate::sources::text::{html_to_text, parse_time, path_segment, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::NoAccount,
    cost: "Free.",
    approval: "None: it reads Apple's public reviews feed, no account needed. Apple does not document the feed and may change it.",
    steps: &[
        "Open the app's page on apps.apple.com and copy the number after \"id\" in the address.",
        "Connect it here with that app id and the countries to read (us, gb, de…).",
    ],
    without_api: "This is the way in without an API: the public feed gives about the 500 newest reviews per country.",
};

/// Where an app's reviews are shown (`apps.apple.com`), for the RSS and the Connect connector
/// alike.
pub(crate) const REVIEW_HOSTS: crate::platforms::LinkHosts =
    crate::platforms::LinkHosts::Only(&["apple.com"]);

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "app-store",
    platform: "app-store",
    browser_sign_in: false,
    label: "App Store",
    feed: Feed::Reviews,
    help: "Reads the public App Store reviews of any iPhone or iPad app, yours or a \
           competitor's, without an account: about the 500 newest per country. The app id is \
           the number after \"id\" in the app's App Store address \
           (apps.apple.com/us/app/…/id284882215 → 284882215). For your own app, App Store \
           Connect gives every review and lets you reply.",
    guide: GUIDE,
    default_base_url: "https://itunes.apple.com",
    settings: &[
        crate::platforms::s(
            "app_id",
            "App id",
            "The number after \"id\" in the app's App Store address, e.g. 284882215.",
            true,
            false,
        ),
        crate::platforms::s(
            "country",
            "Countries",
            "Two-letter App Store countries to read, separated by commas (us, gb, de…); each \
             has its own reviews. Default: us.",
            false,
            false,
        ),
    ],
    interval_minutes: 60,
    lists_everything: false,
    min_interval_ms: 500,
    review_hosts: REVIEW_HOSTS,
};

/// Apple serves at most this many pages of 50 per storefront.
const MAX_PAGES: u32 = 10;

/// The storefronts a source reads, checked: two letters each.
fn countries(ctx: &Ctx<'_>) -> Result<Vec<String>> {
    let raw = ctx.get("country").unwrap_or("us");
    let list: Vec<String> = raw
        .split([',', ' '])
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    if list.is_empty() {
        return Ok(vec!["us".into()]);
    }
    if let Some(bad) = list
        .iter()
        .find(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(SourceError::Config(format!(
            "`{bad}` is not a two-letter App Store country (us, gb, de…); fix `country`"
        )));
    }
    Ok(list)
}

/// `{country index}:{page}`.
fn position(token: Option<&str>) -> (usize, u32) {
    token
        .and_then(|t| t.split_once(':'))
        .and_then(|(c, p)| Some((c.parse().ok()?, p.parse().ok()?)))
        .filter(|(_, p)| (1..=MAX_PAGES).contains(p))
        .unwrap_or((0, 1))
}

/// The app's rating and rating count in the first storefront, from the iTunes Search API's
/// lookup (`GET /lookup?id={app}&country={cc}`, one call at the start of a run; Apple asks for
/// about 20 calls a minute at most). The feed was read: a refusal here costs only the figures.
async fn lookup_figures(ctx: &Ctx<'_>, app: &str, cc: &str) -> Option<Headline> {
    let url = format!("{}/lookup", ctx.base_url());
    let query = [("id", app), ("country", cc)];
    let reply = ctx.send(|c| c.get(&url).query(&query)).await.ok()?;
    parse_lookup(&reply.json().ok()?)
}

/// What the App Store shows for an app, from a lookup answer
/// (https://performance-partners.apple.com/search-api): `results[0].averageUserRating` and
/// `results[0].userRatingCount`, ratings of every version in that storefront.
pub fn parse_lookup(body: &Value) -> Option<Headline> {
    let app = body.get("results")?.as_array()?.first()?;
    Headline::new(
        app.get("averageUserRating").and_then(Value::as_f64),
        app.get("userRatingCount").and_then(Value::as_i64),
    )
}

pub async fn fetch(ctx: &Ctx<'_>, req: &PageRequest) -> Result<Page> {
    let app = ctx.require("app_id")?;
    if !app.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SourceError::Config(format!(
            "`{app}` is not an App Store app id: it is the number after \"id\" in the app's \
             address"
        )));
    }
    let countries = countries(ctx)?;
    let (ci, page) = position(req.page.as_deref());
    let Some(cc) = countries.get(ci) else {
        return Ok(Page::default());
    };
    let url = format!(
        "{}/{}/rss/customerreviews/page={page}/id={}/sortby=mostrecent/json",
        ctx.base_url(),
        path_segment(cc),
        path_segment(app)
    );
    let reply = ctx.send(|c| c.get(&url)).await?;
    let body: Value = reply.json()?;
    let (items, skipped) = parse_feed_counted(&body, Some((app, cc)))?;
    if req.page.is_none() {
        ctx.report_headline(lookup_figures(ctx, app, cc).await);
    }
    ctx.skip(skipped);
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    let reached = super::reached_watermark(req, items.iter().map(|i| time_mark(&i.created_at)));
    let next = if !items.is_empty() && !reached && page < MAX_PAGES {
        Some(format!("{ci}:{}", page + 1))
    } else if ci + 1 < countries.len() {
        Some(format!("{}:1", ci + 1))
    } else {
        None
    };
    Ok(Page { items, next, high })
}

/// `{"label": "…"}` → "…".
fn label<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)?.get("label")?.as_str()
}

/// Maps a whole feed body. `app` (id, country) builds each review's link; without it the
/// feed's own link is used. A malformed entry is left out (see [`parse_feed_counted`]).
pub fn parse_feed(body: &Value, app: Option<(&str, &str)>) -> Result<Vec<IncomingReview>> {
    parse_feed_counted(body, app).map(|(items, _)| items)
}

/// [`parse_feed`], with how many entries were left out: the feed is undocumented and an entry
/// without its id or a readable `updated` cannot be stored, but the rest of its page can. Only
/// a body that is not a feed at all is an error.
pub fn parse_feed_counted(
    body: &Value,
    app: Option<(&str, &str)>,
) -> Result<(Vec<IncomingReview>, usize)> {
    let feed = body
        .get("feed")
        .ok_or_else(|| SourceError::BadResponse("the App Store answer has no `feed`".into()))?;
    let entries: Vec<&Value> = match feed.get("entry") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        // One review: an object, not a list.
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => {
            return Err(SourceError::BadResponse(
                "the App Store feed's `entry` is neither a review nor a list".into(),
            ))
        }
    };
    let mut out = Vec::with_capacity(entries.len());
    let mut skipped = 0;
    for raw in entries {
        // The app itself (older feeds): a name, no rating.
        let Some(rating) = label(raw, "im:rating") else {
            continue;
        };
        let id = label(raw, "id").map(str::trim).filter(|i| !i.is_empty());
        let created = label(raw, "updated").and_then(parse_time);
        let (Some(id), Some(created)) = (id, created) else {
            skipped += 1;
            continue;
        };
        let content = raw.get("content");
        let text = content
            .and_then(|c| c.get("label"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let is_html = content
            .and_then(|c| c.pointer("/attributes/type"))
            .and_then(Value::as_str)
            == Some("html");
        let body = if is_html {
            html_to_text(text)
        } else {
            text.trim().to_string()
        };
        let mut it = item("app-store", id, Kind::Review, body, created);
        it.rating = rating
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|r| (1.0..=5.0).contains(r));
        it.title = label(raw, "title")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        it.author = raw
            .get("author")
            .and_then(|a| label(a, "name"))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        it.url = match app {
            Some((app, cc)) => Some(format!(
                "https://apps.apple.com/{cc}/app/id{app}?see-all=reviews"
            )),
            None => raw
                .pointer("/link/attributes/href")
                .and_then(Value::as_str)
                .filter(|u| u.starts_with("https://"))
                .map(str::to_owned),
        };
        it.raw_json = Some(raw.to_string());
        out.push(it);
    }
    Ok((out, skipped))
}

/// The App Store's public feed, as the registry knows it.
pub struct AppStore;

impl Platform for AppStore {
    /// `https://apps.apple.com/app/id{app id}?action=write-review`: the App Store opens the
    /// app's review form.
    fn review_link(&self, settings: &Value) -> Option<String> {
        review_link(settings)
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_feed(&parse_json(body)?, None))
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["apple", "app store", "appstore", "ios"]
    }

    fn display_label(&self) -> Option<&'static str> {
        Some("App Store")
    }
}

/// The App Store's review form of the app in a source's settings (`app_id`, its digits):
/// `https://apps.apple.com/app/id{app id}?action=write-review`. Both App Store connectors (the
/// public feed and App Store Connect) hold the same id.
pub(crate) fn review_link(settings: &Value) -> Option<String> {
    let id = crate::platforms::setting(settings, &["app_id"])?.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    crate::platforms::link_with(
        "https://apps.apple.com/app/",
        &[&format!("id{id}")],
        &[("action", "write-review")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_gives_the_apps_rating_and_count() {
        // Shape: iTunes Search API lookup (performance-partners.apple.com/search-api),
        // e.g. https://itunes.apple.com/lookup?id=284882215&country=us.
        let v: Value = serde_json::from_str(
            r#"{"resultCount":1,"results":[{"trackId":284882215,"trackName":"Facebook","kind":"software",
                "averageUserRating":4.61427,"userRatingCount":21301633,
                "averageUserRatingForCurrentVersion":4.61427,"userRatingCountForCurrentVersion":21301633}]}"#,
        )
        .unwrap();
        let h = parse_lookup(&v).unwrap();
        assert_eq!(
            (h.rating, h.review_count),
            (Some(4.61427), Some(21_301_633))
        );
        assert_eq!(
            parse_lookup(&serde_json::json!({"resultCount":0,"results":[]})),
            None
        );
    }

    fn entry(id: &str, rating: &str, at: &str) -> String {
        format!(
            r#"{{"author":{{"uri":{{"label":"https://itunes.apple.com/us/reviews/id1"}},"name":{{"label":"pat"}},"label":""}},
               "updated":{{"label":"{at}"}},"im:rating":{{"label":"{rating}"}},"im:version":{{"label":"2.1"}},
               "id":{{"label":"{id}"}},"title":{{"label":"Nice"}},"content":{{"label":"Works well","attributes":{{"type":"text"}}}},
               "link":{{"attributes":{{"rel":"related","href":"https://itunes.apple.com/us/review?id=42&type=Purple%20Software"}}}}}}"#
        )
    }

    #[test]
    fn documented_entries_skip_the_app_and_read_string_ratings() {
        let app = r#"{"im:name":{"label":"Harbour Lane"},"id":{"label":"https://apps.apple.com/app/id42","attributes":{"im:id":"42"}}}"#;
        let body = format!(
            r#"{{"feed":{{"author":{{"name":{{"label":"iTunes Store"}}}},"entry":[{app},{},{}]}}}}"#,
            entry("1104", "4", "2024-05-01T11:04:11-07:00"),
            entry("1103", "0", "2024-04-30T10:00:00-07:00")
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        let items = parse_feed(&v, Some(("42", "gb"))).unwrap();
        assert_eq!(items.len(), 2, "the app's own entry is skipped");
        let r = &items[0];
        assert_eq!(r.external_id, "1104");
        assert_eq!(r.rating, Some(4.0));
        assert_eq!(r.title.as_deref(), Some("Nice"));
        assert_eq!(r.body, "Works well");
        assert_eq!(r.author.as_deref(), Some("pat"));
        assert_eq!(r.created_at.to_rfc3339(), "2024-05-01T18:04:11+00:00");
        assert_eq!(
            r.url.as_deref(),
            Some("https://apps.apple.com/gb/app/id42?see-all=reviews")
        );
        assert_eq!(items[1].rating, None, "\"0\" is not a rating");
    }

    #[test]
    fn one_review_is_an_object_and_none_is_no_entry() {
        let body = format!(
            r#"{{"feed":{{"entry":{}}}}}"#,
            entry("7", "5", "2024-05-01T11:04:11-07:00")
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        let items = parse_feed(&v, None).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].url.as_deref(),
            Some("https://itunes.apple.com/us/review?id=42&type=Purple%20Software")
        );
        let empty: Value = serde_json::from_str(r#"{"feed":{"author":{}}}"#).unwrap();
        assert!(parse_feed(&empty, None).unwrap().is_empty());
    }

    /// An entry shaped like the public feed's (itunes.apple.com/us/rss/customerreviews/…/json,
    /// as in PLATFORMS.md §4.6) but without `updated`, and one without `id`.
    #[test]
    fn a_malformed_entry_is_skipped_and_counted_never_the_page() {
        let no_updated = r#"{"im:rating":{"label":"5"},"id":{"label":"1105"},"title":{"label":"Hm"},"content":{"label":"No date"}}"#;
        let no_id =
            r#"{"im:rating":{"label":"3"},"updated":{"label":"2024-05-01T11:04:11-07:00"}}"#;
        let body = format!(
            r#"{{"feed":{{"entry":[{no_updated},{},{no_id},{}]}}}}"#,
            entry("1104", "4", "2024-05-01T11:04:11-07:00"),
            entry("1103", "2", "not a time")
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        let (items, skipped) = parse_feed_counted(&v, None).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].external_id, "1104");
        assert_eq!(skipped, 3);
        assert_eq!(parse_feed(&v, None).unwrap().len(), 1);
    }

    #[test]
    fn page_tokens_walk_countries() {
        assert_eq!(position(None), (0, 1));
        assert_eq!(position(Some("1:3")), (1, 3));
        assert_eq!(position(Some("0:11")), (0, 1), "past Apple's 10 pages");
        assert_eq!(position(Some("junk")), (0, 1));
    }
}
