//! The sync engine against mock platforms on 127.0.0.1: paging, incremental runs, edits and
//! removals, faults (429, 500, malformed and truncated bodies, hung connections), rate-limit
//! pauses, health alerts, secrets kept out of the database, and a process killed mid-sync.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use earshot::model::SourceId;
use earshot::platforms::http::HttpConfig;
use earshot::secrets::{MemorySecrets, Secret, SecretError, SecretStore};
use earshot::sources::{self, Settings};
use earshot::store::{SourceStatus, Store};
use earshot::sync::{self, Selection, SourceReport, SyncOptions};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const UNIT: &str = "bu-1";
const TP_PATH: &str = "/v1/business-units/bu-1/reviews";
const API_KEY: &str = "tp-key-SECRET-4242";

fn fast() -> SyncOptions {
    SyncOptions {
        http: HttpConfig {
            timeout: Duration::from_millis(800),
            max_attempts: 3,
            backoff: Duration::from_millis(10),
            max_wait: Duration::from_secs(3),
        },
        ..SyncOptions::default()
    }
}

/// One review as Trustpilot's "Get a business unit's reviews" returns it
/// (`GET /v1/business-units/{businessUnitId}/reviews`, developers.trustpilot.com, Business Units
/// API; the fields Earshot reads: id, stars, title, text, createdAt, consumer.displayName, links;
/// see shared/PLATFORMS.md). Shared by the team store's sync tests.
pub(crate) fn tp_review(id: &str, stars: u8, text: &str, day: u32) -> Value {
    json!({
        "id": id,
        "stars": stars,
        "title": format!("Review {id}"),
        "text": text,
        "createdAt": format!("2026-10-{day:02}T12:00:00Z"),
        "consumer": {"displayName": format!("Customer {id}")},
        "links": [],
    })
}

fn page(reviews: Vec<Value>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "reviews": reviews, "links": [] }))
}

