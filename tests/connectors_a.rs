//! Review connectors against mock platforms on 127.0.0.1 serving their documented JSON: Google
//! Places, the App Store feed, App Store Connect, Google Play, Facebook Pages and Google Business
//! Profile (with `earshot sources auth` driven by a fake browser). Each test syncs through the
//! engine and asserts on what lands in the database, on the source, and on what never may (a
//! secret in an error or a row).

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
use wiremock::matchers::{
    body_string_contains, header, headers, method, path, query_param, query_param_is_missing,
};
use wiremock::{Match, Request};
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Fixture {
    db: TestDb,
    secrets: Arc<MemorySecrets>,
    source: SourceId,
}

fn fixture(platform: &str, server: &MockServer, settings: &[(&str, &str)]) -> Fixture {
    let db = TestDb::new();
    let store = db.store();
    let business = store.ensure_business("Harbour Lane Café").unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let mut s: Settings = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    s.insert("base_url".into(), server.uri());
    let source = sources::add_source(&store, secrets.as_ref(), business.id, platform, None, &s)
        .unwrap_or_else(|e| panic!("add {platform}: {e}"));
    Fixture {
        db,
        secrets,
        source,
    }
}

/// One stored row: `(external_id, kind, rating, author, title, body, url)`.
type Row = (
    String,
    String,
    Option<f64>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

#[allow(dead_code)] // helpers used as the connectors' tests arrive
impl Fixture {
    async fn sync(&self) -> SourceReport {
        let secrets: Arc<dyn SecretStore> = self.secrets.clone();
        let opts = SyncOptions {
            http: HttpConfig {
                timeout: Duration::from_millis(800),
                max_attempts: 3,
                backoff: Duration::from_millis(10),
                max_wait: Duration::from_secs(3),
            },
            ..SyncOptions::default()
        };
        sync::run(
            self.db.path(),
            secrets,
            Selection::Ids(vec![self.source]),
            &opts,
            sync::no_events(),
        )
        .await
        .unwrap()
        .remove(0)
    }

    /// Rows by external id.
    fn rows(&self) -> Vec<Row> {
        let conn = rusqlite::Connection::open(self.db.path()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT external_id, kind, rating, author, title, body, url FROM reviews
                 WHERE source_id = ?1 ORDER BY external_id",
            )
            .unwrap();
        stmt.query_map([self.source], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    fn row(&self, external_id: &str) -> Row {
        self.rows()
            .into_iter()
            .find(|r| r.0 == external_id)
            .unwrap_or_else(|| panic!("no row {external_id}"))
    }

    /// The platform's (owner's) reply recorded for a review.
    fn owner_reply(&self, external_id: &str) -> Option<String> {
        let conn = rusqlite::Connection::open(self.db.path()).unwrap();
        conn.query_row(
            "SELECT p.body FROM replies p JOIN reviews r ON r.id = p.review_id
             WHERE r.source_id = ?1 AND r.external_id = ?2 AND p.origin = 'platform'",
            rusqlite::params![self.source, external_id],
            |r| r.get(0),
        )
        .ok()
    }

    fn created_at(&self, external_id: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db.path()).unwrap();
        conn.query_row(
            "SELECT created_at FROM reviews WHERE source_id = ?1 AND external_id = ?2",
            rusqlite::params![self.source, external_id],
            |r| r.get(0),
        )
        .unwrap()
    }

    /// Asserts that `secret` is nowhere in the database file (rows, settings, errors, cursor).
    fn assert_secret_absent(&self, secret: &str) {
        let conn = rusqlite::Connection::open(self.db.path()).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(conn);
        for suffix in ["", "-wal"] {
            let p = format!("{}{suffix}", self.db.path().display());
            if let Ok(bytes) = std::fs::read(&p) {
                let hay = String::from_utf8_lossy(&bytes);
                assert!(!hay.contains(secret), "{secret:?} found in {p}");
            }
        }
    }

    fn last_error(&self) -> Option<String> {
        self.db.store().source(self.source).unwrap().last_error
    }
}

/// Posts `body` as the owner's reply to the stored item `external_id` through the outbox, with
/// the credentials the connector left in the secret store.
async fn post_reply(f: &Fixture, external_id: &str, body: &str) -> earshot::model::replies::Reply {
    let store = f.db.store();
    let conn = rusqlite::Connection::open(f.db.path()).unwrap();
    let review_id: i64 = conn
        .query_row(
            "SELECT id FROM reviews WHERE source_id = ?1 AND external_id = ?2",
            rusqlite::params![f.source, external_id],
            |r| r.get(0),
        )
        .unwrap();
    store.save_draft(review_id, body).unwrap();
    let creds = earshot::secrets::StoredReplyCredentials(f.secrets.as_ref());
    let config = earshot::replies::outbox::OutboxConfig {
        max_attempts: 1,
        timeout: Duration::from_secs(2),
        no_proxy: true,
        ..Default::default()
    };
    let outbox = earshot::replies::outbox::Outbox::new(&store, &creds, config).unwrap();
    outbox.post_review(review_id, None).await.unwrap()
}

pub(crate) fn ok_json(v: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

/// The query parameter `name` of every request the server got to `p`, in order.
async fn query_values(server: &MockServer, p: &str, name: &str) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == p)
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Google Places

#[tokio::test(flavor = "current_thread")]
async fn google_places_snapshot_with_field_mask_original_text_and_a_refused_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/places/ChIJharbour"))
        .and(header("x-goog-api-key", "places-key-123"))
        // wiremock splits header values at commas.
        .and(headers(
            "x-goog-fieldmask",
            vec!["reviews", "rating", "userRatingCount"],
        ))
        .respond_with(ok_json(json!({
            "rating": 4.4, "userRatingCount": 87,
            "reviews": [
                {"name": "places/ChIJharbour/reviews/r1", "rating": 5,
                 "text": {"text": "Great buns", "languageCode": "en"},
                 "originalText": {"text": "Tolle Brötchen", "languageCode": "de"},
                 "authorAttribution": {"displayName": "Ana"},
                 "publishTime": "2026-11-20T11:26:55Z",
                 "googleMapsUri": "https://www.google.com/maps/reviews/r1"},
                {"name": "places/ChIJharbour/reviews/r2", "rating": 2,
                 "text": {"text": "Slow service", "languageCode": "en"},
                 "authorAttribution": {"displayName": "Bo"},
                 "publishTime": "2026-11-18T09:00:00.123Z"}
            ]
        })))
        .expect(2)
        .mount(&server)
        .await;
    let f = fixture(
        "google-places",
        &server,
        &[("place_id", "ChIJharbour"), ("api_key", "places-key-123")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (2, 1));
    let a = f.row("places/ChIJharbour/reviews/r1");
    assert_eq!(a.1, "review");
    assert_eq!(a.2, Some(5.0));
    assert_eq!(a.3.as_deref(), Some("Ana"));
    assert_eq!(
        a.5, "Tolle Brötchen",
        "the reviewer's own words, not Google's translation"
    );
    assert_eq!(
        a.6.as_deref(),
        Some("https://www.google.com/maps/reviews/r1")
    );
    assert_eq!(f.row("places/ChIJharbour/reviews/r2").2, Some(2.0));

    // The same five again: nothing doubles.
    let again = f.sync().await;
    assert!(again.ok, "{again:?}");
    assert_eq!((again.new, again.unchanged), (0, 2));
    assert_eq!(f.rows().len(), 2);

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/v1/places/ChIJharbour"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": 403, "status": "PERMISSION_DENIED",
            "message": "Requests from this API key places-key-123 are blocked."
        }})))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert!(!r.ok);
    let e = r.error.unwrap();
    assert!(e.contains("refused the credentials"), "{e}");
    assert!(!e.contains("places-key-123"), "{e}");
    assert_eq!(r.error_code, Some("auth"));
    f.assert_secret_absent("places-key-123");
    assert!(f.last_error().unwrap().contains("refused"));
}

