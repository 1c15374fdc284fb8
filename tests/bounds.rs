//! Issue 33, "bounded everything": what a hostile server or file can make Earshot hold. Each test
//! reproduces a finding of the security review against the `earshot` binary or the sync engine,
//! with servers on 127.0.0.1: an endless chunked body (the CLI reached 7.6 GB and aborted), a
//! 200 MB body (466 MB), a server claiming endless pages, a 300 MB review in an import file
//! (3.7 GB), and an API key that followed a redirect to another host.
//!
//! Peak memory is the child's `ru_maxrss` from `wait4`, as `examples/bench.rs` measures imports.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use earshot::platforms::http::HttpConfig;
use earshot::secrets::{MemorySecrets, SecretStore};
use earshot::sources::{self, Settings};
use earshot::sync::{self, Selection, SyncOptions};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The peak memory a bounded run may reach: the binary, SQLite's cache and a 16 MB body with
/// room to spare. The unbounded runs of the review went to gigabytes.
const MAX_RSS_BYTES: u64 = 150 * 1024 * 1024;

const TP_PATH: &str = "/v1/business-units/bu-1/reviews";
const API_KEY: &str = "tp-key-BOUNDS-7731";

/// What a measured run of the binary gave.
struct Measured {
    success: bool,
    stdout: String,
    stderr: String,
    max_rss_bytes: u64,
}

/// Runs `earshot --db <db> args…` and measures its peak resident memory with `wait4`.
// The child is reaped by `wait4`, which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn run_measured(db: &TestDb, args: &[&str]) -> Measured {
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db.path())
        .args(args)
        .env("XDG_DATA_HOME", db.dir.path())
        .env("EARSHOT_SECRETS_FILE", db.dir.path().join("secrets.json"))
        .env_remove("EARSHOT_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run earshot");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut stdout = String::new();
    let _ = out.read_to_string(&mut stdout);
    let stderr = reader.join().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 fills it for our own child, which
    // nothing else waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    eprintln!(
        "earshot {}: peak memory {} MB",
        args.first().copied().unwrap_or_default(),
        usage.ru_maxrss / 1024
    );
    Measured {
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stdout,
        stderr,
        // Linux reports kilobytes.
        max_rss_bytes: usage.ru_maxrss as u64 * 1024,
    }
}

/// A Trustpilot source pointed at `base`, added through the CLI.
fn add_trustpilot(db: &TestDb, base: &str) {
    db.earshot(&[
        "sources",
        "add",
        "trustpilot",
        "--business",
        "Harbour Lane Café",
        "--set",
        "business_unit_id=bu-1",
        "--set",
        &format!("api_key={API_KEY}"),
        "--set",
        &format!("base_url={base}"),
    ])
    .ok();
}

/// A server on 127.0.0.1 that answers every request with `head` and then `body` chunks until the
/// client goes away (or `limit` bytes). Returns its address and the body bytes it wrote.
fn raw_server(head: &'static str, limit: u64) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&written);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut req = [0u8; 4096];
                let _ = stream.read(&mut req);
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b'['; 64 * 1024];
                let chunked = head.contains("chunked");
                let mut sent = 0u64;
                while sent < limit {
                    let ok = if chunked {
                        stream
                            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                            .and_then(|_| stream.write_all(&chunk))
                            .and_then(|_| stream.write_all(b"\r\n"))
                    } else {
                        stream.write_all(&chunk)
                    };
                    if ok.is_err() {
                        break;
                    }
                    sent += chunk.len() as u64;
                    counter.store(sent, Ordering::Relaxed);
                }
            });
        }
    });
    (addr, written)
}

/// Issue 33: a feed that streams a chunked body without end took `earshot sync` to 7.6 GB and an
/// allocation abort. Now the sync stops reading at the cap and fails in plain words, with flat
/// memory.
#[test]
fn an_endless_body_fails_the_sync_cleanly_and_memory_stays_bounded() {
    let (base, written) = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        u64::MAX,
    );
    let db = TestDb::new();
    add_trustpilot(&db, &base);
    let run = run_measured(&db, &["sync", "--json"]);
    assert!(!run.success, "the sync must fail: {}", run.stdout);
    let out: Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let error = out["sources"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("larger than 16 MB"), "{error}");
    assert_eq!(out["sources"][0]["error_code"], "too_large", "{out}");
    assert!(
        run.max_rss_bytes < MAX_RSS_BYTES,
        "peak memory {} MB",
        run.max_rss_bytes / (1024 * 1024)
    );
    // The cap was reached and the rest refused, not read.
    let sent = written.load(Ordering::Relaxed);
    assert!(sent >= 16 * 1024 * 1024, "only {sent} bytes were sent");
    assert_eq!(out["failed"], 1, "{out}");
}

