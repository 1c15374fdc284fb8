//! Issue 28, "History and evidence" and the new rules, through a real store and the `earshot`
//! binary: two calm years of a café with one hidden week of food-poisoning reviews get their
//! spike and rating drop on the first check, dated in that week, with their evidence, and nothing
//! statistical anywhere else; a second check (or `--since`) adds nothing; the new kinds keep
//! their names in the JSON.

use crate::common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::TestDb;
use earshot::alerts;
use earshot::model::alerts::{Alert, AlertFilter, AlertKind};
use earshot::model::{IncomingReview, Kind, SourceId};
use earshot::store::Store;
use serde_json::Value;

/// The check's "now": the end of the two calm years.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 20, 18, 0, 0).unwrap()
}

/// The hidden bad week: seven days from here.
fn bad_from() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 9, 0, 0, 0).unwrap()
}

/// A small seeded generator (xorshift64*), so the history is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CALM_TEXTS: [&str; 6] = [
    "Great coffee and friendly staff, lovely place.",
    "Lovely cinnamon buns, we will be back.",
    "Excellent flat white and a warm welcome.",
    "Delicious cake, cosy corner, wonderful service.",
    "Friendly baristas and great breakfast.",
    "Nice quiet spot with excellent coffee.",
];

const BAD_TEXTS: [&str; 4] = [
    "Food poisoning after the chicken sandwich. Terrible, sick all night.",
    "Awful. My whole family got sick after eating here, disgusting food.",
    "Terrible food, I was ill for two days. Never again.",
    "Horrible experience, the salad made me sick. Avoid.",
];

struct Cafe {
    store: Store,
    source: SourceId,
    seq: u32,
}

impl Cafe {
    fn new(db: &TestDb) -> Cafe {
        let store = db.store();
        let business = store.add_business("Harbour Lane Café", false).unwrap().id;
        let source = store
            .ensure_source(business, "file", "history", &serde_json::json!({}))
            .unwrap();
        Cafe {
            store,
            source,
            seq: 0,
        }
    }

    fn review(&mut self, stars: f64, body: &str, at: DateTime<Utc>) -> IncomingReview {
        self.seq += 1;
        IncomingReview {
            external_id: format!("h{}", self.seq),
            platform: "google".into(),
            kind: Kind::Review,
            author: Some(format!("Guest {}", self.seq)),
            rating: Some(stars),
            title: None,
            body: body.into(),
            url: None,
            language: Some("en".into()),
            created_at: at,
            updated_at: None,
            owner_reply: None,
            raw_json: None,
        }
    }

    /// Two calm years before `now()`: 2 to 5 reviews a week on random days and hours, 4–5★,
    /// and the bad week: 12 reviews of 1–2★ about food poisoning.
    fn history(&mut self) {
        let mut rng = Rng(0x5EED_CAFE);
        let start = now() - Duration::days(730);
        let mut batch = Vec::new();
        for week in 0..104 {
            let monday = start + Duration::weeks(week);
            for _ in 0..2 + rng.below(4) {
                let at = monday
                    + Duration::days(rng.below(7) as i64)
                    + Duration::hours(8 + rng.below(12) as i64)
                    + Duration::minutes(1 + rng.below(58) as i64);
                if at >= now() {
                    continue;
                }
                let stars = if rng.below(2) == 0 { 4.0 } else { 5.0 };
                let text = CALM_TEXTS[rng.below(6) as usize];
                batch.push(self.review(stars, text, at));
            }
        }
        for k in 0..12 {
            let at =
                bad_from() + Duration::hours(14 * k + 9) + Duration::minutes(rng.below(50) as i64);
            let stars = if k % 3 == 0 { 2.0 } else { 1.0 };
            batch.push(self.review(stars, BAD_TEXTS[(k % 4) as usize], at));
        }
        self.store.write_reviews(self.source, &batch).unwrap();
    }

    fn all(&self) -> Vec<Alert> {
        self.store
            .alerts(&AlertFilter {
                include_dismissed: true,
                ..AlertFilter::default()
            })
            .unwrap()
    }
}