// ---------------------------------------------------------------------------------------------
// App Store (public feed)

fn rss_entry(id: &str, rating: &str, at: &str, text: &str) -> Value {
    json!({
        "author": {"uri": {"label": "https://itunes.apple.com/us/reviews/id9"}, "name": {"label": format!("user{id}")}, "label": ""},
        "updated": {"label": at},
        "im:rating": {"label": rating},
        "im:version": {"label": "3.2"},
        "id": {"label": id},
        "title": {"label": format!("Title {id}")},
        "content": {"label": text, "attributes": {"type": "text"}},
        "link": {"attributes": {"rel": "related", "href": "https://itunes.apple.com/us/review?id=42"}}
    })
}

fn rss_page(cc: &str, page: u32) -> String {
    format!("/{cc}/rss/customerreviews/page={page}/id=42/sortby=mostrecent/json")
}

/// The public feed's entry shape (itunes.apple.com/{cc}/rss/customerreviews/…/json; sample in
/// PLATFORMS.md §4.6), one entry without `updated`: that entry is skipped and counted in the
/// report, the rest of the page is stored.
#[tokio::test(flavor = "current_thread")]
async fn app_store_feed_skips_and_counts_an_entry_without_updated() {
    let server = MockServer::start().await;
    let mut broken = rss_entry("9102", "3", "x", "No date on me");
    broken.as_object_mut().unwrap().remove("updated");
    Mock::given(method("GET"))
        .and(path(rss_page("us", 1).as_str()))
        .respond_with(ok_json(json!({"feed": {"entry": [
            rss_entry("9103", "5", "2026-11-20T10:00:00-08:00", "Lovely"),
            broken,
            rss_entry("9101", "4", "2026-11-18T10:00:00-08:00", "Fine")]}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(rss_page("us", 2).as_str()))
        .respond_with(ok_json(json!({"feed": {}})))
        .mount(&server)
        .await;
    let f = fixture("app-store", &server, &[("app_id", "42")]);
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.skipped), (2, 1));
    let ids: Vec<String> = f.rows().into_iter().map(|r| r.0).collect();
    assert_eq!(ids, ["9101", "9103"]);
}

#[tokio::test(flavor = "current_thread")]
async fn app_store_feed_pages_through_countries_and_stops_at_the_watermark() {
    let server = MockServer::start().await;
    // Page 1 of the US feed opens with the app itself, as older feeds do.
    let app = json!({"im:name": {"label": "Harbour Lane"}, "id": {"label": "https://apps.apple.com/app/id42"}});
    let routes = [
        (
            rss_page("us", 1),
            json!({"feed": {"entry": [app,
                rss_entry("9003", "5", "2026-11-20T10:00:00-08:00", "Love the loyalty card"),
                rss_entry("9002", "2", "2026-11-19T10:00:00-08:00", "Crashes at checkout")]}}),
        ),
        // One review: `entry` is an object.
        (
            rss_page("us", 2),
            json!({"feed": {"entry": rss_entry("9001", "3", "2026-11-18T10:00:00-08:00", "Okay")}}),
        ),
        // Past the last review: no `entry` at all.
        (
            rss_page("us", 3),
            json!({"feed": {"author": {"name": {"label": "iTunes Store"}}}}),
        ),
        (
            rss_page("gb", 1),
            json!({"feed": {"entry": [rss_entry("8001", "1", "2026-11-17T09:00:00+00:00", "Lost my order")]}}),
        ),
        (rss_page("gb", 2), json!({"feed": {}})),
    ];
    for (p, body) in &routes {
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(ok_json(body.clone()))
            .mount(&server)
            .await;
    }
    let f = fixture(
        "app-store",
        &server,
        &[("app_id", "42"), ("country", "us, GB")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (4, 5));
    let rows = f.rows();
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["8001", "9001", "9002", "9003"]
    );
    let crash = f.row("9002");
    assert_eq!(crash.2, Some(2.0), "the rating string is a number of stars");
    assert_eq!(crash.4.as_deref(), Some("Title 9002"));
    assert_eq!(crash.5, "Crashes at checkout");
    assert_eq!(crash.3.as_deref(), Some("user9002"));
    assert_eq!(
        crash.6.as_deref(),
        Some("https://apps.apple.com/us/app/id42?see-all=reviews")
    );
    assert_eq!(
        f.row("8001").6.as_deref(),
        Some("https://apps.apple.com/gb/app/id42?see-all=reviews")
    );
    assert_eq!(f.created_at("9003"), 1_795_197_600);

    // A new review in the US: the rerun reads the first page of each country and stops there.
    server.reset().await;
    let fresh = json!({"feed": {"entry": [
        rss_entry("9004", "4", "2026-11-21T10:00:00-08:00", "Better now"),
        rss_entry("9003", "5", "2026-11-20T10:00:00-08:00", "Love the loyalty card"),
        rss_entry("9002", "2", "2026-11-19T10:00:00-08:00", "Crashes at checkout")]}});
    for (p, body) in [
        (rss_page("us", 1), fresh),
        (rss_page("gb", 1), routes[3].1.clone()),
    ] {
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(ok_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let again = f.sync().await;
    assert!(again.ok, "{again:?}");
    assert_eq!((again.new, again.pages), (1, 2));
    assert_eq!(f.rows().len(), 5, "nothing doubled");
}

// ---------------------------------------------------------------------------------------------
// App Store Connect

const ASC_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpISS06RwdLkJOqGe
ASDpLoRV07DKZ8VjQ6STwgnccUShRANCAAQfAPI1tXBl/gQr3U9OJKGJVpq3wTYl
rllcs7eYzWgcJJfApXxFHhO7UfGO1ONcGQ/GD/hzL6rttVLMXYF2+TyQ
-----END PRIVATE KEY-----
";

const ASC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHwDyNbVwZf4EK91PTiShiVaat8E2
Ja5ZXLO3mM1oHCSXwKV8RR4Tu1HxjtTjXBkPxg/4cy+q7bVSzF2Bdvk8kA==
-----END PUBLIC KEY-----
";

/// Matches a request whose bearer token is an ES256 JWT signed by the test key, for Apple's
/// audience, from this issuer and key id, living at most 20 minutes.
struct AppleJwt;

impl Match for AppleJwt {
    fn matches(&self, request: &Request) -> bool {
        let Some(token) = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return false;
        };
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        v.set_audience(&["appstoreconnect-v1"]);
        v.set_issuer(&["issuer-7"]);
        let key = jsonwebtoken::DecodingKey::from_ec_pem(ASC_PUBLIC.as_bytes()).unwrap();
        match jsonwebtoken::decode::<Value>(token, &key, &v) {
            Ok(data) => {
                let iat = data.claims["iat"].as_i64().unwrap_or(0);
                let exp = data.claims["exp"].as_i64().unwrap_or(i64::MAX);
                header.kid.as_deref() == Some("KEYID12345") && exp - iat <= 20 * 60
            }
            Err(_) => false,
        }
    }
}

fn asc_review(id: &str, rating: u8, at: &str, response: Option<&str>) -> Value {
    let mut r = json!({
        "type": "customerReviews", "id": id,
        "attributes": {"rating": rating, "title": format!("T{id}"), "body": format!("Body {id}"),
                       "reviewerNickname": format!("nick{id}"), "createdDate": at, "territory": "USA"},
        "relationships": {"response": {"links": {}}}
    });
    if let Some(resp) = response {
        r["relationships"]["response"]["data"] =
            json!({"type": "customerReviewResponses", "id": resp});
    }
    r
}

#[tokio::test(flavor = "current_thread")]
async fn app_store_connect_follows_links_next_with_a_signed_token_and_records_responses() {
    let server = MockServer::start().await;
    let list = "/v1/apps/1234567/customerReviews";
    let next = |cursor: &str| format!("{}{list}?cursor={cursor}&limit=200", server.uri());
    let pages = [
        (
            None,
            json!({
                "data": [asc_review("r5", 5, "2026-11-20T11:04:11-08:00", Some("resp-5")),
                         asc_review("r4", 2, "2026-11-19T11:04:11-08:00", None)],
                "included": [{"type": "customerReviewResponses", "id": "resp-5",
                              "attributes": {"responseBody": "Thank you!", "lastModifiedDate": "2026-11-21T08:00:00-08:00", "state": "PUBLISHED"}}],
                "links": {"self": format!("{}{list}", server.uri()), "next": next("P2")},
                "meta": {"paging": {"total": 5, "limit": 200}}
            }),
        ),
        (
            Some("P2"),
            json!({"data": [asc_review("r3", 3, "2026-11-18T11:04:11-08:00", None),
                            asc_review("r2", 4, "2026-11-17T11:04:11-08:00", None)],
                   "links": {"self": next("P2"), "next": next("P3")}}),
        ),
        (
            Some("P3"),
            json!({"data": [asc_review("r1", 1, "2026-11-16T11:04:11-08:00", None)],
                   "links": {"self": next("P3")}}),
        ),
    ];
    for (cursor, body) in &pages {
        let m = Mock::given(method("GET")).and(path(list)).and(AppleJwt);
        let m = match cursor {
            Some(c) => m.and(query_param("cursor", *c)),
            None => m
                .and(query_param_is_missing("cursor"))
                .and(query_param("limit", "200"))
                .and(query_param("sort", "-createdDate"))
                .and(query_param("include", "response")),
        };
        m.respond_with(ok_json(body.clone())).mount(&server).await;
    }
    let f = fixture(
        "app-store-connect",
        &server,
        &[
            ("app_id", "1234567"),
            ("issuer_id", "issuer-7"),
            ("key_id", "KEYID12345"),
            ("private_key", ASC_KEY),
        ],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (5, 3));
    let r5 = f.row("r5");
    assert_eq!(r5.2, Some(5.0));
    assert_eq!(r5.3.as_deref(), Some("nickr5"));
    assert_eq!(r5.4.as_deref(), Some("Tr5"));
    assert_eq!(r5.5, "Body r5");
    assert_eq!(f.owner_reply("r5").as_deref(), Some("Thank you!"));
    assert_eq!(f.owner_reply("r4"), None);
    assert_eq!(f.row("r1").2, Some(1.0));

    // One new review: the rerun stops on the first page, which reaches the last run's newest.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(AppleJwt)
        .and(query_param_is_missing("cursor"))
        .respond_with(ok_json(json!({
            "data": [asc_review("r6", 4, "2026-11-22T11:04:11-08:00", None),
                     asc_review("r5", 5, "2026-11-20T11:04:11-08:00", None)],
            "links": {"next": next("P2")}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let again = f.sync().await;
    assert!(again.ok, "{again:?}");
    assert_eq!((again.new, again.pages), (1, 1));
    assert_eq!(f.rows().len(), 6);

    // A revoked key: Apple's JSON:API error in plain words, no key anywhere.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(list))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"errors": [{
            "status": "401", "code": "NOT_AUTHORIZED",
            "title": "Authentication credentials are missing or invalid.",
            "detail": "Provide a properly configured and signed bearer token, and make sure that it has not expired."
        }]})))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert_eq!(r.error_code, Some("auth"), "{r:?}");
    let e = r.error.unwrap();
    assert!(e.contains("refused the credentials (HTTP 401)"), "{e}");
    assert!(e.contains("signed bearer token"), "{e}");
    f.assert_secret_absent("MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpISS06RwdLkJOqGe");
}