/// Issue 33: a 200 MB body cost 466 MB. A body announced larger than the cap is refused from its
/// `Content-Length`, before it is read.
#[test]
fn a_body_announced_over_the_cap_is_refused_before_it_is_read() {
    let (base, written) = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n",
        200 * 1024 * 1024,
    );
    let db = TestDb::new();
    add_trustpilot(&db, &base);
    let run = run_measured(&db, &["sync", "--json"]);
    assert!(!run.success);
    let out: Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let error = out["sources"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("announced 200 MB"), "{error}");
    assert!(
        run.max_rss_bytes < MAX_RSS_BYTES,
        "peak memory {} MB",
        run.max_rss_bytes / (1024 * 1024)
    );
    // Give the server a moment to notice the closed connection: it never got far.
    std::thread::sleep(Duration::from_millis(200));
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < 100 * 1024 * 1024, "{sent} bytes were sent");
}

/// Issue 33: `apikey` (and `X-Goog-Api-Key`) followed a redirect to another host. Now a request
/// that carries a key follows no redirect to another origin (here another port of 127.0.0.1):
/// the second server never sees the key.
#[tokio::test(flavor = "current_thread")]
async fn a_redirect_to_another_origin_never_carries_the_key() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": []})))
        .mount(&elsewhere)
        .await;
    let platform = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}{TP_PATH}", elsewhere.uri()).as_str()),
        )
        .mount(&platform)
        .await;
    let (db, secrets, source) = trustpilot_fixture(&platform.uri());
    let report = sync_once(&db, &secrets, source, &fast()).await;
    assert!(!report.ok);
    let error = report.error.unwrap_or_default();
    assert!(error.contains("redirected"), "{error}");
    assert!(error.contains("another address"), "{error}");
    assert_eq!(report.error_code, Some("redirect_refused"));
    let seen = elsewhere.received_requests().await.unwrap();
    assert!(seen.is_empty(), "the other origin was asked: {seen:?}");
}

/// A redirect within the platform's own origin is still followed, key and all.
#[tokio::test(flavor = "current_thread")]
async fn a_redirect_within_the_same_origin_is_followed() {
    let platform = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/old/v1/business-units/bu-1/reviews"))
        .respond_with(ResponseTemplate::new(301).insert_header("Location", TP_PATH))
        .mount(&platform)
        .await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": []})))
        .mount(&platform)
        .await;
    let (db, secrets, source) = trustpilot_fixture(&format!("{}/old", platform.uri()));
    let report = sync_once(&db, &secrets, source, &fast()).await;
    assert!(report.ok, "{:?}", report.error);
}

/// The key-carrying rule reads the built request: headers, query and body.
#[test]
fn requests_with_keys_are_told_from_requests_without() {
    use earshot::platforms::http::carries_key;
    let c = reqwest::Client::new();
    let plain = c.get("https://example.com/feed.xml").build().unwrap();
    assert!(!carries_key(&plain));
    for req in [
        c.get("https://example.com/a").header("apikey", "k"),
        c.get("https://example.com/a").header("X-Goog-Api-Key", "k"),
        c.get("https://example.com/a").bearer_auth("t"),
        c.get("https://example.com/a?part=snippet&key=k"),
        c.post("https://example.com/token").form(&[("code", "c")]),
    ] {
        let req = req.build().unwrap();
        assert!(carries_key(&req), "{req:?}");
    }
}

fn fast() -> SyncOptions {
    SyncOptions {
        http: HttpConfig {
            timeout: Duration::from_secs(5),
            max_attempts: 2,
            backoff: Duration::from_millis(10),
            max_wait: Duration::from_secs(2),
        },
        ..SyncOptions::default()
    }
}

