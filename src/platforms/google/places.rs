//! Google Places API (New) place details: `GET /v1/places/{placeId}` with the `X-Goog-Api-Key`
//! header and the required `X-Goog-FieldMask` (billed per field).
//!
//! The public view of any place (yours or a competitor's), but at most five "most relevant"
//! reviews and no paging: each sync is a snapshot, and the history builds up locally as new
//! reviews show up. `text` may be a Google translation, so `originalText` is preferred. There is
//! no reply API: the owner copies a reply and opens `googleMapsUri`.

use serde::Deserialize;
use serde_json::Value;

use crate::model::{Headline, IncomingReview, Kind};
use crate::platforms::http::{parse_json, Refusal};
use crate::platforms::shaped;
use crate::platforms::{BodyParser, BoxFuture, Platform};
use crate::platforms::{ConnectorSpec, Feed};
use crate::sources::text::{parse_time, path_segment, time_mark};
use crate::sources::{item, Ctx, Page, PageRequest, Result, SourceError};

/// The honest guide to connecting it (see [`crate::platforms::Guide`]).
const GUIDE: crate::platforms::Guide = crate::platforms::Guide {
    access: crate::platforms::Access::DeveloperKey,
    cost: "Google bills every request (Place Details with reviews) once the monthly free allowance is used; billing must be switched on.",
    approval: "None beyond a Google Cloud project with billing.",
    steps: &[
        "In the Google Cloud console (console.cloud.google.com), create a project and switch billing on.",
        "Enable \"Places API (New)\", then under Credentials create an API key.",
        "Find the place id with Google's Place ID finder and connect it here.",
    ],
    without_api: "None for other businesses: Google shows at most five reviews and its terms do not let them be kept for long. For your own business, Google Takeout exports every review (see Google Business Profile).",
};

pub const SPEC: ConnectorSpec = ConnectorSpec {
    name: "google-places",
    platform: "google",
    browser_sign_in: false,
    label: "Google (public)",
    feed: Feed::Reviews,
    help: "Reads the public Google reviews of any place, yours or a competitor's: at most the 5 \
           \"most relevant\" ones per request, so history builds up over time. Needs an API key: \
           in the Google Cloud console (https://console.cloud.google.com) enable \"Places API \
           (New)\" and billing, then APIs & Services → Credentials → Create credentials → API \
           key. Each request is billed by Google (Place Details with reviews), so Earshot \
           checks it every 6 hours unless interval_minutes says otherwise. Find the place id with \
           https://developers.google.com/maps/documentation/places/web-service/place-id.",
    guide: GUIDE,
    default_base_url: "https://places.googleapis.com",
    settings: &[
        crate::platforms::s(
            "place_id",
            "Place id",
            "The place's Google id (starts with ChIJ…), from Google's Place ID Finder.",
            true,
            false,
        ),
        crate::platforms::s(
            "api_key",
            "API key",
            "A Google Cloud API key with \"Places API (New)\" enabled (APIs & Services → \
             Credentials).",
            true,
            true,
        ),
    ],
    interval_minutes: 360,
    lists_everything: false,
    min_interval_ms: 200,
    review_hosts: super::REVIEW_HOSTS,
};

/// The fields asked for: each is billed, reviews are what this connector is for.
const FIELD_MASK: &str = "reviews,rating,userRatingCount";

#[derive(Deserialize)]
struct Review {
    /// `places/{placeId}/reviews/{reviewId}`.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    rating: Option<f64>,
    #[serde(default)]
    text: Option<LocalizedText>,
    #[serde(default, rename = "originalText")]
    original_text: Option<LocalizedText>,
    #[serde(default, rename = "authorAttribution")]
    author: Option<Author>,
    #[serde(default, rename = "publishTime")]
    publish_time: Option<String>,
    #[serde(default, rename = "googleMapsUri")]
    google_maps_uri: Option<String>,
}

#[derive(Deserialize)]
struct LocalizedText {
    #[serde(default)]
    text: Option<String>,
    #[serde(default, rename = "languageCode")]
    language_code: Option<String>,
}

#[derive(Deserialize)]
struct Author {
    #[serde(default, rename = "displayName")]
    display_name: Option<String>,
}

pub async fn fetch(ctx: &Ctx<'_>, _req: &PageRequest) -> Result<Page> {
    let place = ctx.require("place_id")?;
    let key = ctx.require_secret("api_key")?;
    let url = format!("{}/v1/places/{}", ctx.base_url(), path_segment(place));
    let reply = ctx
        .send(|c| {
            c.get(&url)
                .header("X-Goog-Api-Key", key.expose())
                .header("X-Goog-FieldMask", FIELD_MASK)
        })
        .await
        .map_err(|e| reword(e, key.expose()))?;
    let body: Value = reply.json()?;
    let items = parse_place(&body)?;
    // The same answer carries the place's own figures (the field mask asks for them).
    ctx.report_headline(parse_headline(&body));
    let high = items.iter().map(|i| time_mark(&i.created_at)).max();
    // A snapshot of at most five reviews: there is never a next page.
    Ok(Page {
        items,
        next: None,
        high,
    })
}

/// A wrong or restricted key is a 400 or 403 from Google; both are refused credentials. Google
/// does not echo keys, but nothing the platform sends may carry one into the database.
fn reword(e: SourceError, key: &str) -> SourceError {
    super::bad_key_is_auth(e).redacted(&[crate::secrets::Secret::new(key)])
}

/// What Google shows for the place: `rating` (1–5) and `userRatingCount`, where it has them.
pub fn parse_headline(place: &Value) -> Option<Headline> {
    Headline::new(
        place.get("rating").and_then(Value::as_f64),
        place.get("userRatingCount").and_then(Value::as_i64),
    )
}

