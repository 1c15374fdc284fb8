//! The app on a team database (issue 31), its core half (`earshot::actions::team_seat`): the
//! seat's choice and password kept apart, "Test connection", and the live link hearing another
//! connection's change within a second, with the alert it raised, and coming back after the
//! server dropped it. The shell's half (`with_db` on both stores) is tested in `src-tauri`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use earshot::actions::team_seat::{self, Heard, TeamLogin};
use earshot::alerts::NotificationPrefs;
use earshot::model::alerts::{AlertKind, AlertState, NewAlert};
use earshot::secrets::{MemorySecrets, Secret};
use earshot::store::postgres::{cluster, PgStore, Role};
use postgres::{Client, NoTls};

use crate::common::TestDb;

/// The throwaway cluster's database at `url` as a login of Settings' form.
fn login_of(url: &str) -> TeamLogin {
    TeamLogin::from_url(url).expect("the cluster's URL is a login")
}

#[test]
fn the_choice_is_kept_beside_the_file_and_the_password_only_in_the_password_store() {
    let test = TestDb::new();
    let passwords = MemorySecrets::default();
    let login = TeamLogin {
        host: " db.example.org ".into(),
        port: Some(6432),
        database: "cafe".into(),
        person: "sam".into(),
    };
    assert_eq!(
        team_seat::chosen_url(test.path(), &passwords).unwrap(),
        None,
        "nothing chosen: the file"
    );
    let secret = "p@ss:w/rd é";
    let saved =
        team_seat::save_login(test.path(), &passwords, &login, Some(&Secret::new(secret))).unwrap();
    assert!(!saved.active, "saving does not switch");
    assert_eq!(
        saved.login.as_ref().unwrap().url(),
        "postgresql://sam@db.example.org:6432/cafe"
    );
    let file = std::fs::read_to_string(team_seat::choice_path(test.path())).unwrap();
    assert!(file.contains("db.example.org"), "{file}");
    assert!(
        !file.contains("p@ss"),
        "the password is not in the choice's file: {file}"
    );
    assert!(team_seat::password_saved(&passwords, saved.login.as_ref().unwrap()).unwrap());

    team_seat::set_active(test.path(), true).unwrap();
    let url = team_seat::chosen_url(test.path(), &passwords)
        .unwrap()
        .unwrap();
    // Percent-encoded, so '@', ':' and '/' in a password do not change the URL's meaning.
    assert_eq!(
        url,
        "postgresql://sam:p%40ss%3Aw%2Frd%20%C3%A9@db.example.org:6432/cafe"
    );
    assert_eq!(
        TeamLogin::from_url(&url).unwrap(),
        saved.login.clone().unwrap()
    );

    // "Back to this computer's database".
    team_seat::set_active(test.path(), false).unwrap();
    assert_eq!(
        team_seat::chosen_url(test.path(), &passwords).unwrap(),
        None
    );

    // Another database is not used before it is chosen; an empty password forgets the saved one.
    team_seat::set_active(test.path(), true).unwrap();
    let other = TeamLogin {
        database: "other".into(),
        ..login.clone()
    };
    let saved =
        team_seat::save_login(test.path(), &passwords, &other, Some(&Secret::new(""))).unwrap();
    assert!(!saved.active);
    assert!(!team_seat::password_saved(&passwords, &other.checked().unwrap()).unwrap());

    // A field that would change the URL's meaning is refused, in words.
    let bad = TeamLogin {
        person: "sam@evil".into(),
        ..login
    };
    let e = team_seat::save_login(test.path(), &passwords, &bad, None).unwrap_err();
    assert_eq!(e.code(), "invalid_team_login");
    assert_eq!(e.to_string(), "person: it may not hold '@'");
}

#[test]
fn test_connection_says_the_schema_who_you_are_and_your_role() {
    let url = cluster::fresh_database("seat_check");
    let check = team_seat::check_connection(&url).unwrap();
    assert_eq!(check.person, "postgres");
    assert_eq!(
        check.role, None,
        "the cluster's superuser is not on the team's list"
    );
    assert!(check.runs_the_database);
    assert_eq!(
        check.schema_version,
        earshot::store::postgres::PG_SCHEMA_VERSION
    );
    assert_eq!(check.location, earshot::store::postgres::redacted(&url));

    // An invited manager, signed in as themselves.
    let store = PgStore::open(&url).unwrap();
    store.team_init().unwrap();
    let name = "seat_check_manager";
    store.invite(name, Role::Manager, None, "secret").unwrap();
    let as_manager = url.replacen(
        "postgresql://postgres@",
        &format!("postgresql://{name}@"),
        1,
    );
    let check = team_seat::check_connection(&as_manager).unwrap();
    assert_eq!(check.person, name);
    assert_eq!(check.role, Some(Role::Manager));
    assert!(!check.runs_the_database);
    store.remove_member(name).unwrap();

    // A server that is not there: a typed error naming the database, no password in it.
    let login = TeamLogin {
        port: Some(1),
        ..login_of(&url)
    };
    let e = team_seat::check_connection(&login.url_with_password(Some(&Secret::new("hunter2"))))
        .unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(e.to_string().contains(&login.url()), "{e}");
}

