//! Headless rounds (issue 28, items 4 and 5): `earshot watch` against a mock platform and a
//! webhook on 127.0.0.1 (a review arriving during its run becomes an alert and a message within
//! one interval; SIGKILL and a restart lose nothing and send nothing twice; SIGTERM stops it
//! cleanly), two processes syncing one database at once, `earshot service` with a stand-in
//! `systemctl`, and the outbox sending on its own a reply queued while the platform was down.
//! Unix only: the tests send signals and write an executable script.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::Utc;
use earshot::model::replies::ReplyState;
use earshot::model::{IncomingReview, Kind};
use earshot::replies;
use earshot::replies::outbox::{Outbox, OutboxConfig, StaticCredentials};
use earshot::secrets::Secret;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestDb;

const CAFE: &str = "Joe's Cafe";
const TP_PATH: &str = "/v1/business-units/bu-1/reviews";

/// A review as Trustpilot's "Get a business unit's reviews" lists it (developers.trustpilot.com,
/// Business Units API; the shape tests/cli.rs and the connector tests use), written `age` ago.
fn tp_review(id: &str, stars: u8, text: &str, age: chrono::Duration) -> Value {
    let written = (Utc::now() - age).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "id": id, "stars": stars, "title": "Visit", "text": text,
        "createdAt": written, "consumer": {"displayName": "Sam"}, "links": [],
    })
}

/// Mock servers on 127.0.0.1: wiremock serves from threads of its own; this runtime only starts,
/// rearranges and queries them.
struct Mocks {
    rt: tokio::runtime::Runtime,
    platform: MockServer,
    hook: MockServer,
}

impl Mocks {
    fn new() -> Mocks {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (platform, hook) = rt.block_on(async {
            let hook = MockServer::start().await;
            // A generic webhook answers 200 to each POST (the receiver's body is ignored).
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(200))
                .mount(&hook)
                .await;
            (MockServer::start().await, hook)
        });
        Mocks { rt, platform, hook }
    }

    /// The platform lists `reviews` from now on (newest first, one page), each answer after
    /// `delay`.
    fn serve(&self, reviews: &[Value], delay: Duration) {
        self.rt.block_on(async {
            self.platform.reset().await;
            Mock::given(method("GET"))
                .and(path(TP_PATH))
                .and(query_param("page", "1"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({ "reviews": reviews, "links": [] }))
                        .set_delay(delay),
                )
                .mount(&self.platform)
                .await;
            Mock::given(method("GET"))
                .and(path(TP_PATH))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "reviews": [] })))
                .mount(&self.platform)
                .await;
        });
    }

    fn messages(&self) -> usize {
        self.rt
            .block_on(self.hook.received_requests())
            .unwrap_or_default()
            .len()
    }

    /// The café with a Trustpilot source on the mock platform and the webhook as its channel.
    fn connect(&self, db: &TestDb) {
        db.earshot(&[
            "sources",
            "add",
            "trustpilot",
            "--business",
            CAFE,
            "--set",
            "business_unit_id=bu-1",
            "--set",
            "api_key=tp-key",
            "--set",
            &format!("base_url={}", self.platform.uri()),
        ])
        .ok();
        db.earshot(&[
            "alerts",
            "channels",
            "add",
            "webhook",
            &format!("{}/hook", self.hook.uri()),
        ])
        .ok();
    }
}

/// `earshot watch --json ARGS…` in the background, and its rounds' JSON lines as they come.
fn spawn_watch(db: &TestDb, args: &[&str]) -> (Child, mpsc::Receiver<Value>) {
    let mut child = db
        .command()
        .args(["watch", "--json"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("a round line is not JSON ({e}): {line}"));
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

/// The next round line that satisfies `want`, waiting at most `within`.
fn round_where(
    rx: &mpsc::Receiver<Value>,
    within: Duration,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if want(&line) => return line,
            Ok(_) => {}
            Err(e) => panic!("no such round within {within:?}: {e}"),
        }
    }
}