/// Serves Trustpilot pages 1..n (newest first) and an empty page after the end.
async fn serve_pages(server: &MockServer, pages: Vec<Vec<Value>>) {
    let n = pages.len();
    for (i, reviews) in pages.into_iter().enumerate() {
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .and(query_param("page", (i + 1).to_string()))
            .and(header("apikey", API_KEY))
            .respond_with(page(reviews))
            .mount(server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .and(query_param("page", (n + 1).to_string()))
        .respond_with(page(vec![]))
        .mount(server)
        .await;
}

struct Fixture {
    db: TestDb,
    secrets: Arc<MemorySecrets>,
    source: SourceId,
}

fn trustpilot_source(server: &MockServer) -> Fixture {
    let db = TestDb::new();
    let store = db.store();
    let business = store.ensure_business("Harbour Lane Café").unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let mut settings = Settings::new();
    settings.insert("business_unit_id".into(), UNIT.into());
    settings.insert("api_key".into(), API_KEY.into());
    settings.insert("base_url".into(), server.uri());
    let source = sources::add_source(
        &store,
        secrets.as_ref(),
        business.id,
        "trustpilot",
        None,
        &settings,
    )
    .unwrap();
    Fixture {
        db,
        secrets,
        source,
    }
}

impl Fixture {
    async fn sync(&self) -> SourceReport {
        let secrets: Arc<dyn SecretStore> = self.secrets.clone();
        let mut reports = sync::run(
            self.db.path(),
            secrets,
            Selection::Ids(vec![self.source]),
            &fast(),
            sync::no_events(),
        )
        .await
        .unwrap();
        reports.remove(0)
    }

    /// `(external_id, removed)` of the source's items, by id.
    fn items(&self) -> Vec<(String, bool)> {
        let conn = rusqlite::Connection::open(self.db.path()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT external_id, removed_at IS NOT NULL FROM reviews WHERE source_id = ?1
                 ORDER BY external_id",
            )
            .unwrap();
        stmt.query_map([self.source], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn store(&self) -> Store {
        self.db.store()
    }
}

fn ids(n: std::ops::Range<u32>) -> Vec<String> {
    n.map(|i| format!("r{i:02}")).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn first_sync_reads_every_page_and_a_rerun_doubles_nothing() {
    let server = MockServer::start().await;
    serve_pages(
        &server,
        vec![
            (0..3)
                .map(|i| tp_review(&format!("r{i:02}"), 5, "Lovely coffee", 20 - i))
                .collect(),
            (3..6)
                .map(|i| tp_review(&format!("r{i:02}"), 2, "Slow service", 20 - i))
                .collect(),
        ],
    )
    .await;
    let f = trustpilot_source(&server);
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.new, r.pages), (6, 3));
    assert_eq!(
        f.items().into_iter().map(|(id, _)| id).collect::<Vec<_>>(),
        ids(0..6)
    );
    let source = f.store().source(f.source).unwrap();
    assert_eq!(source.status, SourceStatus::Ok);
    assert_eq!(source.items, 6);
    assert!(source.next_sync_at.is_some());

    let again = f.sync().await;
    assert!(again.ok);
    assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 6));
    assert_eq!(f.items().len(), 6);
}

#[tokio::test(flavor = "current_thread")]
async fn an_edited_review_keeps_its_revision_and_a_vanished_one_is_marked_removed() {
    let server = MockServer::start().await;
    serve_pages(
        &server,
        vec![vec![
            tp_review("r00", 4, "Nice enough", 20),
            tp_review("r01", 5, "Great", 19),
            tp_review("r02", 3, "Fine", 18),
        ]],
    )
    .await;
    let f = trustpilot_source(&server);
    assert_eq!(f.sync().await.new, 3);

    server.reset().await;
    serve_pages(
        &server,
        vec![vec![
            tp_review("r00", 1, "Changed my mind: cold food", 20),
            tp_review("r02", 3, "Fine", 18),
        ]],
    )
    .await;
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!((r.updated, r.removed), (1, 1));
    assert_eq!(
        f.items(),
        vec![
            ("r00".into(), false),
            ("r01".into(), true),
            ("r02".into(), false)
        ]
    );
    let store = f.store();
    let conn = rusqlite::Connection::open(f.db.path()).unwrap();
    let id: i64 = conn
        .query_row(
            "SELECT id FROM reviews WHERE external_id = 'r00'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let edited = store.review(id).unwrap();
    assert_eq!(edited.rating, Some(1.0));
    let revisions = store.revisions(id).unwrap();
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].body, "Nice enough");
}