// ---------------------------------------------------------------------------------------------
// Google Play

const PLAY_KEY: &str = r"-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC2HZNyd/zc12TY
6btnvd+cb3YoAN9KmegjlQKPcNvUl7OyEAUiTCaV0AeFaO+8BgKH5njgmpAx/wK3
OgWngocJFueTml5HpxoKzWOxBEtWrNf2wiYK/Peau4hG1KUeS2lGvz8VldQFdlu5
vaqIVbhnc8hF7lbtY0jSya5uSlV4R3MuhEtxJWgQgcLKebNM1VynYC9Zf2ut5JC2
5hfOYZtytBXGp8ZjDnZosjoOL5Lwm29rJlg5/wRIIkK87dYe5M+QvqSsQ9aVOyZH
PEB57ChPrppuMgUsScWkgHTWRc9IrlTAEMfHHD5Yaat6sEDY4nqL1dNtr9cQ044n
v7xV7GAFAgMBAAECggEABoumlokoffmB5ufzs+VXqaQ573Mkk2ZXuRusdWJdjFUN
gNthi9uH0X+iHZHpd+0RXzgR5SS5BQsA2nwL4vrmhpWbqir0s4eWgIfkSuL4IDvj
ITvWKTPxZE7UNZOEAcQ9Gu1Zw5lYfv/DiTf/bpoCIDnBm33XAv48ClN0YQNr8gAz
4SRVBztfJbfLP7D002vIH+B8LyiJgE9WoOk38KZ/UvVabgcuhQci15rOffbpdpTr
/AnudJnBgkmjDwwHffzJ1cWztioe/QAipE2td5jNE+PZWUE1HyKyzdt2Ki3g7n4E
K6gwnjexczKh9XaUI7jJGMNYe4Q+rCliT11hxUicAQKBgQDjm7raiGWFd286guEU
qT0w8uIaqSUUTl9+YX29WwK/V2W8CzCljEA0xGs7iOkLjJilU8aPssWlZWNfzq9A
dIgpbI2EICDd94SOHOAkGOiTU1CisUZdRWnc219QkLR5xeL/lk1rNu7GWJ4kNdxD
7Lzjoihwp4FzN2xg/yMEG5dWBQKBgQDM1R03Wu5ARZx0Axq1v0vs7I92mHkin+5k
Fu6lWMAUFSVxp7o77rLh+b1Iqp4+MbQmo12OU1wjDTlxHuyiYSJcSRXZidFxdP+c
9EGCPQLbSDwkSUboXgJsHx9KrOtdZ4VS6pRve9/n9Axk+CYj6BRULUiccd+vETR6
uvxYTFUCAQKBgQDR4BSBVApA8quWyX5gvdmV3DDPoq51NftqHt2CEHzNEPrXVX4q
+NNvlLrIb+tsYd2TfVd3w8HqTD5A5uXEym+PuvAXKEUGSClrnYa04l77EnUlP9AB
S3NdWs9eC8DPFMDHKsICnem47ZgNDbkozRAz2p/tmReNtUpzem/AZuy6PQKBgQCR
4ibQyf5t4CYxqhRX5UraDxGOUcHUmztaJcsKEE+c/gKRE/hbvwHAV/Ir0vipKxU3
f5qeR1iTzlNe8btvWubx+0uIh9OXjtCOpJgTfgiOzL+oyFesH2hyQSg0MzveZmBa
UaAuVnd96B77upDPefcgjK/uXFwHf6V007/t00+oAQKBgC06/eaKHSuPn7S3Mdg/
lO4rVYBMDCJ6uKxRRkSReFG2lnpk48CntVwy2zmzZpVTOKC6LvDmkov57PJL1xpJ
eq1ISIx2VwvvVZN4cAmpiIysvGYRYCDti4I6kbo5tOVfEcfEOL0dV4NLt4v0b5BT
A4XRyT7dzW/Urw6/+xoqDUnQ
-----END PRIVATE KEY-----";