fn is_statistical(a: &Alert) -> bool {
    matches!(
        a.kind,
        AlertKind::Spike
            | AlertKind::RatingDrop
            | AlertKind::TopicSurge
            | AlertKind::ReviewBomb
            | AlertKind::Silence
    )
}

fn in_bad_week(t: DateTime<Utc>) -> bool {
    t >= bad_from() && t < bad_from() + Duration::days(7)
}

#[test]
fn the_hidden_bad_week_gets_its_spike_and_rating_drop_on_the_first_check_and_nothing_elsewhere() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.history();

    let raised = alerts::check(&mut cafe.store, now()).unwrap();
    let stats: Vec<&Alert> = raised.iter().filter(|a| is_statistical(a)).collect();
    for a in &stats {
        assert!(
            in_bad_week(a.created_at),
            "{} dated {} outside the bad week: {}",
            a.kind,
            a.created_at,
            a.message
        );
        let evidence = &a.details["evidence"];
        assert!(evidence.is_object(), "{} has no evidence", a.kind);
        for key in ["test", "statistic", "window", "baseline", "review_ids"] {
            assert!(!evidence[key].is_null(), "{} evidence lacks {key}", a.kind);
        }
    }
    let spikes: Vec<&&Alert> = stats
        .iter()
        .filter(|a| a.kind == AlertKind::Spike)
        .collect();
    assert_eq!(spikes.len(), 1, "{spikes:#?}");
    assert_eq!(spikes[0].details["direction"], "complaints");
    let ids = spikes[0].details["evidence"]["review_ids"]
        .as_array()
        .unwrap();
    assert!(ids.len() >= 5, "{ids:?}");
    assert_eq!(
        spikes[0].details["evidence"]["test"], "poisson_upper_tail",
        "{}",
        spikes[0].details
    );
    let drops = stats
        .iter()
        .filter(|a| a.kind == AlertKind::RatingDrop)
        .count();
    assert_eq!(drops, 1, "{stats:#?}");
    assert!(!stats
        .iter()
        .any(|a| a.kind == AlertKind::ReviewBomb || a.kind == AlertKind::Silence));

    // A second check, later or at once, adds nothing; neither does replaying the history.
    let total = cafe.all().len();
    assert!(alerts::check(&mut cafe.store, now()).unwrap().is_empty());
    assert!(alerts::check(&mut cafe.store, now() + Duration::hours(3))
        .unwrap()
        .is_empty());
    assert!(alerts::check_since(
        &mut cafe.store,
        now(),
        Some(bad_from() - Duration::days(400))
    )
    .unwrap()
    .is_empty());
    assert_eq!(cafe.all().len(), total);
}

#[test]
fn check_since_a_date_files_the_history_from_that_date_only() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.history();
    // After the bad week: nothing statistical, and no per-review alert of that week.
    let after = alerts::check_since(
        &mut cafe.store,
        now(),
        Some(bad_from() + Duration::days(30)),
    )
    .unwrap();
    assert!(after
        .iter()
        .all(|a| a.created_at >= bad_from() + Duration::days(30)));
    assert!(!after.iter().any(is_statistical), "{after:#?}");
    // From before it: the week's alerts now, once.
    let before =
        alerts::check_since(&mut cafe.store, now(), Some(bad_from() - Duration::days(1))).unwrap();
    assert_eq!(
        before.iter().filter(|a| a.kind == AlertKind::Spike).count(),
        1
    );
    // One card per bad review, now past its reply deadline (issue 28: one review, one card).
    let cards: Vec<&Alert> = before
        .iter()
        .filter(|a| matches!(a.kind, AlertKind::NewNegative | AlertKind::Unanswered))
        .collect();
    assert_eq!(cards.len(), 12, "{cards:#?}");
    assert!(cards
        .iter()
        .all(|a| a.kind == AlertKind::Unanswered && a.review_ids.len() == 1));
}