fn trustpilot_fixture(base: &str) -> (TestDb, Arc<MemorySecrets>, earshot::model::SourceId) {
    let db = TestDb::new();
    let store = db.store();
    let business = store.ensure_business("Harbour Lane Café").unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    let mut settings = Settings::new();
    settings.insert("business_unit_id".into(), "bu-1".into());
    settings.insert("api_key".into(), API_KEY.into());
    settings.insert("base_url".into(), base.into());
    let source = sources::add_source(
        &store,
        secrets.as_ref(),
        business.id,
        "trustpilot",
        None,
        &settings,
    )
    .unwrap();
    (db, secrets, source)
}

async fn sync_once(
    db: &TestDb,
    secrets: &Arc<MemorySecrets>,
    source: earshot::model::SourceId,
    opts: &SyncOptions,
) -> sync::SourceReport {
    let secrets: Arc<dyn SecretStore> = secrets.clone();
    let mut reports = sync::run(
        db.path(),
        secrets,
        Selection::Ids(vec![source]),
        opts,
        sync::no_events(),
    )
    .await
    .unwrap();
    reports.remove(0)
}

fn tp_page(first: u32, n: u32) -> Value {
    let reviews: Vec<Value> = (first..first + n)
        .map(|i| {
            json!({
                "id": format!("r{i}"),
                "stars": 4,
                "title": "Fine",
                "text": "Good coffee",
                "createdAt": "2026-10-01T12:00:00Z",
                "consumer": {"displayName": "Sam"},
            })
        })
        .collect();
    json!({ "reviews": reviews })
}

/// Issue 33: a server claiming 10^9 pages (every answer says "next page") is read a bounded
/// number of pages per run; the cursor keeps the rest for the next run, and the report says
/// why the run stopped.
#[tokio::test(flavor = "current_thread")]
async fn a_server_that_always_says_next_page_is_read_a_bounded_amount_per_run() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(tp_page(0, 5)))
        .mount(&server)
        .await;
    let (db, secrets, source) = trustpilot_fixture(&server.uri());
    let opts = SyncOptions {
        max_pages: 4,
        ..fast()
    };
    let report = sync_once(&db, &secrets, source, &opts).await;
    assert!(report.ok, "{:?}", report.error);
    assert_eq!(report.pages, 4);
    assert!(!report.complete);
    let limit = report.limit.clone().unwrap_or_default();
    assert!(limit.contains("4 pages"), "{limit}");
    let cursor: String = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row("SELECT cursor FROM sources", [], |r| r.get(0))
        .unwrap();
    assert!(cursor.contains("\"page\":\"5\""), "{cursor}");
    // The next run continues where this one stopped, and stops again.
    let again = sync_once(&db, &secrets, source, &opts).await;
    assert_eq!(again.pages, 4);
    let pages: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(pages, ["1", "2", "3", "4", "5", "6", "7", "8"]);

    // The items cap stops a run the same way.
    let opts = SyncOptions {
        max_items: 12,
        ..fast()
    };
    let report = sync_once(&db, &secrets, source, &opts).await;
    assert_eq!(report.pages, 3, "{report:?}");
    assert!(report
        .limit
        .as_deref()
        .is_some_and(|l| l.contains("15 items")));
}

/// A review with an over-long field from a platform is cut to the cap and counted.
#[tokio::test(flavor = "current_thread")]
async fn a_synced_review_over_the_caps_is_cut_and_counted() {
    let server = MockServer::start().await;
    let long = "x".repeat(earshot::model::limits::MAX_TEXT_BYTES * 3);
    let mut page = tp_page(0, 2);
    page["reviews"][0]["text"] = json!(long);
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(TP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"reviews": []})))
        .mount(&server)
        .await;
    let (db, secrets, source) = trustpilot_fixture(&server.uri());
    let report = sync_once(&db, &secrets, source, &fast()).await;
    assert!(report.ok, "{:?}", report.error);
    assert_eq!((report.new, report.truncated), (2, 1));
    let longest: i64 = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row("SELECT max(length(body)) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(longest as usize, earshot::model::limits::MAX_TEXT_BYTES);
}

