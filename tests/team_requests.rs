//! Review requests, follow-ups and the replies' effect on a team database (issue 31): the same
//! answers on the SQLite file and on a real PostgreSQL cluster the test starts itself, through
//! the action layer and through the `earshot` binary with `--db postgresql://…` (text and JSON,
//! byte for byte); two seats sending the same requests at once ask each customer once (the SMTP
//! server of `channels.rs`, on 127.0.0.1, counts the messages); two seats asking the same
//! follow-up at once record one ask.

use std::path::Path;
use std::process::Command;
use std::sync::Barrier;

use chrono::{DateTime, Duration, TimeZone, Utc};
use earshot::actions::requests::{self as act, MailOverride};
use earshot::actions::win_back;
use earshot::model::replies::{FollowUpMethod, NewFollowUp};
use earshot::model::{IncomingReview, Kind, OwnerReply, ReviewId};
use earshot::replies::follow_up::FollowUpAsk;
use earshot::requests::send::SendOptions;
use earshot::requests::Via;
use earshot::secrets::MemorySecrets;
use earshot::store::postgres::cluster;
use earshot::store::{Begun, Db, DbLocation, RequestStore, ReviewFilter};
use serde_json::{json, Value};

use crate::channels::smtp_server;
use crate::common::TestDb;
use crate::team_store::both_stores;

const CAFE: &str = "Joe's Café";
const PLACE_ID: &str = "ChIJN1t_tDeuEmsRUsoyG83frY4";

/// When the requests of the action-level test go out: fixed, so both stores record the same.
fn asked_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
}

/// An unhappy review answered with an apology and an offer (`careful`) or curtly; each text a
/// little different so none reads as a copy of another.
fn complaint(i: usize, at: DateTime<Utc>) -> IncomingReview {
    let reply = if i.is_multiple_of(2) {
        format!("I'm so sorry about visit number {i}. Please email me at jo@joes.example so I can put it right myself.")
    } else {
        format!("We were busy on day {i}.")
    };
    IncomingReview {
        external_id: format!("r{i}"),
        platform: "google".into(),
        kind: Kind::Review,
        author: Some(format!("Customer {i}")),
        rating: Some(1.0),
        title: None,
        body: format!("Cold coffee and a long wait, visit {i}."),
        url: Some(format!("https://maps.example.com/r{i}")),
        language: Some("en".into()),
        created_at: at,
        updated_at: None,
        owner_reply: Some(OwnerReply {
            body: reply,
            replied_at: Some(at + Duration::hours(5)),
        }),
        raw_json: None,
    }
}

/// A review by a customer of the list, written after they were asked.
fn later_review(id: &str, author: &str, stars: f64, at: DateTime<Utc>) -> IncomingReview {
    IncomingReview {
        external_id: id.into(),
        author: Some(author.into()),
        rating: Some(stars),
        body: format!("{author} came back and wrote this."),
        url: None,
        owner_reply: None,
        created_at: at,
        ..complaint(0, at)
    }
}

/// The café with a Google Places source, 16 answered complaints (every third careful reply and
/// one curt one won the customer back: an edit to 4★), Dee Unhappy's 1★ review, and from
/// `after` on the reviews of Ann and Dee (customers on the list) and of a stranger.
///
/// The edits come last: the team store's upsert takes an id for each row it updates, so a
/// review written after an edit is numbered differently on the two stores.
fn cafe(db: &mut Db, after: DateTime<Utc>) {
    let business = db.ensure_business(CAFE).unwrap().id;
    let settings = json!({ "place_id": PLACE_ID });
    let source = match &*db {
        Db::Sqlite(s) => s.ensure_source(business, "google-places", CAFE, &settings),
        Db::Postgres(p) => p.ensure_source(business, "google-places", CAFE, &settings),
    }
    .unwrap();
    let start = Utc.with_ymd_and_hms(2025, 9, 1, 12, 0, 0).unwrap();
    let mut items: Vec<IncomingReview> = (0..16)
        .map(|i| complaint(i, start + Duration::days(i as i64 * 7)))
        .collect();
    items.push(IncomingReview {
        author: Some("Dee Unhappy".into()),
        ..complaint(99, start + Duration::days(200))
    });
    db.write_page(source, &items, None).unwrap();
    let later = [
        later_review("n1", "Ann Lee", 5.0, after),
        later_review("n2", "Dee Unhappy", 2.0, after + Duration::hours(2)),
        later_review("n3", "Zed Quinn", 4.0, after + Duration::hours(3)),
    ];
    db.write_page(source, &later, None).unwrap();
    let edits: Vec<IncomingReview> = items
        .iter()
        .enumerate()
        .filter(|(i, _)| (i.is_multiple_of(2) && !i.is_multiple_of(3)) || *i == 1)
        .map(|(_, it)| IncomingReview {
            rating: Some(4.0),
            body: format!("Update: they sorted it out. {}", it.body),
            ..it.clone()
        })
        .collect();
    db.write_page(source, &edits, None).unwrap();
}