const PLAY_PUBLIC: &str = r"-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAth2Tcnf83Ndk2Om7Z73f
nG92KADfSpnoI5UCj3Db1JezshAFIkwmldAHhWjvvAYCh+Z44JqQMf8CtzoFp4KH
CRbnk5peR6caCs1jsQRLVqzX9sImCvz3mruIRtSlHktpRr8/FZXUBXZbub2qiFW4
Z3PIRe5W7WNI0smubkpVeEdzLoRLcSVoEIHCynmzTNVcp2AvWX9rreSQtuYXzmGb
crQVxqfGYw52aLI6Di+S8JtvayZYOf8ESCJCvO3WHuTPkL6krEPWlTsmRzxAeewo
T66abjIFLEnFpIB01kXPSK5UwBDHxxw+WGmrerBA2OJ6i9XTba/XENOOJ7+8Vexg
BQIDAQAB
-----END PUBLIC KEY-----";

fn service_account_json() -> String {
    json!({
        "type": "service_account", "project_id": "harbour-lane",
        "private_key_id": "kid-play-1", "private_key": PLAY_KEY,
        "client_email": "earshot@harbour-lane.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"
    })
    .to_string()
}

/// Matches a token request carrying a service-account assertion signed by the test key for
/// the androidpublisher scope, addressed to `aud`.
struct PlayAssertion {
    aud: String,
}

impl Match for PlayAssertion {
    fn matches(&self, request: &Request) -> bool {
        let body = String::from_utf8_lossy(&request.body);
        let Ok(url) = reqwest::Url::parse(&format!("http://form/?{body}")) else {
            return false;
        };
        let form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if get("grant_type").as_deref() != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
            return false;
        }
        let Some(jwt) = get("assertion") else {
            return false;
        };
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_audience(&[self.aud.as_str()]);
        v.set_issuer(&["earshot@harbour-lane.iam.gserviceaccount.com"]);
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(PLAY_PUBLIC.as_bytes()).unwrap();
        let header = jsonwebtoken::decode_header(&jwt).ok();
        jsonwebtoken::decode::<Value>(&jwt, &key, &v).is_ok_and(|d| {
            d.claims["scope"] == "https://www.googleapis.com/auth/androidpublisher"
                && header.and_then(|h| h.kid).as_deref() == Some("kid-play-1")
        })
    }
}

fn play_review(id: &str, stars: u8, secs: i64, text: &str, reply: Option<&str>) -> Value {
    let mut comments = vec![json!({"userComment": {
        "text": text, "starRating": stars, "reviewerLanguage": "en", "appVersionName": "2.0",
        "lastModified": {"seconds": secs.to_string(), "nanos": 713000000}
    }})];
    if let Some(r) = reply {
        comments.push(json!({"developerComment": {"text": r, "lastModified": {"seconds": (secs + 600).to_string()}}}));
    }
    json!({"reviewId": id, "authorName": format!("author {id}"), "comments": comments})
}