/// Runs the live link on a thread of its own, handing what it hears to the test.
fn live_link(url: &str) -> (Arc<AtomicBool>, mpsc::Receiver<Heard>) {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let url = url.to_owned();
    let stopping = Arc::clone(&stop);
    std::thread::spawn(move || {
        team_seat::listen_until(&url, &stopping, &mut |heard| {
            let _ = tx.send(heard);
        });
    });
    (stop, rx)
}

fn next(rx: &mpsc::Receiver<Heard>, within: Duration) -> Heard {
    rx.recv_timeout(within)
        .expect("the link heard nothing in time")
}

#[test]
fn the_live_link_hears_another_seats_review_and_alert_within_a_second_and_comes_back() {
    let url = cluster::fresh_database("seat_link");
    let other_seat = PgStore::open(&url).unwrap();
    let business = other_seat.ensure_business("Harbour Café").unwrap();
    let source = other_seat
        .ensure_source(business.id, "file", "import:google", &serde_json::json!({}))
        .unwrap();

    let (stop, rx) = live_link(&url);
    assert_eq!(next(&rx, Duration::from_secs(10)), Heard::Connected);

    // Another seat's review.
    let mut writer = Client::connect(&url, NoTls).unwrap();
    let started = Instant::now();
    writer
        .execute(
            "INSERT INTO reviews (source_id, business_id, platform, external_id, kind, body,
                                  created_at, fetched_at, content_hash)
             VALUES ($1, $2, 'google', 'x1', 'review', 'Cold coffee', 1700000000, 1700000000, 1)",
            &[&source, &business.id],
        )
        .unwrap();
    let Heard::Changes {
        changes,
        new_alerts,
    } = next(&rx, Duration::from_secs(1))
    else {
        panic!("not a change")
    };
    let heard_in = started.elapsed();
    assert!(heard_in < Duration::from_secs(1), "{heard_in:?}");
    eprintln!("a review was heard {heard_in:?} after its insert");
    assert_eq!(changes[0].kind, "review");
    assert!(new_alerts.is_empty());

    // Another seat's alert arrives as stored, ready for this person's notification.
    let started = Instant::now();
    let id = earshot::store::AlertStore::raise_alert(
        &other_seat,
        &NewAlert {
            kind: AlertKind::NewNegative,
            business_id: Some(business.id),
            dedup_key: "seat-link-1".into(),
            created_at: 1_700_000_000,
            message: "A 1★ review: Cold coffee".into(),
            review_ids: vec![],
            details: serde_json::json!({}),
            state: AlertState::New,
        },
    )
    .unwrap()
    .unwrap();
    let Heard::Changes { new_alerts, .. } = next(&rx, Duration::from_secs(1)) else {
        panic!("not a change")
    };
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(new_alerts.len(), 1, "{new_alerts:?}");
    assert_eq!(new_alerts[0].id, id);
    // Another seat marked it notified for its own person: this one still notifies its own.
    other_seat
        .mark_alerts_notified(&[id], 1_700_000_100)
        .unwrap();
    let mut notified = new_alerts.clone();
    notified[0].notified_at = chrono::DateTime::from_timestamp(1_700_000_100, 0);
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T12:00:00+01:00").unwrap();
    let plan = team_seat::team_notification_plan(&NotificationPrefs::default(), now, &notified);
    assert_eq!(plan.notify_now.len(), 1);
    assert!(plan.notify_now[0].body.contains("Cold coffee"));
    // This person's own quiet hours hold it back.
    let quiet = NotificationPrefs {
        quiet_hours: Some(earshot::model::alerts::QuietHours {
            start_hour: 11,
            end_hour: 13,
        }),
        ..NotificationPrefs::default()
    };
    assert!(team_seat::team_notification_plan(&quiet, now, &notified)
        .notify_now
        .is_empty());

    // The server drops the link's connection (and the other seat's): it says so, and is back (and says so) soon after.
    let dropped = Instant::now();
    writer
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    match next(&rx, Duration::from_secs(5)) {
        Heard::Lost { retry_in, reason } => {
            assert_eq!(retry_in, team_seat::RECONNECT_FIRST, "{reason}");
        }
        other => panic!("expected the link lost, heard {other:?}"),
    }
    assert_eq!(next(&rx, Duration::from_secs(5)), Heard::Connected);
    eprintln!(
        "the link was back {:?} after the server dropped it",
        dropped.elapsed()
    );
    writer
        .execute(
            "INSERT INTO reviews (source_id, business_id, platform, external_id, kind, body,
                                  created_at, fetched_at, content_hash)
             VALUES ($1, $2, 'google', 'x2', 'review', 'Better', 1700000000, 1700000000, 2)",
            &[&source, &business.id],
        )
        .unwrap();
    assert!(matches!(
        next(&rx, Duration::from_secs(1)),
        Heard::Changes { .. }
    ));
    stop.store(true, Ordering::SeqCst);
}

#[test]
fn alert_ids_cover_each_statements_rows() {
    let change = |kind: &str, id, count| earshot::store::postgres::Change {
        kind: kind.into(),
        business_id: Some(1),
        id,
        count,
    };
    assert_eq!(
        team_seat::alert_ids(&[
            change("alert", 7, 2),
            change("review", 90, 40),
            change("alert", 7, 1),
            change("alert", 9, 1)
        ]),
        vec![6, 7, 9]
    );
}