/// The review's id on this store.
fn review_id(db: &Db, external_id: &str) -> ReviewId {
    db.list_reviews(&ReviewFilter {
        limit: Some(1000),
        ..Default::default()
    })
    .unwrap()
    .into_iter()
    .find(|r| r.external_id == external_id)
    .unwrap_or_else(|| panic!("no review {external_id}"))
    .id
}

/// Ann and Ben to ask, Cy opted out, Dee (who wrote a 1★ review: asked all the same, no
/// gating), Ed with a phone only.
const CUSTOMERS: &str = "name,email,phone,visited_at,opt_out\n\
    Ann Lee,ann@example.com,,2026-10-30,\n\
    Ben Cruz,ben@example.com,,2026-10-31,no\n\
    Cy Moreau,cy@example.com,,,yes\n\
    Dee Unhappy,dee@example.com,,2026-11-01,\n\
    Ed Olsen,,+1 555 010 0199,,\n";

/// Everything the request and follow-up actions answer on one store, as one JSON value; the
/// e-mails go to the SMTP server at `smtp`.
fn answers(test: &TestDb, db: &mut Db, smtp: &str) -> Value {
    let mut out = serde_json::Map::new();
    let mut put = |key: &str, v: Value| {
        out.insert(key.to_string(), v);
    };
    cafe(db, asked_at() + Duration::days(1));
    let now = asked_at().timestamp();
    let secrets = MemorySecrets::default();
    let list = test.file("customers.csv", CUSTOMERS);

    put("links", json!(act::request_links(&*db, CAFE).unwrap()));
    put(
        "import",
        json!(act::import_customers(&*db, CAFE, &list, now).unwrap()),
    );
    put(
        "import again",
        json!(act::import_customers(&*db, CAFE, &list, now).unwrap()),
    );
    put("customers", json!(act::customers(&*db, CAFE).unwrap()));
    let mail = MailOverride {
        server: Some(smtp.into()),
        from: Some("joe@joescafe.example".into()),
        ..Default::default()
    };
    let send = |db: &Db, via: Via, dry_run: bool| {
        let options = SendOptions {
            platform: "google".into(),
            via,
            dry_run,
        };
        let report =
            act::send_requests(db, &secrets, CAFE, &options, &mail, now, &mut |_, _| {}).unwrap();
        json!(report)
    };
    let dry = send(&*db, Via::Email, true);
    // Everyone not opted out and with an address, whatever their review said.
    assert_eq!(dry["eligible"], 3, "{dry}");
    put("dry run", dry);
    let sent = send(&*db, Via::Email, false);
    assert_eq!(sent["sent"], 3, "{sent}");
    put("sent", sent);
    let again = send(&*db, Via::Email, false);
    assert_eq!((&again["eligible"], &again["sent"]), (&json!(0), &json!(0)));
    put("sent again", again);
    put("texts", send(&*db, Via::Sms, false));
    put("texts again", send(&*db, Via::Sms, false));

    // Ann and Dee wrote reviews after the ask; a stranger too.
    let stats = act::request_stats(&*db, CAFE).unwrap();
    assert_eq!((stats.sent, stats.responses), (4, 2), "{stats:?}");
    put("stats", json!(stats));
    put(
        "overview",
        json!(act::requests_overview(&*db, CAFE).unwrap()),
    );
    put(
        "customers after",
        json!(act::customers(&*db, CAFE).unwrap()),
    );

    let business = db.business_by_name(CAFE).unwrap().id;
    let effect = win_back::replies_effect(&*db, business, None).unwrap();
    assert_eq!(effect.unhappy, 18, "{}", effect.says);
    put("effect", json!(effect));
    put(
        "effect on google",
        json!(win_back::replies_effect(&*db, business, Some("Google")).unwrap()),
    );

    let ask = |db: &mut Db, external_id: &str, again: bool| {
        let ask = FollowUpAsk {
            review_id: review_id(db, external_id),
            by_hand: true,
            again,
            ..Default::default()
        };
        let out = win_back::follow_up(db, &secrets, &ask, asked_at()).unwrap();
        json!(out)
    };
    put("follow-up", ask(db, "r0", false));
    put("follow-up twice", ask(db, "r0", false));
    put("follow-up again", ask(db, "r0", true));
    put("follow-up r1", ask(db, "r1", false));
    put(
        "follow-ups",
        json!(win_back::follow_ups(&*db, None).unwrap()),
    );
    put(
        "follow-ups of the café",
        json!(win_back::follow_ups(&*db, Some(business)).unwrap()),
    );
    let r3 = review_id(db, "r3");
    put(
        "status never asked",
        json!(win_back::follow_up_status(&*db, r3).unwrap()),
    );
    Value::Object(out)
}