#[tokio::test(flavor = "current_thread")]
async fn google_play_service_account_token_once_per_run_token_paging_and_replies() {
    let server = MockServer::start().await;
    let token_url = format!("{}/oauth2/token", server.uri());
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .and(PlayAssertion {
            aud: token_url.clone(),
        })
        .respond_with(ok_json(
            json!({"access_token": "ya29.play", "expires_in": 3599, "token_type": "Bearer"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let list = "/androidpublisher/v3/applications/com.harbourlane.app/reviews";
    let now = chrono::Utc::now().timestamp();
    let pages = [
        (
            None,
            json!({"reviews": [
                play_review("gp:5", 5, now - 3600, "Lovely\tQuick to order ahead", Some("Thanks!")),
                play_review("gp:4", 2, now - 7200, "Crashes on start", None)],
                "tokenPagination": {"nextPageToken": "t2"}}),
        ),
        (
            Some("t2"),
            json!({"reviews": [play_review("gp:3", 4, now - 10800, "Good", None)],
                   "tokenPagination": {"nextPageToken": "t3"}}),
        ),
        (
            Some("t3"),
            json!({"reviews": [play_review("gp:2", 3, now - 14400, "Meh", None)], "pageInfo": {}}),
        ),
    ];
    for (token, body) in &pages {
        let m = Mock::given(method("GET"))
            .and(path(list))
            .and(header("authorization", "Bearer ya29.play"));
        let m = match token {
            Some(t) => m.and(query_param("token", *t)),
            None => m.and(query_param_is_missing("token")),
        };
        m.respond_with(ok_json(body.clone())).mount(&server).await;
    }
    let sa = service_account_json();
    let f = fixture(
        "google-play",
        &server,
        &[
            ("package_name", "com.harbourlane.app"),
            ("service_account_json", &sa),
            ("token_url", &token_url),
        ],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (4, 3));
    let five = f.row("gp:5");
    assert_eq!(five.2, Some(5.0));
    assert_eq!(five.3.as_deref(), Some("author gp:5"));
    assert_eq!(five.4.as_deref(), Some("Lovely"));
    assert_eq!(five.5, "Quick to order ahead");
    assert_eq!(
        five.6.as_deref(),
        Some("https://play.google.com/store/apps/details?id=com.harbourlane.app&reviewId=gp:5")
    );
    assert_eq!(f.owner_reply("gp:5").as_deref(), Some("Thanks!"));
    assert_eq!(f.created_at("gp:4"), now - 7200);
    // The reply outbox finds the access token in the secret store.
    assert_eq!(
        f.secrets
            .get(f.source, "access_token")
            .unwrap()
            .unwrap()
            .expose(),
        "ya29.play"
    );
    Mock::given(method("POST"))
        .and(path(format!("{list}/gp:4:reply").as_str()))
        .and(header("authorization", "Bearer ya29.play"))
        .and(wiremock::matchers::body_json(
            json!({"replyText": "Sorry! Fixed in 2.1."}),
        ))
        .respond_with(ok_json(
            json!({"result": {"replyText": "Sorry! Fixed in 2.1."}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let posted = post_reply(&f, "gp:4", "Sorry! Fixed in 2.1.").await;
    assert_eq!(
        posted.state,
        earshot::model::replies::ReplyState::Posted,
        "{posted:?}"
    );
    server.verify().await;

    // Rerun: a new review on page one, then the last run's newest: no second page.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ok_json(json!({"access_token": "ya29.play2"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(header("authorization", "Bearer ya29.play2"))
        .respond_with(ok_json(json!({"reviews": [
            play_review("gp:6", 1, now - 60, "Lost my order", None),
            play_review("gp:5", 5, now - 3600, "Lovely\tQuick to order ahead", Some("Thanks!"))],
            "tokenPagination": {"nextPageToken": "t2"}})))
        .expect(1)
        .mount(&server)
        .await;
    let again = f.sync().await;
    assert!(again.ok, "{again:?}");
    assert_eq!((again.new, again.unchanged, again.pages), (1, 1, 1));
    assert_eq!(f.rows().len(), 5);

    // The key was deleted in the Cloud console: Google's token endpoint refuses it.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .and(body_string_contains("assertion="))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}),
        ))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert_eq!(r.error_code, Some("auth"), "{r:?}");
    let e = r.error.unwrap();
    assert!(e.contains("refused the credentials"), "{e}");
    assert!(e.contains("service account key"), "{e}");
    f.assert_secret_absent("MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSk");
    f.assert_secret_absent("ya29.play");
}

// ---------------------------------------------------------------------------------------------
// Facebook

fn fb_post(id: &str, from: (&str, &str), created: &str, updated: &str) -> Value {
    json!({"id": id, "message": format!("post {id}"), "created_time": created, "updated_time": updated,
           "permalink_url": format!("https://www.facebook.com/{id}"), "from": {"id": from.0, "name": from.1}})
}

fn fb_comment(id: &str, from: (&str, &str), at: &str, text: &str, parent: Option<&str>) -> Value {
    let mut c = json!({"id": id, "message": text, "created_time": at, "from": {"id": from.0, "name": from.1},
                       "permalink_url": format!("https://www.facebook.com/c/{id}")});
    if let Some(p) = parent {
        c["parent"] = json!({"id": p});
    }
    c
}

fn fb_list(data: Vec<Value>, after: Option<&str>) -> Value {
    match after {
        Some(a) => json!({"data": data, "paging": {"cursors": {"before": "B", "after": a},
                                                    "next": format!("https://graph.facebook.com/v25.0/x?after={a}")}}),
        None => json!({"data": data, "paging": {"cursors": {"before": "B", "after": "END"}}}),
    }
}

async fn fb_mount(
    server: &MockServer,
    p: &str,
    after: Option<&str>,
    body: Value,
    times: Option<u64>,
) {
    let m = Mock::given(method("GET"))
        .and(path(p))
        .and(header("authorization", "Bearer fb-page-token-1"));
    let m = match after {
        Some(a) => m.and(query_param("after", a)),
        None => m.and(query_param_is_missing("after")),
    };
    let m = if p.ends_with("/comments") {
        m.and(query_param("filter", "stream"))
            .and(query_param("order", "reverse_chronological"))
    } else {
        m
    };
    let m = m.respond_with(ok_json(body));
    match times {
        Some(n) => m.expect(n).mount(server).await,
        None => m.mount(server).await,
    }
}

const PAGE: (&str, &str) = ("100", "Harbour Lane Café");
const KIM: (&str, &str) = ("8", "Kim");

#[tokio::test(flavor = "current_thread")]
async fn facebook_feed_and_comments_page_with_cursors_and_replies_are_the_pages_answers() {
    let server = MockServer::start().await;
    let t = |h: u32| format!("2026-11-20T{h:02}:00:00+0000");
    fb_mount(
        &server,
        "/100/feed",
        None,
        fb_list(
            vec![
                fb_post("100_1", PAGE, &t(8), &t(19)),
                fb_post("100_2", ("55", "Lee"), &t(7), &t(9)),
            ],
            Some("F2"),
        ),
        None,
    )
    .await;
    fb_mount(
        &server,
        "/100/feed",
        Some("F2"),
        fb_list(
            vec![fb_post(
                "100_3",
                PAGE,
                "2026-11-18T08:00:00+0000",
                "2026-11-18T12:00:00+0000",
            )],
            None,
        ),
        None,
    )
    .await;
    fb_mount(
        &server,
        "/100_1/comments",
        None,
        fb_list(
            vec![
                fb_comment("1_c3", PAGE, &t(19), "Sorry Kim, fixed!", Some("1_c1")),
                fb_comment("1_c1", KIM, &t(18), "Waited 40 min", None),
            ],
            Some("C2"),
        ),
        None,
    )
    .await;
    fb_mount(
        &server,
        "/100_1/comments",
        Some("C2"),
        fb_list(
            vec![fb_comment(
                "1_c2",
                ("7", "Bo"),
                &t(10),
                "Love the new menu &amp; buns",
                None,
            )],
            None,
        ),
        None,
    )
    .await;
    fb_mount(
        &server,
        "/100_2/comments",
        None,
        fb_list(
            vec![fb_comment("2_c1", PAGE, &t(9), "We have your scarf!", None)],
            None,
        ),
        None,
    )
    .await;
    fb_mount(
        &server,
        "/100_3/comments",
        None,
        fb_list(
            vec![fb_comment(
                "3_c1",
                KIM,
                "2026-11-18T12:00:00+0000",
                "Open Sunday?",
                None,
            )],
            None,
        ),
        None,
    )
    .await;
    let f = fixture(
        "facebook",
        &server,
        &[("page_id", "100"), ("page_token", "fb-page-token-1")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (4, 2));
    let ids: Vec<String> = f.rows().into_iter().map(|r| r.0).collect();
    assert_eq!(
        ids,
        ["100_2", "1_c1", "1_c2", "3_c1"],
        "the Page's own posts are not mentions"
    );
    let kim = f.row("1_c1");
    assert_eq!(kim.1, "mention");
    assert_eq!(kim.2, None, "Facebook has no ratings");
    assert_eq!(kim.3.as_deref(), Some("Kim"));
    assert_eq!(kim.6.as_deref(), Some("https://www.facebook.com/c/1_c1"));
    assert_eq!(f.created_at("1_c1"), 1_795_197_600);
    assert_eq!(f.owner_reply("1_c1").as_deref(), Some("Sorry Kim, fixed!"));
    assert_eq!(
        f.owner_reply("100_2").as_deref(),
        Some("We have your scarf!")
    );
    assert_eq!(f.owner_reply("1_c2"), None);
    assert_eq!(
        f.row("1_c2").5,
        "Love the new menu &amp; buns",
        "plain text is kept as sent"
    );

    // Answering Bo posts a comment under Bo's comment, as the Page, with the Page token.
    Mock::given(method("POST"))
        .and(path("/1_c2/comments"))
        .and(header("authorization", "Bearer fb-page-token-1"))
        .and(body_string_contains("message=Thank+you%2C+Bo%21"))
        .respond_with(ok_json(json!({"id": "1_c9"})))
        .expect(1)
        .mount(&server)
        .await;
    let posted = post_reply(&f, "1_c2", "Thank you, Bo!").await;
    assert_eq!(
        posted.state,
        earshot::model::replies::ReplyState::Posted,
        "{posted:?}"
    );
    assert_eq!(posted.external_id.as_deref(), Some("1_c9"));
    server.verify().await;

    // A new comment on the first post: only that post's comments are read again.
    server.reset().await;
    fb_mount(
        &server,
        "/100/feed",
        None,
        fb_list(
            vec![
                fb_post("100_1", PAGE, &t(8), &t(21)),
                fb_post("100_2", ("55", "Lee"), &t(7), &t(9)),
            ],
            Some("F2"),
        ),
        Some(1),
    )
    .await;
    fb_mount(
        &server,
        "/100/feed",
        Some("F2"),
        fb_list(
            vec![fb_post(
                "100_3",
                PAGE,
                "2026-11-18T08:00:00+0000",
                "2026-11-18T12:00:00+0000",
            )],
            None,
        ),
        Some(1),
    )
    .await;
    fb_mount(
        &server,
        "/100_1/comments",
        None,
        fb_list(
            vec![
                fb_comment("1_c4", ("9", "Mo"), &t(21), "Best coffee", None),
                fb_comment("1_c3", PAGE, &t(19), "Sorry Kim, fixed!", Some("1_c1")),
                fb_comment("1_c1", KIM, &t(18), "Waited 40 min", None),
                fb_comment(
                    "1_c2",
                    ("7", "Bo"),
                    &t(10),
                    "Love the new menu &amp; buns",
                    None,
                ),
            ],
            None,
        ),
        Some(1),
    )
    .await;
    let again = f.sync().await;
    assert!(again.ok, "{again:?}");
    assert_eq!((again.new, again.unchanged), (1, 2));
    assert_eq!(f.rows().len(), 5);
    assert_eq!(
        query_values(&server, "/100_2/comments", "after")
            .await
            .len(),
        0
    );
    server.verify().await;

    // Nothing new: one request for the feed's first page and no comments.
    server.reset().await;
    fb_mount(
        &server,
        "/100/feed",
        None,
        fb_list(
            vec![
                fb_post("100_1", PAGE, &t(8), &t(21)),
                fb_post("100_2", ("55", "Lee"), &t(7), &t(9)),
            ],
            Some("F2"),
        ),
        Some(1),
    )
    .await;
    let quiet = f.sync().await;
    assert!(quiet.ok, "{quiet:?}");
    assert_eq!((quiet.new, quiet.pages), (0, 1));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn facebook_expired_token_and_throttling_in_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/100/feed"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "Error validating access token: Session has expired on Friday, 20-Nov-26 10:00:00 PST. Token fb-page-token-1",
            "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbC1"
        }})))
        .mount(&server)
        .await;
    let f = fixture(
        "facebook",
        &server,
        &[("page_id", "100"), ("page_token", "fb-page-token-1")],
    );
    let r = f.sync().await;
    assert_eq!(r.error_code, Some("auth"), "{r:?}");
    let e = r.error.unwrap();
    assert!(
        e.contains("refused the credentials") && e.contains("Session has expired"),
        "{e}"
    );
    assert!(!e.contains("fb-page-token-1"), "{e}");
    f.assert_secret_absent("fb-page-token-1");

    // Code 32 (Page request limit) arrives as a 400 with the reason in the body: a pause.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/100/feed"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "(#32) Page request limit reached", "type": "OAuthException",
            "code": 32, "fbtrace_id": "AbC2"
        }})))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert_eq!(r.status, "paused", "{r:?}");
    assert!(r.error.unwrap().contains("rate limit"));
}

