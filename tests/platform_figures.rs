//! Issue 25: the figures a platform itself shows for a business (its overall rating and review
//! count), read during the sync, kept per source with the time read, and shown by
//! `sources list --json` and `compare --json`; and Google Places content kept no longer than
//! Google's terms allow.
//!
//! The mocks answer with each platform's documented JSON: Place Details (New)
//! (developers.google.com/maps/documentation/places/web-service/place-details, fields `rating`,
//! `userRatingCount`, `reviews`), Trustpilot's public business unit
//! (developers.trustpilot.com/business-units-api-public, `score.trustScore`,
//! `numberOfReviews.total`) and its reviews list, the iTunes Search API lookup
//! (performance-partners.apple.com/search-api, `averageUserRating`, `userRatingCount`).

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use earshot::model::SourceId;
use earshot::platforms::http::HttpConfig;
use earshot::secrets::{MemorySecrets, SecretStore};
use earshot::sources::{self, Settings};
use earshot::sync::{self, Selection, SourceReport, SyncOptions};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PLACE: &str = "ChIJN1t_tDeuEmsRUsoyG83frY4";
const DAY: i64 = 86_400;

fn add(
    db: &TestDb,
    secrets: &MemorySecrets,
    business: &str,
    platform: &str,
    server: &MockServer,
    settings: &[(&str, &str)],
) -> SourceId {
    let store = db.store();
    let business = store.ensure_business(business).unwrap();
    let mut s: Settings = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    s.insert("base_url".into(), server.uri());
    sources::add_source(&store, secrets, business.id, platform, None, &s).unwrap()
}

async fn sync_one(db: &TestDb, secrets: &Arc<MemorySecrets>, id: SourceId) -> SourceReport {
    let secrets: Arc<dyn SecretStore> = secrets.clone();
    let opts = SyncOptions {
        http: HttpConfig {
            timeout: Duration::from_millis(800),
            max_attempts: 2,
            backoff: Duration::from_millis(10),
            max_wait: Duration::from_secs(2),
        },
        ..SyncOptions::default()
    };
    sync::run(
        db.path(),
        secrets,
        Selection::Ids(vec![id]),
        &opts,
        sync::no_events(),
    )
    .await
    .unwrap()
    .remove(0)
}

fn places_review(id: &str, rating: u8, text: &str, published: &str) -> Value {
    json!({
        "name": format!("places/{PLACE}/reviews/{id}"),
        "relativePublishTimeDescription": "a week ago",
        "rating": rating,
        "text": {"text": text, "languageCode": "en"},
        "originalText": {"text": text, "languageCode": "en"},
        "authorAttribution": {"displayName": "Ana", "uri": "https://www.google.com/maps/contrib/1",
                              "photoUri": "https://lh3.googleusercontent.com/a/x"},
        "publishTime": published,
        "flagContentUri": "https://www.google.com/local/review/rap/report?postId=x",
        "googleMapsUri": format!("https://www.google.com/maps/reviews/data={id}")
    })
}