/// Replaces the values of the fields `keys`, which hold the moment the store or the command
/// wrote a row (a revision's `recorded_at`, `at` in a follow-up's change, is the time of the
/// write; the binary asks at the time it runs): two stores written a moment apart cannot share
/// them.
fn without_times(v: &mut Value, keys: &[&str]) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if keys.contains(&k.as_str()) {
                    *x = json!("(time)");
                } else {
                    without_times(x, keys);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| without_times(x, keys)),
        _ => {}
    }
}

/// What the binary writes at the time it runs.
const RUN_TIMES: &[&str] = &["at", "last_asked_at", "asked_at", "sent_at"];

#[test]
fn requests_follow_ups_and_the_effect_agree_on_both_stores() {
    let test = TestDb::new();
    let mut results = Vec::new();
    let mut messages = Vec::new();
    for mut db in both_stores(&test, "requests_actions") {
        let (port, smtp) = smtp_server();
        let mut a = answers(&test, &mut db, &format!("smtp://127.0.0.1:{port}"));
        // The actions are given the time; only the revisions' is the write's.
        without_times(&mut a, &["at"]);
        results.push(a);
        let log = smtp.lock().unwrap();
        messages.push(log.messages.len());
        let to: Vec<&str> = log
            .messages
            .iter()
            .filter_map(|m| m.lines().find_map(|l| l.strip_prefix("To: ")))
            .collect();
        assert_eq!(
            to,
            ["ann@example.com", "ben@example.com", "dee@example.com"]
        );
    }
    assert_eq!(messages, [3, 3]);
    let (file, team) = (&results[0], &results[1]);
    for (key, on_file) in file.as_object().unwrap() {
        assert_eq!(on_file, &team[key], "{key} differs on the team database");
    }
    assert_eq!(file, team);
    assert_eq!(
        file["follow-up"]["status"], "prepared",
        "{}",
        file["follow-up"]
    );
    assert_eq!(file["follow-up twice"]["status"], "already_asked");
    assert_eq!(file["follow-up again"]["follow_up"]["round"], 2);
    assert_eq!(file["follow-ups"].as_array().unwrap().len(), 2);
}

