//! Alerts on the team store (issue 31): the same check, list, rules and states on a database file
//! and on a real PostgreSQL database (the throwaway cluster), through the same action calls and
//! the same CLI; and an alert raised once for the team when two seats check at the same moment.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use chrono::{DateTime, TimeZone, Utc};
use earshot::import::ImportOptions;
use earshot::model::alerts::{Alert, AlertFilter, AlertKind, AlertState};
use earshot::store::postgres::cluster;
use earshot::store::{AlertStore, Db, DbLocation};

use crate::common::TestDb;
use crate::team_store::both_stores;

const CAFE: &str = "Joe's Cafe";

/// When the checks run: the day after the bad evening below.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 20, 12, 0, 0).unwrap()
}

/// Ninety quiet days of good reviews, then an evening of one-star reviews from strangers, some
/// with watch words: new negatives, watch words, unanswered cards, a bombing and a spike.
fn bad_evening_csv(test: &TestDb) -> PathBuf {
    let mut csv = String::from("external_id,platform,author,rating,title,body,created_at,url\n");
    let start = now() - chrono::Duration::days(91);
    let mut n = 0;
    for day in 0..90 {
        for (hour, stars) in [(10, 5), (13, 4), (18, 5)] {
            n += 1;
            let at = start + chrono::Duration::days(day) + chrono::Duration::hours(hour);
            csv.push_str(&format!(
                "q{n},google,Regular {n},{stars},,Lovely coffee and kind staff,{},\n",
                at.to_rfc3339()
            ));
        }
    }
    let evening = now() - chrono::Duration::hours(30);
    for i in 0..12 {
        let at = evening + chrono::Duration::minutes(10 * i);
        let body = if i % 3 == 0 {
            "Awful, I want a refund, this place is a scam"
        } else {
            "Cold food, rude waiter, terrible evening"
        };
        csv.push_str(&format!(
            "b{i},google,Stranger {i},1,,\"{body}\",{},\n",
            at.to_rfc3339()
        ));
    }
    test.file("bad_evening.csv", &csv)
}

fn import(db: &mut Db, path: &Path) {
    let opts = ImportOptions {
        business: CAFE.into(),
        ..Default::default()
    };
    earshot::actions::import_into(db, &[path.to_owned()], &opts, Some(100), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("import into {}: {e}", db.location()));
}