#[tokio::test(flavor = "current_thread")]
async fn a_429_with_retry_after_and_a_500_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_pages(
        &server,
        vec![
            vec![tp_review("r00", 5, "Yum", 20)],
            vec![tp_review("r01", 4, "Good", 19)],
        ],
    )
    .await;
    let f = trustpilot_source(&server);
    let started = std::time::Instant::now();
    let r = f.sync().await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.new, 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn malformed_truncated_and_hung_responses_fail_the_source_in_plain_words_and_lose_nothing() {
    let server = MockServer::start().await;
    serve_pages(&server, vec![vec![tp_review("r00", 5, "Yum", 20)]]).await;
    let f = trustpilot_source(&server);
    assert!(f.sync().await.ok);

    let cases: Vec<(ResponseTemplate, &str)> = vec![
        (
            ResponseTemplate::new(200).set_body_raw("{\"reviews\": [oops", "application/json"),
            "not valid JSON",
        ),
        (
            ResponseTemplate::new(200)
                .set_body_raw("{\"reviews\": [{\"id\": \"r9\"", "application/json"),
            "cut off",
        ),
        (
            ResponseTemplate::new(200)
                .set_body_json(json!({"reviews": []}))
                .set_delay(Duration::from_secs(5)),
            "did not answer in time",
        ),
        (
            ResponseTemplate::new(200)
                .set_body_raw("<!DOCTYPE html><html>Blocked</html>", "text/html"),
            "web page",
        ),
    ];
    for (response, words) in cases {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .respond_with(response)
            .mount(&server)
            .await;
        let r = f.sync().await;
        assert!(!r.ok);
        let error = r.error.unwrap();
        assert!(error.contains(words), "{error:?} should say {words:?}");
        assert!(!error.contains(API_KEY));
        let source = f.store().source(f.source).unwrap();
        assert_eq!(source.status, SourceStatus::Error);
        assert!(source.last_error.unwrap().contains(words));
        assert_eq!(f.items().len(), 1, "nothing stored earlier may be lost");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_long_rate_limit_pauses_the_source_until_it_resets() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let f = trustpilot_source(&server);
    let r = f.sync().await;
    assert_eq!(r.status, "paused");
    assert!(r.paused_until.is_some());
    let source = f.store().source(f.source).unwrap();
    assert_eq!(source.status, SourceStatus::Paused);
    assert!(source.last_error.unwrap().contains("paused until"));
    // Pausing is the platform's limit, not a failure of the source.
    assert_eq!(source.consecutive_failures, 0);
    let wait = source.next_sync_at.unwrap() - chrono::Utc::now().timestamp();
    assert!((3500..=3700).contains(&wait), "{wait}");
}

#[tokio::test(flavor = "current_thread")]
async fn refused_credentials_raise_one_source_health_alert() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Invalid API key"})),
        )
        .mount(&server)
        .await;
    let f = trustpilot_source(&server);
    for _ in 0..2 {
        let r = f.sync().await;
        assert!(r.error.unwrap().contains("refused the credentials"));
    }
    let alerts = f
        .store()
        .alerts(&earshot::model::alerts::AlertFilter::default())
        .unwrap();
    let health: Vec<_> = alerts
        .iter()
        .filter(|a| a.kind == earshot::model::alerts::AlertKind::SourceHealth)
        .collect();
    assert_eq!(health.len(), 1, "{alerts:?}");
    assert!(health[0].message.contains("Invalid API key"));
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_stay_out_of_the_database() {
    let server = MockServer::start().await;
    serve_pages(&server, vec![vec![tp_review("r00", 5, "Yum", 20)]]).await;
    let f = trustpilot_source(&server);
    assert!(f.sync().await.ok);
    assert_eq!(
        f.secrets.get(f.source, "api_key").unwrap(),
        Some(Secret::new(API_KEY))
    );
    drop(f.store());
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", f.db.path().display());
        if let Ok(bytes) = std::fs::read(&p) {
            let found = bytes
                .windows(API_KEY.len())
                .any(|w| w == API_KEY.as_bytes());
            assert!(!found, "the API key is in {p}");
        }
    }
    let settings = f.store().source(f.source).unwrap().settings;
    assert!(settings.get("api_key").is_none());
}

#[test]
fn cli_adds_lists_syncs_and_removes_a_source() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(serve_pages(
        &server,
        vec![vec![
            tp_review("r00", 5, "Yum", 20),
            tp_review("r01", 1, "Awful wait", 19),
        ]],
    ));
    let db = TestDb::new();
    let added = db
        .earshot(&[
            "sources",
            "add",
            "trustpilot",
            "--business",
            "Harbour Lane Café",
            "--set",
            &format!("business_unit_id={UNIT}"),
            "--set",
            &format!("api_key={API_KEY}"),
            "--set",
            &format!("base_url={}", server.uri()),
            "--json",
        ])
        .ok()
        .json();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["status"], "new");

    let synced = db.earshot(&["sync", "--json"]).ok().json();
    assert_eq!(synced["new"], 2);
    assert_eq!(synced["sources"][0]["status"], "ok");

    let listed = db.earshot(&["sources", "list", "--json"]).ok().json();
    assert_eq!(listed[0]["status"], "ok");
    assert_eq!(listed[0]["items"], 2);
    assert!(listed[0]["last_sync"].is_string());
    assert!(listed[0]["next_sync"].is_string());
    assert!(!listed.to_string().contains(API_KEY));

    let help = db
        .earshot(&["sources", "add", "trustpilot", "--help"])
        .ok()
        .stdout();
    assert!(
        help.contains("business_unit_id") && help.contains("api_key") && help.contains("base_url")
    );

    db.earshot(&["sources", "remove", &id.to_string()]).ok();
    let listed = db.earshot(&["sources", "list", "--json"]).ok().json();
    assert_eq!(listed, json!([]));
    let secrets = std::fs::read_to_string(db.dir.path().join("secrets.json")).unwrap_or_default();
    assert!(
        !secrets.contains(API_KEY),
        "removing a source removes its credentials"
    );
}