// ---------------------------------------------------------------------------------------------
// Google Business Profile

const GBP_REVIEWS: &str = "/v4/accounts/111/locations/222/reviews";

fn gbp_review(
    id: &str,
    stars: &str,
    comment: Option<&str>,
    at: &str,
    reply: Option<&str>,
) -> Value {
    let mut r = json!({
        "reviewId": id, "name": format!("accounts/111/locations/222/reviews/{id}"),
        "reviewer": {"displayName": format!("Reviewer {id}")},
        "starRating": stars, "createTime": at, "updateTime": at
    });
    if let Some(c) = comment {
        r["comment"] = json!(c);
    }
    if let Some(t) = reply {
        r["reviewReply"] = json!({"comment": t, "updateTime": at});
    }
    r
}

/// Three pages of reviews behind `Bearer {token}`.
pub(crate) async fn gbp_mount_reviews(server: &MockServer, token: &str) {
    let pages = [
        (
            None,
            json!({"reviews": [
                gbp_review("g5", "FIVE", Some("Best buns in town"), "2026-11-20T09:12:03.123Z", Some("Thank you!")),
                gbp_review("g4", "TWO", Some("Slow coffee."), "2026-11-19T09:00:00Z", None)],
                "averageRating": 3.6, "totalReviewCount": 5, "nextPageToken": "p2"}),
        ),
        (
            Some("p2"),
            json!({"reviews": [
                gbp_review("g3", "STAR_RATING_UNSPECIFIED", Some("Hm"), "2026-11-18T09:00:00Z", None),
                gbp_review("g2", "FOUR", None, "2026-11-17T09:00:00Z", None)],
                "nextPageToken": "p3"}),
        ),
        (
            Some("p3"),
            json!({"reviews": [gbp_review("g1", "ONE", Some("Cold food"), "2026-11-16T09:00:00Z", None)]}),
        ),
    ];
    for (page, body) in pages {
        let m = Mock::given(method("GET"))
            .and(path(GBP_REVIEWS))
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .and(query_param("pageSize", "50"))
            .and(query_param("orderBy", "updateTime desc"));
        let m = match page {
            Some(p) => m.and(query_param("pageToken", p)),
            None => m.and(query_param_is_missing("pageToken")),
        };
        m.respond_with(ok_json(body)).mount(server).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn google_business_refreshes_its_token_pages_and_maps_enum_ratings_and_replies() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=1%2F%2Fgbp-refresh"))
        .and(body_string_contains(
            "client_id=cid.apps.googleusercontent.com",
        ))
        .and(body_string_contains("client_secret=gbp-client-secret"))
        .respond_with(ok_json(
            json!({"access_token": "ya29.gbp", "expires_in": 3599, "token_type": "Bearer"}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    gbp_mount_reviews(&server, "ya29.gbp").await;
    let f = fixture(
        "google-business",
        &server,
        &[
            ("account_id", "accounts/111"),
            ("location_id", "222"),
            ("client_id", "cid.apps.googleusercontent.com"),
            ("client_secret", "gbp-client-secret"),
            ("refresh_token", "1//gbp-refresh"),
        ],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (5, 3));
    let ratings: Vec<Option<f64>> = f.rows().iter().map(|r| r.2).collect();
    // By id: g1 ONE, g2 FOUR, g3 STAR_RATING_UNSPECIFIED, g4 TWO, g5 FIVE.
    assert_eq!(ratings, [Some(1.0), Some(4.0), None, Some(2.0), Some(5.0)]);
    let g5 = f.row("g5");
    assert_eq!(g5.3.as_deref(), Some("Reviewer g5"));
    assert_eq!(g5.5, "Best buns in town");
    assert_eq!(f.owner_reply("g5").as_deref(), Some("Thank you!"));
    assert_eq!(f.row("g2").5, "", "rating-only reviews have no text");
    // The first page's `averageRating` and `totalReviewCount`: what Google shows (issue 25).
    let s = f.db.store().source(f.source).unwrap();
    assert_eq!(
        (s.platform_rating, s.platform_review_count),
        (Some(3.6), Some(5))
    );
    assert!(s.platform_rating_at.is_some());
    // The outbox finds the access token in the secret store, never in the database.
    assert_eq!(
        f.secrets
            .get(f.source, "access_token")
            .unwrap()
            .unwrap()
            .expose(),
        "ya29.gbp"
    );

    // A full listing again (Google lists everything, so removals show): nothing doubles.
    let again = f.sync().await;
    assert!(again.ok, "{again:?}");
    assert_eq!((again.new, again.unchanged, again.removed), (0, 5, 0));
    assert_eq!(f.rows().len(), 5);
    server.verify().await;

    // The sign-in was revoked: Google's token endpoint says invalid_grant.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
        ))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert_eq!(r.error_code, Some("auth"), "{r:?}");
    let e = r.error.unwrap();
    assert!(
        e.contains(&format!("earshot sources auth {}", f.source)),
        "{e}"
    );
    for secret in ["1//gbp-refresh", "gbp-client-secret", "ya29.gbp"] {
        assert!(!e.contains(secret), "{e}");
        f.assert_secret_absent(secret);
    }

    // Not signed in at all: say how.
    f.secrets.delete(f.source, "refresh_token").unwrap();
    let r = f.sync().await;
    assert_eq!(r.error_code, Some("config"), "{r:?}");
    assert!(r.error.unwrap().contains("sources auth"));
}

/// Matches the code exchange: the PKCE verifier hashes to the challenge the consent address
/// carried, and the redirect is the one the browser was sent to.
pub(crate) struct Pkce {
    pub(crate) challenge: String,
    pub(crate) redirect: String,
}

impl Match for Pkce {
    fn matches(&self, request: &Request) -> bool {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let body = String::from_utf8_lossy(&request.body);
        let Ok(url) = reqwest::Url::parse(&format!("http://form/?{body}")) else {
            return false;
        };
        let get = |k: &str| {
            url.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        let Some(verifier) = get("code_verifier") else {
            return false;
        };
        let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        (43..=128).contains(&verifier.len())
            && hashed == self.challenge
            && get("redirect_uri").as_deref() == Some(self.redirect.as_str())
    }
}

/// `earshot sources auth ID --no-browser` running, and the consent address it printed.
fn start_auth(db: &TestDb, id: &str) -> (std::process::Child, reqwest::Url) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db.path())
        .args(["sources", "auth", id, "--no-browser", "--timeout", "20"])
        .env("XDG_DATA_HOME", db.dir.path())
        .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
        .env_remove("EARSHOT_DB")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run earshot");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        let n = out.read_line(&mut line).unwrap();
        assert!(n > 0, "earshot ended without printing the consent address");
        if line.contains("code_challenge=") {
            break;
        }
    }
    // Keep the rest of stdout readable after the flow.
    child.stdout = None;
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (child, reqwest::Url::parse(line.trim()).unwrap())
}

