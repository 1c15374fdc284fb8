//! Sources and syncing on a team database (issue 31): `earshot sources add` and `earshot sync`
//! with `--db postgresql://…` against a mock platform on 127.0.0.1 bring the same reviews as on
//! a file; two seats syncing at once sync each source once (the mock counts the requests); a
//! seat without a source's key skips it; the store methods the round uses agree on both stores.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use earshot::model::{Headline, IncomingReview, Kind};
use earshot::platforms::http::HttpConfig;
use earshot::secrets::{MemorySecrets, SecretStore};
use earshot::sources::{self, Settings};
use earshot::store::postgres::cluster;
use earshot::store::{Db, DbLocation, SourceStatus};
use earshot::sync::{self, Selection, SyncOptions};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestDb;
use crate::team_store::both_stores;

const KEY: &str = "tp-key-TEAM-7070";

/// A Trustpilot review (the shape: `crate::sync::tp_review`), its words following its stars.
fn tp_review(id: &str, stars: u8, day: u32) -> Value {
    let text = format!(
        "Visit {id}: the flat white was {}",
        if stars > 3 { "great" } else { "cold" }
    );
    crate::sync::tp_review(id, stars, &text, day)
}

/// Serves a Trustpilot business unit's pages (newest first), each after `delay`, and an empty
/// page after the last.
async fn serve(server: &MockServer, unit: &str, pages: Vec<Vec<Value>>, delay: Duration) {
    let at = format!("/v1/business-units/{unit}/reviews");
    let n = pages.len();
    for (i, reviews) in pages.into_iter().enumerate() {
        Mock::given(method("GET"))
            .and(path(at.as_str()))
            .and(query_param("page", (i + 1).to_string()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({ "reviews": reviews, "links": [] }))
                    .set_delay(delay),
            )
            .mount(server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(at.as_str()))
        .and(query_param("page", (n + 1).to_string()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "reviews": [], "links": [] })),
        )
        .mount(server)
        .await;
}

/// Requests the server received for a business unit's first page.
async fn first_page_requests(server: &MockServer, unit: &str) -> usize {
    let at = format!("/v1/business-units/{unit}/reviews");
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == at && r.url.query().is_some_and(|q| q.contains("page=1")))
        .count()
}

/// `earshot --db LOCATION args…` with this test's private data folder and secrets file, on a
/// blocking thread so the test's runtime keeps serving the mock platform meanwhile.
async fn earshot(test: &TestDb, location: &str, args: &[&str]) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_earshot"));
    cmd.arg("--db")
        .arg(location)
        .args(args)
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env_remove("EARSHOT_DB");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "earshot {args:?} on {location}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What a listing shows that does not depend on when it ran or on which store.
fn without_times(mut v: Value) -> Value {
    for row in v.as_array_mut().unwrap() {
        let row = row.as_object_mut().unwrap();
        for volatile in ["last_sync", "next_sync", "id"] {
            row.remove(volatile);
        }
    }
    v
}

/// Runs `f` on a thread of its own: the team store's synchronous client refuses to run on a
/// thread that drives the test's async runtime.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

fn fast() -> SyncOptions {
    SyncOptions {
        http: HttpConfig {
            timeout: Duration::from_secs(5),
            max_attempts: 2,
            backoff: Duration::from_millis(10),
            max_wait: Duration::from_secs(3),
        },
        ..SyncOptions::default()
    }
}