/// A run that recorded its request and died before the server answered leaves it `sending`:
/// on either store that customer counts as asked (and `unconfirmed` in the figures), and no
/// later run, from any seat, asks them again.
#[test]
fn a_request_left_sending_by_a_crash_is_never_sent_again_on_either_store() {
    let test = TestDb::new();
    let list = test.file(
        "customers.csv",
        "name,email\nAnn Lee,ann@example.com\nBen Cruz,ben@example.com\n",
    );
    for db in both_stores(&test, "requests_crash") {
        let business = db.ensure_business(CAFE).unwrap().id;
        act::set_request_link(&db, CAFE, "google", "https://g.page/r/CabcDEF/review", 0).unwrap();
        act::import_customers(&db, CAFE, &list, 0).unwrap();
        let ann = db.customers(business).unwrap()[0].id;
        let now = Utc::now().timestamp();
        let crashed = db
            .claim_request(
                business,
                ann,
                "google",
                Via::Email,
                "https://g.page/r/CabcDEF/review",
                0,
                now,
            )
            .unwrap();
        assert!(crashed.is_some(), "{}", db.location());
        let (port, smtp) = smtp_server();
        let mail = MailOverride {
            server: Some(format!("smtp://127.0.0.1:{port}")),
            from: Some("joe@joescafe.example".into()),
            ..Default::default()
        };
        let options = SendOptions {
            platform: "google".into(),
            via: Via::Email,
            dry_run: false,
        };
        for _ in 0..2 {
            act::send_requests(
                &db,
                &MemorySecrets::default(),
                CAFE,
                &options,
                &mail,
                now,
                &mut |_, _| {},
            )
            .unwrap();
        }
        let log = smtp.lock().unwrap();
        assert_eq!(log.messages.len(), 1, "{}", db.location());
        assert!(log.messages[0].contains("To: ben@example.com"));
        let stats = act::request_stats(&db, CAFE).unwrap();
        assert_eq!((stats.sent, stats.unconfirmed), (1, 1), "{}", db.location());
    }
}

/// `earshot --db <db> args…` with a private data directory; its stdout, which must succeed.
fn earshot(test: &TestDb, db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("XDG_DATA_HOME", test.dir.path())
        .env("EARSHOT_SECRETS_FILE", test.dir.path().join("secrets.json"))
        .env_remove("EARSHOT_DB")
        .output()
        .unwrap()
}

