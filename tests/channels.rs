//! Alert channels (issue 28 item 3) against real servers on 127.0.0.1: a webhook and an ntfy
//! receiver (wiremock) and a small SMTP server written here. Each gets exactly one message for a
//! new 1★ review, nothing more after a second run or a fresh process (also when `earshot sync`
//! brings the review from a mock platform); a channel answering 500 is retried and then marked
//! failed while the others get theirs; a password never goes out without TLS.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use earshot::alerts;
use earshot::channels::{self, ChannelSpec};
use earshot::model::alerts::QuietHours;
use earshot::model::{IncomingReview, Kind};
use earshot::secrets::{MemorySecrets, Secret};
use earshot::store::Store;
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestDb;

/// What a review can say that must reach the owner as plain text, never as markup.
const BAD_REVIEW: &str = "Cold soup <b>really</b> & \"rude\" staff, *never* again.";

/// A store with one café and one review per body, each `age` old at `now`; alerts raised.
fn cafe_with_reviews(db: &TestDb, bodies: &[(&str, f64)], age: Duration, now: DateTime<Utc>) {
    let mut store = db.store();
    let business = store.add_business("Joe's Café", false).unwrap().id;
    let source = store
        .ensure_source(business, "file", "test", &serde_json::json!({}))
        .unwrap();
    let items: Vec<IncomingReview> = bodies
        .iter()
        .enumerate()
        .map(|(i, (body, stars))| IncomingReview {
            external_id: format!("r{i}"),
            platform: "google".into(),
            kind: Kind::Review,
            author: Some(format!("Customer {i}")),
            rating: Some(*stars),
            title: None,
            body: (*body).into(),
            url: Some(format!("https://maps.example.com/r{i}")),
            language: Some("en".into()),
            created_at: now - age - Duration::minutes(i as i64),
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        })
        .collect();
    store.write_reviews(source, &items).unwrap();
    alerts::check(&mut store, now).unwrap();
}

// ---------------------------------------------------------------------------------------------
// A small SMTP server: enough of RFC 5321 for lettre, optionally advertising AUTH (RFC 4954),
// never STARTTLS (RFC 3207), so the tests see what lettre sends without TLS.
// It records every command line and every message.

#[derive(Default)]
pub(crate) struct SmtpLog {
    pub(crate) commands: Vec<String>,
    pub(crate) messages: Vec<String>,
}

pub(crate) fn smtp_server() -> (u16, Arc<Mutex<SmtpLog>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(SmtpLog::default()));
    let shared = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(50) {
            let Ok(conn) = conn else { continue };
            let log = shared.clone();
            std::thread::spawn(move || {
                let _ = smtp_session(conn, &log);
            });
        }
    });
    (port, log)
}

fn smtp_session(conn: TcpStream, log: &Mutex<SmtpLog>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut out = conn.try_clone()?;
    let mut lines = BufReader::new(conn);
    out.write_all(b"220 test.local ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        log.lock().unwrap().commands.push(cmd.clone());
        let verb = cmd
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                out.write_all(b"250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")?
            }
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => out.write_all(b"250 OK\r\n")?,
            "AUTH" => out.write_all(b"235 OK\r\n")?,
            "DATA" => {
                out.write_all(b"354 go on\r\n")?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                log.lock().unwrap().messages.push(data);
                out.write_all(b"250 queued\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"502 not here\r\n")?,
        }
    }
}

/// A receiver that answers every POST with `status`, as the real ones do: ntfy takes a publish
/// as a POST of the message body to the topic URL with `Title`, `Priority`, `Tags` and `Click`
/// headers and answers 200 (docs.ntfy.sh/publish); a Slack incoming webhook answers 200 `ok`
/// (api.slack.com/messaging/webhooks) and a Discord webhook 204 (discord.com/developers/docs/
/// resources/webhook, "Execute Webhook"). The tests read what arrived, not what came back.
async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

