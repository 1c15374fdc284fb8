//! Alert channels, deliveries, each person's notifications and `earshot watch` on the team store
//! (issue 31): the same deliveries on a database file and on a real PostgreSQL database (the
//! throwaway cluster), to a real webhook receiver and SMTP server on 127.0.0.1; two seats
//! delivering at once send each message once; a seat without an e-mail channel's password leaves
//! it to one that holds it; each person is told of an alert once, by their own seat, enforced by
//! the database; a watcher on a team database sends a reply another seat queued within seconds.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Span, Utc};
use earshot::actions::sync::{sync_round_at, RoundOptions};
use earshot::channels::{self, ChannelError, ChannelSpec, DeliverReport};
use earshot::model::alerts::AlertFilter;
use earshot::model::replies::ReplyState;
use earshot::model::{IncomingReview, Kind, ReviewId};
use earshot::replies;
use earshot::secrets::{MemorySecrets, Secret};
use earshot::store::postgres::{cluster, PgStore, Role};
use earshot::store::{AlertStore, ChannelStore, Db, DbLocation, ReplyStore};
use earshot::sync::{no_events, Selection};
use postgres::{Client, NoTls};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestDb;
use crate::team_store::both_stores;

const CAFE: &str = "Joe's Café";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn team(url: &str) -> Db {
    Db::open(&DbLocation::parse(Path::new(url))).unwrap()
}

/// A login of the team's database (the test cluster trusts its loopback connections, so the
/// password is not checked there: what is tested is what the role may do).
fn as_user(url: &str, user: &str) -> String {
    url.replacen(
        "postgresql://postgres@",
        &format!("postgresql://{user}@"),
        1,
    )
}

/// `n` one-star reviews of the café, half an hour old at `now`, from a source of `connector`
/// with `settings`; their ids, in order.
fn bad_reviews(
    db: &mut Db,
    n: usize,
    now: DateTime<Utc>,
    connector: &str,
    settings: &Value,
) -> Vec<ReviewId> {
    let business = db.ensure_business(CAFE).unwrap();
    let items: Vec<IncomingReview> = (0..n)
        .map(|i| IncomingReview {
            external_id: format!("r{i}"),
            platform: "google".into(),
            kind: Kind::Review,
            author: Some(format!("Customer {i}")),
            rating: Some(1.0),
            title: None,
            body: format!("Awful visit number {i}: cold soup <b>and</b> a rude waiter."),
            url: Some(format!("https://maps.example.com/r{i}")),
            language: Some("en".into()),
            created_at: now - Span::minutes(30 + i as i64),
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        })
        .collect();
    match &mut *db {
        Db::Sqlite(s) => {
            let source = s
                .ensure_source(business.id, connector, "test", settings)
                .unwrap();
            s.write_reviews(source, &items).unwrap();
        }
        Db::Postgres(p) => {
            let source = p
                .ensure_source(business.id, connector, "test", settings)
                .unwrap();
            p.write_reviews(source, &items).unwrap();
        }
    }
    let listed = db
        .list_reviews(&earshot::store::ReviewFilter::default())
        .unwrap();
    (0..n)
        .map(|i| {
            let e = format!("r{i}");
            listed.iter().find(|r| r.external_id == e).unwrap().id
        })
        .collect()
}

/// The café's bad evening, its alerts raised; how many there are.
fn bad_evening(db: &mut Db, n: usize, now: DateTime<Utc>) -> usize {
    bad_reviews(db, n, now, "file", &json!({}));
    earshot::alerts::check(db, now).unwrap();
    db.alerts(&AlertFilter::default()).unwrap().len()
}

/// A webhook receiver answering every POST with 200 after `delay`, as a Slack incoming webhook
/// answers (api.slack.com/messaging/webhooks); the tests read what arrived.
fn receiver(rt: &tokio::runtime::Runtime, delay: Duration) -> MockServer {
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_delay(delay))
            .mount(&server)
            .await;
        server
    })
}

fn webhook(uri: &str) -> ChannelSpec {
    ChannelSpec {
        kind: "webhook".into(),
        target: uri.to_owned(),
        format: Some("slack".into()),
        ..ChannelSpec::default()
    }
}