fn ok(test: &TestDb, db: &str, args: &[&str]) -> String {
    let out = earshot(test, db, args);
    assert!(
        out.status.success(),
        "earshot {args:?} on {db}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The same commands, with the same data, print the same text and JSON on a file and with
/// `--db postgresql://…`; each store's e-mails go to an SMTP server of its own, which gets the
/// same messages.
#[test]
fn the_request_and_follow_up_commands_give_the_same_answers_on_a_team_database() {
    let test = TestDb::new();
    let url = cluster::fresh_database("requests_cli");
    let file = test.path().to_str().unwrap().to_owned();
    let customers = test.file("customers.csv", CUSTOMERS);
    let customers = customers.to_str().unwrap();
    for db in [&file, &url] {
        let mut store = Db::open(&DbLocation::parse(Path::new(db))).unwrap();
        // Ann's review comes after the requests the test sends (within the hour).
        cafe(&mut store, Utc::now() + Duration::hours(1));
    }
    // Both stores number the reviews alike, so the commands name the same ones.
    let ids = |external_id: &str| -> Vec<String> {
        [&file, &url]
            .iter()
            .map(|db| {
                let store = Db::open(&DbLocation::parse(Path::new(db))).unwrap();
                review_id(&store, external_id).to_string()
            })
            .collect()
    };
    let (r0, r2) = (ids("r0"), ids("r2"));
    assert_eq!((&r0[0], &r2[0]), (&r0[1], &r2[1]));
    let (r0, r2) = (r0[0].as_str(), r2[0].as_str());
    let (file_port, file_smtp) = smtp_server();
    let (team_port, team_smtp) = smtp_server();
    let server = |db: &str| {
        let port = if db == file { file_port } else { team_port };
        format!("smtp://127.0.0.1:{port}")
    };
    let send = |db: &str, extra: &[&str]| {
        let server = server(db);
        let mut args = vec![
            "requests",
            "send",
            "--business",
            CAFE,
            "--platform",
            "google",
            "--server",
            &server,
            "--from",
            "joe@joescafe.example",
        ];
        args.extend_from_slice(extra);
        ok(&test, db, &args)
    };
    let png = test.dir.path().join("qr.png");
    let svg = test.dir.path().join("qr.svg");
    let commands: Vec<Vec<&str>> = vec![
        vec!["requests", "link", "--business", CAFE],
        vec!["requests", "link", "--business", CAFE, "--json"],
        vec![
            "requests",
            "qr",
            "--business",
            CAFE,
            "--platform",
            "google",
            "--png",
            png.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ],
        vec![
            "requests",
            "link",
            "--business",
            CAFE,
            "--platform",
            "google",
            "--url",
            "https://g.page/r/CabcDEF/review",
            "--json",
        ],
        vec![
            "requests",
            "link",
            "--business",
            CAFE,
            "--platform",
            "google",
        ],
        vec!["requests", "settings"],
        vec![
            "requests",
            "customers",
            "import",
            customers,
            "--business",
            CAFE,
            "--json",
        ],
        vec![
            "requests",
            "customers",
            "import",
            customers,
            "--business",
            CAFE,
        ],
        vec![
            "requests",
            "customers",
            "list",
            "--business",
            CAFE,
            "--json",
        ],
        vec!["requests", "settings", "--json"],
        vec!["requests", "settings", "--period-days", "60"],
        vec![
            "requests",
            "send",
            "--business",
            CAFE,
            "--platform",
            "google",
            "--dry-run",
            "--json",
        ],
        vec![
            "requests",
            "send",
            "--business",
            CAFE,
            "--platform",
            "google",
            "--dry-run",
        ],
    ];
    let same = |args: &[&str]| {
        let on_file = ok(&test, &file, args);
        let on_team = ok(&test, &url, args);
        assert!(!on_file.trim().is_empty(), "{args:?}");
        assert_eq!(on_file, on_team, "earshot {args:?}");
        on_file
    };
    for args in &commands {
        same(args);
    }
    // Sending: three e-mails each, then none on a rerun; texts prepared for Ed.
    let sends: &[&[&str]] = &[&["--json"], &["--json"], &[]];
    for extra in sends {
        let (a, b) = (send(&file, extra), send(&url, extra));
        assert_eq!(a, b, "requests send {extra:?}");
    }
    assert_eq!(file_smtp.lock().unwrap().messages.len(), 3);
    assert_eq!(team_smtp.lock().unwrap().messages.len(), 3);
    let texts = same(&[
        "requests",
        "send",
        "--business",
        CAFE,
        "--platform",
        "google",
        "--via",
        "sms",
        "--json",
    ]);
    assert!(texts.contains("sms:+15550100199"), "{texts}");
    same(&[
        "requests",
        "send",
        "--business",
        CAFE,
        "--platform",
        "google",
        "--via",
        "mailto",
    ]);
    let later: Vec<Vec<&str>> = vec![
        vec!["requests", "customers", "list", "--business", CAFE],
        vec!["requests", "stats", "--business", CAFE],
        vec!["requests", "stats", "--business", CAFE, "--json"],
        vec!["replies", "effect", "--business", CAFE],
        vec!["replies", "effect", "--business", CAFE, "--json"],
        vec![
            "replies",
            "effect",
            "--business",
            CAFE,
            "--platform",
            "google",
            "--json",
        ],
        vec!["replies", "follow-up", r0, "--by-hand", "--dry-run"],
        vec!["replies", "follow-up", r0, "--by-hand"],
        vec!["replies", "follow-up", r0, "--by-hand"],
        vec!["replies", "follow-ups"],
        vec!["replies", "follow-ups", "--business", CAFE],
    ];
    for args in &later {
        same(args);
    }
    let stats: Value = serde_json::from_str(&ok(
        &test,
        &url,
        &["requests", "stats", "--business", CAFE, "--json"],
    ))
    .unwrap();
    assert_eq!(
        (&stats["sent"], &stats["responses"]),
        (&json!(4), &json!(2))
    );
    // JSON that carries the moment of the ask: the same once that moment is set aside.
    let json_with_times: &[&[&str]] = &[
        &["replies", "follow-up", r2, "--by-hand", "--json"],
        &["replies", "follow-up", r2, "--by-hand", "--again", "--json"],
        &["replies", "follow-ups", "--json"],
        &[
            "requests",
            "customers",
            "list",
            "--business",
            CAFE,
            "--json",
        ],
    ];
    for args in json_with_times {
        let mut a: Value = serde_json::from_str(&ok(&test, &file, args)).unwrap();
        let mut b: Value = serde_json::from_str(&ok(&test, &url, args)).unwrap();
        without_times(&mut a, RUN_TIMES);
        without_times(&mut b, RUN_TIMES);
        assert_eq!(a, b, "earshot {args:?}");
    }

    // Without --server, e-mails go through the e-mail alert channel, which this team database
    // does not have: said plainly, and nothing sent.
    for args in [
        &[
            "replies",
            "follow-up",
            r2,
            "--email",
            "c@example.com",
            "--again",
        ][..],
        &[
            "requests",
            "send",
            "--business",
            CAFE,
            "--platform",
            "google",
        ][..],
    ] {
        let out = earshot(&test, &url, args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("e-mail alert channel"), "{err}");
    }
    assert_eq!(team_smtp.lock().unwrap().messages.len(), 3);
}

/// Two seats send the same requests at the same moment: each customer is asked once for the
/// team, and each request is recorded once.
#[test]
fn two_seats_sending_the_same_requests_at_once_ask_each_customer_once() {
    const CUSTOMERS: usize = 24;
    let test = TestDb::new();
    let url = cluster::fresh_database("requests_two_seats");
    let location = DbLocation::parse(Path::new(&url));
    {
        let db = Db::open(&location).unwrap();
        db.ensure_business(CAFE).unwrap();
        act::set_request_link(&db, CAFE, "google", "https://g.page/r/CabcDEF/review", 0).unwrap();
        let mut list = String::from("name,email\n");
        for i in 0..CUSTOMERS {
            list.push_str(&format!("Customer {i},c{i}@example.com\n"));
        }
        let list = test.file("customers.csv", &list);
        act::import_customers(&db, CAFE, &list, 0).unwrap();
    }
    let (port, smtp) = smtp_server();
    let mail = MailOverride {
        server: Some(format!("smtp://127.0.0.1:{port}")),
        from: Some("joe@joescafe.example".into()),
        ..Default::default()
    };
    let options = SendOptions {
        platform: "google".into(),
        via: Via::Email,
        dry_run: false,
    };
    let now = Utc::now().timestamp();
    let start = Barrier::new(2);
    let reports: Vec<_> = std::thread::scope(|s| {
        let seats: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let db = Db::open(&location).unwrap();
                    let secrets = MemorySecrets::default();
                    start.wait();
                    act::send_requests(&db, &secrets, CAFE, &options, &mail, now, &mut |_, _| {})
                        .unwrap()
                })
            })
            .collect();
        seats.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let sent: usize = reports.iter().map(|r| r.sent).sum();
    assert_eq!(sent, CUSTOMERS, "{reports:?}");
    let log = smtp.lock().unwrap();
    assert_eq!(log.messages.len(), CUSTOMERS);
    let mut to: Vec<&str> = log
        .messages
        .iter()
        .filter_map(|m| m.lines().find_map(|l| l.strip_prefix("To: ")))
        .collect();
    to.sort_unstable();
    to.dedup();
    assert_eq!(to.len(), CUSTOMERS, "each customer once");
    let db = Db::open(&location).unwrap();
    let stats = act::request_stats(&db, CAFE).unwrap();
    assert_eq!(stats.sent, CUSTOMERS);
}