#[tokio::test(flavor = "current_thread")]
async fn each_channel_gets_one_message_for_a_new_bad_review_and_nothing_more_after_a_rerun_or_restart(
) {
    let db = TestDb::new();
    cafe_with_reviews(&db, &[(BAD_REVIEW, 1.0)], Duration::hours(1), Utc::now());
    let webhook = receiver(200).await;
    let ntfy = receiver(200).await;
    let (smtp_port, smtp) = smtp_server();

    let hook_url = format!("{}/hook", webhook.uri());
    let topic_url = format!("{}/earshot-alerts", ntfy.uri());
    let server = format!("smtp://127.0.0.1:{smtp_port}");
    db.earshot(&["alerts", "channels", "add", "webhook", &hook_url])
        .ok();
    db.earshot(&[
        "alerts",
        "channels",
        "add",
        "ntfy",
        &topic_url,
        "--kinds",
        "new_negative",
    ])
    .ok();
    db.earshot(&[
        "alerts",
        "channels",
        "add",
        "email",
        "--to",
        "owner@example.com",
        "--server",
        &server,
        "--from",
        "earshot@example.com",
    ])
    .ok();

    // Three runs: two in fresh processes (a restart), one more in this one.
    db.earshot(&["alerts", "deliver"]).ok();
    db.earshot(&["alerts", "deliver"]).ok();
    {
        let mut store = db.store();
        let http = channels::http_client().unwrap();
        let report = channels::deliver(
            &mut store,
            &MemorySecrets::default(),
            &http,
            local(Utc::now()),
        )
        .await
        .unwrap();
        assert_eq!(report.sent, 0, "{report:?}");
    }

    let hooks = requests(&webhook).await;
    assert_eq!(hooks.len(), 1);
    let body: Value = serde_json::from_slice(&hooks[0].body).unwrap();
    assert_eq!(body["alerts"][0]["kind"], "new_negative");
    assert_eq!(body["reviews"][0]["body"], BAD_REVIEW);
    assert!(body["text"].as_str().unwrap().contains(BAD_REVIEW));

    let pushes = requests(&ntfy).await;
    assert_eq!(pushes.len(), 1);
    assert_eq!(pushes[0].url.path(), "/earshot-alerts");
    let text = String::from_utf8(pushes[0].body.clone()).unwrap();
    assert!(text.contains(BAD_REVIEW), "{text}");
    assert_eq!(pushes[0].headers["priority"], "high");
    assert!(pushes[0].headers["title"]
        .to_str()
        .unwrap()
        .starts_with("=?UTF-8?B?"));
    assert_eq!(pushes[0].headers["click"], "https://maps.example.com/r0");

    let log = smtp.lock().unwrap();
    assert_eq!(log.messages.len(), 1, "{:?}", log.commands);
    assert!(log.messages[0].contains("Content-Type: text/plain"));
    assert!(log.messages[0].contains("To: owner@example.com"));
    assert!(!log.commands.iter().any(|c| c.starts_with("AUTH")));
    drop(log);

    let list = db
        .earshot(&["alerts", "channels", "list", "--json"])
        .ok()
        .json();
    let sent: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sent"].as_i64().unwrap())
        .collect();
    assert_eq!(sent, vec![1, 1, 1]);
}