#[test]
fn cli_sync_failure_is_reported_with_exit_code_and_status() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .respond_with(
                ResponseTemplate::new(404)
                    .set_body_json(json!({"message": "Business unit not found"})),
            )
            .mount(&server),
    );
    let db = TestDb::new();
    db.earshot(&[
        "sources",
        "add",
        "trustpilot",
        "--business",
        "Joe's",
        "--set",
        "business_unit_id=nope",
        "--set",
        "api_key=k",
        "--set",
        &format!("base_url={}", server.uri()),
    ])
    .ok();
    let out = db.earshot(&["sync", "--json"]).fails().json();
    assert_eq!(out["failed"], 1);
    assert!(out["sources"][0]["error"]
        .as_str()
        .unwrap()
        .contains("not found"));
    let test = db.earshot(&["sources", "test", "1"]).fails();
    assert!(test.stderr().contains("not found"), "{}", test.stderr());
}

/// Kills `earshot sync` while it waits for page 3 of 4, then runs it again: every item is stored
/// exactly once and the rerun continues from page 3.
#[test]
fn a_sync_killed_mid_way_resumes_with_no_duplicates_and_no_gaps() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let pages: Vec<Vec<Value>> = (0..4)
        .map(|p| {
            (0..5)
                .map(|i| {
                    let n = p * 5 + i;
                    tp_review(&format!("r{n:02}"), 4, "Good", 28 - n)
                })
                .collect()
        })
        .collect();
    // Page 3 hangs (longer than the test waits) on the first run only.
    rt.block_on(
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .and(query_param("page", "3"))
            .respond_with(page(pages[2].clone()).set_delay(Duration::from_secs(60)))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server),
    );
    rt.block_on(serve_pages(&server, pages));

    let db = TestDb::new();
    db.earshot(&[
        "sources",
        "add",
        "trustpilot",
        "--business",
        "Joe's",
        "--set",
        &format!("business_unit_id={UNIT}"),
        "--set",
        &format!("api_key={API_KEY}"),
        "--set",
        &format!("base_url={}", server.uri()),
    ])
    .ok();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db"])
        .arg(db.path())
        .args(["sync", "--json", "--timeout", "120"])
        .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let count = || -> i64 {
        let conn = rusqlite::Connection::open(db.path()).unwrap();
        conn.query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count() < 10 {
        assert!(
            std::time::Instant::now() < deadline,
            "pages 1–2 never landed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // SIGKILL: no destructor, no rollback handler runs.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count(), 10);
    let cursor: String = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row("SELECT cursor FROM sources", [], |r| r.get(0))
        .unwrap();
    assert!(cursor.contains("\"page\":\"3\""), "{cursor}");

    let rerun = db.earshot(&["sync", "--json"]).ok().json();
    assert_eq!(rerun["new"], 10, "{rerun}");
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    let (n, distinct): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT external_id) FROM reviews",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, distinct), (20, 20));
    let requests = rt.block_on(server.received_requests()).unwrap();
    let first_pages = requests
        .iter()
        .filter(|r| r.url.query().unwrap_or("").contains("page=1&"))
        .count();
    assert_eq!(
        first_pages, 1,
        "the rerun resumed at page 3, not from the start"
    );
}

/// Issue 9: kill `earshot sync` (SIGKILL) at many points of a slow 8-page sync. After every kill
/// the database passes the integrity check, no row is doubled and none stored before is lost; a
/// last run completes the listing.
#[test]
fn a_sync_killed_at_many_points_keeps_the_database_whole() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    for p in 0..8u32 {
        let reviews: Vec<Value> = (0..5)
            .map(|i| {
                let n = p * 5 + i;
                tp_review(&format!("r{n:02}"), 3, "Fine", 28 - n.min(27))
            })
            .collect();
        rt.block_on(
            Mock::given(method("GET"))
                .and(path(TP_PATH))
                .and(query_param("page", (p + 1).to_string()))
                .respond_with(page(reviews).set_delay(Duration::from_millis(40)))
                .mount(&server),
        );
    }
    rt.block_on(
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .and(query_param("page", "9"))
            .respond_with(page(vec![]))
            .mount(&server),
    );
    let db = TestDb::new();
    db.earshot(&[
        "sources",
        "add",
        "trustpilot",
        "--business",
        "Joe's",
        "--set",
        &format!("business_unit_id={UNIT}"),
        "--set",
        &format!("api_key={API_KEY}"),
        "--set",
        &format!("base_url={}", server.uri()),
    ])
    .ok();
    let state = || -> (i64, i64, String) {
        let conn = rusqlite::Connection::open(db.path()).unwrap();
        let (n, distinct) = conn
            .query_row(
                "SELECT count(*), count(DISTINCT external_id) FROM reviews",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        (n, distinct, check)
    };
    let mut stored = 0;
    let mut killed = 0;
    for round in 0..10u64 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db.path())
            .args(["sync", "--json"])
            .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill points spread over start-up, mid-page and between pages.
        std::thread::sleep(Duration::from_millis(15 + (round * 37) % 160));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
        let (n, distinct, check) = state();
        assert_eq!(check, "ok", "round {round}");
        assert_eq!(n, distinct, "round {round}: a row was doubled");
        assert!(
            n >= stored,
            "round {round}: rows were lost ({n} < {stored})"
        );
        stored = n;
    }
    assert!(killed >= 5, "only {killed} runs were killed mid-sync");
    db.earshot(&["sync"]).ok();
    let (n, distinct, check) = state();
    assert_eq!((n, distinct, check.as_str()), (40, 40, "ok"));
}