/// The claim itself, raced: two seats claim each of 40 customers at the same instant (a
/// barrier before every claim), so both check before either has written. Each customer is
/// claimed once. (A single `INSERT … WHERE NOT EXISTS` without the customer's lock fails this:
/// both seats' snapshots miss the other's row.)
#[test]
fn two_seats_claiming_a_customer_at_the_same_instant_claim_it_once() {
    const CUSTOMERS: usize = 40;
    let test = TestDb::new();
    let url = cluster::fresh_database("requests_claim_race");
    let location = DbLocation::parse(Path::new(&url));
    let (business, customers) = {
        let db = Db::open(&location).unwrap();
        let business = db.ensure_business(CAFE).unwrap().id;
        let mut list = String::from("name,email\n");
        for i in 0..CUSTOMERS {
            list.push_str(&format!("Customer {i},c{i}@example.com\n"));
        }
        act::import_customers(&db, CAFE, &test.file("customers.csv", &list), 0).unwrap();
        let ids: Vec<i64> = db
            .customers(business)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        (business, ids)
    };
    let now = Utc::now().timestamp();
    let each = Barrier::new(2);
    let claimed: Vec<Vec<bool>> = std::thread::scope(|s| {
        let seats: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let db = Db::open(&location).unwrap();
                    customers
                        .iter()
                        .map(|&c| {
                            each.wait();
                            db.claim_request(
                                business,
                                c,
                                "google",
                                Via::Email,
                                "https://g.page/r/CabcDEF/review",
                                now - 86_400,
                                now,
                            )
                            .unwrap()
                            .is_some()
                        })
                        .collect()
                })
            })
            .collect();
        seats.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let twice: Vec<i64> = customers
        .iter()
        .enumerate()
        .filter(|(i, _)| claimed[0][*i] && claimed[1][*i])
        .map(|(_, c)| *c)
        .collect();
    let never = (0..CUSTOMERS)
        .filter(|&i| !claimed[0][i] && !claimed[1][i])
        .count();
    assert_eq!((twice.len(), never), (0, 0), "claimed by both: {twice:?}");
    let db = Db::open(&location).unwrap();
    assert_eq!(db.review_requests(business).unwrap().len(), CUSTOMERS);
}