/// Writes an Earshot CSV whose second row's body is `body_bytes` long (quoted, with doubled
/// quotes and line breaks in it), between two ordinary rows and before one with a bad rating.
/// Returns the file and the line the bad row is on.
fn csv_with_long_review(db: &TestDb, name: &str, body_bytes: usize) -> (std::path::PathBuf, u64) {
    let p = db.dir.path().join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    writeln!(
        f,
        "external_id,platform,author,rating,title,body,created_at,url"
    )
    .unwrap();
    writeln!(f, "a1,google,Ana,5,,Lovely,2026-01-02T10:00:00Z,").unwrap();
    write!(f, "a2,google,Bo,1,,\"").unwrap();
    let block = "spam \"\"quoted\"\" text\nmore lines ".repeat(1024);
    let mut left = body_bytes;
    let mut breaks = 0u64;
    while left > 0 {
        let n = left.min(block.len());
        f.write_all(&block.as_bytes()[..n]).unwrap();
        breaks += block.as_bytes()[..n]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        left -= n;
    }
    writeln!(f, "\",2026-01-03T10:00:00Z,").unwrap();
    writeln!(f, "a3,google,Cy,4,,Nice,2026-01-04T10:00:00Z,").unwrap();
    writeln!(f, "a4,google,Di,9,,Bad rating,2026-01-05T10:00:00Z,").unwrap();
    f.flush().unwrap();
    (p, 5 + breaks)
}

/// Issue 33: one 300 MB review imported whole cost 3.7 GB. Now the reader cuts it to the cap on
/// the way in: memory stays bounded, the review is kept cut (the default) and counted, and the
/// rows after it keep their line numbers.
#[test]
fn a_300_mb_review_in_an_import_is_cut_with_bounded_memory() {
    let db = TestDb::new();
    let (file, bad_line) = csv_with_long_review(&db, "huge.csv", 300 * 1024 * 1024);
    let file = file.to_str().unwrap();
    let run = run_measured(
        &db,
        &[
            "import",
            file,
            "--business",
            "Harbour Lane Café",
            "--skip-bad",
            "--json",
        ],
    );
    std::fs::remove_file(file).unwrap();
    assert!(run.success, "{}", run.stderr);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(out["new"], 3, "{out}");
    assert_eq!(out["truncated"], 1, "{out}");
    assert_eq!(out["rejected"], 1, "{out}");
    // The bad rating keeps its line number, line breaks of the dropped text included.
    assert_eq!(out["rejected_rows"][0]["line"], bad_line, "{out}");
    assert!(
        run.max_rss_bytes < MAX_RSS_BYTES,
        "peak memory {} MB",
        run.max_rss_bytes / (1024 * 1024)
    );
    let (len, tail): (i64, String) = rusqlite::Connection::open(db.path())
        .unwrap()
        .query_row(
            "SELECT length(CAST(body AS BLOB)), substr(body, 1, 20) FROM reviews
             WHERE external_id = 'a2'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(len as usize, earshot::model::limits::MAX_TEXT_BYTES);
    assert!(tail.starts_with("spam \"quoted\""), "{tail}");
}

/// `--long-text reject` leaves an over-long review out and counts it as rejected, without
/// stopping the import.
#[test]
fn an_over_long_review_is_rejected_when_the_owner_asks() {
    let db = TestDb::new();
    let (file, _) = csv_with_long_review(&db, "long.csv", 1024 * 1024 + 5);
    let file = file.to_str().unwrap();
    let out = db
        .earshot(&[
            "import",
            file,
            "--business",
            "Harbour Lane Café",
            "--long-text",
            "reject",
            "--skip-bad",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(out["new"], 2, "{out}");
    assert_eq!(out["truncated"], 0, "{out}");
    assert_eq!(out["rejected"], 2, "{out}");
    let reason = out["rejected_rows"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("longer than"), "{reason}");
    assert_eq!(out["rejected_rows"][0]["line"], 3, "{out}");
    // And without --skip-bad the long row alone does not stop the import.
    let db = TestDb::new();
    let (file, bad_line) = csv_with_long_review(&db, "long.csv", 200 * 1024);
    let run = db
        .earshot(&[
            "import",
            file.to_str().unwrap(),
            "--business",
            "Harbour Lane Café",
            "--long-text",
            "reject",
        ])
        .fails();
    assert!(
        run.stderr().contains(&format!("line {bad_line}:")),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("rating"), "{}", run.stderr());
}