pub(crate) fn param(url: &reqwest::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// What a browser does with the redirect: one GET, the whole answer back.
pub(crate) fn browser_get(url: &str) -> String {
    use std::io::{Read, Write};
    let u = reqwest::Url::parse(url).unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", u.port().unwrap())).unwrap();
    let target = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: fake-browser\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

fn stderr_of(child: std::process::Child) -> (bool, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn google_business_sources_auth_with_pkce_through_a_fake_browser_then_sync() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let db = TestDb::new();
    let help = db
        .earshot(&["sources", "add", "google-business", "--help"])
        .ok()
        .stdout();
    assert!(
        help.contains("OAuth client ID") && help.contains("Desktop app"),
        "{help}"
    );
    assert!(help.contains("earshot sources auth"), "{help}");
    let base = format!("base_url={}", server.uri());
    let added = db
        .earshot(&[
            "sources",
            "add",
            "google-business",
            "--business",
            "Harbour Lane Café",
            "--set",
            "account_id=111",
            "--set",
            "location_id=222",
            "--set",
            "client_id=cid.apps.googleusercontent.com",
            "--set",
            "client_secret=gbp-client-secret",
            "--set",
            &base,
            "--json",
        ])
        .ok()
        .json();
    let id = added["id"].to_string();

    // Syncing before signing in says what to do.
    let out = db.earshot(&["sync", "--json"]).fails().json();
    let err = out["sources"][0]["error"].as_str().unwrap().to_string();
    assert!(err.contains(&format!("earshot sources auth {id}")), "{err}");

    // A redirect that does not carry the state Earshot sent is refused and stores nothing, and
    // it does not end the sign-in either (issue 33): the listener waits for its own answer.
    let (mut child, url) = start_auth(&db, &id);
    let redirect = param(&url, "redirect_uri");
    let page = browser_get(&format!("{redirect}/?code=stolen&state=forged"));
    assert!(page.starts_with("HTTP/1.1 400"), "{page}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "a forged answer ended the sign-in"
    );
    child.kill().unwrap();
    let _ = child.wait();

    // The real flow.
    let (child, url) = start_auth(&db, &id);
    assert_eq!(url.path(), "/auth");
    assert_eq!(param(&url, "client_id"), "cid.apps.googleusercontent.com");
    assert_eq!(param(&url, "response_type"), "code");
    assert_eq!(
        param(&url, "scope"),
        "https://www.googleapis.com/auth/business.manage"
    );
    assert_eq!(param(&url, "code_challenge_method"), "S256");
    assert_eq!(param(&url, "access_type"), "offline");
    let redirect = param(&url, "redirect_uri");
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    let state = param(&url, "state");
    rt.block_on(
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(body_string_contains("grant_type=authorization_code"))
            .and(body_string_contains("code=4%2F0AbcDef"))
            .and(body_string_contains("client_secret=gbp-client-secret"))
            .and(Pkce {
                challenge: param(&url, "code_challenge"),
                redirect: redirect.clone(),
            })
            .respond_with(ok_json(json!({
                "access_token": "ya29.first", "expires_in": 3599, "token_type": "Bearer",
                "refresh_token": "1//gbp-refresh",
                "scope": "https://www.googleapis.com/auth/business.manage"
            })))
            .expect(1)
            .mount(&server),
    );
    let favicon = browser_get(&format!("{redirect}/favicon.ico"));
    assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
    let page = browser_get(&format!(
        "{redirect}/?state={state}&code=4/0AbcDef&scope=https://www.googleapis.com/auth/business.manage"
    ));
    assert!(
        page.starts_with("HTTP/1.1 200") && page.contains("signed in"),
        "{page}"
    );
    let (ok, stderr) = stderr_of(child);
    assert!(ok, "{stderr}");
    let kept = std::fs::read_to_string(db.dir.path().join("secrets.json")).unwrap();
    assert!(
        kept.contains("1//gbp-refresh"),
        "the refresh token is in the secret store"
    );

    // Sync: the refresh token buys an access token; three pages of reviews.
    rt.block_on(async {
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(body_string_contains("grant_type=refresh_token"))
            .and(body_string_contains("refresh_token=1%2F%2Fgbp-refresh"))
            .respond_with(ok_json(
                json!({"access_token": "ya29.second", "expires_in": 3599}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        gbp_mount_reviews(&server, "ya29.second").await;
    });
    let out = db.earshot(&["sync", "--json"]).ok().json();
    assert_eq!(out["new"], 5, "{out}");
    let reviews = db
        .earshot(&["reviews", "--business", "Harbour Lane Café", "--json"])
        .ok()
        .json();
    let g5 = reviews
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["external_id"] == "g5")
        .unwrap();
    assert_eq!(g5["rating"], 5.0);
    assert_eq!(g5["replied"], true);
    rt.block_on(server.verify());

    // No secret in the database.
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(conn);
    let bytes = std::fs::read(db.path()).unwrap();
    let hay = String::from_utf8_lossy(&bytes);
    for secret in [
        "1//gbp-refresh",
        "gbp-client-secret",
        "ya29.first",
        "ya29.second",
        "4/0AbcDef",
    ] {
        assert!(!hay.contains(secret), "{secret} is in the database");
    }
}