/// Issue 28 (Must show): a new 1★ review that `earshot sync` brings from a platform reaches a
/// webhook, an ntfy topic and an SMTP server in the same round, once each; a second sync and a
/// restart send nothing more, and a webhook answering 500 holds none of them up (it is retried
/// on later rounds; the test below follows it to "failed").
#[test]
fn earshot_sync_sends_a_new_one_star_review_once_to_a_webhook_an_ntfy_topic_and_an_smtp_server() {
    use wiremock::matchers::{path, query_param};

    const TP_PATH: &str = "/v1/business-units/bu-1/reviews";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let platform = rt.block_on(MockServer::start());
    let (webhook, ntfy, broken) = rt.block_on(async {
        (
            receiver(200).await,
            receiver(200).await,
            receiver(500).await,
        )
    });
    let (smtp_port, smtp) = smtp_server();
    let written =
        (Utc::now() - Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // Trustpilot's "Get a business unit's reviews" shape (developers.trustpilot.com, Business
    // Units API), as the connector tests use it.
    let review = serde_json::json!({
        "id": "tp-9", "stars": 1, "title": "Never again", "text": BAD_REVIEW,
        "createdAt": written, "consumer": {"displayName": "Sam"}, "links": [],
    });
    rt.block_on(async {
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .and(query_param("page", "1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({ "reviews": [review], "links": [] })),
            )
            .mount(&platform)
            .await;
        Mock::given(method("GET"))
            .and(path(TP_PATH))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({ "reviews": [] })),
            )
            .mount(&platform)
            .await;
    });
    let db = TestDb::new();
    db.earshot(&[
        "sources",
        "add",
        "trustpilot",
        "--business",
        "Joe's Café",
        "--set",
        "business_unit_id=bu-1",
        "--set",
        "api_key=tp-key",
        "--set",
        &format!("base_url={}", platform.uri()),
    ])
    .ok();
    let add = |args: &[&str]| {
        let mut all = vec!["alerts", "channels", "add"];
        all.extend_from_slice(args);
        db.earshot(&all).ok();
    };
    add(&["webhook", &format!("{}/broken", broken.uri())]);
    add(&["webhook", &format!("{}/hook", webhook.uri())]);
    add(&["ntfy", &format!("{}/earshot-alerts", ntfy.uri())]);
    let server = format!("smtp://127.0.0.1:{smtp_port}");
    add(&[
        "email",
        "--to",
        "owner@example.com",
        "--server",
        &server,
        "--from",
        "earshot@example.com",
    ]);

    let synced = db.earshot(&["sync", "--json"]).ok().json();
    assert_eq!(synced["new"], 1, "{synced}");
    let count = |s: &MockServer| rt.block_on(requests(s)).len();
    assert_eq!(count(&webhook), 1, "one message for the new 1★ review");
    assert_eq!(count(&ntfy), 1);
    assert_eq!(smtp.lock().unwrap().messages.len(), 1);
    assert_eq!(count(&broken), 1, "tried once in this round");
    let hook: Value = serde_json::from_slice(&rt.block_on(requests(&webhook))[0].body).unwrap();
    assert_eq!(hook["reviews"][0]["body"], BAD_REVIEW);

    // A second round in a new process, and a third after it (a restart), send nothing more.
    db.earshot(&["sync", "--json"]).ok();
    db.earshot(&["sync", "--json"]).ok();
    assert_eq!(count(&webhook), 1);
    assert_eq!(count(&ntfy), 1);
    assert_eq!(smtp.lock().unwrap().messages.len(), 1);
    let list = db
        .earshot(&["alerts", "channels", "list", "--json"])
        .ok()
        .json();
    let figures: Vec<(i64, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["sent"].as_i64().unwrap(), c["pending"].as_i64().unwrap()))
        .collect();
    // The broken webhook waits for its retry (a minute's backoff); the others are done.
    assert_eq!(figures, vec![(0, 1), (1, 0), (1, 0), (1, 0)]);
    assert!(list[0]["last_error"].as_str().unwrap().contains("500"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_channel_answering_500_is_retried_then_marked_failed_and_the_others_still_get_theirs() {
    let db = TestDb::new();
    let t0 = Utc::now();
    cafe_with_reviews(
        &db,
        &[(BAD_REVIEW, 1.0), ("Rude again.", 2.0)],
        Duration::minutes(30),
        t0,
    );
    let broken = receiver(500).await;
    let fine = receiver(200).await;
    let mut store = db.store();
    let secrets = MemorySecrets::default();
    let add = |url: String| {
        let spec = ChannelSpec {
            kind: "webhook".into(),
            target: url,
            ..ChannelSpec::default()
        };
        channels::add_channel(&store, &secrets, &spec, None, t0).unwrap()
    };
    let broken_id = add(broken.uri()).id;
    let fine_id = add(fine.uri()).id;
    let http = channels::http_client().unwrap();
    // Runs a minute apart, then far enough apart for every backoff.
    for minutes in [0, 1, 2, 8, 40, 41, 120, 240] {
        let now = local(t0 + Duration::minutes(minutes));
        channels::deliver(&mut store, &secrets, &http, now)
            .await
            .unwrap();
    }
    assert_eq!(requests(&fine).await.len(), 2);
    // Each alert tried MAX_ATTEMPTS times, one try a run, then given up.
    assert_eq!(
        requests(&broken).await.len(),
        2 * channels::MAX_ATTEMPTS as usize
    );
    let b = store.alert_channel(broken_id).unwrap().unwrap();
    assert_eq!((b.sent, b.pending, b.failed), (0, 0, 2));
    assert!(b.last_error.unwrap().contains("500"));
    let f = store.alert_channel(fine_id).unwrap().unwrap();
    assert_eq!((f.sent, f.failed, f.last_error), (2, 0, None));
}

#[tokio::test(flavor = "current_thread")]
async fn a_password_is_never_sent_without_tls_nor_kept_in_the_database() {
    let db = TestDb::new();
    cafe_with_reviews(&db, &[(BAD_REVIEW, 1.0)], Duration::hours(1), Utc::now());
    let (port, smtp) = smtp_server();
    let mut store = db.store();
    let secrets = MemorySecrets::default();
    let password = Secret::new("hunter2-smtp-password");
    let spec = ChannelSpec {
        kind: "email".into(),
        target: "owner@example.com".into(),
        server: Some(format!("smtp://127.0.0.1:{port}")),
        user: Some("owner".into()),
        ..ChannelSpec::default()
    };
    let channel =
        channels::add_channel(&store, &secrets, &spec, Some(&password), Utc::now()).unwrap();
    let http = channels::http_client().unwrap();
    let report = channels::deliver(&mut store, &secrets, &http, local(Utc::now()))
        .await
        .unwrap();
    assert_eq!(report.sent, 0);
    let log = smtp.lock().unwrap();
    assert!(log.messages.is_empty());
    assert!(
        !log.commands
            .iter()
            .any(|c| c.to_ascii_uppercase().starts_with("AUTH")),
        "{:?}",
        log.commands
    );
    drop(log);
    let c = store.alert_channel(channel.id).unwrap().unwrap();
    assert!(c.last_error.unwrap().contains("TLS"));
    drop(store);
    let file = std::fs::read(db.path()).unwrap();
    let needle = password.expose().as_bytes();
    assert!(!file.windows(needle.len()).any(|w| w == needle));
}

#[tokio::test(flavor = "current_thread")]
async fn alerts_about_history_older_than_a_day_are_listed_not_sent() {
    let db = TestDb::new();
    let now = Utc::now();
    cafe_with_reviews(&db, &[(BAD_REVIEW, 1.0)], Duration::days(3), now);
    let hook = receiver(200).await;
    let mut store = db.store();
    let secrets = MemorySecrets::default();
    let spec = ChannelSpec {
        kind: "webhook".into(),
        target: hook.uri(),
        ..ChannelSpec::default()
    };
    channels::add_channel(&store, &secrets, &spec, None, now).unwrap();
    let http = channels::http_client().unwrap();
    channels::deliver(&mut store, &secrets, &http, local(now))
        .await
        .unwrap();
    assert!(!store.alerts(&Default::default()).unwrap().is_empty());
    assert!(requests(&hook).await.is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn quiet_hours_hold_messages_until_they_end_and_a_digest_sends_one_message_a_day() {
    let db = TestDb::new();
    // 23:30 UTC on some day: inside 22-7 quiet hours, before an 08:00 digest.
    let night = Utc::now()
        .date_naive()
        .and_hms_opt(23, 30, 0)
        .unwrap()
        .and_utc()
        - Duration::days(1);
    let secrets = MemorySecrets::default();
    let quiet = receiver(200).await;
    let digest = receiver(200).await;
    {
        let store = db.store();
        store.add_business("Joe's Café", false).unwrap();
    }
    cafe_reviews_at(&db, night - Duration::minutes(20), 3);
    let mut store = db.store();
    let add = |url: String, q: Option<QuietHours>, d: Option<u8>| {
        let spec = ChannelSpec {
            kind: "webhook".into(),
            target: url,
            quiet_hours: q,
            digest_hour: d,
            ..ChannelSpec::default()
        };
        channels::add_channel(&store, &secrets, &spec, None, night).unwrap()
    };
    add(
        quiet.uri(),
        Some(QuietHours {
            start_hour: 22,
            end_hour: 7,
        }),
        None,
    );
    add(digest.uri(), None, Some(8));
    let http = channels::http_client().unwrap();
    for t in [night, night + Duration::hours(3)] {
        channels::deliver(&mut store, &secrets, &http, local(t))
            .await
            .unwrap();
    }
    assert!(requests(&quiet).await.is_empty());
    assert!(requests(&digest).await.is_empty());
    // 07:30: the quiet hours are over; 08:30: the digest is due, once.
    for t in [
        night + Duration::hours(8),
        night + Duration::hours(9),
        night + Duration::hours(10),
    ] {
        channels::deliver(&mut store, &secrets, &http, local(t))
            .await
            .unwrap();
    }
    assert_eq!(requests(&quiet).await.len(), 3);
    let digests = requests(&digest).await;
    assert_eq!(digests.len(), 1);
    let body: Value = serde_json::from_slice(&digests[0].body).unwrap();
    assert_eq!(body["alerts"].as_array().unwrap().len(), 3);
}

/// `n` 1★ reviews of the café around `at`, and their alerts raised as of `at`.
fn cafe_reviews_at(db: &TestDb, at: DateTime<Utc>, n: usize) {
    let mut store: Store = db.store();
    let business = store.business_by_name("Joe's Café").unwrap().id;
    let source = store
        .ensure_source(business, "file", "test", &serde_json::json!({}))
        .unwrap();
    let items: Vec<IncomingReview> = (0..n)
        .map(|i| IncomingReview {
            external_id: format!("n{i}"),
            platform: "google".into(),
            kind: Kind::Review,
            author: None,
            rating: Some(1.0),
            title: None,
            body: format!("Bad night number {i}."),
            url: None,
            language: Some("en".into()),
            created_at: at + Duration::minutes(i as i64),
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        })
        .collect();
    store.write_reviews(source, &items).unwrap();
    alerts::check(&mut store, at + Duration::minutes(10)).unwrap();
}

#[test]
fn two_processes_delivering_at_once_send_each_alert_once() {
    let db = TestDb::new();
    let now = Utc::now();
    let bodies: Vec<(String, f64)> = (0..6).map(|i| (format!("Awful visit {i}."), 1.0)).collect();
    let refs: Vec<(&str, f64)> = bodies.iter().map(|(b, s)| (b.as_str(), *s)).collect();
    cafe_with_reviews(&db, &refs, Duration::minutes(5), now);
    // wiremock serves from a thread of its own; this runtime only starts and queries it.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let hook = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200).set_delay(std::time::Duration::from_millis(30)),
            )
            .mount(&server)
            .await;
        server
    });
    {
        let store = db.store();
        let spec = ChannelSpec {
            kind: "webhook".into(),
            target: hook.uri(),
            ..ChannelSpec::default()
        };
        channels::add_channel(&store, &MemorySecrets::default(), &spec, None, now).unwrap();
    }
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let path = db.path().to_path_buf();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let http = channels::http_client().unwrap();
                rt.block_on(channels::deliver(
                    &mut store,
                    &MemorySecrets::default(),
                    &http,
                    local(now),
                ))
                .unwrap()
                .alerts_sent
            })
        })
        .collect();
    let sent: usize = runs.into_iter().map(|r| r.join().unwrap()).sum();
    let alerts = db.store().alerts(&Default::default()).unwrap().len();
    assert_eq!(sent, alerts);
    assert_eq!(rt.block_on(requests(&hook)).len(), alerts);
}