async fn mount_place(server: &MockServer, rating: f64, count: i64, reviews: Vec<Value>) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/places/{PLACE}")))
        .and(header("X-Goog-Api-Key", "places-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "rating": rating, "userRatingCount": count, "reviews": reviews})))
        .mount(server)
        .await;
}

fn external_ids(db: &TestDb, source: SourceId) -> Vec<String> {
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    let mut stmt = conn
        .prepare("SELECT external_id FROM reviews WHERE source_id = ?1 ORDER BY external_id")
        .unwrap();
    stmt.query_map([source], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Moves what the database says was fetched (and the figures read) `days` into the past.
fn age(db: &TestDb, source: SourceId, days: i64) {
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    conn.execute(
        "UPDATE reviews SET fetched_at = fetched_at - ?2 WHERE source_id = ?1",
        rusqlite::params![source, days * DAY],
    )
    .unwrap();
    conn.execute(
        "UPDATE sources SET platform_rating_at = platform_rating_at - ?2 WHERE id = ?1",
        rusqlite::params![source, days * DAY],
    )
    .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_places_sync_keeps_googles_own_figures_and_sources_list_json_gives_them() {
    let server = MockServer::start().await;
    mount_place(
        &server,
        4.4,
        312,
        vec![places_review(
            "a",
            5,
            "Lovely flat white",
            "2026-11-20T10:00:00Z",
        )],
    )
    .await;
    let db = TestDb::new();
    let secrets = Arc::new(MemorySecrets::default());
    let places = add(
        &db,
        &secrets,
        "Rival Roasters",
        "google-places",
        &server,
        &[("place_id", PLACE), ("api_key", "places-key")],
    );
    // A source whose platform reports no figures, never synced.
    add(
        &db,
        &secrets,
        "Harbour Lane Café",
        "hackernews",
        &server,
        &[("query", "harbour lane")],
    );
    let before = chrono::Utc::now().timestamp();
    let r = sync_one(&db, &secrets, places).await;
    assert!(r.ok, "{r:?}");

    let listed = db.earshot(&["sources", "list", "--json"]).ok().json();
    let rows = listed.as_array().unwrap();
    let p = rows.iter().find(|s| s["id"] == json!(places)).unwrap();
    assert_eq!(p["platform_rating"], json!(4.4));
    assert_eq!(p["platform_review_count"], json!(312));
    let at = chrono::DateTime::parse_from_rfc3339(p["platform_rating_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert!(at >= before, "read at {at}");
    let hn = rows.iter().find(|s| s["platform"] == "hackernews").unwrap();
    for key in [
        "platform_rating",
        "platform_review_count",
        "platform_rating_at",
    ] {
        assert!(hn.get(key).is_some_and(Value::is_null), "{key}: {hn}");
    }
    // The text listing says it in words.
    let text = db.earshot(&["sources", "list"]).ok().stdout();
    assert!(
        text.contains("Google says 4.4★ from 312 reviews (read today)"),
        "{text}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn places_reviews_and_figures_expire_thirty_days_after_google_last_sent_them() {
    let server = MockServer::start().await;
    mount_place(
        &server,
        4.4,
        312,
        vec![
            places_review("a", 5, "Lovely flat white", "2026-11-20T10:00:00Z"),
            places_review("b", 2, "Slow on Sundays", "2026-11-18T10:00:00Z"),
        ],
    )
    .await;
    let db = TestDb::new();
    let secrets = Arc::new(MemorySecrets::default());
    let places = add(
        &db,
        &secrets,
        "Rival Roasters",
        "google-places",
        &server,
        &[("place_id", PLACE), ("api_key", "places-key")],
    );
    assert!(sync_one(&db, &secrets, places).await.ok);
    assert_eq!(external_ids(&db, places).len(), 2);

    // 29 days on, nothing has expired yet.
    age(&db, places, 29);
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/places/{PLACE}")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    assert!(!sync_one(&db, &secrets, places).await.ok);
    assert_eq!(external_ids(&db, places).len(), 2);

    // 31 days on, Google still shows "a" (sent again: its 30 days start anew) but no longer
    // "b", which goes; the figures are read anew.
    age(&db, places, 2);
    mount_place(
        &server,
        4.3,
        318,
        vec![places_review(
            "a",
            5,
            "Lovely flat white",
            "2026-11-20T10:00:00Z",
        )],
    )
    .await;
    let r = sync_one(&db, &secrets, places).await;
    assert!(r.ok, "{r:?}");
    assert_eq!(
        external_ids(&db, places),
        [format!("places/{PLACE}/reviews/a")]
    );
    let store = db.store();
    let s = store.source(places).unwrap();
    assert_eq!(
        (s.platform_rating, s.platform_review_count),
        (Some(4.3), Some(318))
    );
    // The rollups followed: the dashboard counts what is kept.
    let business = store.business_by_name("Rival Roasters").unwrap();
    assert_eq!(store.stats(business.id).unwrap().count, 1);
    drop(store);

    // A source that stops syncing (its key revoked) keeps nothing past the 30 days either.
    age(&db, places, 31);
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/places/{PLACE}")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": 403, "message": "The provided API key is invalid.",
            "status": "PERMISSION_DENIED"}})))
        .mount(&server)
        .await;
    assert!(!sync_one(&db, &secrets, places).await.ok);
    assert!(external_ids(&db, places).is_empty());
    let s = db.store().source(places).unwrap();
    assert_eq!(
        (
            s.platform_rating,
            s.platform_review_count,
            s.platform_rating_at
        ),
        (None, None, None)
    );
    // The place id is the one thing Google lets Earshot keep.
    assert_eq!(s.settings["place_id"], json!(PLACE));
}

#[tokio::test(flavor = "current_thread")]
async fn trustpilot_and_the_app_store_read_their_figures_and_a_refused_figures_call_costs_only_them(
) {
    let server = MockServer::start().await;
    const UNIT: &str = "46d6a890000064000500e0c3";
    // Past the last page: an empty list.
    Mock::given(method("GET"))
        .and(path(format!("/v1/business-units/{UNIT}/reviews")))
        .and(wiremock::matchers::query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": []})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/business-units/{UNIT}/reviews")))
        .and(header("apikey", "tp-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": [
            {"id": "5f1", "stars": 4, "title": "Good", "text": "Good beans", "language": "en",
             "createdAt": "2026-11-20T10:00:00Z", "consumer": {"displayName": "Jo"}}],
            "links": []})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/business-units/{UNIT}")))
        .and(header("apikey", "tp-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": UNIT, "displayName": "Harbour Lane Café",
            "name": {"identifying": "harbourlane.example", "referring": ["harbourlane.example"]},
            "score": {"stars": 4.5, "trustScore": 4.3},
            "numberOfReviews": {"total": 1289, "usedForTrustScoreCalculation": 1001,
                "oneStar": 40, "twoStars": 21, "threeStars": 60, "fourStars": 300,
                "fiveStars": 868}})))
        .mount(&server)
        .await;
    // The App Store feed (undocumented RSS, the shape Apple serves) and the lookup, refused
    // the way Apple refuses too many calls (HTTP 403, an empty body).
    Mock::given(method("GET"))
        .and(path(
            "/us/rss/customerreviews/page=1/id=42/sortby=mostrecent/json",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"feed": {"entry": [
            {"id": {"label": "9001"}, "im:rating": {"label": "5"}, "title": {"label": "Nice"},
             "content": {"label": "Nice app"}, "author": {"name": {"label": "pat"}},
             "updated": {"label": "2026-11-20T10:00:00-08:00"}}]}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/us/rss/customerreviews/page=2/id=42/sortby=mostrecent/json",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"feed": {}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookup"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let db = TestDb::new();
    let secrets = Arc::new(MemorySecrets::default());
    let tp = add(
        &db,
        &secrets,
        "Harbour Lane Café",
        "trustpilot",
        &server,
        &[("business_unit_id", UNIT), ("api_key", "tp-key")],
    );
    let app = add(
        &db,
        &secrets,
        "Harbour Lane Café",
        "app-store",
        &server,
        &[("app_id", "42")],
    );
    assert!(sync_one(&db, &secrets, tp).await.ok);
    let r = sync_one(&db, &secrets, app).await;
    assert!(r.ok, "the reviews were read: {r:?}");
    assert_eq!(r.new, 1);
    let store = db.store();
    let s = store.source(tp).unwrap();
    assert_eq!(
        (s.platform_rating, s.platform_review_count),
        (Some(4.3), Some(1289))
    );
    assert_eq!(store.source(app).unwrap().platform_rating_at, None);
    drop(store);

    // The lookup answers now (e.g. https://itunes.apple.com/lookup?id=284882215&country=us).
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(
            "/us/rss/customerreviews/page=1/id=42/sortby=mostrecent/json",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"feed": {}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/lookup"))
        .and(wiremock::matchers::query_param("id", "42"))
        .and(wiremock::matchers::query_param("country", "us"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"resultCount": 1,
            "results": [{"trackId": 42, "kind": "software", "trackName": "Harbour Lane",
                         "averageUserRating": 4.61, "userRatingCount": 2048}]})),
        )
        .mount(&server)
        .await;
    assert!(sync_one(&db, &secrets, app).await.ok);
    let s = db.store().source(app).unwrap();
    assert_eq!(
        (s.platform_rating, s.platform_review_count),
        (Some(4.61), Some(2048))
    );
}