#[test]
fn the_cli_checks_since_a_date_and_the_json_keeps_the_new_kinds_names() {
    let db = TestDb::new();
    {
        let mut cafe = Cafe::new(&db);
        cafe.history();
        // A review the owner had disappears from its platform.
        let keep: Vec<String> = (2..=cafe.seq).map(|i| format!("h{i}")).collect();
        cafe.store.mark_removed_except(cafe.source, &keep).unwrap();
        // A sign-in that cannot renew itself ends in two days.
        cafe.store
            .record_credential_expiry(
                cafe.source,
                Some((now() + Duration::days(2)).timestamp()),
                false,
            )
            .unwrap();
    }
    let now_s = now().to_rfc3339();
    let raised: Value = db
        .earshot(&[
            "alerts",
            "check",
            "--now",
            &now_s,
            "--since",
            "2024-01-01",
            "--json",
        ])
        .ok()
        .json();
    let raised = raised.as_array().unwrap();
    let kinds: Vec<&str> = raised.iter().filter_map(|a| a["kind"].as_str()).collect();
    for k in ["spike", "rating_drop", "removed", "credentials_expiring"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    for a in raised {
        if [
            "spike",
            "rating_drop",
            "topic_surge",
            "review_bomb",
            "silence",
        ]
        .contains(&a["kind"].as_str().unwrap())
        {
            assert!(a["details"]["evidence"].is_object(), "{a}");
        }
        if a["kind"] == "spike" {
            assert!(["complaints", "praise"].contains(&a["details"]["direction"].as_str().unwrap()));
        }
    }
    let again: Value = db
        .earshot(&[
            "alerts",
            "check",
            "--now",
            &now_s,
            "--since",
            "2024-01-01",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(again.as_array().unwrap().len(), 0, "{again}");
    // The rules are listed and changed from the CLI like the others.
    let rules: Value = db.earshot(&["alerts", "rules", "--json"]).ok().json();
    let names: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    for k in [
        "topic_surge",
        "review_bomb",
        "silence",
        "removed",
        "credentials_expiring",
    ] {
        assert!(names.contains(&k), "{names:?}");
    }
    db.earshot(&[
        "alerts",
        "rules",
        "set",
        "review_bomb",
        "--param",
        "hours=6",
    ])
    .ok();
}

#[test]
fn strangers_piling_low_ratings_within_hours_raise_one_review_bombing() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.history();
    // Ten 1★ ratings from accounts never seen here, one every twenty minutes.
    let from = now() - Duration::hours(5);
    let bomb: Vec<IncomingReview> = (0..10)
        .map(|k| cafe.review(1.0, "Worst place ever.", from + Duration::minutes(20 * k)))
        .collect();
    cafe.store.write_reviews(cafe.source, &bomb).unwrap();
    let raised = alerts::check(&mut cafe.store, now()).unwrap();
    let bombs: Vec<&Alert> = raised
        .iter()
        .filter(|a| a.kind == AlertKind::ReviewBomb)
        .collect();
    assert_eq!(bombs.len(), 1, "{raised:#?}");
    assert_eq!(bombs[0].review_ids.len(), 10);
    assert_eq!(bombs[0].details["evidence"]["test"], "poisson_upper_tail");
    assert!(alerts::check(&mut cafe.store, now()).unwrap().is_empty());
}

#[test]
fn a_synced_source_gone_quiet_raises_one_silence_and_an_import_never_does() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    let feed = cafe
        .store
        .ensure_source(
            cafe.store.businesses().unwrap()[0].id,
            "google-business",
            "Harbour Lane",
            &serde_json::json!({}),
        )
        .unwrap();
    // Three reviews a day for 120 days from the feed, then 20 days of nothing.
    let last = now() - Duration::days(20);
    let items: Vec<IncomingReview> = (0..360)
        .map(|k| {
            let at = last - Duration::hours(8 * k);
            cafe.review(5.0, "Lovely coffee.", at)
        })
        .collect();
    cafe.store.write_reviews(feed, &items).unwrap();
    let raised = alerts::check(&mut cafe.store, now()).unwrap();
    let silent: Vec<&Alert> = raised
        .iter()
        .filter(|a| a.kind == AlertKind::Silence)
        .collect();
    assert_eq!(silent.len(), 1, "{raised:#?}");
    assert_eq!(silent[0].details["source_id"], feed);
    assert_eq!(silent[0].details["evidence"]["test"], "poisson_zero_gap");
    assert_eq!(
        silent[0].state,
        earshot::model::alerts::AlertState::New,
        "still silent: news"
    );
    assert!(alerts::check(&mut cafe.store, now()).unwrap().is_empty());
}

#[test]
fn the_dashboard_marks_the_bad_weeks_alerts_in_its_period() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.history();
    alerts::check(&mut cafe.store, now()).unwrap();
    let day_after = (bad_from() + Duration::days(8)).date_naive();
    let d = earshot::actions::dashboard(&cafe.store, None, Some(30), day_after).unwrap();
    let kinds: Vec<AlertKind> = d.alerts.iter().map(|m| m.kind).collect();
    assert!(kinds.contains(&AlertKind::Spike), "{kinds:?}");
    assert!(kinds.contains(&AlertKind::RatingDrop), "{kinds:?}");
    assert!(d
        .alerts
        .iter()
        .all(|m| in_bad_week(m.created_at) || m.created_at < bad_from() + Duration::days(9)));
    assert!(
        d.alerts
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at),
        "oldest first"
    );
    // A year later, that week is outside the period.
    let later = (now() - Duration::days(1)).date_naive();
    let d = earshot::actions::dashboard(&cafe.store, None, Some(30), later).unwrap();
    assert!(!d.alerts.iter().any(|m| in_bad_week(m.created_at)));
}