#[tokio::test(flavor = "current_thread")]
async fn channels_are_tested_listed_and_removed_from_the_command_line() {
    let db = TestDb::new();
    db.store();
    let hook = receiver(200).await;
    let added = db
        .earshot(&[
            "alerts",
            "channels",
            "add",
            "webhook",
            &hook.uri(),
            "--format",
            "slack",
            "--quiet-hours",
            "22-7",
            "--digest-hour",
            "18",
            "--json",
        ])
        .ok()
        .json();
    let id = added["id"].as_i64().unwrap().to_string();
    assert_eq!(added["settings"]["format"], "slack");
    assert_eq!(added["quiet_hours"]["start_hour"], 22);
    assert_eq!(added["digest_hour"], 18);

    db.earshot(&["alerts", "channels", "test", &id]).ok();
    let sent = requests(&hook).await;
    assert_eq!(sent.len(), 1);
    let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(body["mrkdwn"], false);

    let listed = db.earshot(&["alerts", "channels", "list"]).ok().stdout();
    assert!(listed.contains("daily digest at 18:00"), "{listed}");

    // Plain http to another computer, an unknown kind of alert: refused, nothing stored.
    let refused = db
        .earshot(&[
            "alerts",
            "channels",
            "add",
            "webhook",
            "http://hooks.example.com/x",
        ])
        .fails();
    assert!(refused.stderr().contains("https"), "{}", refused.stderr());
    db.earshot(&[
        "alerts",
        "channels",
        "add",
        "ntfy",
        "https://ntfy.sh/t",
        "--kinds",
        "nonsense",
    ])
    .fails();
    db.earshot(&["alerts", "channels", "remove", &id]).ok();
    let after = db
        .earshot(&["alerts", "channels", "list", "--json"])
        .ok()
        .json();
    assert_eq!(after, serde_json::json!([]));
}