/// Issue 9: a credential appears in none of what Earshot writes or says — the database and its
/// WAL, a backup, the CLI's output and errors (the app's log is its standard error), the source's
/// status, the review listing and the CSV export — even when a platform echoes the key back in
/// its error body, which some do.
#[test]
fn a_secret_appears_in_no_file_output_error_or_export() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    // First a 401 whose body quotes the key, as a careless platform might.
    rt.block_on(
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({
                "message": format!("Invalid API key {API_KEY} for business unit {UNIT}")
            })))
            .up_to_n_times(1)
            .mount(&server),
    );
    rt.block_on(serve_pages(
        &server,
        vec![vec![
            tp_review("r00", 5, "Yum", 20),
            tp_review("r01", 1, "Awful wait", 19),
        ]],
    ));
    let db = TestDb::new();
    let mut said = String::new();
    let mut run = |args: &[&str], ok: bool| {
        let r = db.earshot(args);
        let r = if ok { r.ok() } else { r.fails() };
        said.push_str(&r.stdout());
        said.push_str(&r.stderr());
    };
    run(
        &[
            "sources",
            "add",
            "trustpilot",
            "--business",
            "Harbour Lane Café",
            "--set",
            &format!("business_unit_id={UNIT}"),
            "--set",
            &format!("api_key={API_KEY}"),
            "--set",
            &format!("base_url={}", server.uri()),
            "--json",
        ],
        true,
    );
    // The failing sync, as a person sees it and as a script sees it.
    run(&["sync"], false);
    run(&["sources", "list", "--json"], true);
    run(&["sync", "--json"], true);
    run(&["sources", "list"], true);
    run(
        &["reviews", "--business", "Harbour Lane Café", "--json"],
        true,
    );
    run(&["export", "--csv", "-"], true);
    run(&["backup", "--json"], true);
    assert!(said.contains("Awful wait"), "the sync did land: {said}");
    assert!(
        !said.contains(API_KEY),
        "the key leaked into output or errors: {said}"
    );
    let mut files = vec![];
    for suffix in ["", "-wal", "-shm"] {
        files.push(std::path::PathBuf::from(format!(
            "{}{suffix}",
            db.path().display()
        )));
    }
    for entry in std::fs::read_dir(db.dir.path().join("backups")).unwrap() {
        files.push(entry.unwrap().path());
    }
    for p in files {
        if let Ok(bytes) = std::fs::read(&p) {
            let found = bytes
                .windows(API_KEY.len())
                .any(|w| w == API_KEY.as_bytes());
            assert!(!found, "the API key is in {}", p.display());
        }
    }
}