/// The hidden checks' path: the same commands with `--db postgresql://…` as on a file give the
/// same sources, the same sync report and the same reviews; a second sync doubles nothing; a
/// source is removed with its reviews.
#[tokio::test(flavor = "current_thread")]
async fn sources_add_and_sync_bring_the_same_reviews_on_a_team_database_as_on_a_file() {
    let server = MockServer::start().await;
    let pages = vec![
        vec![
            tp_review("r5", 5, 20),
            tp_review("r4", 2, 19),
            tp_review("r3", 4, 18),
        ],
        vec![tp_review("r2", 1, 17), tp_review("r1", 5, 16)],
    ];
    serve(&server, "bu-1", pages, Duration::ZERO).await;
    let test = TestDb::new();
    let file = test.path().to_str().unwrap().to_owned();
    let team = off_runtime(|| cluster::fresh_database("team_sync_cli"));
    let base_url = format!("base_url={}", server.uri());
    let api_key = format!("api_key={KEY}");
    let mut seen = Vec::new();
    let mut alert_kinds = Vec::new();
    for location in [file.as_str(), team.as_str()] {
        let added = earshot(
            &test,
            location,
            &[
                "sources",
                "add",
                "trustpilot",
                "--business",
                "Harbour Lane Café",
                "--set",
                "business_unit_id=bu-1",
                "--set",
                &api_key,
                "--set",
                &base_url,
                "--json",
            ],
        )
        .await;
        assert_eq!(added["status"], "new", "{added}");
        assert!(
            !added.to_string().contains(KEY),
            "no secret in the database: {added}"
        );
        let synced = earshot(&test, location, &["sync", "--json"]).await;
        assert_eq!(synced["ok"], true, "{synced}");
        assert_eq!(synced["new"], 5, "{synced}");
        assert_eq!(synced["sources"][0]["status"], "ok", "{synced}");
        assert_eq!(synced["sources"][0]["complete"], true, "{synced}");
        let again = earshot(&test, location, &["sync", "--json"]).await;
        assert_eq!(again["new"], 0, "a rerun doubles nothing: {again}");
        assert_eq!(again["sources"][0]["unchanged"], 5, "{again}");
        let listed = earshot(&test, location, &["sources", "list", "--json"]).await;
        assert_eq!(listed[0]["items"], 5, "{listed}");
        assert_eq!(listed[0]["status"], "ok", "{listed}");
        let reviews = earshot(
            &test,
            location,
            &["reviews", "--business", "Harbour Lane Café", "--json"],
        )
        .await;
        let mut shown: Vec<(String, String, String)> = reviews
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["external_id"].as_str().unwrap().to_owned(),
                    r["rating"].to_string(),
                    r["body"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        shown.sort();
        assert_eq!(shown.len(), 5, "{reviews}");
        // The round raised the new low ratings' alerts on either store, without `alerts check`
        // (House: `earshot sync` runs the app's round).
        let alerts = earshot(&test, location, &["alerts", "--json"]).await;
        let listed_alerts = alerts
            .as_array()
            .or_else(|| alerts["alerts"].as_array())
            .unwrap_or_else(|| panic!("{alerts}"));
        let mut kinds: Vec<String> = listed_alerts
            .iter()
            .map(|a| a["kind"].as_str().unwrap_or_default().to_owned())
            .collect();
        kinds.sort();
        // The reviews are days old, so each low rating's card already reads "unanswered".
        assert_eq!(
            listed_alerts
                .iter()
                .filter(|a| a["dedup_key"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("new_negative:"))
                .count(),
            2,
            "{alerts}"
        );
        alert_kinds.push(kinds);
        // The sync's own part of the report.
        let mut report = json!({
            "sources": synced["sources"],
            "ok": synced["ok"],
            "new": synced["new"],
            "updated": synced["updated"],
            "removed": synced["removed"],
            "failed": synced["failed"],
        });
        report["sources"][0]
            .as_object_mut()
            .unwrap()
            .remove("duration_ms");
        seen.push((without_times(listed), shown, report));
    }
    assert_eq!(seen[0], seen[1], "the file and the team database agree");
    assert_eq!(alert_kinds[0], alert_kinds[1], "the same alerts on both");

    let removed = earshot(&test, &team, &["sources", "remove", "1", "--json"]).await;
    assert_eq!(removed["items"], 5, "{removed}");
    let listed = earshot(&test, &team, &["sources", "list", "--json"]).await;
    assert_eq!(listed, json!([]));
}

/// A team database with `n` Trustpilot sources (units bu-1…), their key in `secrets`.
fn team_with_sources(
    label: &str,
    server_uri: &str,
    n: usize,
    secrets: &MemorySecrets,
) -> DbLocation {
    let url = cluster::fresh_database(label);
    let location = DbLocation::parse(Path::new(&url));
    let db = Db::open(&location).unwrap();
    let business = db.ensure_business("Harbour Lane Café").unwrap();
    for i in 1..=n {
        let mut settings = Settings::new();
        settings.insert("business_unit_id".into(), format!("bu-{i}"));
        settings.insert("api_key".into(), KEY.into());
        settings.insert("base_url".into(), server_uri.to_owned());
        sources::add_source_to(&db, secrets, business.id, "trustpilot", None, &settings).unwrap();
    }
    location
}

/// Two seats run `earshot sync`'s engine at the same moment on one team database: each source
/// is fetched by one of them (the platform sees one request per page), the other reports it
/// `busy`; the reviews are stored once.
#[tokio::test(flavor = "current_thread")]
async fn two_seats_syncing_at_once_sync_each_source_once() {
    let server = MockServer::start().await;
    for unit in ["bu-1", "bu-2", "bu-3"] {
        let pages = vec![
            vec![
                tp_review(&format!("{unit}-a"), 5, 12),
                tp_review(&format!("{unit}-b"), 3, 11),
            ],
            vec![tp_review(&format!("{unit}-c"), 1, 10)],
        ];
        // Slow pages keep both seats' runs overlapping.
        serve(&server, unit, pages, Duration::from_millis(400)).await;
    }
    let secrets = Arc::new(MemorySecrets::default());
    let uri = server.uri();
    let location = off_runtime(|| team_with_sources("team_sync_two_seats", &uri, 3, &secrets));
    let start = Arc::new(Barrier::new(2));
    let seats: Vec<_> = (0..2)
        .map(|_| {
            let location = location.clone();
            let secrets: Arc<dyn SecretStore> = secrets.clone();
            let start = Arc::clone(&start);
            tokio::task::spawn_blocking(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                start.wait();
                rt.block_on(sync::run_at(
                    &location,
                    secrets,
                    Selection::All,
                    &fast(),
                    sync::no_events(),
                ))
                .unwrap()
            })
        })
        .collect();
    let mut reports = Vec::new();
    for seat in seats {
        reports.push(seat.await.unwrap());
    }
    for i in 0..3 {
        let statuses: Vec<&str> = reports.iter().map(|r| r[i].status).collect();
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, ["busy", "ok"], "source {}: {statuses:?}", i + 1);
        let unit = format!("bu-{}", i + 1);
        assert_eq!(first_page_requests(&server, &unit).await, 1, "{unit}");
    }
    let new: u64 = reports.iter().flatten().map(|r| r.new).sum();
    assert_eq!(new, 9);
    let items: Vec<i64> = off_runtime(|| {
        let db = Db::open(&location).unwrap();
        db.sources().unwrap().iter().map(|s| s.items).collect()
    });
    assert_eq!(items, [3, 3, 3]);
}