#[tokio::test(flavor = "current_thread")]
async fn smtps_to_a_server_without_tls_sends_nothing() {
    let db = TestDb::new();
    cafe_with_reviews(&db, &[(BAD_REVIEW, 1.0)], Duration::hours(1), Utc::now());
    let (port, smtp) = smtp_server();
    let mut store = db.store();
    let secrets = MemorySecrets::default();
    let spec = ChannelSpec {
        kind: "email".into(),
        target: "owner@example.com".into(),
        server: Some(format!("smtps://127.0.0.1:{port}")),
        user: Some("owner".into()),
        ..ChannelSpec::default()
    };
    let password = Secret::new("hunter2-smtp-password");
    let channel =
        channels::add_channel(&store, &secrets, &spec, Some(&password), Utc::now()).unwrap();
    let http = channels::http_client().unwrap();
    let report = channels::deliver(&mut store, &secrets, &http, local(Utc::now()))
        .await
        .unwrap();
    assert_eq!(report.sent, 0);
    let log = smtp.lock().unwrap();
    assert!(log.messages.is_empty());
    assert!(!log
        .commands
        .iter()
        .any(|c| c.contains("AUTH") || c.contains("MAIL")));
    drop(log);
    let c = store.alert_channel(channel.id).unwrap().unwrap();
    assert!(c.last_error.is_some());
    assert_eq!(c.sent, 0);
}

