//! Mention and review connectors against mock platforms on 127.0.0.1 serving their documented
//! JSON: X, YouTube, Reddit, Bluesky, Mastodon, Hacker News, RSS/Google Alerts and Yelp. Each
//! test syncs through the engine and asserts on what lands in the database and on the source.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use earshot::model::SourceId;
use earshot::platforms::http::HttpConfig;
use earshot::secrets::{MemorySecrets, SecretStore};
use earshot::sources::{self, Settings};
use earshot::store::SourceStatus;
use earshot::sync::{self, Selection, SourceReport, SyncOptions};
use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
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

    /// `(external_id, kind, rating, author, body, url)` by external id.
    #[allow(clippy::type_complexity)]
    fn rows(
        &self,
    ) -> Vec<(
        String,
        String,
        Option<f64>,
        Option<String>,
        String,
        Option<String>,
    )> {
        let conn = rusqlite::Connection::open(self.db.path()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT external_id, kind, rating, author, body, url FROM reviews
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
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    fn replied(&self, external_id: &str) -> bool {
        let conn = rusqlite::Connection::open(self.db.path()).unwrap();
        conn.query_row(
            "SELECT replied_at IS NOT NULL FROM reviews WHERE source_id = ?1 AND external_id = ?2",
            rusqlite::params![self.source, external_id],
            |r| r.get(0),
        )
        .unwrap()
    }
}

fn ok_json(v: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

// ---------------------------------------------------------------------------------------------
// X

fn tweet(id: &str, text: &str, author: &str) -> Value {
    json!({"id": id, "text": text, "created_at": "2026-11-20T18:04:11.000Z", "author_id": author, "lang": "en"})
}

/// A post id minted an hour ago (X ids carry their time: ms since 2010-11-04 above bit 22), so
/// the connector accepts it as a since_id inside the 7-day window.
fn recent_id(n: u64) -> String {
    let ms = (chrono::Utc::now().timestamp_millis() - 3_600_000 - 1_288_834_974_657) as u64;
    ((ms << 22) + n).to_string()
}

#[tokio::test(flavor = "current_thread")]
async fn x_pages_with_next_token_then_stops_at_the_newest_id() {
    let (id1, id2, id3) = (recent_id(1), recent_id(2), recent_id(3));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .and(header("authorization", "Bearer x-bearer"))
        .and(query_param("next_token", "page2"))
        .respond_with(ok_json(json!({
            "data": [tweet(&id1, "@harbourlane slow today", "u2")],
            "includes": {"users": [{"id": "u2", "username": "bo"}]},
            "meta": {"result_count": 1}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .respond_with(ok_json(json!({
            "data": [
                tweet(&id3, "@harbourlane best buns!", "u1"),
                tweet(&id2, "@harbourlane ok coffee", "u1")
            ],
            "includes": {"users": [{"id": "u1", "username": "kim"}]},
            "meta": {"result_count": 2, "next_token": "page2"}
        })))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let f = fixture(
        "x",
        &server,
        &[("query", "harbourlane"), ("bearer_token", "x-bearer")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (3, 2));
    let rows = f.rows();
    assert_eq!(rows[2].0, id3);
    assert_eq!(rows[2].1, "mention");
    assert_eq!(rows[2].2, None, "mentions never get stars");
    assert_eq!(rows[2].3.as_deref(), Some("@kim"));
    assert!(rows[2].5.as_deref().unwrap().contains(&id3));

    // Nothing new: X answers without `data`; the next run asks only for newer posts.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .respond_with(ok_json(json!({"meta": {"result_count": 0}})))
        .mount(&server)
        .await;
    let again = f.sync().await;
    assert!(again.ok, "{again:?}");
    assert_eq!(again.new, 0);
    let requests = server.received_requests().await.unwrap();
    let q = requests[0].url.query().unwrap_or("").to_string();
    assert!(q.contains(&format!("since_id={id3}")), "{q}");
}

/// Shapes from docs.x.com/x-api/users/get-user-by-username (`{"data":{"id","name","username"}}`)
/// and docs.x.com/x-api/users/get-mentions (`{"data":[posts],"includes":{"users"},"meta":
/// {"result_count","newest_id","oldest_id","next_token"}}`), with X's "Not Found Error" for an
/// unknown account (HTTP 200 and `errors`).
#[tokio::test(flavor = "current_thread")]
async fn x_reads_the_accounts_mentions_beside_recent_search() {
    let (id1, id2, id3, id4) = (recent_id(1), recent_id(2), recent_id(3), recent_id(4));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .respond_with(ok_json(json!({
            "data": [tweet(&id4, "Harbour Lane is the best", "u1")],
            "includes": {"users": [{"id": "u1", "username": "kim"}]},
            "meta": {"result_count": 1, "newest_id": id4, "oldest_id": id4}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/by/username/harbourlane"))
        .and(header("authorization", "Bearer x-bearer"))
        .respond_with(ok_json(json!({"data": {"id": "2244994945", "name": "Harbour Lane", "username": "harbourlane"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/2244994945/mentions"))
        .and(query_param(
            "pagination_token",
            "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i",
        ))
        .respond_with(ok_json(json!({
            "data": [tweet(&id1, "@harbourlane cold coffee", "u3")],
            "includes": {"users": [{"id": "u3", "username": "mo"}]},
            "meta": {"result_count": 1, "newest_id": id1, "oldest_id": id1}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/users/2244994945/mentions"))
        .respond_with(ok_json(json!({
            "data": [tweet(&id3, "@harbourlane thanks for the buns", "u2"),
                     tweet(&id2, "@harbourlane open today?", "u2")],
            "includes": {"users": [{"id": "u2", "username": "bo"}]},
            "meta": {"result_count": 2, "newest_id": id3, "oldest_id": id2,
                     "next_token": "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"}
        })))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let f = fixture(
        "x",
        &server,
        &[
            ("query", "\"harbour lane\""),
            ("username", "@harbourlane"),
            ("bearer_token", "x-bearer"),
        ],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (4, 3));
    let authors: Vec<Option<String>> = f.rows().into_iter().map(|r| r.3).collect();
    assert_eq!(
        authors,
        [Some("@mo"), Some("@bo"), Some("@bo"), Some("@kim")]
            .map(|a| a.map(str::to_owned))
            .to_vec()
    );
    server.verify().await;

    // Mentions only, with the id given: no lookup, no search; the next run asks for newer.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/2/users/42/mentions"))
        .respond_with(ok_json(json!({"meta": {"result_count": 0}})))
        .expect(1)
        .mount(&server)
        .await;
    let only = fixture(
        "x",
        &server,
        &[("user_id", "42"), ("bearer_token", "x-bearer")],
    );
    assert!(only.sync().await.ok);
    server.verify().await;

    // An account X does not know: a 200 with `errors`, said plainly.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/2/users/by/username/nobody"))
        .respond_with(ok_json(json!({"errors": [{"value": "nobody", "detail": "Could not find user with username: [nobody].",
            "title": "Not Found Error", "resource_type": "user", "parameter": "username",
            "resource_id": "nobody", "type": "https://api.twitter.com/2/problems/resource-not-found"}]})))
        .mount(&server)
        .await;
    let unknown = fixture(
        "x",
        &server,
        &[("username", "nobody"), ("bearer_token", "x-bearer")],
    );
    let r = unknown.sync().await;
    assert!(!r.ok);
    assert!(r.error.unwrap().contains("@nobody"));
}

#[tokio::test(flavor = "current_thread")]
async fn x_rate_limit_with_reset_header_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"title": "Too Many Requests", "errors": [{"code": 88}]})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2/tweets/search/recent"))
        .respond_with(ok_json(json!({
            "data": [tweet("5", "@harbourlane hello", "u1")],
            "includes": {"users": [{"id": "u1", "username": "kim"}]},
            "meta": {"result_count": 1}
        })))
        .mount(&server)
        .await;
    let f = fixture(
        "x",
        &server,
        &[("query", "harbourlane"), ("bearer_token", "t")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.new, 1);
}

// ---------------------------------------------------------------------------------------------
// YouTube

fn thread(id: &str, text: &str, at: &str) -> Value {
    json!({
        "id": id,
        "snippet": {
            "videoId": "vid1",
            "canReply": true,
            "topLevelComment": {"id": id, "snippet": {
                "authorDisplayName": "@sam", "textDisplay": text, "textOriginal": text,
                "publishedAt": at, "updatedAt": at, "videoId": "vid1"
            }}
        }
    })
}

#[tokio::test(flavor = "current_thread")]
async fn youtube_comment_threads_page_and_quota_pauses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/commentThreads"))
        .and(query_param("pageToken", "p2"))
        .respond_with(ok_json(json!({
            "items": [thread("Ugz2", "Too loud in there", "2026-11-18T10:00:00Z")]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/commentThreads"))
        .and(query_param("key", "yt-key"))
        .respond_with(ok_json(json!({
            "items": [thread("Ugz1", "Loved the latte art", "2026-11-20T10:00:00Z")],
            "nextPageToken": "p2"
        })))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let f = fixture(
        "youtube",
        &server,
        &[("channel_id", "UC123"), ("api_key", "yt-key")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.new, 2);
    let rows = f.rows();
    assert_eq!(rows[0].4, "Loved the latte art");
    assert_eq!(rows[0].1, "mention");

    // Quota spent is a 403, not a 429: the source pauses until midnight Pacific.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/commentThreads"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
            "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}]
        }})))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert_eq!(r.status, "paused", "{r:?}");
    let s = f.db.store().source(f.source).unwrap();
    assert_eq!(s.status, SourceStatus::Paused);
    assert_eq!(f.rows().len(), 2, "nothing lost");

    // A short-term `rateLimitExceeded` (also a 403; developers.google.com/youtube/v3/docs/errors)
    // pauses the source for minutes, not until midnight.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/commentThreads"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": 403, "message": "The request cannot be completed because you have exceeded the rate limit.",
            "errors": [{"reason": "rateLimitExceeded", "domain": "youtube.quota",
                        "message": "The request cannot be completed because you have exceeded the rate limit."}]
        }})))
        .mount(&server)
        .await;
    let before = chrono::Utc::now();
    let r = f.sync().await;
    assert_eq!(r.status, "paused", "{r:?}");
    let until = chrono::DateTime::parse_from_rfc3339(r.paused_until.as_deref().unwrap()).unwrap();
    let minutes = (until.with_timezone(&chrono::Utc) - before).num_seconds() as f64 / 60.0;
    assert!((4.0..=6.0).contains(&minutes), "paused {minutes} minutes");
}

// ---------------------------------------------------------------------------------------------
// Reddit

#[tokio::test(flavor = "current_thread")]
async fn reddit_gets_an_app_token_then_searches_and_detects_a_block_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/access_token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ok_json(
            json!({"access_token": "rd-token", "token_type": "bearer", "expires_in": 86400}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/search"))
        .and(header("authorization", "Bearer rd-token"))
        .respond_with(ok_json(json!({"kind": "Listing", "data": {"after": null, "children": [
            {"kind": "t3", "data": {"name": "t3_abc", "title": "Harbour Lane Café?", "selftext": "Worth a visit?",
              "author": "u1", "created_utc": 1763600000.0, "permalink": "/r/pdx/comments/abc/x/"}},
            {"kind": "t1", "data": {"name": "t1_def", "body": "Their buns are great", "author": "u2",
              "created_utc": 1763600100.0, "permalink": "/r/pdx/comments/abc/x/def/"}}
        ]}})))
        .mount(&server)
        .await;
    let f = fixture(
        "reddit",
        &server,
        &[
            ("query", "harbour lane"),
            ("client_id", "cid"),
            ("client_secret", "csecret"),
        ],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.new, 2);
    let rows = f.rows();
    assert!(rows.iter().all(|r| r
        .5
        .as_deref()
        .unwrap_or("")
        .starts_with("https://www.reddit.com/r/pdx/")));

    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/access_token"))
        .respond_with(ok_json(json!({"access_token": "rd-token"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/search"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<!DOCTYPE html><html><body>blocked</body></html>",
            "text/html",
        ))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert!(!r.ok);
    assert!(r.error.unwrap().contains("web page"));
    assert_eq!(f.rows().len(), 2);
}

/// Reddit's public search feed (Atom, as https://www.reddit.com/search.rss?q=…&sort=new serves it,
/// trimmed to two entries), read without any app; then the 403 "Blocked" Reddit gives some
/// networks, which says what to do.
#[tokio::test(flavor = "current_thread")]
async fn reddit_without_an_app_reads_the_public_search_feed_with_an_honest_agent() {
    let server = MockServer::start().await;
    let atom = r#"<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>/search.rss?q=harbour+lane&amp;sort=new</id><title>reddit.com: search results - harbour lane</title><updated>2026-11-20T10:00:00+00:00</updated>
<entry><author><name>/u/breadfan</name><uri>https://www.reddit.com/user/breadfan</uri></author><category term="portland" label="r/portland"/><content type="html">&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Harbour Lane buns are back!&lt;/p&gt;&lt;/div&gt;</content><id>t3_1abcde</id><link href="https://www.reddit.com/r/portland/comments/1abcde/harbour_lane_buns/" /><updated>2026-11-20T09:58:00+00:00</updated><published>2026-11-20T09:58:00+00:00</published><title>Harbour Lane buns</title></entry>
<entry><author><name>/u/latte</name></author><id>t3_1abcdf</id><link href="https://www.reddit.com/r/pdx/comments/1abcdf/x/" /><updated>2026-11-19T08:00:00+00:00</updated><published>2026-11-19T08:00:00+00:00</published><title>Is Harbour Lane open on Sundays?</title></entry>
</feed>"#;
    Mock::given(method("GET"))
        .and(path("/search.rss"))
        .and(query_param("q", "harbour lane"))
        .and(query_param("sort", "new"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(atom, "application/atom+xml"))
        .expect(1)
        .mount(&server)
        .await;
    let f = fixture("reddit", &server, &[("query", "harbour lane")]);
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (2, 1));
    let reqs = server.received_requests().await.unwrap();
    let agent = reqs[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(agent.starts_with("desktop:app.earshot:v"), "{agent}");
    assert!(!agent.contains("Mozilla"), "{agent}");
    assert!(reqs[0].headers.get("authorization").is_none());
    let rows = f.rows();
    assert_eq!(rows[0].0, "t3_1abcde");
    assert_eq!(rows[0].3.as_deref(), Some("u/breadfan"));
    server.verify().await;

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/search.rss"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_raw("<html><body><h1>Blocked</h1></body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert!(!r.ok);
    let e = r.error.unwrap();
    assert!(
        e.contains("public search feed") && e.contains("approved"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bluesky

fn post(rkey: &str, text: &str, indexed: &str) -> Value {
    json!({
        "uri": format!("at://did:plc:abc/app.bsky.feed.post/{rkey}"),
        "cid": "bafy",
        "author": {"did": "did:plc:abc", "handle": "kim.bsky.social"},
        "record": {"text": text, "createdAt": indexed},
        "indexedAt": indexed
    })
}

/// The account's DID document as plc.directory serves it (GET https://plc.directory/{did}),
/// naming this test server as its PDS.
fn did_document(did: &str, handle: &str, pds: &str) -> Value {
    json!({"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did, "alsoKnownAs": [format!("at://{handle}")],
        "verificationMethod": [{"id": format!("{did}#atproto"), "type": "Multikey", "controller": did,
            "publicKeyMultibase": "zQ3shunBKsXixLxKtC5qeSG9E4J5RkGN57im31pcTzbNQnm5w"}],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}]})
}

/// Bluesky's answers as documented (docs.bsky.app: com.atproto.identity.resolveHandle,
/// com.atproto.server.createSession, app.bsky.feed.searchPosts) and as it refuses anonymous
/// search since January 2025: 403 from the AppView (bluesky-social/atproto #3423).
async fn mount_bluesky(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "me.bsky.social"))
        .respond_with(ok_json(json!({"did": "did:plc:me"})))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/did:plc:me"))
        .respond_with(ok_json(did_document(
            "did:plc:me",
            "me.bsky.social",
            &format!("{}/pds", server.uri()),
        )))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/pds/xrpc/com.atproto.server.createSession"))
        .and(body_string_contains("abcd-efgh"))
        .respond_with(ok_json(json!({"accessJwt": "bsky-jwt", "refreshJwt": "r", "handle": "me.bsky.social", "did": "did:plc:me", "active": true})))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/pds/xrpc/com.atproto.server.createSession"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
        ))
        .mount(server)
        .await;
    // Anonymous search is refused, wherever it is asked.
    Mock::given(method("GET"))
        .and(path("/xrpc/app.bsky.feed.searchPosts"))
        .respond_with(ResponseTemplate::new(403).set_body_raw("Forbidden", "text/plain"))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/pds/xrpc/app.bsky.feed.searchPosts"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(
                json!({"error": "AuthMissing", "message": "Authentication Required"}),
            ),
        )
        .mount(server)
        .await;
}

#[tokio::test(flavor = "current_thread")]
async fn bluesky_logs_in_with_an_app_password_and_pages_with_a_cursor() {
    let server = MockServer::start().await;
    mount_bluesky(&server).await;
    Mock::given(method("GET"))
        .and(path("/pds/xrpc/app.bsky.feed.searchPosts"))
        .and(header("authorization", "Bearer bsky-jwt"))
        .and(query_param("cursor", "c2"))
        .respond_with(ok_json(
            json!({"posts": [post("3kq2", "Meh coffee", "2026-11-19T10:00:00.000Z")]}),
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/pds/xrpc/app.bsky.feed.searchPosts"))
        .and(header("authorization", "Bearer bsky-jwt"))
        .respond_with(ok_json(json!({"cursor": "c2", "posts": [post("3kq3", "Lovely buns", "2026-11-20T10:00:00.000Z")]})))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    let f = fixture(
        "bluesky",
        &server,
        &[
            ("query", "harbour lane"),
            ("handle", "@me.bsky.social"),
            ("app_password", "abcd-efgh"),
        ],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.new, 2);
    let rows = f.rows();
    let urls: Vec<_> = rows.iter().filter_map(|r| r.5.clone()).collect();
    assert!(
        urls.contains(&"https://bsky.app/profile/kim.bsky.social/post/3kq3".to_string()),
        "{urls:?}"
    );
    // Resolved once, logged in once, and never a search without the session.
    let reqs = server.received_requests().await.unwrap();
    let count = |p: &str| reqs.iter().filter(|r| r.url.path() == p).count();
    assert_eq!(count("/xrpc/com.atproto.identity.resolveHandle"), 1);
    assert_eq!(count("/pds/xrpc/com.atproto.server.createSession"), 1);
    assert!(reqs
        .iter()
        .filter(|r| r.url.path().ends_with("searchPosts"))
        .all(|r| r.headers.contains_key("authorization")));

    // The session is kept between runs (logins are limited to 300 a day): the next run
    // searches without logging in.
    server.reset().await;
    mount_bluesky(&server).await;
    Mock::given(method("GET"))
        .and(path("/pds/xrpc/app.bsky.feed.searchPosts"))
        .and(header("authorization", "Bearer bsky-jwt"))
        .respond_with(ok_json(json!({"posts": []})))
        .with_priority(1)
        .mount(&server)
        .await;
    assert!(f.sync().await.ok);
    let reqs = server.received_requests().await.unwrap();
    assert!(!reqs.iter().any(|r| r.url.path().ends_with("createSession")));

    // Once it has expired (400 ExpiredToken, as the PDS answers), one new login.
    server.reset().await;
    mount_bluesky(&server).await;
    Mock::given(method("GET"))
        .and(path("/pds/xrpc/app.bsky.feed.searchPosts"))
        .and(header("authorization", "Bearer bsky-jwt"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "ExpiredToken", "message": "Token has expired"})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/pds/xrpc/com.atproto.server.createSession"))
        .respond_with(ok_json(json!({"accessJwt": "bsky-jwt-2", "refreshJwt": "r2", "handle": "me.bsky.social", "did": "did:plc:me"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/pds/xrpc/app.bsky.feed.searchPosts"))
        .and(header("authorization", "Bearer bsky-jwt-2"))
        .respond_with(ok_json(
            json!({"posts": [post("3kq4", "New oven!", "2026-11-21T10:00:00.000Z")]}),
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.new, 1);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(
        reqs.iter()
            .filter(|r| r.url.path().ends_with("createSession"))
            .count(),
        1
    );
}

#[tokio::test(flavor = "current_thread")]
async fn bluesky_asks_for_a_login_and_says_why_and_a_wrong_password_says_to_use_an_app_password() {
    let server = MockServer::start().await;
    mount_bluesky(&server).await;
    // Without a handle the source cannot be added: search needs a login.
    let db = common::TestDb::new();
    let store = db.store();
    let business = store.ensure_business("Harbour Lane Café").unwrap();
    let secrets = MemorySecrets::default();
    let s: Settings = [
        ("query", "harbour lane"),
        ("base_url", server.uri().as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let e = sources::add_source(&store, &secrets, business.id, "bluesky", None, &s).unwrap_err();
    assert!(
        e.to_string().contains("handle") && e.to_string().contains("January 2025"),
        "{e}"
    );
    let help = sources::spec("bluesky").unwrap().help;
    assert!(
        help.contains("January 2025") && help.contains("app password"),
        "{help}"
    );

    let f = fixture(
        "bluesky",
        &server,
        &[
            ("query", "harbour lane"),
            ("handle", "me.bsky.social"),
            ("app_password", "my-main-password"),
        ],
    );
    let r = f.sync().await;
    assert!(!r.ok);
    let e = r.error.unwrap();
    assert!(e.contains("app password"), "{e}");
    assert!(!e.contains("my-main-password"), "{e}");

    // A DID document naming a server without https gets no password.
    Mock::given(method("GET"))
        .and(path("/xrpc/com.atproto.identity.resolveHandle"))
        .and(query_param("handle", "plain.example"))
        .respond_with(ok_json(json!({"did": "did:plc:plain"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/did:plc:plain"))
        .respond_with(ok_json(did_document(
            "did:plc:plain",
            "plain.example",
            "http://pds.plain.example",
        )))
        .mount(&server)
        .await;
    let plain = fixture(
        "bluesky",
        &server,
        &[
            ("query", "harbour lane"),
            ("handle", "plain.example"),
            ("app_password", "abcd-efgh"),
        ],
    );
    let r = plain.sync().await;
    assert!(!r.ok);
    assert!(r.error.unwrap().contains("will not send"));
}

// ---------------------------------------------------------------------------------------------
// Mastodon, Hacker News, RSS, Yelp

#[tokio::test(flavor = "current_thread")]
async fn mastodon_tag_timeline_strips_html_and_survives_a_500() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/timelines/tag/harbourlane"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/timelines/tag/harbourlane"))
        .respond_with(ok_json(json!([{
            "id": "1123", "url": "https://ex.social/@kim/1123", "created_at": "2026-11-20T18:04:11.000Z",
            "content": "<p>Great pie <a href=\"https://ex.social/tags/harbourlane\">#harbourlane</a> <script>alert(1)</script></p>",
            "spoiler_text": "", "account": {"acct": "kim@ex.social"}
        }])))
        .mount(&server)
        .await;
    let f = fixture(
        "mastodon",
        &server,
        &[("instance", "ex.social"), ("tag", "harbourlane")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(f.rows()[0].4, "Great pie #harbourlane");
}

#[tokio::test(flavor = "current_thread")]
async fn hackernews_search_maps_stories_and_comments() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/search_by_date"))
        .respond_with(ok_json(json!({"hits": [
            {"objectID": "40212345", "created_at_i": 1763600000, "author": "pg",
             "comment_text": "<p>Harbour Lane&#x27;s espresso is superb</p>", "story_title": "Cafés"},
            {"objectID": "40212300", "created_at_i": 1763500000, "author": "dang",
             "title": "Show HN: Harbour Lane Café menu", "story_text": null}
        ], "nbPages": 1, "page": 0})))
        .mount(&server)
        .await;
    let f = fixture("hackernews", &server, &[("query", "harbour lane")]);
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    let rows = f.rows();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].4, "Harbour Lane's espresso is superb");
    assert_eq!(rows[0].4, "Show HN: Harbour Lane Café menu");
}

#[tokio::test(flavor = "current_thread")]
async fn rss_google_alerts_feed_is_read_and_a_broken_feed_is_reported() {
    let server = MockServer::start().await;
    let feed = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>alerts</id><title>Google Alert</title><updated>2026-11-20T10:00:00Z</updated>
<entry><id>tag:google.com,2013:googlealerts/feed:1</id><title type="html">&lt;b&gt;Harbour Lane&lt;/b&gt; wins award</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example.com/award&amp;ct=ga&amp;usg=x"/>
<published>2026-11-20T09:00:00Z</published><updated>2026-11-20T09:00:00Z</updated>
<content type="html">Local café &lt;b&gt;Harbour Lane&lt;/b&gt; wins best bakery.</content></entry></feed>"#;
    Mock::given(method("GET"))
        .and(path("/alerts/feeds/123/456"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(feed, "application/atom+xml"))
        .mount(&server)
        .await;
    let f = fixture(
        "rss",
        &server,
        &[("url", "https://www.google.com/alerts/feeds/123/456")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    let rows = f.rows();
    assert_eq!(rows[0].5.as_deref(), Some("https://news.example.com/award"));
    assert_eq!(rows[0].4, "Local café Harbour Lane wins best bakery.");
    assert_eq!(f.sync().await.new, 0, "a rerun doubles nothing");

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/alerts/feeds/123/456"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<feed><entry>", "application/atom+xml"),
        )
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert!(!r.ok);
    assert!(r.error.unwrap().contains("feed"));
    assert_eq!(f.rows().len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn yelp_excerpts_in_pacific_time_and_a_hung_connection_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/businesses/biz-1/reviews"))
        .and(header("authorization", "Bearer yelp-key"))
        .respond_with(ok_json(json!({"reviews": [
            {"id": "y1", "url": "https://www.yelp.com/biz/x?hrid=y1", "text": "Best buns in town, the…",
             "rating": 5, "time_created": "2026-11-01 18:04:11", "user": {"name": "Lee"}},
            {"id": "y2", "text": "Slow…", "rating": 2, "time_created": "2026-10-01 08:00:00", "user": {"name": "Mo"}}
        ], "total": 2})))
        .mount(&server)
        .await;
    let f = fixture(
        "yelp",
        &server,
        &[("business_id", "biz-1"), ("api_key", "yelp-key")],
    );
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    let rows = f.rows();
    assert_eq!(rows[0].2, Some(5.0));
    let conn = rusqlite::Connection::open(f.db.path()).unwrap();
    let created: i64 = conn
        .query_row(
            "SELECT created_at FROM reviews WHERE external_id = 'y1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Daylight time ended that morning: 18:04:11 on 1 Nov 2026 is PST (UTC−8), 02:04:11 UTC on 2 Nov.
    assert_eq!(created, 1_793_585_051);

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/v3/businesses/biz-1/reviews"))
        .respond_with(ok_json(json!({"reviews": []})).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let r = f.sync().await;
    assert!(!r.ok);
    assert!(r.error.unwrap().contains("did not answer in time"));
    assert_eq!(f.rows().len(), 2);
    assert!(!f.replied("y1"));
}

/// Shape from Yelp Fusion's "Reviews" reference (docs.developer.yelp.com/reference/
/// v3_business_reviews): `{reviews[≤3], total, possible_languages}`, where `total` is the
/// business's whole review count, not what the endpoint will ever return.
#[tokio::test(flavor = "current_thread")]
async fn yelp_makes_one_request_a_sync_whatever_total_says_and_spaces_syncs_under_the_daily_cap() {
    let server = MockServer::start().await;
    let review = |id: &str, day: u32| {
        json!({"id": id, "url": format!("https://www.yelp.com/biz/x?hrid={id}"),
               "text": "Great coffee, friendly…", "rating": 4,
               "time_created": format!("2026-11-{day:02} 09:00:00"),
               "user": {"id": "u", "profile_url": "https://www.yelp.com/user_details?userid=u",
                        "image_url": null, "name": "Ana R."}})
    };
    Mock::given(method("GET"))
        .and(path("/v3/businesses/biz-1/reviews"))
        .respond_with(ok_json(json!({
            "reviews": [review("a", 3), review("b", 2), review("c", 1)],
            "total": 412, "possible_languages": ["en"]})))
        .mount(&server)
        .await;
    let f = fixture(
        "yelp",
        &server,
        &[("business_id", "biz-1"), ("api_key", "yelp-key")],
    );
    // The business details (docs.developer.yelp.com/reference/v3_business_info): the figures
    // Yelp shows for the business, read once a day.
    Mock::given(method("GET"))
        .and(path("/v3/businesses/biz-1"))
        .and(header("authorization", "Bearer yelp-key"))
        .respond_with(ok_json(json!({
            "id": "biz-1", "alias": "harbour-lane-cafe-portland", "name": "Harbour Lane Café",
            "rating": 4.5, "review_count": 412, "is_closed": false})))
        .mount(&server)
        .await;
    let calls = |path: &'static str| {
        let server = &server;
        async move {
            server
                .received_requests()
                .await
                .unwrap()
                .into_iter()
                .filter(|r| r.url.path() == path)
                .collect::<Vec<_>>()
        }
    };
    let before = chrono::Utc::now().timestamp();
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.pages, 1);
    assert_eq!(f.rows().len(), 3);
    let reqs = calls("/v3/businesses/biz-1/reviews").await;
    assert_eq!(reqs.len(), 1, "one reviews call a sync");
    assert!(!reqs[0].url.query().unwrap_or("").contains("offset"));
    assert_eq!(calls("/v3/businesses/biz-1").await.len(), 1);
    let kept = f.db.store().source(f.source).unwrap();
    assert_eq!(kept.platform_rating, Some(4.5));
    assert_eq!(kept.platform_review_count, Some(412));
    assert!(kept.platform_rating_at.unwrap() >= before);
    // The same day, a sync is the reviews call alone: the figures are a day fresh.
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(calls("/v3/businesses/biz-1/reviews").await.len(), 2);
    assert_eq!(
        calls("/v3/businesses/biz-1").await.len(),
        1,
        "details once a day"
    );
    // A second Yelp source with a 48-calls-a-day plan: both together stay under 48 a day with
    // their daily details calls, so each syncs at most every 3757 s (2 × 86 400 s / (48 − 2)).
    let store = f.db.store();
    let business = store.ensure_business("Second Street").unwrap();
    let s: Settings = [
        ("business_id", "biz-2"),
        ("api_key", "k2"),
        ("daily_calls", "48"),
        ("base_url", server.uri().as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    sources::add_source(&store, f.secrets.as_ref(), business.id, "yelp", None, &s).unwrap();
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    let next: i64 = rusqlite::Connection::open(f.db.path())
        .unwrap()
        .query_row(
            "SELECT next_sync_at FROM sources WHERE id = ?1",
            [f.source],
            |r| r.get(0),
        )
        .unwrap();
    assert!(next - before >= 3757, "next sync in {} s", next - before);
}

#[test]
fn cli_adds_an_rss_source_syncs_it_and_tests_a_broken_one() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let rss = r#"<rss version="2.0"><channel><title>Blog</title>
      <item><guid>post-1</guid><title>Coffee crawl</title><link>https://blog.example/crawl</link>
      <description>We loved &lt;i&gt;Harbour Lane&lt;/i&gt;</description>
      <pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate></item></channel></rss>"#;
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/feed.xml"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(rss, "application/rss+xml"))
            .mount(&server),
    );
    rt.block_on(
        Mock::given(method("GET"))
            .and(path("/gone.xml"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server),
    );
    let db = TestDb::new();
    let feed = format!("{}/feed.xml", server.uri());
    db.earshot(&[
        "sources",
        "add",
        "rss",
        "--business",
        "Harbour Lane Café",
        "--set",
        &format!("url={feed}"),
    ])
    .ok();
    let out = db.earshot(&["sync", "--json"]).ok().json();
    assert_eq!(out["new"], 1);
    let reviews = db
        .earshot(&["reviews", "--business", "Harbour Lane Café", "--json"])
        .ok()
        .json();
    assert_eq!(reviews[0]["body"], "We loved Harbour Lane");
    assert_eq!(reviews[0]["kind"], "mention");

    let gone = format!("{}/gone.xml", server.uri());
    let added = db
        .earshot(&[
            "sources",
            "add",
            "rss",
            "--business",
            "Harbour Lane Café",
            "--set",
            &format!("url={gone}"),
            "--json",
        ])
        .ok()
        .json();
    let id = added["id"].to_string();
    let test = db.earshot(&["sources", "test", &id]).fails();
    assert!(test.stderr().contains("not found"), "{}", test.stderr());
    let ok_id = "1";
    let test = db.earshot(&["sources", "test", ok_id]).ok();
    assert!(test.stdout().contains("1 items"), "{}", test.stdout());
}