/// An import leaves its search index unmerged (one segment a batch); the app's background
/// round merges it even with no platform connected, and the same reviews are found after.
#[tokio::test(flavor = "current_thread")]
async fn a_background_round_merges_what_an_import_left() {
    let db = TestDb::new();
    let csv = db.dir.path().join("reviews.csv");
    let mut rows = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    for i in 0..120 {
        rows.push_str(&format!(
            "r{i},google,Ana,4,,Flat white number {i} was lovely,2026-03-01T09:{:02}:00Z,\n",
            i % 60
        ));
    }
    std::fs::write(&csv, rows).unwrap();
    let opts = earshot::import::ImportOptions {
        business: "Harbour Lane Café".into(),
        platform: None,
        skip_bad: false,
        ..Default::default()
    };
    let mut store = db.store();
    earshot::import::import_path_batched(&mut store, &csv, &opts, 10, &mut |_, _| {}).unwrap();
    drop(store);
    let segments = || -> i64 {
        let conn = rusqlite::Connection::open(db.path()).unwrap();
        conn.query_row(
            "SELECT count(DISTINCT segid) FROM reviews_fts_idx",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let found = || {
        let filter = earshot::store::ReviewFilter {
            search: Some("flat white".into()),
            limit: Some(1000),
            ..Default::default()
        };
        db.store().list_reviews(&filter).unwrap().len()
    };
    assert_eq!(segments(), 12, "one segment a batch of ten");
    assert_eq!(found(), 120);

    let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    let now = chrono::Utc::now().fixed_offset();
    sync::round(
        db.path(),
        secrets,
        Selection::All,
        &fast(),
        sync::no_events(),
        now,
    )
    .await
    .unwrap();
    assert!(segments() < 4, "{} segments after the round", segments());
    assert_eq!(found(), 120);
}

/// Issue 33 (High): a database file someone else supplied, restored in place of the owner's,
/// must not hand them the owner's keys. The crafted file's source 1 is the owner's Trustpilot
/// source, but its `base_url` points at the attacker's server on 127.0.0.1:
/// - with a trigger that undoes an UPDATE of the settings, the restore is refused, nothing is
///   replaced, and the trigger never reaches the live database;
/// - without it, the restore goes through, but the source gets no credentials until the owner
///   confirms it: `earshot sync` skips it with a clear message, and the attacker's server never
///   sees a request, let alone the key.
#[test]
fn a_restored_file_that_points_a_source_elsewhere_gets_no_credentials() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let owners = rt.block_on(MockServer::start());
    let attackers = rt.block_on(MockServer::start());
    rt.block_on(serve_pages(
        &owners,
        vec![vec![tp_review("r00", 5, "Yum", 20)]],
    ));
    rt.block_on(serve_pages(&attackers, vec![vec![]]));
    let db = TestDb::new();
    let add = |base: &str| {
        db.earshot(&[
            "sources",
            "add",
            "trustpilot",
            "--business",
            "Joe's",
            "--set",
            &format!("business_unit_id={UNIT}"),
            "--set",
            &format!("api_key={API_KEY}"),
            "--set",
            &format!("base_url={base}"),
        ])
        .ok();
    };
    add(&owners.uri());
    assert_eq!(db.earshot(&["sync", "--json"]).ok().json()["new"], 1);

    // The attacker's file: an Earshot database of their own whose source 1 is the same
    // Trustpilot business, fetched from their server.
    let crafted = db.dir.path().join("crafted.db");
    {
        let theirs = Store::open(&crafted).unwrap();
        let b = theirs.ensure_business("Joe's").unwrap();
        theirs
            .add_source(
                b.id,
                "trustpilot",
                "trustpilot",
                &json!({"business_unit_id": UNIT, "base_url": attackers.uri()}),
            )
            .unwrap();
    }
    let with_trigger = db.dir.path().join("crafted-trigger.db");
    std::fs::copy(&crafted, &with_trigger).unwrap();
    {
        let conn = rusqlite::Connection::open(&with_trigger).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER keep_address AFTER UPDATE OF settings ON sources BEGIN
                 UPDATE sources SET settings = old.settings WHERE id = old.id;
             END;
             PRAGMA journal_mode = DELETE;",
        )
        .unwrap();
    }
    let live_before = db.earshot(&["sources", "list", "--json"]).ok().json();
    let refused = db
        .earshot(&["restore", with_trigger.to_str().unwrap()])
        .fails()
        .stderr();
    assert!(
        refused.contains("trigger keep_address") && refused.contains("nothing was replaced"),
        "{refused}"
    );
    assert_eq!(
        db.earshot(&["sources", "list", "--json"]).ok().json(),
        live_before
    );
    let triggers: i64 = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'keep_address'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 0);

    // Without the trigger the file is sound, and restores; its source waits for the owner.
    let restored = db
        .earshot(&["restore", crafted.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(restored["unconfirmed_sources"], json!([1]), "{restored}");
    let listed = db.earshot(&["sources", "list", "--json"]).ok().json();
    assert!(
        listed[0]["unconfirmed"]
            .as_str()
            .unwrap()
            .contains(&attackers.uri()),
        "{listed}"
    );
    let synced = db.earshot(&["sync", "--json"]).fails().json();
    let report = &synced["sources"][0];
    assert_eq!(report["error_code"], "unconfirmed", "{synced}");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("earshot sources confirm 1"),
        "{synced}"
    );
    let seen = rt.block_on(attackers.received_requests()).unwrap();
    assert!(seen.is_empty(), "the attacker's server was asked: {seen:?}");

    // Nor does any other path hand the key out: the database's secret store holds it back.
    let store = db.store();
    let file = earshot::secrets::FileSecrets::new(db.dir.path().join("secrets.json"))
        .for_database(&store.database_id().unwrap());
    let guarded = store.guard_secrets(Box::new(file)).unwrap();
    let err = guarded.get(1, "api_key").unwrap_err();
    assert!(
        err.to_string().contains("earshot sources confirm 1"),
        "{err}"
    );
    assert!(!err.to_string().contains(API_KEY));
}