#[test]
fn a_sign_in_that_cannot_renew_is_recorded_without_its_token_and_warned_about() {
    use earshot::secrets::{MemorySecrets, Secret, SecretStore};
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    // A platform whose sign-in Earshot keeps and renews (X, Trustpilot, YouTube): only such
    // sources are looked up in the keyring.
    let business = cafe.store.business_by_name("Harbour Lane Café").unwrap().id;
    let signed_in = cafe
        .store
        .add_source(
            business,
            "trustpilot",
            "tp",
            &serde_json::json!({"business_unit_id": "bu-1"}),
        )
        .unwrap();
    let secrets = MemorySecrets::default();
    let ends = Utc::now() + Duration::days(2);
    secrets
        .set(
            signed_in,
            "access_token",
            &Secret::new("tok-SECRET-123".to_owned()),
        )
        .unwrap();
    secrets
        .set(
            signed_in,
            "access_token_expires_at",
            &Secret::new(ends.timestamp().to_string()),
        )
        .unwrap();
    earshot::platforms::oauth::record_expiries(&cafe.store, &secrets).unwrap();
    let raised = alerts::check(&mut cafe.store, Utc::now()).unwrap();
    let warned: Vec<&Alert> = raised
        .iter()
        .filter(|a| a.kind == AlertKind::CredentialsExpiring)
        .collect();
    assert_eq!(warned.len(), 1, "{raised:#?}");
    // The database holds when it ends, never the token.
    let bytes = std::fs::read(db.path()).unwrap();
    let wal = std::fs::read(db.path().with_extension("db-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(!String::from_utf8_lossy(&file).contains("tok-SECRET-123"));
    }
    // With a refresh token it renews itself: the warning is not raised again for a new end.
    secrets
        .set(signed_in, "refresh_token", &Secret::new("r".to_owned()))
        .unwrap();
    secrets
        .set(
            signed_in,
            "access_token_expires_at",
            &Secret::new((ends.timestamp() + 60).to_string()),
        )
        .unwrap();
    earshot::platforms::oauth::record_expiries(&cafe.store, &secrets).unwrap();
    assert!(alerts::check(&mut cafe.store, Utc::now())
        .unwrap()
        .iter()
        .all(|a| a.kind != AlertKind::CredentialsExpiring));
}