/// Two seats ask the same customer to update their review at once: one ask is recorded, the
/// other seat is told it was already asked (three reviews, three races).
#[test]
fn two_seats_asking_the_same_follow_up_at_once_record_one_ask() {
    let url = cluster::fresh_database("follow_up_two_seats");
    let location = DbLocation::parse(Path::new(&url));
    let reviews: Vec<ReviewId> = {
        let mut db = Db::open(&location).unwrap();
        cafe(&mut db, Utc::now());
        ["r0", "r2", "r4"]
            .iter()
            .map(|r| review_id(&db, r))
            .collect()
    };
    for review in reviews {
        let start = Barrier::new(2);
        let begun: Vec<Begun> = std::thread::scope(|s| {
            let seats: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let db = Db::open(&location).unwrap();
                        let new = NewFollowUp {
                            review_id: review,
                            method: FollowUpMethod::ByHand,
                            recipient: None,
                            body: "Would you update your review?".into(),
                            rating_at_ask: Some(1.0),
                        };
                        start.wait();
                        db.begin_follow_up(&new, false, Utc::now().timestamp())
                            .unwrap()
                    })
                })
                .collect();
            seats.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let went = begun.iter().filter(|b| matches!(b, Begun::Go(_))).count();
        assert_eq!(went, 1, "review {review}: {begun:?}");
        let db = Db::open(&location).unwrap();
        let rounds: Vec<i64> = db
            .follow_ups_of_review(review)
            .unwrap()
            .iter()
            .map(|f| f.round)
            .collect();
        assert_eq!(rounds, [1]);
    }
}