/// Issue 28: a dismissed alert is never delivered, even one already waiting for quiet hours
/// to end.
#[tokio::test(flavor = "current_thread")]
async fn a_dismissed_alert_waiting_for_quiet_hours_to_end_is_never_sent() {
    let db = TestDb::new();
    let night = Utc::now()
        .date_naive()
        .and_hms_opt(23, 30, 0)
        .unwrap()
        .and_utc()
        - Duration::days(1);
    let secrets = MemorySecrets::default();
    let quiet = receiver(200).await;
    {
        let store = db.store();
        store.add_business("Joe's Café", false).unwrap();
    }
    cafe_reviews_at(&db, night - Duration::minutes(20), 2);
    let mut store = db.store();
    let spec = ChannelSpec {
        kind: "webhook".into(),
        target: quiet.uri(),
        quiet_hours: Some(QuietHours {
            start_hour: 22,
            end_hour: 7,
        }),
        ..ChannelSpec::default()
    };
    channels::add_channel(&store, &secrets, &spec, None, night).unwrap();
    let http = channels::http_client().unwrap();
    channels::deliver(&mut store, &secrets, &http, local(night))
        .await
        .unwrap();
    let waiting = store.alerts(&Default::default()).unwrap();
    assert_eq!(waiting.len(), 2);
    alerts::set_state(
        &store,
        waiting[0].id,
        earshot::model::alerts::AlertState::Dismissed,
    )
    .unwrap();
    channels::deliver(
        &mut store,
        &secrets,
        &http,
        local(night + Duration::hours(8)),
    )
    .await
    .unwrap();
    let sent = requests(&quiet).await;
    assert_eq!(sent.len(), 1, "only the alert not dismissed");
}