/// Maps a place's `reviews`. Ids are the reviews' resource names; a review without one (older
/// answers) gets an id from its author and time, which do not change.
pub fn parse_place(place: &Value) -> Result<Vec<IncomingReview>> {
    let Some(list) = place.get("reviews") else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or_else(|| {
        SourceError::BadResponse("the place's `reviews` is not a list".to_string())
    })?;
    let mut out = Vec::with_capacity(list.len());
    for raw in list {
        let r: Review = shaped(raw, "a Google review")?;
        let published = r.publish_time.as_deref().unwrap_or_default();
        let created = parse_time(published).ok_or_else(|| {
            SourceError::BadResponse(format!("unreadable time {:?}", r.publish_time))
        })?;
        let author = r
            .author
            .and_then(|a| a.display_name)
            .filter(|a| !a.trim().is_empty());
        let id = r.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
            format!(
                "{}@{}",
                author.as_deref().unwrap_or("anonymous"),
                time_mark(&created)
            )
        });
        // `text` may be Google's translation; the reviewer's own words come first.
        let (body, language) = [r.original_text, r.text]
            .into_iter()
            .flatten()
            .find_map(|t| {
                let body = t.text.filter(|s| !s.trim().is_empty())?;
                Some((body, t.language_code))
            })
            .unwrap_or_default();
        let mut it = item("google", id, Kind::Review, body.trim().to_string(), created);
        it.rating = r.rating.filter(|x| (1.0..=5.0).contains(x));
        it.author = author;
        it.language = language.filter(|l| !l.is_empty());
        it.url = r
            .google_maps_uri
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        it.raw_json = Some(raw.to_string());
        out.push(it);
    }
    Ok(out)
}

/// Google Places (public reviews), as the registry knows it.
pub struct GooglePlaces;

impl Platform for GooglePlaces {
    fn review_link(&self, settings: &Value) -> Option<String> {
        super::write_review_link(settings)
    }

    fn spec(&self) -> &'static ConnectorSpec {
        &SPEC
    }

    fn fetch<'a>(&'a self, ctx: &'a Ctx<'_>, req: &'a PageRequest) -> BoxFuture<'a, Result<Page>> {
        Box::pin(fetch(ctx, req))
    }

    fn body_parser(&self) -> Option<BodyParser> {
        Some(|body| parse_place(&parse_json(body)?))
    }

    fn refusal(&self, status: u16, body: &Value) -> Option<Refusal> {
        super::daily_quota(status, body)
    }

    fn keeps_content_days(&self) -> Option<i64> {
        Some(CACHE_DAYS)
    }
}

/// Google Maps Platform Terms §3.2.3(b) and the Places API policies: Places content other than
/// place ids may be cached for at most 30 consecutive calendar days, then deleted
/// (https://developers.google.com/maps/documentation/places/web-service/policies). Reviews and
/// the place's rating are such content; the place id in the settings may be kept.
pub const CACHE_DAYS: i64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_place_prefers_the_original_text() {
        let v: Value = serde_json::from_str(
            r#"{"rating":4.6,"userRatingCount":212,"reviews":[
              {"name":"places/ChIJ1/reviews/abc","rating":5,"text":{"text":"Great","languageCode":"en"},
               "originalText":{"text":"Génial","languageCode":"fr"},"authorAttribution":{"displayName":"Ana"},
               "publishTime":"2024-04-30T11:26:55Z","googleMapsUri":"https://www.google.com/maps/reviews/x"},
              {"rating":0,"authorAttribution":{"displayName":"Bo"},"publishTime":"2024-04-29T10:00:00.123456789Z"}]}"#,
        )
        .unwrap();
        let items = parse_place(&v).unwrap();
        assert_eq!(items.len(), 2);
        let a = &items[0];
        assert_eq!(a.external_id, "places/ChIJ1/reviews/abc");
        assert_eq!(a.platform, "google");
        assert_eq!(a.rating, Some(5.0));
        assert_eq!(a.body, "Génial");
        assert_eq!(a.language.as_deref(), Some("fr"));
        assert_eq!(a.author.as_deref(), Some("Ana"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://www.google.com/maps/reviews/x")
        );
        let b = &items[1];
        assert_eq!(b.rating, None, "0 is no rating");
        assert_eq!(b.body, "");
        assert_eq!(b.external_id, "Bo@2024-04-29T10:00:00.123Z");
    }

    #[test]
    fn the_documented_place_carries_its_headline_figures() {
        // Shape: Place Details (New), fields `rating` and `userRatingCount`
        // (https://developers.google.com/maps/documentation/places/web-service/place-details).
        let v: Value =
            serde_json::from_str(r#"{"rating":4.4,"userRatingCount":312,"reviews":[]}"#).unwrap();
        let h = parse_headline(&v).unwrap();
        assert_eq!(h.rating, Some(4.4));
        assert_eq!(h.review_count, Some(312));
        assert_eq!(parse_headline(&serde_json::json!({"reviews": []})), None);
    }

    #[test]
    fn a_place_without_reviews_is_empty_and_secrets_are_scrubbed() {
        assert!(parse_place(&serde_json::json!({"rating": 4.0}))
            .unwrap()
            .is_empty());
        let e = reword(
            SourceError::Rejected {
                status: 400,
                detail: "API key not valid: AIzaSECRET".into(),
            },
            "AIzaSECRET",
        );
        assert_eq!(e.code(), "auth");
        assert!(!e.to_string().contains("AIzaSECRET"), "{e}");
    }
}