/// The customers (names, e-mail addresses, phone numbers) and the requests are the business's:
/// on a team database a person limited to one business reads only its customers, requests, links
/// and follow-ups, even with hand-written SQL; staff send no requests; a manager sends them.
#[test]
fn a_persons_business_bounds_the_customers_and_staff_send_no_requests() {
    use earshot::store::postgres::{PgStore, Role};
    use postgres::{Client, NoTls};

    let test = TestDb::new();
    let url = cluster::fresh_database("requests_people");
    let location = DbLocation::parse(Path::new(&url));
    let as_user = |user: &str| {
        url.replacen(
            "postgresql://postgres@",
            &format!("postgresql://{user}@"),
            1,
        )
    };
    let (cafe_id, hilltop_id) = {
        let mut db = Db::open(&location).unwrap();
        cafe(&mut db, Utc::now());
        let hilltop = db.ensure_business("Hilltop Café").unwrap().id;
        for (business, list) in [
            (
                CAFE,
                "name,email,phone\nAnn Lee,ann@example.com,+1 555 010 0001\n",
            ),
            (
                "Hilltop Café",
                "name,email,phone\nHal Moss,hal@example.com,+1 555 010 0002\n",
            ),
        ] {
            let file = test.file("list.csv", list);
            act::import_customers(&db, business, &file, 0).unwrap();
            act::set_request_link(&db, business, "google", "https://g.page/r/X/review", 0).unwrap();
        }
        let r0 = review_id(&db, "r0");
        let new = NewFollowUp {
            review_id: r0,
            method: FollowUpMethod::ByHand,
            recipient: None,
            body: "Would you update your review?".into(),
            rating_at_ask: Some(1.0),
        };
        db.begin_follow_up(&new, false, 0).unwrap();
        (db.business_by_name(CAFE).unwrap().id, hilltop)
    };
    let owner = PgStore::open(&url).unwrap();
    owner.team_init().unwrap();
    owner
        .invite("req_staff", Role::Staff, Some(&[cafe_id]), "pw-staff")
        .unwrap();
    owner
        .invite(
            "req_manager",
            Role::Manager,
            Some(&[hilltop_id]),
            "pw-manager",
        )
        .unwrap();

    // Hand-written SQL as the staff member: their business's rows only, and no writes.
    let mut staff = Client::connect(&as_user("req_staff"), NoTls).unwrap();
    for (table, rows) in [
        ("customers", 1),
        ("request_links", 1),
        ("follow_ups", 1),
        ("review_requests", 0),
    ] {
        let n: i64 = staff
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, rows, "{table} as staff");
    }
    let names: Vec<String> = staff
        .query("SELECT name FROM customers", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["Ann Lee"]);
    let refused = staff
        .execute(
            "INSERT INTO review_requests (business_id, customer_id, platform, via, state, link,
                 created_at)
             SELECT business_id, id, 'google', 'sms', 'prepared', 'x', 0 FROM customers",
            &[],
        )
        .unwrap_err();
    let refused = refused.as_db_error().unwrap().message().to_owned();
    assert!(refused.contains("permission denied"), "{refused}");

    // Through Earshot: staff read the list and send nothing; the manager of Hilltop sends
    // Hilltop's, and does not see the café at all.
    let texts = SendOptions {
        platform: "google".into(),
        via: Via::Sms,
        dry_run: false,
    };
    let send = |db: &Db, business: &str| {
        act::send_requests(
            db,
            &MemorySecrets::default(),
            business,
            &texts,
            &MailOverride::default(),
            Utc::now().timestamp(),
            &mut |_, _| {},
        )
    };
    let staff = Db::open(&DbLocation::parse(Path::new(&as_user("req_staff")))).unwrap();
    assert_eq!(act::customers(&staff, CAFE).unwrap().len(), 1);
    let err = with_causes(&send(&staff, CAFE).unwrap_err());
    assert!(err.contains("permission denied"), "{err}");
    let manager = Db::open(&DbLocation::parse(Path::new(&as_user("req_manager")))).unwrap();
    assert_eq!(send(&manager, "Hilltop Café").unwrap().messages.len(), 1);
    assert!(send(&manager, CAFE).is_err());
    assert!(act::customers(&manager, CAFE).is_err());
    let owner = Db::open(&location).unwrap();
    let asked: Vec<i64> = owner
        .review_requests(cafe_id)
        .unwrap()
        .iter()
        .chain(owner.review_requests(hilltop_id).unwrap().iter())
        .map(|r| r.customer_id)
        .collect();
    assert_eq!(asked.len(), 1, "only Hal was asked: {asked:?}");
}

/// An error and its causes, as one line.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