#[tokio::test(flavor = "current_thread")]
async fn a_restored_file_whose_channel_sends_elsewhere_is_paused_until_the_owner_confirms_it() {
    // Issue 33: a restored database's channel rows went out as they were, so a file edited to
    // point a webhook at someone else sent them the owner's alerts (and an e-mail channel's
    // server would have been handed the password).
    let db = TestDb::new();
    cafe_with_reviews(&db, &[(BAD_REVIEW, 1.0)], Duration::hours(1), Utc::now());
    let owners = receiver(200).await;
    let strangers = receiver(200).await;
    let own_url = format!("{}/hook", owners.uri());
    let their_url = format!("{}/collect", strangers.uri());
    db.earshot(&["alerts", "channels", "add", "webhook", &own_url])
        .ok();
    // A copy of the owner's own database whose channel now sends elsewhere.
    let crafted = db.dir.path().join("crafted.db");
    db.store().backup_to(&crafted).unwrap();
    rusqlite::Connection::open(&crafted)
        .unwrap()
        .execute("UPDATE alert_channels SET target = ?1", [&their_url])
        .unwrap();
    let mut store = db.store();
    earshot::backup::restore(&mut store, &crafted).unwrap();

    let http = channels::http_client().unwrap();
    let secrets = MemorySecrets::default();
    let report = channels::deliver(&mut store, &secrets, &http, local(Utc::now()))
        .await
        .unwrap();
    assert_eq!(report.sent, 0, "{report:?}");
    assert_eq!(report.unconfirmed_channels, vec![1]);
    assert!(requests(&strangers).await.is_empty());
    let why = store.alert_channels().unwrap()[0]
        .unconfirmed
        .clone()
        .unwrap();
    assert!(why.contains(&their_url) && why.contains(&own_url), "{why}");
    // A test message is refused too.
    let e = channels::test_channel(&store, &secrets, &http, 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("confirm"), "{e}");
    assert!(requests(&strangers).await.is_empty());
    let listed = db.earshot(&["alerts", "channels", "list"]).ok().stdout();
    assert!(listed.contains("paused"), "{listed}");

    // The owner checks and confirms: it is the channel they want after all.
    db.earshot(&["alerts", "channels", "confirm", "1"]).ok();
    let report = channels::deliver(&mut store, &secrets, &http, local(Utc::now()))
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(requests(&strangers).await.len(), 1);

    // Restoring the owner's own backup keeps a channel trusted.
    let own_backup = db.dir.path().join("own.db");
    store.backup_to(&own_backup).unwrap();
    earshot::backup::restore(&mut store, &own_backup).unwrap();
    assert!(store.alert_channels().unwrap()[0].unconfirmed.is_none());
}