/// Issue 33: two databases on one computer keep their credentials apart, even for sources
/// with the same id; the names carry each database's identity.
#[test]
fn two_databases_on_one_computer_do_not_share_a_credential() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets.json");
    let open = |name: &str| {
        let store = Store::open(&dir.path().join(name)).unwrap();
        let b = store.ensure_business("Joe's").unwrap();
        let id = store
            .add_source(b.id, "trustpilot", "tp", &json!({"business_unit_id": UNIT}))
            .unwrap();
        assert_eq!(id, 1);
        let id = store.database_id().unwrap();
        let secrets = earshot::secrets::FileSecrets::new(file.clone()).for_database(&id);
        (store, secrets)
    };
    let (a, a_secrets) = open("a.db");
    let (b, b_secrets) = open("b.db");
    let a_secrets = a.guard_secrets(Box::new(a_secrets)).unwrap();
    let b_secrets = b.guard_secrets(Box::new(b_secrets)).unwrap();
    a_secrets.set(1, "api_key", &Secret::new(API_KEY)).unwrap();
    assert_eq!(
        a_secrets.get(1, "api_key").unwrap().unwrap().expose(),
        API_KEY
    );
    assert!(b_secrets.get(1, "api_key").unwrap().is_none());
    b_secrets
        .delete_all(1, &earshot::platforms::secret_keys())
        .unwrap();
    assert!(a_secrets.get(1, "api_key").unwrap().is_some());
}