/// `compare --json` carries each platform's figures per business, and judges a competitor on
/// the platform's rating where there is one rather than on the few reviews stored.
#[test]
fn compare_json_carries_the_platform_figures_and_compares_on_them() {
    let db = TestDb::new();
    let store = db.store();
    let own = store.ensure_business("Harbour Lane Café").unwrap();
    let rival = store.add_business("Rival Roasters", true).unwrap();
    let tp = store
        .ensure_source(own.id, "trustpilot", "harbourlane.example", &json!({}))
        .unwrap();
    let places = store
        .ensure_source(rival.id, "google-places", "Rival Roasters", &json!({}))
        .unwrap();
    let now = chrono::Utc::now().timestamp();
    let figures = |r, n| earshot::model::Headline::new(Some(r), Some(n)).unwrap();
    store
        .set_platform_figures(tp, &figures(4.3, 1289), now)
        .unwrap();
    store
        .set_platform_figures(places, &figures(3.6, 840), now - 2 * DAY)
        .unwrap();
    drop(store);
    // The rival's five stored Places reviews average 5★; Google says 3.6.
    let csv = db.file(
        "rival.csv",
        "external_id,platform,author,rating,title,body,created_at,url\n\
         r1,google,Ana,5,,Great,2026-11-01T10:00:00Z,\n\
         r2,google,Bo,5,,Great,2026-11-02T10:00:00Z,\n",
    );
    db.earshot(&[
        "import",
        csv.to_str().unwrap(),
        "--business",
        "Rival Roasters",
    ])
    .ok();

    let c = db
        .earshot(&[
            "compare",
            "--business",
            "Harbour Lane Café",
            "--with",
            "Rival Roasters",
            "--json",
        ])
        .ok()
        .json();
    let b = c["businesses"].as_array().unwrap();
    let own = &b[0];
    assert_eq!(own["platform_figures"][0]["platform"], "trustpilot");
    assert_eq!(own["platform_figures"][0]["platform_rating"], json!(4.3));
    assert_eq!(
        own["platform_figures"][0]["platform_review_count"],
        json!(1289)
    );
    assert!(own["platform_figures"][0]["platform_rating_at"].is_string());
    let rival = &b[1];
    assert_eq!(rival["platform_figures"][0]["platform"], "google");
    assert_eq!(rival["platform_figures"][0]["connector"], "google-places");
    assert_eq!(
        rival["platform_figures"][0]["says"],
        "Google says 3.6★ from 840 reviews (read 2 days ago)"
    );
    assert_eq!(rival["all_time"]["average_rating"], json!(5.0));
    assert_eq!(rival["rating"], json!(3.6));
    assert_eq!(rival["rating_from"], "platform");
    let text = db
        .earshot(&[
            "compare",
            "--business",
            "Harbour Lane Café",
            "--with",
            "Rival Roasters",
        ])
        .ok()
        .stdout();
    assert!(text.contains("Google says 3.6★ from 840 reviews"), "{text}");
}

