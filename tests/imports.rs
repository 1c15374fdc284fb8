//! Issue 26: the owner's history from the exports the platforms give them, with no API. Imports
//! of the sample exports in `tests/fixtures/exports/` (their README says where each layout comes
//! from) through the `earshot` binary, then syncs of the same reviews from the API connectors
//! against mock platforms on 127.0.0.1: nothing counted twice, replies and their times intact,
//! response rate and time counting the imported replies.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use earshot::model::SourceId;
use earshot::platforms::http::HttpConfig;
use earshot::secrets::{MemorySecrets, SecretStore};
use earshot::sources::{self, Settings};
use earshot::store::ReviewFilter;
use earshot::sync::{self, Selection, SourceReport, SyncOptions};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CAFE: &str = "Harbour Lane Café";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports")
}

/// `earshot import PATH… --business CAFE --json extra…`.
fn import(db: &TestDb, paths: &[&Path], extra: &[&str]) -> common::Run {
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    args.extend(["--business", CAFE, "--json"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    db.earshot(&args)
}

/// Zips a folder as Google does (paths relative to it, deflated), into `zip_path`; with
/// `parts` > 1 the files are dealt round-robin into `name-001.zip`, `name-002.zip`, … like a
/// split Takeout, and the first part's path is returned.
fn zip_folder(folder: &Path, out_dir: &Path, name: &str, parts: usize) -> PathBuf {
    let mut files = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let part_path = |i: usize| {
        if parts == 1 {
            out_dir.join(format!("{name}.zip"))
        } else {
            out_dir.join(format!("{name}-{:03}.zip", i + 1))
        }
    };
    let mut writers: Vec<_> = (0..parts)
        .map(|i| zip::ZipWriter::new(std::fs::File::create(part_path(i)).unwrap()))
        .collect();
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (i, f) in files.iter().enumerate() {
        let rel = f
            .strip_prefix(folder)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let w = &mut writers[i % parts];
        w.start_file(rel, opts).unwrap();
        w.write_all(&std::fs::read(f).unwrap()).unwrap();
    }
    for w in writers {
        w.finish().unwrap();
    }
    part_path(0)
}

fn cafe_id(db: &TestDb) -> i64 {
    db.store().business_by_name(CAFE).unwrap().id
}

/// The business's reviews (not removed) of a platform, by external id.
fn reviews(db: &TestDb, platform: &str) -> Vec<earshot::model::Review> {
    let filter = ReviewFilter {
        business_id: Some(cafe_id(db)),
        platform: Some(platform.into()),
        limit: Some(1000),
        ..Default::default()
    };
    let mut v = db.store().list_reviews(&filter).unwrap();
    v.sort_by(|a, b| a.external_id.cmp(&b.external_id));
    v
}

fn review(db: &TestDb, platform: &str, id: &str) -> earshot::model::Review {
    reviews(db, platform)
        .into_iter()
        .find(|r| r.external_id == id)
        .unwrap_or_else(|| panic!("no {platform} review {id}"))
}

/// Every row of the reviews table of a platform, whatever its source or state: doubles show.
fn stored_rows(db: &TestDb, platform: &str) -> i64 {
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    conn.query_row(
        "SELECT count(*) FROM reviews WHERE platform = ?1",
        [platform],
        |r| r.get(0),
    )
    .unwrap()
}

/// The platform reply stored for a review: its text and its time.
fn owner_reply(db: &TestDb, platform: &str, id: &str) -> Option<(String, i64)> {
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    conn.query_row(
        "SELECT p.body, p.created_at FROM replies p JOIN reviews r ON r.id = p.review_id
         WHERE r.platform = ?1 AND r.external_id = ?2 AND p.origin = 'platform'",
        [platform, id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

/// Hours to the first reply of each replied review of a platform, sorted.
fn reply_hours(db: &TestDb, platform: &str) -> Vec<f64> {
    let mut v: Vec<f64> = db
        .store()
        .reply_delays(cafe_id(db), Some(platform), 0, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|(_, h)| (h * 100.0).round() / 100.0)
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Replied share of the platform's reviews, from the daily rollups the dashboard reads.
fn response_rate(db: &TestDb, platform: &str) -> f64 {
    let conn = rusqlite::Connection::open(db.path()).unwrap();
    let (replied, count): (i64, i64) = conn
        .query_row(
            "SELECT sum(replied), sum(count) FROM review_daily WHERE business_id = ?1 AND platform = ?2",
            rusqlite::params![cafe_id(db), platform],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    replied as f64 / count as f64
}

fn ts(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

async fn sync_source(db: &TestDb, secrets: Arc<MemorySecrets>, source: SourceId) -> SourceReport {
    let secrets: Arc<dyn SecretStore> = secrets;
    let opts = SyncOptions {
        http: HttpConfig {
            timeout: Duration::from_millis(800),
            max_attempts: 2,
            backoff: Duration::from_millis(10),
            max_wait: Duration::from_secs(3),
        },
        ..SyncOptions::default()
    };
    sync::run(
        db.path(),
        secrets,
        Selection::Ids(vec![source]),
        &opts,
        sync::no_events(),
    )
    .await
    .unwrap()
    .remove(0)
}

fn add_source(
    db: &TestDb,
    secrets: &MemorySecrets,
    connector: &str,
    settings: &[(&str, &str)],
) -> SourceId {
    let store = db.store();
    let business = store.ensure_business(CAFE).unwrap();
    let s: Settings = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    sources::add_source(&store, secrets, business.id, connector, None, &s)
        .unwrap_or_else(|e| panic!("add {connector}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Google Business Profile: Takeout, then the API

/// The API's view of a Takeout review (the same fields: the Takeout is a cut-down v4 Review).
fn gbp_api_review(
    id: &str,
    stars: &str,
    comment: &str,
    create: &str,
    update: &str,
    reply: Option<(&str, &str)>,
) -> Value {
    let mut r = json!({
        "reviewId": id, "name": format!("accounts/111/locations/222/reviews/{id}"),
        "reviewer": {"displayName": "Jo"}, "starRating": stars, "comment": comment,
        "createTime": create, "updateTime": update,
    });
    if let Some((text, at)) = reply {
        r["reviewReply"] = json!({"comment": text, "updateTime": at});
    }
    r
}

#[tokio::test(flavor = "current_thread")]
async fn a_takeout_archive_then_an_api_sync_counts_each_review_once_with_its_replies() {
    let db = TestDb::new();
    let zip = zip_folder(
        &fixtures().join("google-takeout"),
        db.dir.path(),
        "takeout-20260201T101010Z",
        1,
    );
    let run = import(&db, &[&zip], &["--location", "Harbour Lane Café"]).ok();
    let report = run.json();
    assert_eq!(report["format"], "google-takeout", "{report}");
    assert_eq!(report["new"], 5, "{report}");
    assert_eq!(
        report["duplicates"], 2,
        "the location under two accounts counts once: {report}"
    );
    let locations = report["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 2, "both locations are listed: {report}");
    assert_eq!(locations[0]["id"], "222");
    assert_eq!(locations[0]["name"], "Harbour Lane Café");
    assert_eq!(locations[0]["imported"], true);
    assert_eq!(locations[1]["name"], "Harbour Lane Kiosk");
    assert_eq!(locations[1]["imported"], false);

    // The API's ids and shapes: reviewId from `name`, enum ratings, star-only, translations.
    let g5 = review(&db, "google", "AbFvOqn5");
    assert_eq!(
        g5.rating,
        Some(4.0),
        "the newest version (account-333) wins"
    );
    assert_eq!(g5.body, "Okay, and better since the new barista.");
    assert_eq!(
        review(&db, "google", "AbFvOqn2").body,
        "",
        "star-only review"
    );
    assert_eq!(review(&db, "google", "AbFvOqn2").rating, Some(4.0));
    assert_eq!(
        review(&db, "google", "AbFvOqn3").body,
        "Le café était froid et l'attente longue."
    );
    assert_eq!(
        review(&db, "google", "AbFvOqn1").author.as_deref(),
        Some("Ana Costa")
    );
    let reply = owner_reply(&db, "google", "AbFvOqn1").unwrap();
    assert_eq!(
        reply,
        (
            "Thank you, see you soon!".into(),
            ts("2025-03-01T11:12:03Z")
        )
    );
    assert_eq!(reply_hours(&db, "google"), [2.0, 24.0]);
    assert_eq!(response_rate(&db, "google"), 0.4);

    // A second import changes nothing.
    let again = import(&db, &[&zip], &["--location", "222"]).ok().json();
    assert_eq!(
        (again["new"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(again["unchanged"], 5);

    // The owner connects the API: it lists three of the imported reviews (one edited since,
    // one answered since) and a new one.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "ya29.t", "expires_in": 3599})),
        )
        .mount(&server)
        .await;
    let mut ana = gbp_api_review(
        "AbFvOqn1",
        "FIVE",
        "Best buns in town",
        "2025-03-01T09:12:03.123456Z",
        "2025-03-01T09:12:03.123456Z",
        Some(("Thank you, see you soon!", "2025-03-01T11:12:03.500000Z")),
    );
    ana["reviewer"] = json!({"displayName": "Ana Costa"});
    let listing = json!({"reviews": [
        gbp_api_review("AbFvOqn6", "FIVE", "New since the export.", "2025-08-01T09:00:00.000000Z", "2025-08-01T09:00:00.000000Z", None),
        gbp_api_review("AbFvOqn5", "FOUR", "Okay, and better since the new barista.", "2025-05-01T10:00:00.000000Z", "2025-06-01T10:00:00.000000Z", None),
        gbp_api_review("AbFvOqn4", "ONE", "Rude staff at the counter.", "2025-04-20T12:00:00.000000Z", "2025-04-20T12:00:00.000000Z",
            Some(("We are sorry, Sam.", "2025-04-21T12:00:00.000000Z"))),
        ana,
    ]});
    Mock::given(method("GET"))
        .and(path("/v4/accounts/111/locations/222/reviews"))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing))
        .mount(&server)
        .await;
    let secrets = Arc::new(MemorySecrets::default());
    let source = add_source(
        &db,
        &secrets,
        "google-business",
        &[
            ("account_id", "111"),
            ("location_id", "222"),
            ("client_id", "cid.apps.googleusercontent.com"),
            ("client_secret", "s3cret"),
            ("refresh_token", "1//r"),
            ("base_url", &server.uri()),
        ],
    );
    let r = sync_source(&db, secrets.clone(), source).await;
    assert!(r.ok, "{r:?}");
    assert_eq!(
        r.new, 1,
        "only the review the export did not have is new: {r:?}"
    );
    assert_eq!(stored_rows(&db, "google"), 6, "no review is stored twice");
    assert_eq!(
        reviews(&db, "google").len(),
        6,
        "none is lost or marked removed"
    );
    let g4 = review(&db, "google", "AbFvOqn4");
    assert_eq!(
        g4.source_id, source,
        "the API source continues the imported review"
    );
    assert_eq!(
        owner_reply(&db, "google", "AbFvOqn4").unwrap().1,
        ts("2025-04-21T12:00:00Z")
    );
    assert_eq!(
        owner_reply(&db, "google", "AbFvOqn1").unwrap(),
        (
            "Thank you, see you soon!".into(),
            ts("2025-03-01T11:12:03Z")
        ),
        "the imported reply and its time are intact"
    );
    assert_eq!(reply_hours(&db, "google"), [2.0, 24.0, 24.0]);
    assert_eq!(response_rate(&db, "google"), 0.5);

    // The export once more, after the sync: still nothing new, nothing doubled, the newer
    // reply from the API kept.
    let third = import(&db, &[&zip], &["--location", "222"]).ok().json();
    assert_eq!(third["new"], 0, "{third}");
    assert_eq!(stored_rows(&db, "google"), 6);
    assert!(owner_reply(&db, "google", "AbFvOqn4").is_some());
}

#[test]
fn a_split_takeout_and_the_unpacked_folder_import_the_same_reviews() {
    let db = TestDb::new();
    let first = zip_folder(
        &fixtures().join("google-takeout"),
        db.dir.path(),
        "takeout-20260201T101010Z",
        3,
    );
    // Naming the first part finds the others beside it; all locations without --location.
    let split = import(&db, &[&first], &[]).ok().json();
    assert_eq!(split["new"], 6, "{split}");
    let folder = import(&db, &[&fixtures().join("google-takeout")], &[])
        .ok()
        .json();
    assert_eq!(folder["format"], "google-takeout");
    assert_eq!(
        (folder["new"].as_u64(), folder["unchanged"].as_u64()),
        (Some(0), Some(6)),
        "{folder}"
    );
    assert_eq!(stored_rows(&db, "google"), 6);
}

#[test]
fn an_unknown_location_is_refused_naming_the_ones_found() {
    let db = TestDb::new();
    let run = import(
        &db,
        &[&fixtures().join("google-takeout")],
        &["--location", "Nowhere"],
    )
    .fails();
    let err = run.stderr();
    assert!(
        err.contains("Harbour Lane Kiosk") && err.contains("Harbour Lane Café"),
        "{err}"
    );
    assert_eq!(stored_rows(&db, "google"), 0);
}

#[test]
fn a_maps_takeout_is_refused_with_a_hint_about_the_business_profile_export() {
    let db = TestDb::new();
    let run = import(&db, &[&fixtures().join("google-maps")], &[]).fails();
    let err = run.stderr();
    assert!(err.contains("Google Maps Takeout"), "{err}");
    assert!(err.contains("Google Business Profile"), "{err}");
    let file = fixtures().join("google-maps/Takeout/Maps (your places)/Reviews.json");
    let err = import(&db, &[&file], &[]).fails().stderr();
    assert!(err.contains("reviews you wrote"), "{err}");
}

#[test]
fn a_malformed_takeout_file_stops_the_import_naming_it_and_writes_nothing() {
    let db = TestDb::new();
    let copy = db.dir.path().join("takeout");
    copy_dir(&fixtures().join("google-takeout"), &copy);
    let broken = copy.join("Takeout/Google Business Profile/account-111/location-444/reviews.json");
    std::fs::write(
        &broken,
        r#"{"reviews": [{"name": "accounts/111/locations/444/reviews/x", "starRating": "FIVE""#,
    )
    .unwrap();
    let err = import(&db, &[&copy], &[]).fails().stderr();
    assert!(err.contains("location-444/reviews.json"), "{err}");
    assert!(err.contains("malformed JSON"), "{err}");
    assert_eq!(stored_rows(&db, "google"), 0, "nothing was written");
    // With --skip-bad the rest comes in.
    let run = import(&db, &[&copy], &["--skip-bad"]).ok();
    assert_eq!(run.json()["new"], 5);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Google Play: monthly CSVs, then the API

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

fn play_api_review(
    id: &str,
    stars: u8,
    secs: i64,
    text: &str,
    reply: Option<(&str, i64)>,
) -> Value {
    let mut comments = vec![json!({"userComment": {
        "text": text, "starRating": stars, "reviewerLanguage": "ja",
        "lastModified": {"seconds": secs.to_string(), "nanos": 0}
    }})];
    if let Some((r, at)) = reply {
        comments.push(
            json!({"developerComment": {"text": r, "lastModified": {"seconds": at.to_string()}}}),
        );
    }
    json!({"reviewId": id, "authorName": "Kenji", "comments": comments})
}

#[tokio::test(flavor = "current_thread")]
async fn a_folder_of_play_csvs_then_an_api_sync_counts_each_review_once_with_its_replies() {
    let db = TestDb::new();
    let folder = fixtures().join("google-play");
    let report = import(&db, &[&folder], &[]).ok().json();
    assert_eq!(report["format"], "google-play-csv", "{report}");
    assert_eq!(report["new"], 4, "{report}");
    assert_eq!(
        report["duplicates"], 1,
        "the review edited in November is in both months"
    );
    assert_eq!(report["locations"][0]["id"], "com.harbourlane.app");

    let edited = review(&db, "google-play", "3f1c0a3e-0003-4c2d-9d5e-aa0000000003");
    assert_eq!(edited.rating, Some(4.0), "November's version wins");
    assert_eq!(edited.body, "アプリが落ちる。\nFixed in 2.2, thank you.");
    assert_eq!(
        edited.url.as_deref(),
        Some("https://play.google.com/store/apps/details?id=com.harbourlane.app&reviewId=3f1c0a3e-0003-4c2d-9d5e-aa0000000003")
    );
    assert_eq!(
        owner_reply(&db, "google-play", "3f1c0a3e-0001-4c2d-9d5e-aa0000000001"),
        Some((
            "Thanks so much! I’m really glad it helps 😄".into(),
            1759320000
        ))
    );
    assert_eq!(reply_hours(&db, "google-play"), [2.0, 695.44]);
    assert_eq!(response_rate(&db, "google-play"), 0.5);

    // One month alone after both: the older file does not undo the edit.
    let older = fixtures().join("google-play/reviews_com.harbourlane.app_202510.csv");
    let again = import(&db, &[&older], &[]).ok().json();
    assert_eq!(
        (again["new"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(
        review(&db, "google-play", "3f1c0a3e-0003-4c2d-9d5e-aa0000000003").rating,
        Some(4.0)
    );
    let folder_again = import(&db, &[&folder], &[]).ok().json();
    assert_eq!(
        (
            folder_again["new"].as_u64(),
            folder_again["updated"].as_u64()
        ),
        (Some(0), Some(0))
    );

    // The API (last 7 days) lists the edited review and a new one.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "ya29.p", "expires_in": 3599})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/androidpublisher/v3/applications/com.harbourlane.app/reviews"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": [
            play_api_review("3f1c0a3e-0005-4c2d-9d5e-aa0000000005", 5, 1762200000, "Great update", None),
            play_api_review("3f1c0a3e-0003-4c2d-9d5e-aa0000000003", 4, 1762000000,
                "アプリが落ちる。\nFixed in 2.2, thank you.", Some(("Glad 2.2 fixed it!", 1762003600))),
        ]})))
        .mount(&server)
        .await;
    let secrets = Arc::new(MemorySecrets::default());
    let sa = json!({
        "type": "service_account", "private_key_id": "k1", "private_key": PLAY_KEY,
        "client_email": "earshot@harbour-lane.iam.gserviceaccount.com",
    })
    .to_string();
    let token_url = format!("{}/oauth2/token", server.uri());
    let source = add_source(
        &db,
        &secrets,
        "google-play",
        &[
            ("package_name", "com.harbourlane.app"),
            ("service_account_json", &sa),
            ("token_url", &token_url),
            ("base_url", &server.uri()),
        ],
    );
    let r = sync_source(&db, secrets, source).await;
    assert!(r.ok, "{r:?}");
    assert_eq!(r.new, 1, "{r:?}");
    assert_eq!(
        stored_rows(&db, "google-play"),
        5,
        "no review is stored twice"
    );
    assert_eq!(
        owner_reply(&db, "google-play", "3f1c0a3e-0003-4c2d-9d5e-aa0000000003").unwrap(),
        ("Glad 2.2 fixed it!".into(), 1762003600)
    );
    assert_eq!(
        owner_reply(&db, "google-play", "3f1c0a3e-0001-4c2d-9d5e-aa0000000001")
            .unwrap()
            .1,
        1759320000,
        "the imported reply keeps its time"
    );
    assert_eq!(response_rate(&db, "google-play"), 0.4);
}

#[test]
fn a_bad_play_row_names_its_file_and_line_and_nothing_is_written() {
    let db = TestDb::new();
    let text = "Package Name,App Version Code,App Version Name,Reviewer Language,Device,Review Submit Date and Time,Review Submit Millis Since Epoch,Review Last Update Date and Time,Review Last Update Millis Since Epoch,Star Rating,Review Title,Review Text,Developer Reply Date and Time,Developer Reply Millis Since Epoch,Developer Reply Text,Review Link\r\n\
        com.x,1,1.0,en,d,2025-11-05T14:40:32Z,1762353632542,2025-11-05T14:40:32Z,1762353632542,5,,\"good\r\nvery\",,,,http://play.google.com/console/developers/1/app/2/user-feedback/review-details?reviewId=a&corpus=PUBLIC_REVIEWS\r\n\
        com.x,1,1.0,en,d,2025-11-05T14:40:32Z,1762353632542,2025-11-05T14:40:32Z,1762353632542,9,,nine,,,,http://play.google.com/console/developers/1/app/2/user-feedback/review-details?reviewId=b&corpus=PUBLIC_REVIEWS\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let f = db.dir.path().join("reviews_com.x_202511.csv");
    std::fs::write(&f, bytes).unwrap();
    let err = import(&db, &[&f], &[]).fails().stderr();
    assert!(err.contains("reviews_com.x_202511.csv, line 4"), "{err}");
    assert!(err.contains("Star Rating 9"), "{err}");
    assert_eq!(stored_rows(&db, "google-play"), 0);
}

// ---------------------------------------------------------------------------------------------
// Trustpilot

#[test]
fn a_trustpilot_export_imports_with_the_api_ids_and_its_reply_dates_count_as_replies() {
    let db = TestDb::new();
    let f = fixtures().join("trustpilot/trustpilot-reviews.csv");
    let report = import(&db, &[&f], &[]).ok().json();
    assert_eq!(report["format"], "trustpilot-csv", "{report}");
    assert_eq!(report["new"], 2);
    let r = review(&db, "trustpilot", "6570a1b2c3d4e5f601234567");
    assert_eq!(r.rating, Some(5.0));
    assert_eq!(r.title.as_deref(), Some("Great service"));
    assert_eq!(
        r.url.as_deref(),
        Some("https://www.trustpilot.com/reviews/6570a1b2c3d4e5f601234567")
    );
    assert_eq!(reply_hours(&db, "trustpilot"), [4.0]);
    assert_eq!(response_rate(&db, "trustpilot"), 0.5);
    let again = import(&db, &[&f], &["--format", "trustpilot"]).ok().json();
    assert_eq!(again["unchanged"], 2, "{again}");
}

// ---------------------------------------------------------------------------------------------
// Earshot's CSV: line numbers

/// Issue 26: a CSV with CRLF line ends (Excel, Python's csv module) named its bad row one line
/// early ("line 2" for the file's line 3).
#[test]
fn a_crlf_csv_names_a_bad_row_by_its_line_in_the_file() {
    let db = TestDb::new();
    let f = db.file(
        "crlf.csv",
        "external_id,platform,author,rating,title,body,created_at,url\r\n\
         a1,google,Ann,5,,\"fine\r\nreally\",2024-01-01,\r\n\
         a2,google,Bob,7,,seven stars,2024-01-02,\r\n",
    );
    let err = import(&db, &[&f], &[]).fails().stderr();
    assert!(err.contains("line 4"), "{err}");
    let f = db.file(
        "crlf2.csv",
        "external_id,platform,author,rating,title,body,created_at,url\r\n\
         a1,google,Ann,5,,fine,2024-01-01,\r\n\
         a2,google,Bob,7,,seven stars,2024-01-02,\r\n",
    );
    let err = import(&db, &[&f], &[]).fails().stderr();
    assert!(err.contains("line 3"), "{err}");
}

/// The API source added before the import: the export's history is kept whole, and a full API
/// listing that holds only some of it removes nothing of the rest.
#[tokio::test(flavor = "current_thread")]
async fn an_import_after_connecting_the_api_keeps_the_history_the_listing_lacks() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "ya29.t", "expires_in": 3599})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v4/accounts/111/locations/222/reviews"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": [
            gbp_api_review("AbFvOqn4", "ONE", "Rude staff at the counter.", "2025-04-20T12:00:00.000000Z",
                "2025-04-20T12:00:00.000000Z", None),
        ]})))
        .mount(&server)
        .await;
    let secrets = Arc::new(MemorySecrets::default());
    let source = add_source(
        &db,
        &secrets,
        "google-business",
        &[
            ("account_id", "accounts/111"),
            ("location_id", "locations/222"),
            ("client_id", "cid.apps.googleusercontent.com"),
            ("client_secret", "s3cret"),
            ("refresh_token", "1//r"),
            ("base_url", &server.uri()),
        ],
    );
    let first = sync_source(&db, secrets.clone(), source).await;
    assert_eq!((first.ok, first.new), (true, 1), "{first:?}");
    let report = import(
        &db,
        &[&fixtures().join("google-takeout")],
        &["--location", "222"],
    )
    .ok()
    .json();
    assert_eq!(
        report["new"], 4,
        "the synced review is updated, not added: {report}"
    );
    assert_eq!(stored_rows(&db, "google"), 5);
    let again = sync_source(&db, secrets, source).await;
    assert!(again.ok, "{again:?}");
    assert_eq!((again.new, again.removed), (0, 0), "{again:?}");
    assert_eq!(
        reviews(&db, "google").len(),
        5,
        "nothing of the history is removed"
    );
}