fn deliver(rt: &tokio::runtime::Runtime, db: &mut Db, secrets: &MemorySecrets) -> DeliverReport {
    let http = channels::http_client().unwrap();
    rt.block_on(channels::deliver(
        db,
        secrets,
        &http,
        Utc::now().fixed_offset(),
    ))
    .unwrap()
}

/// A channel as listed, without its times (each store made its own).
fn listed_without_times(db: &Db, id: i64) -> Value {
    let mut v =
        serde_json::to_value(ChannelStore::alert_channel(db, id).unwrap().unwrap()).unwrap();
    for k in ["created_at", "last_sent_at"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

#[test]
fn each_alert_reaches_a_webhook_once_and_the_same_on_both_stores() {
    let rt = runtime();
    let hook = receiver(&rt, Duration::ZERO);
    let test = TestDb::new();
    let now = Utc::now();
    let mut results = Vec::new();
    for mut db in both_stores(&test, "channels_same") {
        let alerts = bad_evening(&mut db, 3, now);
        assert!(alerts >= 3, "{}: {alerts}", db.location());
        let secrets = MemorySecrets::default();
        let channel =
            channels::add_channel(&db, &secrets, &webhook(&hook.uri()), None, now).unwrap();
        let first = deliver(&rt, &mut db, &secrets);
        assert_eq!(
            (first.sent, first.alerts_sent),
            (alerts, alerts),
            "{}",
            db.location()
        );
        // A rerun, and a fresh connection, send nothing more.
        assert_eq!(deliver(&rt, &mut db, &secrets), DeliverReport::default());
        let mut reopened = match &db {
            Db::Sqlite(_) => Db::open(&DbLocation::File(test.path().to_owned())).unwrap(),
            Db::Postgres(_) => team(&cluster_url(&db)),
        };
        assert_eq!(
            deliver(&rt, &mut reopened, &secrets),
            DeliverReport::default()
        );
        let deliveries = db.alert_deliveries(channel.id).unwrap();
        assert_eq!(deliveries.len(), alerts);
        assert!(deliveries
            .iter()
            .all(|d| d.state == "sent" && d.attempts == 1 && d.last_error.is_none()));
        let listed = listed_without_times(&db, channel.id);
        assert_eq!(listed["sent"], alerts as i64);
        let http = channels::http_client().unwrap();
        rt.block_on(channels::test_channel(&db, &secrets, &http, channel.id))
            .unwrap();
        channels::confirm_channel(&db, channel.id).unwrap();
        channels::remove_channel(&db, &secrets, channel.id).unwrap();
        assert!(db.alert_channels().unwrap().is_empty());
        assert!(matches!(
            channels::remove_channel(&db, &secrets, channel.id),
            Err(ChannelError::Unknown(_))
        ));
        results.push((listed, first, db.location()));
    }
    let (file, team) = (&results[0], &results[1]);
    assert_eq!(
        (&file.0, &file.1),
        (&team.0, &team.1),
        "{} vs {}",
        file.2,
        team.2
    );
    // The same messages reached the receiver from each store: each alert once, then the test.
    let bodies: Vec<String> = rt
        .block_on(hook.received_requests())
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    let per_store = file.1.sent + 1;
    assert_eq!(bodies.len(), 2 * per_store);
    assert_eq!(bodies[..per_store], bodies[per_store..]);
    assert!(
        bodies[0].contains("cold soup <b>and</b>") || bodies[0].contains("cold soup &lt;b&gt;"),
        "{}",
        bodies[0]
    );
}

/// The connection URL of a team `Db` opened by `both_stores` (its location is the URL without
/// a password, and the cluster's has none).
fn cluster_url(db: &Db) -> String {
    db.location()
}

/// Two seats delivering the team's channels at the same moment: each alert reaches the webhook
/// exactly once, whichever seat sent it.
#[test]
fn two_seats_delivering_at_once_send_each_message_once_for_the_team() {
    let rt = runtime();
    let hook = receiver(&rt, Duration::from_millis(40));
    let url = cluster::fresh_database("channels_two_seats");
    let now = Utc::now();
    let alerts = {
        let mut db = team(&url);
        let alerts = bad_evening(&mut db, 8, now);
        channels::add_channel(
            &db,
            &MemorySecrets::default(),
            &webhook(&hook.uri()),
            None,
            now,
        )
        .unwrap();
        alerts
    };
    let barrier = Arc::new(Barrier::new(2));
    let seats: Vec<_> = (0..2)
        .map(|_| {
            let (url, barrier) = (url.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut seat = team(&url);
                barrier.wait();
                deliver(&runtime(), &mut seat, &MemorySecrets::default()).alerts_sent
            })
        })
        .collect();
    let sent: Vec<usize> = seats.into_iter().map(|s| s.join().unwrap()).collect();
    eprintln!("the seats sent {sent:?} of {alerts} alerts");
    assert_eq!(sent.iter().sum::<usize>(), alerts, "seats sent {sent:?}");
    let received = rt.block_on(hook.received_requests()).unwrap().len();
    assert_eq!(received, alerts, "each message reached the webhook once");
    let db = team(&url);
    let deliveries = db.alert_deliveries(1).unwrap();
    assert!(deliveries
        .iter()
        .all(|d| d.state == "sent" && d.attempts == 1));
}

/// An e-mail channel's password stays in the keyring of the seats that send: never in the team
/// database; a seat without it leaves the deliveries pending (not failed, not claimed) for a seat
/// that holds it, which then claims and sends them (here to a test server without TLS, to which
/// the password is refused: the claim and the attempt are what is shown).
#[test]
fn a_seat_without_the_password_leaves_the_email_to_one_that_holds_it() {
    let rt = runtime();
    let url = cluster::fresh_database("channels_password");
    let now = Utc::now();
    let mut db = team(&url);
    let alerts = bad_evening(&mut db, 1, now);
    let (port, smtp) = crate::channels::smtp_server();
    let password = Secret::new("pw-team-smtp-31415");
    let holder = MemorySecrets::default();
    let spec = ChannelSpec {
        kind: "email".into(),
        target: "team@example.com".into(),
        server: Some(format!("smtp://127.0.0.1:{port}")),
        user: Some("team".into()),
        ..ChannelSpec::default()
    };
    let channel = channels::add_channel(&db, &holder, &spec, Some(&password), now).unwrap();
    let mut raw = Client::connect(&url, NoTls).unwrap();
    let stored: String = raw
        .query_one(
            "SELECT string_agg(row_to_json(c)::text, ',') FROM alert_channels c",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(stored.contains("team@example.com"));
    assert!(!stored.contains(password.expose()), "{stored}");

    let without = MemorySecrets::default();
    let waiting = deliver(&rt, &mut db, &without);
    assert_eq!(waiting.waiting_channels, vec![channel.id]);
    assert_eq!((waiting.sent, waiting.retrying, waiting.failed), (0, 0, 0));
    let pending = db.alert_deliveries(channel.id).unwrap();
    assert_eq!(pending.len(), alerts);
    assert!(pending
        .iter()
        .all(|d| d.state == "pending" && d.attempts == 0 && d.last_error.is_none()));
    assert!(smtp.lock().unwrap().commands.is_empty(), "nothing was sent");

    let tried = deliver(&rt, &mut db, &holder);
    assert!(tried.waiting_channels.is_empty());
    assert_eq!(tried.retrying + tried.failed, alerts);
    let attempted = db.alert_deliveries(channel.id).unwrap();
    assert!(attempted
        .iter()
        .all(|d| d.attempts == 1 && d.last_error.as_deref().is_some_and(|e| e.contains("TLS"))));
    let log = smtp.lock().unwrap();
    assert!(!log
        .commands
        .iter()
        .any(|c| c.to_ascii_uppercase().starts_with("AUTH")));
}

/// Each person is told of an alert once, by their own seat: one's seat marking an alert notified
/// leaves it news to the others; and the database itself keeps a person to their own marks, even
/// with hand-written SQL. A reminder (raised again) is news to everyone once more.
#[test]
fn each_person_is_notified_once_by_their_own_seat() {
    let url = cluster::fresh_database("channels_notified");
    let now = Utc::now();
    let alerts = bad_evening(&mut team(&url), 2, now);
    let owner = PgStore::open(&url).unwrap();
    owner.team_init().unwrap();
    owner
        .invite("notify_ann", Role::Manager, None, "pw-ann")
        .unwrap();
    owner
        .invite("notify_ben", Role::Staff, None, "pw-ben")
        .unwrap();
    let ann = PgStore::open(&as_user(&url, "notify_ann")).unwrap();
    let ben = PgStore::open(&as_user(&url, "notify_ben")).unwrap();
    let unnotified = |s: &PgStore| {
        s.alerts(&AlertFilter {
            unnotified: true,
            ..AlertFilter::default()
        })
        .unwrap()
        .len()
    };
    assert_eq!(unnotified(&ann), alerts);
    assert_eq!(unnotified(&ben), alerts);
    let ids: Vec<i64> = ann
        .alerts(&AlertFilter::default())
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    ann.mark_alerts_notified(&ids, now.timestamp()).unwrap();
    // Marking twice keeps the first time.
    ann.mark_alerts_notified(&ids, now.timestamp() + 60)
        .unwrap();
    assert_eq!(unnotified(&ann), 0);
    assert_eq!(unnotified(&ben), alerts, "Ann's seat told Ann, not Ben");
    assert_eq!(unnotified(&owner), alerts);
    let as_ann = ann.alert(ids[0]).unwrap().unwrap();
    assert_eq!(
        as_ann.notified_at.map(|t| t.timestamp()),
        Some(now.timestamp())
    );
    assert_eq!(ben.alert(ids[0]).unwrap().unwrap().notified_at, None);
    // Staff are notified too (their only other writes are drafts).
    ben.mark_alerts_notified(&ids[..1], now.timestamp())
        .unwrap();
    assert_eq!(unnotified(&ben), alerts - 1);

    // Ben's own login, by hand: he sees and changes only his own marks.
    let mut by_hand = Client::connect(&as_user(&url, "notify_ben"), NoTls).unwrap();
    let seen: i64 = by_hand
        .query_one("SELECT count(*) FROM alert_notifications", &[])
        .unwrap()
        .get(0);
    assert_eq!(seen, 1);
    let forged = by_hand
        .execute(
            "INSERT INTO alert_notifications (alert_id, person, notified_at)
             VALUES ($1, 'notify_cat', 0)",
            &[&ids[1]],
        )
        .unwrap_err();
    assert!(
        forged.to_string().contains("row-level security")
            || forged
                .as_db_error()
                .is_some_and(|d| d.message().contains("row-level security")),
        "{forged}"
    );
    let changed = by_hand
        .execute(
            "UPDATE alert_notifications SET notified_at = 0 WHERE person = 'notify_ann'",
            &[],
        )
        .unwrap();
    assert_eq!(changed, 0);
    assert_eq!(
        by_hand
            .execute("DELETE FROM alert_notifications", &[])
            .unwrap(),
        1
    );
    assert_eq!(unnotified(&ann), 0, "Ann's marks are untouched");
    // Only those who raise alerts forget everyone's marks (a reminder), not staff.
    assert!(by_hand
        .execute("SELECT earshot_renotify($1)", &[&ids[0]])
        .is_err());
    let mut manager = Client::connect(&as_user(&url, "notify_ann"), NoTls).unwrap();
    manager
        .execute("SELECT earshot_renotify($1)", &[&ids[0]])
        .unwrap();
    assert_eq!(unnotified(&ann), 1);
}

/// The sync round on a team database delivers the team's channels: the alerts it raises reach
/// the webhook in the same round.
#[test]
fn the_round_on_a_team_database_delivers_the_alerts_it_raises() {
    let rt = runtime();
    let hook = receiver(&rt, Duration::ZERO);
    let url = cluster::fresh_database("channels_round");
    let now = Utc::now();
    {
        let mut db = team(&url);
        bad_reviews(&mut db, 2, now, "file", &json!({}));
        channels::add_channel(
            &db,
            &MemorySecrets::default(),
            &webhook(&hook.uri()),
            None,
            now,
        )
        .unwrap();
    }
    let location = DbLocation::parse(Path::new(&url));
    let report = rt
        .block_on(sync_round_at(
            &location,
            Arc::new(MemorySecrets::default()),
            Selection::Ids(Vec::new()),
            &RoundOptions::default(),
            no_events(),
            now.fixed_offset(),
        ))
        .unwrap();
    assert_eq!(report.channels_error, None);
    assert!(!report.round.new_alerts.is_empty());
    assert_eq!(report.channels.alerts_sent, report.round.new_alerts.len());
    let received = rt.block_on(hook.received_requests()).unwrap().len();
    assert_eq!(received, report.round.new_alerts.len());
}

/// `earshot alerts channels …` and `earshot alerts deliver` with `--db postgresql://…` print
/// what they print on a file (times aside), and send the same messages.
#[test]
fn the_channel_commands_print_the_same_on_a_team_database() {
    let rt = runtime();
    let hook = receiver(&rt, Duration::ZERO);
    let test = TestDb::new();
    let url = cluster::fresh_database("channels_cli");
    let file = test.path().display().to_string();
    let now = Utc::now();
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    for i in 0..3 {
        csv.push_str(&format!(
            "c{i},google,Guest {i},1,,\"Cold soup, rude waiter #{i}\",{},\n",
            (now - Span::minutes(40 + i)).to_rfc3339()
        ));
    }
    let csv = test.file("evening.csv", &csv);
    let run = |db: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("EARSHOT_DB")
            .env("XDG_DATA_HOME", test.dir.path())
            .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
            .env("TZ", "UTC")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "earshot {args:?} on {db}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let without_times = |s: &str| -> String {
        let mut v: Value = serde_json::from_str(s).unwrap();
        let mut strip = |o: &mut Value| {
            if let Some(o) = o.as_object_mut() {
                o.remove("created_at");
                o.remove("last_sent_at");
            }
        };
        match &mut v {
            Value::Array(items) => items.iter_mut().for_each(&mut strip),
            other => strip(other),
        }
        v.to_string()
    };
    let uri = hook.uri();
    let steps: Vec<(Vec<&str>, bool)> = vec![
        (
            vec!["import", csv.to_str().unwrap(), "--business", CAFE],
            false,
        ),
        (vec!["alerts", "check", "--json"], false),
        (vec!["alerts", "channels"], false),
        (
            vec![
                "alerts",
                "channels",
                "add",
                "webhook",
                &uri,
                "--format",
                "slack",
                "--kinds",
                "new_negative",
                "--quiet-hours",
                "3-3",
                "--json",
            ],
            true,
        ),
        (vec!["alerts", "channels", "list", "--json"], true),
        (vec!["alerts", "deliver", "--json"], false),
        (vec!["alerts", "deliver"], false),
        (vec!["alerts", "channels", "list"], false),
        (vec!["alerts", "channels", "--json"], true),
        (vec!["alerts", "channels", "test", "1"], false),
        (vec!["alerts", "channels", "confirm", "1"], false),
        (vec!["alerts", "channels", "remove", "1"], false),
        (vec!["alerts", "channels", "list", "--json"], false),
    ];
    for (step, has_times) in &steps {
        let on_file = run(&file, step);
        let on_team = run(&url, step);
        if step[0] == "import" || step[1] == "check" {
            continue;
        }
        if *has_times {
            assert_eq!(
                without_times(&on_file),
                without_times(&on_team),
                "earshot {step:?}"
            );
        } else {
            assert_eq!(on_file, on_team, "earshot {step:?}");
        }
    }
    let bodies: Vec<String> = rt
        .block_on(hook.received_requests())
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    // Per store: one message per new negative review, then the test.
    assert_eq!(bodies.len(), 2 * 4, "{bodies:#?}");
    let mut from_file = bodies.clone();
    from_file.sort();
    from_file.dedup();
    assert_eq!(
        from_file.len(),
        4,
        "both stores sent the same four messages"
    );
    // An unknown channel says so on both.
    for db in [&file, &url] {
        let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
            .args(["--db", db, "alerts", "channels", "remove", "9"])
            .env_remove("EARSHOT_DB")
            .env("XDG_DATA_HOME", test.dir.path())
            .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no alert channel with id 9"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// `earshot watch` on a team database.

const REPLY: &str = "Dana, I'm so sorry about the wait. Please email me at joe@joescafe.com. — Joe";

/// Where Google Business Profile takes a reply: `PUT /v4/accounts/{account}/locations/
/// {location}/reviews/{review}/reply` (My Business API v4, accounts.locations.reviews.
/// updateReply; shared/PLATFORMS.md), as `tests/replies.rs` serves it.
fn gbp_path(external_id: &str) -> String {
    format!("/v4/accounts/11/locations/22/reviews/{external_id}/reply")
}

/// `earshot --db URL watch --json ARGS…` in the background with a platform token in its
/// environment, and its rounds' JSON lines as they come.
fn spawn_watch(test: &TestDb, url: &str, args: &[&str]) -> (Child, mpsc::Receiver<Value>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", url, "watch", "--json"])
        .args(args)
        .env_remove("EARSHOT_DB")
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env("EARSHOT_TOKEN_GOOGLE_BUSINESS", "env-token")
        .env("NO_PROXY", "127.0.0.1")
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

fn puts(rt: &tokio::runtime::Runtime, server: &MockServer, external_id: &str) -> usize {
    let want = gbp_path(external_id);
    rt.block_on(server.received_requests())
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "PUT" && r.url.path() == want)
        .count()
}

/// A watcher on a team database, its interval an hour: a reply queued by another seat reaches
/// the platform within seconds (the watcher hears the team's `LISTEN earshot`), once. Stopped
/// (SIGTERM) while a post is on its way, it finishes that post and records it before it ends:
/// nothing is left half-sent, and a later watcher sends nothing again.
#[test]
fn a_watcher_on_a_team_database_sends_a_reply_another_seat_queued_within_seconds() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(async {
        Mock::given(method("PUT"))
            .and(path(gbp_path("r0")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": REPLY})))
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .and(path(gbp_path("r1")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"comment": REPLY}))
                    .set_delay(Duration::from_secs(2)),
            )
            .mount(&server)
            .await;
    });
    let test = TestDb::new();
    let url = cluster::fresh_database("channels_watch");
    let mut colleague = team(&url);
    let settings = json!({"base_url": server.uri(), "account": "11", "location": "22"});
    let ids = bad_reviews(&mut colleague, 2, Utc::now(), "google-business", &settings);

    let (watcher, rounds) = spawn_watch(&test, &url, &["--interval", "3600"]);
    // Its first round (the source's own sync fails: the mock serves no review list).
    round_where(&rounds, Duration::from_secs(60), |_| true);

    replies::save_draft(&colleague, ids[0], REPLY).unwrap();
    let queued_at = Instant::now();
    colleague
        .queue_reply(ids[0], "colleague-1")
        .unwrap()
        .unwrap();
    while puts(&rt, &server, "r0") == 0 {
        assert!(
            queued_at.elapsed() < Duration::from_secs(10),
            "the watcher did not send the queued reply within 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = queued_at.elapsed();
    eprintln!("queued reply reached the platform {took:?} after it was queued");
    let sent = round_where(&rounds, Duration::from_secs(20), |l| {
        l["replies"]["posted"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    });
    assert_eq!(sent["sources"], json!([]), "a send, not a sync: {sent}");

    // A second reply; the watcher is stopped while the platform is still answering it.
    replies::save_draft(&colleague, ids[1], REPLY).unwrap();
    colleague
        .queue_reply(ids[1], "colleague-2")
        .unwrap()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while puts(&rt, &server, "r1") == 0 {
        assert!(Instant::now() < deadline, "the second reply was not sent");
        std::thread::sleep(Duration::from_millis(20));
    }
    stop(watcher);
    let replies_now = colleague.list_replies(None, None).unwrap();
    assert!(
        replies_now
            .iter()
            .all(|r| r.state == ReplyState::Posted && r.attempts == 1),
        "{replies_now:#?}"
    );
    assert_eq!(replies_now.len(), 2);

    // A later watcher finds nothing left to send.
    let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", &url, "watch", "--once", "--json"])
        .env_remove("EARSHOT_DB")
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env("EARSHOT_TOKEN_GOOGLE_BUSINESS", "env-token")
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["replies"]["posted"], json!([]), "{line}");
    assert_eq!((puts(&rt, &server, "r0"), puts(&rt, &server, "r1")), (1, 1));
}

/// SIGTERM, as `systemctl stop` sends; the watcher must end cleanly within its grace.
fn stop(mut child: Child) {
    let pid = i32::try_from(child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "a watcher stopped by SIGTERM exits 0");
            return;
        }
        assert!(Instant::now() < deadline, "the watcher did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A watcher without the platform's key leaves a colleague's reply queued, says what it waits
/// for, and does not wake itself: its own note is written once, so the team's live link goes
/// quiet and the watcher with it (no round after round on its own writes).
#[test]
fn a_watcher_without_the_key_leaves_the_reply_queued_and_stays_quiet() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    let test = TestDb::new();
    let url = cluster::fresh_database("channels_watch_no_key");
    let mut colleague = team(&url);
    let settings = json!({"base_url": server.uri(), "account": "11", "location": "22"});
    let ids = bad_reviews(&mut colleague, 1, Utc::now(), "google-business", &settings);
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", &url, "watch", "--json", "--interval", "3600"])
        .env_remove("EARSHOT_DB")
        .env_remove("EARSHOT_TOKEN_GOOGLE_BUSINESS")
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env("NO_PROXY", "127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rounds) = mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                return;
            }
        }
    });
    round_where(&rounds, Duration::from_secs(60), |_| true);
    replies::save_draft(&colleague, ids[0], REPLY).unwrap();
    colleague
        .queue_reply(ids[0], "colleague-1")
        .unwrap()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let waiting = loop {
        let r = ReplyStore::reply(&colleague, 1).unwrap();
        if r.last_error.is_some() || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(waiting.state, ReplyState::Queued);
    assert_eq!(waiting.attempts, 0);
    assert!(
        waiting
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("waiting for a computer that holds")),
        "{waiting:?}"
    );
    // Settle, then count the rounds of the next few seconds: none.
    std::thread::sleep(Duration::from_secs(2));
    while rounds.try_recv().is_ok() {}
    std::thread::sleep(Duration::from_secs(4));
    let more = rounds.try_iter().count();
    assert_eq!(more, 0, "the watcher kept waking itself");
    stop(child);
    assert!(rt.block_on(server.received_requests()).unwrap().is_empty());
}

/// A watcher killed outright (SIGKILL) while the platform is still answering its post leaves the
/// reply claimed (`posting`), so no other seat sends it again: a later watcher sends nothing.
#[test]
fn a_watcher_killed_mid_post_leaves_the_reply_claimed_and_nothing_is_sent_twice() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("PUT"))
            .and(path(gbp_path("r0")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"comment": REPLY}))
                    .set_delay(Duration::from_secs(3)),
            )
            .mount(&server),
    );
    let test = TestDb::new();
    let url = cluster::fresh_database("channels_watch_killed");
    let mut colleague = team(&url);
    let settings = json!({"base_url": server.uri(), "account": "11", "location": "22"});
    let ids = bad_reviews(&mut colleague, 1, Utc::now(), "google-business", &settings);
    let (mut watcher, rounds) = spawn_watch(&test, &url, &["--interval", "3600"]);
    round_where(&rounds, Duration::from_secs(60), |_| true);
    replies::save_draft(&colleague, ids[0], REPLY).unwrap();
    colleague
        .queue_reply(ids[0], "colleague-1")
        .unwrap()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while puts(&rt, &server, "r0") == 0 {
        assert!(Instant::now() < deadline, "the reply was not sent");
        std::thread::sleep(Duration::from_millis(20));
    }
    watcher.kill().unwrap();
    watcher.wait().unwrap();
    let left = ReplyStore::reply(&colleague, 1).unwrap();
    assert_eq!(
        left.state,
        ReplyState::Posting,
        "claimed, never queued again"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["--db", &url, "watch", "--once", "--json"])
        .env_remove("EARSHOT_DB")
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env("EARSHOT_TOKEN_GOOGLE_BUSINESS", "env-token")
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap();
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["replies"]["posted"], json!([]), "{line}");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(puts(&rt, &server, "r0"), 1, "sent once");
}