/// Credentials stay on the machines that sync: a seat without a source's key skips it with a
/// plain status and sends nothing to the platform; the round does not fail.
#[tokio::test(flavor = "current_thread")]
async fn a_seat_without_the_key_skips_the_source() {
    let server = MockServer::start().await;
    serve(
        &server,
        "bu-1",
        vec![vec![tp_review("x1", 4, 3)]],
        Duration::ZERO,
    )
    .await;
    let office = MemorySecrets::default();
    let uri = server.uri();
    let location = off_runtime(|| team_with_sources("team_sync_no_key", &uri, 1, &office));
    let laptop: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
    let reports = sync::run_at(
        &location,
        laptop,
        Selection::All,
        &fast(),
        sync::no_events(),
    )
    .await
    .unwrap();
    assert_eq!(reports[0].status, "skipped", "{reports:?}");
    assert!(reports[0].ok);
    assert_eq!(reports[0].error_code, Some("needs_key"));
    assert!(
        reports[0]
            .error
            .as_deref()
            .unwrap()
            .contains("needs the key on this computer"),
        "{reports:?}"
    );
    assert_eq!(first_page_requests(&server, "bu-1").await, 0);
    let source = off_runtime(|| Db::open(&location).unwrap().sources().unwrap().remove(0));
    assert_eq!(source.status, SourceStatus::New, "not counted as a failure");
}

fn item(id: &str, day: u32) -> IncomingReview {
    IncomingReview {
        external_id: id.into(),
        platform: "trustpilot".into(),
        kind: Kind::Review,
        author: Some("Sam".into()),
        rating: Some(4.0),
        title: None,
        body: format!("Item {id}"),
        url: None,
        language: None,
        created_at: Utc.with_ymd_and_hms(2026, 9, day, 9, 0, 0).unwrap(),
        updated_at: None,
        owner_reply: None,
        raw_json: None,
    }
}