/// Credentials stored under the names used before databases had an identity move to the new
/// names the first time an upgraded database hands them out.
#[test]
fn credentials_under_the_old_names_move_to_the_database_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets.json");
    let old_names = earshot::secrets::FileSecrets::new(file.clone());
    old_names.set(1, "api_key", &Secret::new(API_KEY)).unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    let b = store.ensure_business("Joe's").unwrap();
    store
        .add_source(b.id, "trustpilot", "tp", &json!({"business_unit_id": UNIT}))
        .unwrap();
    let id = store.database_id().unwrap();
    let new_names = earshot::secrets::FileSecrets::new(file.clone()).for_database(&id);
    assert_eq!(
        earshot::secrets::move_names(
            &old_names,
            &new_names,
            &[1],
            &earshot::platforms::secret_keys()
        )
        .unwrap(),
        1
    );
    assert!(old_names.get(1, "api_key").unwrap().is_none());
    assert_eq!(
        new_names.get(1, "api_key").unwrap().unwrap().expose(),
        API_KEY
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(&format!("db-{id}/source-1/api_key")),
        "{text}"
    );
}

/// A machine without a Secret Service: every call to the keyring fails as the OS keyring does
/// on a server, over SSH or from cron.
struct NoKeyring;

impl SecretStore for NoKeyring {
    fn get(&self, _: SourceId, _: &str) -> Result<Option<Secret>, SecretError> {
        Err(SecretError::NoKeyring(
            "org.freedesktop.secrets was not provided".into(),
        ))
    }
    fn set(&self, _: SourceId, _: &str, _: &Secret) -> Result<(), SecretError> {
        Err(SecretError::NoKeyring(
            "org.freedesktop.secrets was not provided".into(),
        ))
    }
    fn delete(&self, _: SourceId, _: &str) -> Result<(), SecretError> {
        Err(SecretError::NoKeyring(
            "org.freedesktop.secrets was not provided".into(),
        ))
    }
    fn describe(&self) -> String {
        "no keyring".into()
    }
}

/// Issue 25, item 5: a source that needs no secret (a Mastodon tag, Hacker News, an RSS feed)
/// syncs where no keyring is available, instead of failing with "no keyring is available".
#[tokio::test]
async fn sources_that_need_no_secret_sync_without_a_keyring() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/timelines/tag/harbourlane"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{
            "id": "1123", "url": "https://ex.social/@kim/1123",
            "created_at": "2026-11-20T18:04:11.000Z", "content": "<p>Great pie</p>",
            "spoiler_text": "", "account": {"acct": "kim@ex.social"}
        }])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/search_by_date"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"hits": [
            {"objectID": "40212345", "created_at_i": 1763600000, "author": "pg",
             "comment_text": "Harbour Lane's espresso is superb"}
        ], "nbPages": 1, "page": 0})))
        .mount(&server)
        .await;
    let feed = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>f</id><title>News</title><updated>2026-11-20T10:00:00Z</updated>
<entry><id>tag:news,1</id><title>Harbour Lane wins award</title><link href="https://news.example.com/award"/>
<updated>2026-11-20T09:00:00Z</updated><content type="html">Best bakery.</content></entry></feed>"#;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(feed, "application/atom+xml"))
        .mount(&server)
        .await;

    let db = TestDb::new();
    let store = db.store();
    let business = store.ensure_business("Harbour Lane Café").unwrap();
    let no_keyring: Arc<dyn SecretStore> = Arc::new(NoKeyring);
    let mut ids = Vec::new();
    for (platform, settings) in [
        (
            "mastodon",
            vec![("instance", "ex.social"), ("tag", "harbourlane")],
        ),
        ("hackernews", vec![("query", "harbour lane")]),
        ("rss", vec![("url", "https://news.example.com/feed.xml")]),
    ] {
        let mut s: Settings = settings
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        s.insert("base_url".into(), server.uri());
        let id = sources::add_source(&store, no_keyring.as_ref(), business.id, platform, None, &s)
            .unwrap_or_else(|e| panic!("add {platform}: {e}"));
        ids.push(id);
    }
    let reports = sync::run(
        db.path(),
        no_keyring,
        Selection::Ids(ids),
        &fast(),
        sync::no_events(),
    )
    .await
    .unwrap();
    for r in &reports {
        assert!(r.ok, "{}: {:?}", r.platform, r.error);
        assert_eq!(r.new, 1, "{}", r.platform);
    }
}