fn signal(child: &Child, sig: i32) {
    let pid = i32::try_from(child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

/// Stops a watcher with `sig` (SIGTERM, as `systemctl stop` does, or SIGINT, Ctrl-C's) and
/// checks that it ends cleanly.
fn stop(mut child: Child, sig: i32) {
    signal(&child, sig);
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "a watcher stopped by SIGTERM exits 0: {status}"
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the watcher did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn negative_alerts(db: &TestDb) -> usize {
    let alerts = db.earshot(&["alerts", "--json"]).ok().json();
    alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "new_negative")
        .count()
}

fn review_count(db: &TestDb) -> usize {
    let reviews = db
        .earshot(&["reviews", "--business", CAFE, "--json"])
        .ok()
        .json();
    reviews.as_array().unwrap().len()
}

const ROUND_WAIT: Duration = Duration::from_secs(30);

#[test]
fn a_review_arriving_while_watch_runs_becomes_an_alert_and_one_message_within_one_interval() {
    let mocks = Mocks::new();
    mocks.serve(&[], Duration::ZERO);
    let db = TestDb::new();
    mocks.connect(&db);
    let (child, rounds) = spawn_watch(&db, &["--interval", "1"]);
    let first = round_where(&rounds, ROUND_WAIT, |_| true);
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(first["new"], 0, "{first}");

    mocks.serve(
        &[tp_review(
            "tp-1",
            1,
            "Cold food & nobody came for forty minutes.",
            chrono::Duration::minutes(5),
        )],
        Duration::ZERO,
    );
    let arrived = Instant::now();
    // The round that brings the review raises its alert and sends it, in that same round.
    let round = round_where(&rounds, ROUND_WAIT, |r| r["new"] == 1);
    assert!(
        arrived.elapsed() < Duration::from_secs(1) + Duration::from_secs(5),
        "one interval (1 s) and the round's own time: {:?}",
        arrived.elapsed()
    );
    assert_eq!(round["new_alerts"][0]["kind"], "new_negative", "{round}");
    assert_eq!(round["channels"]["sent"], 1, "{round}");
    assert_eq!(mocks.messages(), 1);

    // Later rounds find nothing new and send nothing more.
    round_where(&rounds, ROUND_WAIT, |r| r["new"] == 0);
    round_where(&rounds, ROUND_WAIT, |r| r["new"] == 0);
    stop(child, libc::SIGINT);
    assert_eq!(mocks.messages(), 1);
    assert_eq!(negative_alerts(&db), 1);
}

#[test]
fn sigkill_and_restart_lose_nothing_and_send_nothing_twice() {
    let mocks = Mocks::new();
    let first = tp_review("tp-1", 1, "Rude staff.", chrono::Duration::minutes(30));
    mocks.serve(std::slice::from_ref(&first), Duration::ZERO);
    let db = TestDb::new();
    mocks.connect(&db);

    let (mut child, rounds) = spawn_watch(&db, &["--interval", "1"]);
    round_where(&rounds, ROUND_WAIT, |r| r["channels"]["sent"] == 1);
    // Killed without warning, wherever it is (between rounds, or in the middle of the next).
    child.kill().unwrap();
    child.wait().unwrap();

    // A review arrives while no watcher runs.
    let second = tp_review("tp-2", 1, "Never again.", chrono::Duration::minutes(2));
    mocks.serve(&[second, first], Duration::ZERO);
    let (child, rounds) = spawn_watch(&db, &["--interval", "1"]);
    round_where(&rounds, ROUND_WAIT, |r| r["new"] == 1);
    round_where(&rounds, ROUND_WAIT, |r| r["new"] == 0);
    round_where(&rounds, ROUND_WAIT, |r| r["new"] == 0);
    stop(child, libc::SIGTERM);

    assert_eq!(review_count(&db), 2, "nothing lost");
    assert_eq!(negative_alerts(&db), 2);
    assert_eq!(mocks.messages(), 2, "one message per review, none twice");
    let channels = db
        .earshot(&["alerts", "channels", "list", "--json"])
        .ok()
        .json();
    assert_eq!(channels[0]["sent"], 2, "{channels}");
    assert_eq!(channels[0]["failed"], 0, "{channels}");
}

#[test]
fn watch_once_runs_one_round_and_says_so_in_one_json_line() {
    let mocks = Mocks::new();
    mocks.serve(
        &[tp_review("tp-1", 5, "Lovely.", chrono::Duration::hours(2))],
        Duration::ZERO,
    );
    let db = TestDb::new();
    mocks.connect(&db);
    let run = db.earshot(&["watch", "--once", "--json"]).ok();
    let lines: Vec<&str> = run
        .0
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout());
    let round: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(round["new"], 1);
    assert_eq!(round["ok"], true);
    assert!(run.stderr().is_empty(), "--json is quiet: {}", run.stderr());
}

/// Issue 28: the app and `earshot watch` (here two `earshot sync`s) on one database: one syncs
/// the source, the other leaves it, and the new review's message goes out once.
#[test]
fn two_processes_at_once_never_sync_one_source_twice_nor_send_one_alert_twice() {
    let mocks = Mocks::new();
    // A slow platform, so the two runs overlap.
    mocks.serve(
        &[tp_review(
            "tp-1",
            1,
            "Awful.",
            chrono::Duration::minutes(10),
        )],
        Duration::from_millis(1500),
    );
    let db = TestDb::new();
    mocks.connect(&db);
    let runs: Vec<Child> = (0..2)
        .map(|_| {
            db.command()
                .args(["sync", "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<Value> = runs
        .into_iter()
        .map(|c| serde_json::from_slice(&c.wait_with_output().unwrap().stdout).unwrap())
        .collect();
    let mut statuses: Vec<&str> = outs
        .iter()
        .map(|o| o["sources"][0]["status"].as_str().unwrap())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["busy", "ok"], "{outs:?}");
    let listed = mocks
        .rt
        .block_on(mocks.platform.received_requests())
        .unwrap()
        .iter()
        .filter(|r| r.url.query().is_some_and(|q| q.contains("page=1")))
        .count();
    assert_eq!(listed, 1, "the first page was asked for once");
    assert_eq!(review_count(&db), 1);
    assert_eq!(mocks.messages(), 1);
    // The lease was given back: the next run syncs the source.
    let again = db.earshot(&["sync", "--json"]).ok().json();
    assert_eq!(again["sources"][0]["status"], "ok", "{again}");
}

/// Issue 28: a lease another live process holds is respected (the source is left `busy`), one
/// that expired is taken over, and so is one whose process on this computer is gone (a watcher
/// killed mid-sync need not hold its sources for the lease's ten minutes).
#[test]
fn a_live_lease_is_respected_and_an_expired_or_orphaned_one_is_taken_over() {
    let mocks = Mocks::new();
    mocks.serve(&[], Duration::ZERO);
    let db = TestDb::new();
    mocks.connect(&db);
    let source = db.store().sources().unwrap()[0].id;
    let now = Utc::now().timestamp();
    let status = |db: &TestDb| {
        let out = db.earshot(&["sync", "--json"]).ok().json();
        out["sources"][0]["status"].as_str().unwrap().to_string()
    };

    // Another computer's process, syncing it now.
    let elsewhere = "another-computer/4242-0-0";
    assert!(db
        .store()
        .take_sync_lease(source, elsewhere, now, now + 600)
        .unwrap());
    assert_eq!(status(&db), "busy");
    // Its lease ran out (it was killed): taken over.
    rusqlite::Connection::open(db.path())
        .unwrap()
        .execute("UPDATE sources SET lease_until = ?1", [now - 1])
        .unwrap();
    assert_eq!(status(&db), "ok");

    // A process of this computer that is gone, whose lease has not run out yet.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let orphan = format!("{}/{pid}-0-0", host.trim());
    assert!(db
        .store()
        .take_sync_lease(source, &orphan, now, now + 600)
        .unwrap());
    assert_eq!(status(&db), "ok");
    assert_eq!(
        db.store().sync_lease_holder(source).unwrap(),
        None,
        "given back"
    );
}

/// A stand-in `systemctl` that records its arguments (one call a line) and says the unit is
/// active; on a `PATH` of its own, with `XDG_CONFIG_HOME` in the test's folder.
pub(crate) fn fake_systemctl(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("systemctl");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexit 0\n",
            dir.join("systemctl.log").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn service_install_writes_a_user_unit_for_this_binary_and_database_and_starts_it() {
    let db = TestDb::new();
    db.store();
    let bin = fake_systemctl(db.dir.path());
    let config = db.dir.path().join("config");
    let service = |args: &[&str]| {
        crate::common::Run(
            db.command()
                .arg("service")
                .args(args)
                .env("PATH", &bin)
                .env("XDG_CONFIG_HOME", &config)
                .output()
                .unwrap(),
        )
    };
    let installed = service(&["install", "--json"]).ok().json();
    assert_eq!(installed["installed"], true, "{installed}");
    assert_eq!(installed["running"], true, "{installed}");
    let unit_path = config.join("systemd/user/earshot-watch.service");
    let unit = std::fs::read_to_string(&unit_path).unwrap();
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_earshot")).unwrap();
    assert!(
        unit.contains(&format!(
            "ExecStart={} --db {} watch\n",
            exe.display(),
            db.path().display()
        )),
        "{unit}"
    );
    assert!(unit.contains("WantedBy=default.target"), "{unit}");
    let log = std::fs::read_to_string(db.dir.path().join("systemctl.log")).unwrap();
    let calls: Vec<&str> = log.lines().filter(|l| l.starts_with("--user")).collect();
    assert_eq!(
        &calls[..2],
        [
            "--user daemon-reload",
            "--user enable --now earshot-watch.service"
        ],
        "{log}"
    );

    let status = service(&["status", "--json"]).ok().json();
    assert_eq!(status["installed"], true);

    let removed = service(&["uninstall", "--json"]).ok().json();
    assert_eq!(removed["installed"], false, "{removed}");
    assert!(!unit_path.exists());
    let log = std::fs::read_to_string(db.dir.path().join("systemctl.log")).unwrap();
    assert!(
        log.contains("--user disable --now earshot-watch.service\n--user daemon-reload\n"),
        "{log}"
    );
}

#[test]
fn without_systemd_service_install_writes_nothing_and_says_what_to_do_instead() {
    let db = TestDb::new();
    db.store();
    let empty = db.dir.path().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let config = db.dir.path().join("config");
    let run = crate::common::Run(
        db.command()
            .args(["service", "install"])
            .env("PATH", &empty)
            .env("XDG_CONFIG_HOME", &config)
            .output()
            .unwrap(),
    )
    .ok();
    let said = run.stdout();
    assert!(said.contains("systemd was not found"), "{said}");
    assert!(said.contains("@reboot"), "{said}");
    assert!(said.contains(" watch"), "{said}");
    assert!(!config.join("systemd/user/earshot-watch.service").exists());
}

// ---------------------------------------------------------------------------------------------
// The outbox on its own (item 5).

const TOKEN: &str = "test-token";
const REPLY: &str = "Dana, I'm sorry about the wait. Please write to joe@example.com. — Joe";
/// Google Business Profile's `PUT …/reviews/{id}/reply` (developers.google.com/my-business/
/// reference/rest/v4/accounts.locations.reviews/updateReply), as tests/replies.rs mocks it.
const GBP_PATH: &str = "/v4/accounts/11/locations/22/reviews/AbC/reply";

async fn gbp_answering(server: &MockServer, status: u16) {
    server.reset().await;
    Mock::given(method("PUT"))
        .and(path(GBP_PATH))
        .respond_with(ResponseTemplate::new(status).set_body_json(json!({"comment": REPLY})))
        .mount(server)
        .await;
}

async fn puts(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .count()
}

#[tokio::test(flavor = "current_thread")]
async fn a_reply_queued_while_the_platform_was_down_is_posted_once_by_a_later_round() {
    let db = TestDb::new();
    let server = MockServer::start().await;
    gbp_answering(&server, 500).await;
    let review_id = {
        let mut store = db.store();
        let business = store.ensure_business(CAFE).unwrap();
        let settings = json!({"base_url": server.uri(), "account": "11", "location": "22"});
        let source = store
            .ensure_source(business.id, "google-business", "test", &settings)
            .unwrap();
        store
            .write_reviews(
                source,
                &[IncomingReview {
                    external_id: "AbC".into(),
                    platform: "google".into(),
                    kind: Kind::Review,
                    author: Some("Dana K.".into()),
                    rating: Some(1.0),
                    title: None,
                    body: "Waited 40 minutes.".into(),
                    url: None,
                    language: None,
                    created_at: Utc::now() - chrono::Duration::days(1),
                    updated_at: None,
                    owner_reply: None,
                    raw_json: None,
                }],
            )
            .unwrap();
        store.list_reviews(&Default::default()).unwrap()[0].id
    };
    // Post pressed while the platform is down: tried, and left for the rounds.
    let reply = {
        let store = db.store();
        replies::save_draft(&store, review_id, REPLY).unwrap();
        let creds = StaticCredentials(Secret::new(TOKEN));
        let config = OutboxConfig {
            max_attempts: 2,
            backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            no_proxy: true,
            ..OutboxConfig::default()
        };
        let outbox = Outbox::new(&store, &creds, config).unwrap();
        let reply = outbox.post_review(review_id, None).await.unwrap();
        assert_eq!(reply.state, ReplyState::Failed);
        assert!(store.reply_retry_at(reply.id).unwrap().is_some());
        reply
    };
    assert_eq!(puts(&server).await, 2);

    let round = |db: &TestDb| {
        let out = db
            .command()
            .args(["sync", "--json"])
            .env("EARSHOT_TOKEN_GOOGLE_BUSINESS", TOKEN)
            .output()
            .unwrap();
        // The source's own sync fails (it was never signed in); the round goes on.
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // A round before the retry is due leaves the reply alone.
    let early = round(&db);
    assert_eq!(early["replies"]["posted"].as_array().unwrap().len(), 0);
    assert_eq!(puts(&server).await, 2);

    // The platform is back, and the retry's time has come (the clock moved on an hour).
    gbp_answering(&server, 200).await;
    rusqlite::Connection::open(db.path())
        .unwrap()
        .execute(
            "UPDATE replies SET retry_at = retry_at - 3600 WHERE id = ?1",
            [reply.id],
        )
        .unwrap();
    let sent = round(&db);
    assert_eq!(
        sent["replies"]["posted"].as_array().unwrap().len(),
        1,
        "{sent}"
    );
    assert_eq!(puts(&server).await, 1, "posted exactly once");
    let posted = db.store().reply(reply.id).unwrap();
    assert_eq!(posted.state, ReplyState::Posted);
    assert!(db.store().review(review_id).unwrap().replied);

    // Later rounds send nothing more.
    round(&db);
    assert_eq!(puts(&server).await, 1);
}