/// What an alert says, store-independently (ids are the stores' own).
fn shown(alerts: &[Alert]) -> Vec<String> {
    let mut out: Vec<String> = alerts
        .iter()
        .map(|a| {
            format!(
                "{}|{}|{}|{:?}|{}|{:?}",
                a.kind.as_str(),
                a.created_at,
                a.message,
                a.state,
                a.review_ids.len(),
                a.business
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_check_raises_the_same_alerts_once_on_both_stores() {
    let test = TestDb::new();
    let csv = bad_evening_csv(&test);
    let mut results = Vec::new();
    for mut db in both_stores(&test, "alerts_same") {
        import(&mut db, &csv);
        let raised = earshot::actions::check_alerts(&mut db, now()).unwrap();
        let kinds: BTreeSet<AlertKind> = raised.iter().map(|a| a.kind).collect();
        // The evening's one-star reviews are past their reply deadline: one card each, unanswered.
        for kind in [
            AlertKind::Unanswered,
            AlertKind::WatchWord,
            AlertKind::ReviewBomb,
        ] {
            assert!(kinds.contains(&kind), "{}: {kinds:?}", db.location());
        }
        // A second check finds nothing new: every alert is raised once.
        let again = earshot::actions::check_alerts(&mut db, now()).unwrap();
        assert!(again.is_empty(), "{}: {again:?}", db.location());
        let all = db
            .alerts(&AlertFilter {
                include_dismissed: true,
                ..AlertFilter::default()
            })
            .unwrap();
        assert_eq!(all.len(), raised.len(), "{}", db.location());
        assert_eq!(db.unread_alert_count().unwrap(), raised.len() as i64);

        // States, rules and the screen's list, as on the file.
        let first = all[0].id;
        earshot::alerts::set_state(&db, first, AlertState::Seen).unwrap();
        earshot::alerts::set_state(&db, all[1].id, AlertState::Dismissed).unwrap();
        assert!(earshot::alerts::set_state(&db, 999_999, AlertState::Seen).is_err());
        assert_eq!(
            db.unread_alert_count().unwrap(),
            raised.len() as i64 - 2,
            "{}",
            db.location()
        );
        let listed = earshot::actions::alerts_with_reviews(&db, &AlertFilter::default()).unwrap();
        assert_eq!(listed.len(), all.len() - 1, "the dismissed one is hidden");
        assert!(listed
            .iter()
            .all(|a| !a.reviews.is_empty() || a.alert.review_ids.is_empty()));
        let rule = earshot::alerts::set_rule(
            &db,
            "watch_word",
            Some(false),
            &[("words".into(), "refund, lawyer".into())],
        )
        .unwrap();
        assert!(!rule.enabled);
        let rules = earshot::alerts::load_rules(&db).unwrap();
        assert!(!rules.enabled(AlertKind::WatchWord));
        assert_eq!(
            rules.get(AlertKind::WatchWord).words("words"),
            ["refund", "lawyer"]
        );
        results.push((shown(&raised), db.location()));
    }
    let (file, team) = (&results[0], &results[1]);
    assert_eq!(file.0, team.0, "{} vs {}", file.1, team.1);
}

/// Two seats checking the same team database at the same moment: each alert is raised (and
/// reported, so notified) by exactly one of them.
#[test]
fn two_seats_checking_at_once_raise_each_alert_once_for_the_team() {
    let test = TestDb::new();
    let csv = bad_evening_csv(&test);
    let url = cluster::fresh_database("alerts_two_seats");
    let location = DbLocation::parse(Path::new(&url));
    import(&mut Db::open(&location).unwrap(), &csv);

    for round in 0..2 {
        let barrier = Arc::new(Barrier::new(2));
        let seats: Vec<_> = (0..2)
            .map(|_| {
                let barrier = barrier.clone();
                let location = location.clone();
                std::thread::spawn(move || {
                    let mut seat = Db::open(&location).unwrap();
                    barrier.wait();
                    earshot::actions::check_alerts(&mut seat, now()).unwrap()
                })
            })
            .collect();
        let raised: Vec<Vec<Alert>> = seats.into_iter().map(|s| s.join().unwrap()).collect();
        let db = Db::open(&location).unwrap();
        let stored = db
            .alerts(&AlertFilter {
                include_dismissed: true,
                ..AlertFilter::default()
            })
            .unwrap();
        let (a, b): (BTreeSet<i64>, BTreeSet<i64>) = (
            raised[0].iter().map(|a| a.id).collect(),
            raised[1].iter().map(|a| a.id).collect(),
        );
        assert!(
            a.is_disjoint(&b),
            "round {round}: both seats raised {:?}",
            a.intersection(&b)
        );
        if round == 0 {
            assert!(!stored.is_empty());
            assert_eq!(
                a.len() + b.len(),
                stored.len(),
                "every alert raised by exactly one seat"
            );
            // The dedup keys are unique, so no alert is stored twice.
            let keys: BTreeSet<&str> = stored.iter().map(|a| a.dedup_key.as_str()).collect();
            assert_eq!(keys.len(), stored.len());
        } else {
            assert!(
                a.is_empty() && b.is_empty(),
                "a later check raises nothing again"
            );
        }
    }
}

/// `earshot alerts …` with `--db postgresql://…` prints what it prints on a file.
#[test]
fn the_alerts_commands_print_the_same_on_a_team_database() {
    let test = TestDb::new();
    let csv = bad_evening_csv(&test);
    let url = cluster::fresh_database("alerts_cli");
    let file = test.path().display().to_string();
    let run = |db: &str, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("EARSHOT_DB")
            .env("XDG_DATA_HOME", test.dir.path())
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
    let now = now().to_rfc3339();
    let steps: Vec<Vec<&str>> = vec![
        vec!["import", csv.to_str().unwrap(), "--business", CAFE],
        vec!["alerts"],
        vec!["alerts", "check", "--now", &now, "--json"],
        vec!["alerts", "check", "--now", &now],
        vec!["alerts", "--json"],
        vec!["alerts", "seen", "1", "2"],
        vec!["alerts", "dismiss", "3"],
        vec!["alerts", "--unread", "--json"],
        vec![
            "alerts",
            "--all",
            "--kind",
            "watch_word",
            "--business",
            CAFE,
        ],
        vec!["alerts", "rules", "--json"],
        vec![
            "alerts",
            "rules",
            "set",
            "unanswered",
            "--param",
            "hours=12",
            "--json",
        ],
        vec!["alerts", "rules"],
        vec![
            "alerts",
            "check",
            "--now",
            &now,
            "--since",
            "2026-01-01",
            "--json",
        ],
    ];
    for step in &steps {
        let on_file = run(&file, step);
        let on_team = run(&url, step);
        if step[0] == "import" {
            continue;
        }
        assert_eq!(on_file, on_team, "earshot {step:?}");
    }
    // The channels' commands: tests/team_channels.rs.
}