/// Yelp's business details cost a call of the plan's daily cap: asked once a day, and a refusal
/// (Yelp's documented error body, docs.developer.yelp.com/docs/fusion-error-messages) is not
/// asked again at every sync; the reviews are read all the same.
#[tokio::test(flavor = "current_thread")]
async fn a_refused_yelp_details_call_is_not_repeated_the_same_day() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/businesses/biz-9/reviews"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": [
            {"id": "y1", "url": "https://www.yelp.com/biz/x?hrid=y1", "text": "Great buns…",
             "rating": 5, "time_created": "2026-11-20 09:00:00", "user": {"name": "Lee"}}],
            "total": 97, "possible_languages": ["en"]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/businesses/biz-9"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": {
            "code": "BUSINESS_NOT_FOUND",
            "description": "The requested business could not be found."}})))
        .mount(&server)
        .await;
    let db = TestDb::new();
    let secrets = Arc::new(MemorySecrets::default());
    let yelp = add(
        &db,
        &secrets,
        "Harbour Lane Café",
        "yelp",
        &server,
        &[("business_id", "biz-9"), ("api_key", "yelp-key")],
    );
    for _ in 0..2 {
        let r = sync_one(&db, &secrets, yelp).await;
        assert!(r.ok, "{r:?}");
    }
    let details = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v3/businesses/biz-9")
        .count();
    assert_eq!(details, 1, "once a day, answered or not");
    assert_eq!(external_ids(&db, yelp), ["y1"]);
    assert_eq!(db.store().source(yelp).unwrap().platform_rating_at, None);
}