/// What the sync round writes, on both stores alike: a page with its cursor, a full listing's
/// removals, the outcome, a pause, the platform's figures, the due list, expiry.
#[test]
fn the_rounds_store_methods_agree_on_both_stores() {
    let test = TestDb::new();
    for mut db in both_stores(&test, "team_sync_methods") {
        let business = db.ensure_business("Harbour Lane Café").unwrap();
        let settings = json!({"business_unit_id": "bu-9"});
        let id = db
            .add_source(business.id, "trustpilot", "Trustpilot bu-9", &settings)
            .unwrap();
        let again = db.add_source(business.id, "trustpilot", "Trustpilot bu-9", &settings);
        assert_eq!(again.unwrap_err().code(), "invalid");
        let counts = db
            .write_page(
                id,
                &[item("a", 1), item("b", 2), item("c", 3)],
                Some("{\"page\":\"2\"}"),
            )
            .unwrap();
        assert_eq!(counts.new, 3);
        let counts = db.write_page(id, &[], Some("{}")).unwrap();
        assert_eq!(counts.new, 0);
        let source = db.source(id).unwrap();
        assert_eq!(
            source.cursor.as_deref(),
            Some("{}"),
            "written with an empty page too"
        );
        assert_eq!(source.items, 3);
        assert_eq!(source.settings, settings);
        assert_eq!(
            db.mark_removed_except(id, &["a".into(), "c".into()])
                .unwrap(),
            1
        );
        db.record_sync_outcome(id, None, Some(1_000)).unwrap();
        let s = db.source(id).unwrap();
        assert_eq!((s.status, s.next_sync_at), (SourceStatus::Ok, Some(1_000)));
        assert!(db.due_sources(999).unwrap().is_empty());
        assert_eq!(db.due_sources(1_000).unwrap().len(), 1);
        db.record_sync_outcome(id, Some("refused"), Some(2_000))
            .unwrap();
        db.record_sync_outcome(id, Some("refused"), Some(2_000))
            .unwrap();
        let s = db.source(id).unwrap();
        assert_eq!(s.consecutive_failures, 2);
        assert_eq!(s.last_error.as_deref(), Some("refused"));
        db.record_sync_paused(id, "limit", 3_000).unwrap();
        assert_eq!(db.source(id).unwrap().status, SourceStatus::Paused);
        let headline = Headline {
            rating: Some(4.4),
            review_count: Some(812),
        };
        db.set_platform_figures(id, &headline, 500).unwrap();
        let s = &db.sources_uncounted().unwrap()[0];
        assert_eq!(
            (s.platform_rating, s.platform_review_count, s.items),
            (Some(4.4), Some(812), 0)
        );
        db.touch_fetched(id, &["a"], i64::MAX / 2).unwrap();
        // Everything but "a" was fetched before now + a day: it goes, with the figures.
        let gone = db
            .expire_source_content(id, Utc::now().timestamp() + 86_400)
            .unwrap();
        assert_eq!(gone, 2);
        let s = db.source(id).unwrap();
        assert_eq!((s.items, s.platform_rating), (1, None));
        db.remove_source(id).unwrap();
        assert!(db.sources().unwrap().is_empty());
        assert_eq!(db.remove_source(id).unwrap_err().code(), "unknown_source");
    }
}

#[test]
fn a_second_source_with_the_same_label_is_refused_and_ensure_finds_the_first_on_both_stores() {
    let test = TestDb::new();
    for db in both_stores(&test, "source_labels") {
        let cafe = db.ensure_business("Cafe").unwrap();
        let settings = json!({"business_unit_id": "1"});
        let first = db
            .add_source(cafe.id, "trustpilot", "Trustpilot", &settings)
            .unwrap();
        let again = db
            .add_source(cafe.id, "trustpilot", "Trustpilot", &settings)
            .unwrap_err();
        assert_eq!(
            again.to_string(),
            format!(
                "invalid source: this business already has the source \"Trustpilot\" (id \
                 {first}); pass --label to add a second one"
            )
        );
        assert_eq!(
            db.ensure_source(cafe.id, "trustpilot", "Trustpilot", &settings)
                .unwrap(),
            first
        );
        let second = db
            .add_source(cafe.id, "trustpilot", "Trustpilot 2", &settings)
            .unwrap();
        assert_ne!(second, first);
        // A new source's addresses are checked whichever way it is added.
        let elsewhere = json!({"base_url": "http://example.com"});
        for added in [
            db.add_source(cafe.id, "trustpilot", "Elsewhere", &elsewhere),
            db.ensure_source(cafe.id, "trustpilot", "Elsewhere", &elsewhere),
        ] {
            assert!(
                added
                    .unwrap_err()
                    .to_string()
                    .starts_with("invalid address"),
                "{}",
                db.location()
            );
        }
    }
}
