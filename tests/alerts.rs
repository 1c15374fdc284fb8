//! Alerts (issue 5): the rule engine on synthetic review streams through a real store, the demo's
//! bad week, deduplication across checks and processes, and the `earshot alerts` commands.

use crate::common;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use common::TestDb;
use earshot::alerts::{self, notification_plan, NotificationPrefs};
use earshot::model::alerts::{Alert, AlertFilter, AlertKind, AlertState, NewAlert};
use earshot::model::{BusinessId, IncomingReview, Kind, OwnerReply, SourceId};
use earshot::store::Store;
use serde_json::Value;

const CAFE: &str = "Joe's Cafe";

/// Midnight UTC at the start of the synthetic streams' "today".
fn today() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 20, 0, 0, 0).unwrap()
}

struct Cafe {
    store: Store,
    business: BusinessId,
    source: SourceId,
    seq: u32,
}

impl Cafe {
    fn new(db: &TestDb) -> Cafe {
        let store = db.store();
        let business = store.add_business(CAFE, false).unwrap().id;
        let source = store
            .ensure_source(business, "file", "test", &serde_json::json!({}))
            .unwrap();
        Cafe {
            store,
            business,
            source,
            seq: 0,
        }
    }

    fn item(&mut self, rating: Option<f64>, body: &str, at: DateTime<Utc>) -> IncomingReview {
        self.seq += 1;
        IncomingReview {
            external_id: format!("r{}", self.seq),
            platform: "google".into(),
            kind: if rating.is_some() {
                Kind::Review
            } else {
                Kind::Mention
            },
            author: Some(format!("Customer {}", self.seq)),
            rating,
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

    fn write(&mut self, items: &[IncomingReview]) {
        self.store.write_reviews(self.source, items).unwrap();
    }

    /// Ordinary weeks: two good reviews a day (09:xx and 15:xx) for `days` days before `until`.
    fn ordinary(&mut self, days: i64, until: DateTime<Utc>) {
        const STARS: [f64; 10] = [5.0, 5.0, 4.0, 4.0, 5.0, 3.0, 5.0, 4.0, 4.0, 5.0];
        const TEXTS: [&str; 4] = [
            "Great coffee and friendly staff.",
            "Lovely cinnamon buns, we will be back.",
            "Decent flat white, nice and quiet.",
            "Quick service and a warm welcome.",
        ];
        let mut batch = Vec::new();
        for d in (1..=days).rev() {
            let day = until - Duration::days(d);
            for (k, h) in [(0usize, 9), (1, 15)] {
                let n = self.seq as usize + k;
                let at = day + Duration::hours(h) + Duration::minutes(7 + (n % 40) as i64);
                let it = self.item(Some(STARS[n % 10]), TEXTS[n % 4], at);
                batch.push(it);
            }
        }
        self.write(&batch);
    }

    fn check(&mut self, now: DateTime<Utc>) -> Vec<Alert> {
        alerts::check(&mut self.store, now).unwrap()
    }

    fn all_alerts(&self) -> Vec<Alert> {
        self.store
            .alerts(&AlertFilter {
                include_dismissed: true,
                ..AlertFilter::default()
            })
            .unwrap()
    }
}

fn kinds(alerts: &[Alert]) -> Vec<AlertKind> {
    let mut k: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
    k.sort();
    k
}

fn count(alerts: &[Alert], kind: AlertKind) -> usize {
    alerts.iter().filter(|a| a.kind == kind).count()
}

#[test]
fn ordinary_weeks_raise_no_alert() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(400, today());
    assert_eq!(kinds(&cafe.check(today())), vec![]);
    assert_eq!(cafe.store.unread_alert_count().unwrap(), 0);
}

#[test]
fn a_bad_week_raises_the_right_alerts_once_dated_inside_it() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(200, today());
    // Days −18 … −12: six complaints a day, one every two hours from 08:20, all unanswered; one
    // asks for a refund.
    let bad_from = today() - Duration::days(18);
    let bad_to = today() - Duration::days(11);
    let mut bad = Vec::new();
    for d in 0..7 {
        for k in 0..6 {
            let at =
                bad_from + Duration::days(d) + Duration::hours(8 + 2 * k) + Duration::minutes(20);
            let stars = if k % 2 == 0 { 1.0 } else { 2.0 };
            let body = if d == 3 && k == 0 {
                "Waited 40 minutes, cold latte. I want a REFUND."
            } else {
                "Waited 40 minutes for two coffees. Never again."
            };
            bad.push(cafe.item(Some(stars), body, at));
        }
    }
    cafe.write(&bad);

    let raised = cafe.check(today());
    // One card per complaint (issue 28): each is past its reply deadline, so each card is in
    // its unanswered state rather than a "new negative" card and a second one.
    assert_eq!(count(&raised, AlertKind::NewNegative), 0);
    assert_eq!(count(&raised, AlertKind::Unanswered), 42);
    assert_eq!(count(&raised, AlertKind::WatchWord), 1);
    assert_eq!(count(&raised, AlertKind::RatingDrop), 1);
    // One complaint an hour is not viral, but a week of them is a spike of complaints (issue 28).
    assert_eq!(count(&raised, AlertKind::Spike), 1);
    let spike = raised.iter().find(|a| a.kind == AlertKind::Spike).unwrap();
    assert_eq!(spike.details["direction"], "complaints");
    assert!(
        spike.details.get("peak_per_hour").is_none(),
        "not an hourly spike"
    );
    let topics = count(&raised, AlertKind::TopicSurge);
    assert!(topics <= 2, "{topics} topic surges");
    assert_eq!(
        raised.len(),
        45 + topics,
        "{:#?}",
        raised
            .iter()
            .filter(|a| a.kind != AlertKind::Unanswered)
            .map(|a| (a.kind, &a.message))
            .collect::<Vec<_>>()
    );

    let in_week = |a: &Alert| a.created_at >= bad_from && a.created_at < bad_to;
    let drop = raised
        .iter()
        .find(|a| a.kind == AlertKind::RatingDrop)
        .unwrap();
    assert!(in_week(drop), "rating drop dated {}", drop.created_at);
    // The average is still down today: news, not history.
    assert_eq!(drop.state, AlertState::New);
    for a in raised
        .iter()
        .filter(|a| a.kind == AlertKind::Spike || a.kind == AlertKind::TopicSurge)
    {
        assert!(in_week(a), "{} dated {}", a.kind, a.created_at);
        assert!(a.details["evidence"].is_object());
    }
    for a in raised.iter().filter(|a| a.kind == AlertKind::Unanswered) {
        // Dated when the 24 hours ran out: inside the week or the day after.
        assert!(a.created_at >= bad_from && a.created_at < bad_to + Duration::days(1));
        assert_eq!(a.review_ids.len(), 1);
        assert!(a.dedup_key.starts_with("new_negative:"), "{}", a.dedup_key);
        // More than a week old when first seen: filed, not rung.
        assert_eq!(a.state, AlertState::Seen);
        assert!(
            a.message
                .starts_with("A 1★ review on Google from Customer ")
                || a.message
                    .starts_with("A 2★ review on Google from Customer "),
            "{}",
            a.message
        );
    }
    let ww = raised
        .iter()
        .find(|a| a.kind == AlertKind::WatchWord)
        .unwrap();
    assert!(
        ww.message.starts_with("“refund” in a 1★ review on Google"),
        "{}",
        ww.message
    );

    // Nothing is raised twice, by a later check or by one at the same instant.
    assert!(cafe.check(today()).is_empty());
    assert!(cafe.check(today() + Duration::hours(5)).is_empty());
    assert_eq!(cafe.all_alerts().len(), raised.len());
}

#[test]
fn a_new_one_star_review_after_a_check_raises_exactly_one_card_that_turns_unanswered() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(60, today());
    assert!(cafe.check(today()).is_empty());

    let at = today() + Duration::hours(9);
    let bad = cafe.item(
        Some(1.0),
        "Waited 40 minutes for two coffees. Never again.",
        at,
    );
    cafe.write(std::slice::from_ref(&bad));
    let raised = cafe.check(at + Duration::minutes(10));
    assert_eq!(kinds(&raised), vec![AlertKind::NewNegative]);
    let a = &raised[0];
    assert_eq!(a.state, AlertState::New);
    assert_eq!(a.created_at, at);
    assert_eq!(
        a.message,
        format!(
            "New 1★ review on Google from Customer {}: “Waited 40 minutes for two coffees. Never again.”",
            cafe.seq
        )
    );
    let review_id = a.review_ids[0];
    assert_eq!(
        cafe.store.review(review_id).unwrap().external_id,
        bad.external_id
    );
    assert_eq!(cafe.store.unread_alert_count().unwrap(), 1);

    // Still unanswered a day later: the same card, now dated when the 24 hours ran out and in
    // its unanswered state; no second card, and no second notification without reminders
    // (issue 28: one review, one card).
    let card_id = a.id;
    assert!(cafe.check(at + Duration::hours(23)).is_empty());
    assert!(cafe.check(at + Duration::hours(25)).is_empty());
    let all = cafe.all_alerts();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, card_id);
    assert_eq!(all[0].kind, AlertKind::Unanswered);
    assert_eq!(all[0].created_at, at + Duration::hours(24));
    assert_eq!(all[0].review_ids, vec![review_id]);
    assert!(all[0].message.contains("has had no reply for 24 hours"));
    assert!(cafe.check(at + Duration::hours(30)).is_empty());

    // The owner replies: the unanswered alert settles by itself.
    let mut replied = bad;
    replied.owner_reply = Some(OwnerReply {
        body: "Sorry, Sam.".into(),
        replied_at: Some(at + Duration::hours(31)),
    });
    cafe.write(&[replied]);
    assert!(cafe.check(at + Duration::hours(32)).is_empty());
    let unanswered = cafe
        .store
        .alerts(&AlertFilter {
            kind: Some(AlertKind::Unanswered),
            ..AlertFilter::default()
        })
        .unwrap();
    assert_eq!(unanswered[0].state, AlertState::Seen);
}

#[test]
fn a_review_arriving_late_with_an_old_date_is_still_checked() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(30, today());
    assert!(cafe.check(today()).is_empty());
    // A sync delivers a 2★ review written three days ago.
    let old = cafe.item(Some(2.0), "Sticky tables.", today() - Duration::days(3));
    cafe.write(&[old]);
    let raised = cafe.check(today() + Duration::hours(1));
    // One card, already past its reply deadline (issue 28).
    assert_eq!(kinds(&raised), vec![AlertKind::Unanswered]);
    assert!(raised.iter().all(|a| a.state == AlertState::New));
    assert_eq!(cafe.all_alerts().len(), 1);
}

#[test]
fn with_reminders_on_a_card_turning_unanswered_notifies_once_more() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(30, today());
    assert!(cafe.check(today()).is_empty());
    alerts::set_rule(
        &cafe.store,
        "unanswered",
        None,
        &[("remind".into(), "1".into())],
    )
    .unwrap();
    let at = today() + Duration::hours(9);
    let bad = cafe.item(Some(1.0), "Cold soup and a rude waiter.", at);
    cafe.write(&[bad]);
    let first = cafe.check(at + Duration::minutes(5));
    assert_eq!(kinds(&first), vec![AlertKind::NewNegative]);
    cafe.store
        .mark_alerts_notified(&[first[0].id], (at + Duration::minutes(6)).timestamp())
        .unwrap();
    alerts::set_state(&cafe.store, first[0].id, AlertState::Seen).unwrap();

    let late = cafe.check(at + Duration::hours(25));
    assert_eq!(kinds(&late), vec![AlertKind::Unanswered]);
    assert_eq!(late[0].id, first[0].id, "the same card");
    let card = cafe.store.alert(first[0].id).unwrap().unwrap();
    assert_eq!(card.state, AlertState::New);
    assert_eq!(card.notified_at, None);
    // Once: a later check does not remind again.
    assert!(cafe.check(at + Duration::hours(30)).is_empty());
    assert_eq!(cafe.all_alerts().len(), 1);
}

#[test]
fn a_review_edited_down_to_one_star_raises_an_alert_dated_by_the_edit() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(30, today());
    let written = today() - Duration::days(20);
    let mut review = cafe.item(Some(4.0), "Nice coffee.", written);
    cafe.write(std::slice::from_ref(&review));
    assert!(cafe.check(today()).is_empty());

    let edited = today() + Duration::hours(2);
    review.rating = Some(1.0);
    review.body = "Update: found a hair in my cake, and nobody cared.".into();
    review.updated_at = Some(edited);
    cafe.write(std::slice::from_ref(&review));
    let raised = cafe.check(edited + Duration::minutes(5));
    // Unanswered too: it was written 20 days ago and never answered. One card, the edit's,
    // noting it (issue 28: one review, one card).
    assert_eq!(kinds(&raised), vec![AlertKind::NewNegative]);
    let a = raised
        .iter()
        .find(|a| a.kind == AlertKind::NewNegative)
        .unwrap();
    assert_eq!(a.details["unanswered_hours"], 24);
    assert_eq!(a.created_at, edited);
    assert_eq!(a.state, AlertState::New);
    assert_eq!(
        a.message,
        format!(
            "A review on Google from Customer {} was changed to 1★: “Update: found a hair in my \
             cake, and nobody cared.”",
            cafe.seq
        )
    );
    // Edited again, still 1★: nothing new.
    review.body = "Update 2: still waiting for an apology.".into();
    review.updated_at = Some(edited + Duration::hours(1));
    cafe.write(std::slice::from_ref(&review));
    assert!(cafe.check(edited + Duration::hours(2)).is_empty());
}

/// `n` "saw this on TikTok" mentions, one every five minutes from `start`.
fn viral(cafe: &mut Cafe, start: DateTime<Utc>, n: i64) -> Vec<IncomingReview> {
    (0..n)
        .map(|k| {
            let at = start + Duration::minutes(5 * k);
            cafe.item(
                None,
                "Saw this place on TikTok, is it really that good?",
                at,
            )
        })
        .collect()
}

#[test]
fn one_spike_raises_exactly_one_alert_with_its_items() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(90, today());
    let start = today() - Duration::days(2) + Duration::hours(14);
    let burst = viral(&mut cafe, start, 12);
    cafe.write(&burst);
    let raised = cafe.check(today());
    assert_eq!(kinds(&raised), vec![AlertKind::Spike]);
    let s = &raised[0];
    assert_eq!(s.review_ids.len(), 12);
    assert_eq!(s.created_at, start);
    assert_eq!(
        s.dedup_key,
        format!("spike:{}:2026-03-18T14:00:00Z", cafe.business)
    );
    assert_eq!(
        s.message,
        "Joe's Cafe got 12 reviews and posts in one hour (18 Mar 2026, 14:00 UTC), about 72 \
         times its usual pace, mostly praise. Something may be going viral."
    );
    // "Is it really that good?" reads as praise: the spike says which way it goes (issue 28).
    assert_eq!(s.details["direction"], "praise");
    assert!(cafe.check(today() + Duration::hours(1)).is_empty());
}

#[test]
fn a_spike_still_growing_after_a_check_stays_one_alert_and_gathers_its_new_items() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(90, today());
    let start = today() + Duration::hours(14);
    let first = viral(&mut cafe, start, 8);
    cafe.write(&first);
    let raised = cafe.check(start + Duration::minutes(40));
    assert_eq!(kinds(&raised), vec![AlertKind::Spike]);
    assert_eq!(raised[0].review_ids.len(), 8);

    // The next hour is as busy: the same spike, not a second one.
    let rest = viral(&mut cafe, start + Duration::hours(1), 10);
    cafe.write(&rest);
    assert!(cafe.check(start + Duration::hours(2)).is_empty());
    let spikes = cafe
        .store
        .alerts(&AlertFilter {
            kind: Some(AlertKind::Spike),
            ..AlertFilter::default()
        })
        .unwrap();
    assert_eq!(spikes.len(), 1);
    assert_eq!(spikes[0].review_ids.len(), 18);
}

#[test]
fn reviews_stamped_with_a_date_only_never_make_a_midnight_spike() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(60, today());
    let midnight = today() - Duration::days(1);
    let batch: Vec<IncomingReview> = (0..10)
        .map(|_| cafe.item(Some(5.0), "Great", midnight))
        .collect();
    cafe.write(&batch);
    assert!(cafe.check(today()).is_empty());
}

#[test]
fn a_disabled_rule_raises_nothing_and_watch_words_can_be_changed() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(30, today());
    alerts::set_rule(&cafe.store, "new_negative", Some(false), &[]).unwrap();
    alerts::set_rule(&cafe.store, "unanswered", Some(false), &[]).unwrap();
    alerts::set_rule(
        &cafe.store,
        "watch_word",
        None,
        &[("words".into(), "mould, allergic reaction".into())],
    )
    .unwrap();
    let a = cafe.item(
        Some(1.0),
        "There was MOULD on the bread.",
        today() - Duration::hours(3),
    );
    let b = cafe.item(Some(1.0), "What a scam.", today() - Duration::hours(2));
    cafe.write(&[a, b]);
    let raised = cafe.check(today());
    assert_eq!(kinds(&raised), vec![AlertKind::WatchWord]);
    assert!(raised[0].message.starts_with("“mould” in a 1★ review"));
}

#[test]
fn unknown_rules_and_settings_are_refused_with_a_code() {
    let db = TestDb::new();
    let store = db.store();
    let e = alerts::set_rule(&store, "viral", None, &[]).unwrap_err();
    assert_eq!(e.code(), "unknown_alert_rule");
    let e = alerts::set_rule(
        &store,
        "unanswered",
        None,
        &[("minutes".into(), "3".into())],
    )
    .unwrap_err();
    assert_eq!(e.code(), "unknown_alert_param");
    assert!(e.to_string().contains("hours, max_stars"), "{e}");
    let e =
        alerts::set_rule(&store, "unanswered", None, &[("hours".into(), "-1".into())]).unwrap_err();
    assert_eq!(e.code(), "invalid_alert_param");
    let e = alerts::set_state(&store, 999, AlertState::Seen).unwrap_err();
    assert_eq!(e.code(), "unknown_alert");
}

#[test]
fn the_sync_engines_source_health_alert_is_stored_once() {
    let db = TestDb::new();
    let cafe = Cafe::new(&db);
    let a = NewAlert {
        kind: AlertKind::SourceHealth,
        business_id: Some(cafe.business),
        dedup_key: "source_health:1:2026-03-20".into(),
        created_at: today().timestamp(),
        message: "Google has failed to sync 5 times since 09:00: the token expired.".into(),
        review_ids: vec![],
        details: serde_json::json!({ "source_id": cafe.source }),
        state: AlertState::New,
    };
    assert!(cafe.store.raise_alert(&a).unwrap().is_some());
    assert!(cafe.store.raise_alert(&a).unwrap().is_none());
    let all = cafe.all_alerts();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, AlertKind::SourceHealth);
    assert_eq!(all[0].business.as_deref(), Some(CAFE));
}

#[test]
fn notified_alerts_are_never_planned_again() {
    let db = TestDb::new();
    let mut cafe = Cafe::new(&db);
    cafe.ordinary(30, today());
    cafe.check(today());
    let at = today() + Duration::hours(10);
    let bad = cafe.item(Some(1.0), "Cold coffee.", at);
    cafe.write(&[bad]);
    let raised = cafe.check(at);
    let local = FixedOffset::east_opt(0)
        .unwrap()
        .from_utc_datetime(&at.naive_utc());
    let prefs = NotificationPrefs::default();
    let plan = notification_plan(&prefs, local, &raised);
    assert_eq!(plan.notify_now.len(), 1);
    alerts::record_sent(&cafe.store, &plan, at).unwrap();

    let pending = cafe
        .store
        .alerts(&AlertFilter {
            unnotified: true,
            ..AlertFilter::default()
        })
        .unwrap();
    assert!(pending.is_empty());
    // Notified is not read: the tray still shows it until the owner looks.
    assert_eq!(cafe.store.unread_alert_count().unwrap(), 1);
    let again = cafe.store.alerts(&AlertFilter::default()).unwrap();
    assert!(notification_plan(&prefs, local, &again)
        .notify_now
        .is_empty());
}

#[test]
fn notification_preferences_round_trip_through_settings() {
    let db = TestDb::new();
    let store = db.store();
    assert_eq!(
        alerts::notification_prefs(&store).unwrap(),
        NotificationPrefs::default()
    );
    let prefs = NotificationPrefs {
        quiet_hours: Some(earshot::model::alerts::QuietHours {
            start_hour: 22,
            end_hour: 7,
        }),
        daily_digest: true,
        digest_hour: 17,
        paused_until: Some(today()),
        last_digest_at: None,
    };
    alerts::set_notification_prefs(&store, &prefs).unwrap();
    assert_eq!(alerts::notification_prefs(&db.store()).unwrap(), prefs);
}

// ---------------------------------------------------------------------------------------------
// The demo and the CLI.

const DEMO_UNTIL: &str = "2026-11-22";
const DEMO_NOW: &str = "2026-11-23T08:00:00Z";

fn demo_check(db: &TestDb) -> Value {
    db.earshot(&["demo", "--until", DEMO_UNTIL]).ok();
    db.earshot(&["alerts", "check", "--now", DEMO_NOW, "--json"])
        .ok()
        .json()
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn the_demos_bad_week_yields_a_rating_drop_and_new_negatives_dated_inside_it() {
    let db = TestDb::new();
    let raised = demo_check(&db);
    let raised = raised.as_array().unwrap();
    // The bad week: 18 to 12 days before the demo's last day.
    let from = Utc.with_ymd_and_hms(2026, 11, 4, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 11, 11, 0, 0, 0).unwrap();
    let in_week = |a: &Value| {
        let t = time(&a["created_at"]);
        t >= from && t < to
    };
    let of = |kind: &str| -> Vec<&Value> { raised.iter().filter(|a| a["kind"] == kind).collect() };
    let drops = of("rating_drop");
    assert!(
        drops.iter().any(|a| in_week(a)),
        "no rating drop in the bad week: {drops:?}"
    );
    assert_eq!(drops.iter().filter(|a| in_week(a)).count(), 1);
    let negatives_in_week = of("new_negative")
        .into_iter()
        .filter(|a| in_week(a))
        .count();
    assert!(
        negatives_in_week >= 20,
        "{negatives_in_week} new negatives in the bad week"
    );
    // Years of history were filed as seen: only recent news is unread.
    for a in raised {
        let old = time(&a["created_at"]) < Utc.with_ymd_and_hms(2026, 11, 16, 8, 0, 0).unwrap();
        if old && a["kind"] == "new_negative" {
            assert_eq!(a["state"], "seen", "{a}");
        }
    }
    let unread = raised.iter().filter(|a| a["state"] == "new").count();
    assert!(unread < 10, "{unread} unread after the first check");
}

#[test]
fn alerts_json_has_the_documented_fields() {
    let db = TestDb::new();
    demo_check(&db);
    let list = db.earshot(&["alerts", "--json"]).ok().json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 50, "the default list is the newest 50");
    for a in list {
        assert!(a["id"].is_i64());
        assert!(a["kind"].is_string());
        assert!(a["business"].is_string());
        assert!(a["created_at"].as_str().unwrap().ends_with('Z'));
        time(&a["created_at"]);
        assert!(a["review_ids"].is_array());
        assert!(a["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(["new", "seen", "dismissed"].contains(&a["state"].as_str().unwrap()));
    }
    let dates: Vec<DateTime<Utc>> = list.iter().map(|a| time(&a["created_at"])).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let negative = list.iter().find(|a| a["kind"] == "new_negative").unwrap();
    assert_eq!(negative["review_ids"].as_array().unwrap().len(), 1);
}

#[test]
fn checking_again_in_a_new_process_raises_nothing_twice() {
    let db = TestDb::new();
    let first = demo_check(&db);
    assert!(first.as_array().unwrap().len() > 100);
    let again = db
        .earshot(&["alerts", "check", "--now", DEMO_NOW, "--json"])
        .ok()
        .json();
    assert_eq!(again, serde_json::json!([]));
    let later = db
        .earshot(&["alerts", "check", "--now", "2026-11-23T09:00:00Z"])
        .ok();
    assert_eq!(later.stdout().trim(), "No new alerts.");
    let all = db.earshot(&["alerts", "--all", "--json"]).ok().json();
    assert_eq!(
        all.as_array().unwrap().len(),
        first.as_array().unwrap().len()
    );
}

#[test]
fn seen_and_dismiss_change_the_state_and_dismissed_alerts_are_hidden_unless_all() {
    let db = TestDb::new();
    demo_check(&db);
    let unread = db.earshot(&["alerts", "--unread", "--json"]).ok().json();
    let unread = unread.as_array().unwrap();
    assert!(unread.len() >= 2);
    let (a, b) = (unread[0]["id"].to_string(), unread[1]["id"].to_string());
    let b_id = unread[1]["id"].clone();
    let out = db.earshot(&["alerts", "seen", &a]).ok().stdout();
    assert!(out.starts_with("Marked 1 alert seen."), "{out}");
    db.earshot(&["alerts", "dismiss", &b]).ok();
    let after = db.earshot(&["alerts", "--unread", "--json"]).ok().json();
    assert_eq!(after.as_array().unwrap().len(), unread.len() - 2);
    let shown = db
        .earshot(&["alerts", "--json", "--limit", "100000"])
        .ok()
        .json();
    assert!(shown.as_array().unwrap().iter().all(|x| x["id"] != b_id));
    let all = db.earshot(&["alerts", "--all", "--json"]).ok().json();
    let dismissed = all
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b_id)
        .unwrap();
    assert_eq!(dismissed["state"], "dismissed");
    let err = db.earshot(&["alerts", "seen", "999999"]).fails().stderr();
    assert!(err.contains("no alert with id 999999"), "{err}");
}

#[test]
fn rules_are_listed_and_changed_from_the_cli() {
    let db = TestDb::new();
    let rules = db.earshot(&["alerts", "rules", "--json"]).ok().json();
    let rules = rules.as_array().unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "new_negative",
            "unanswered",
            "rating_drop",
            "spike",
            "watch_word",
            "competitor",
            "source_health",
            "topic_surge",
            "review_bomb",
            "silence",
            "removed",
            "credentials_expiring"
        ]
    );
    assert!(rules.iter().all(|r| r["enabled"] == true));
    let unanswered = &rules[1];
    assert_eq!(unanswered["params"]["hours"], 24);
    assert_eq!(
        rules[4]["params"]["words"],
        serde_json::json!([
            "food poisoning",
            "refund",
            "scam",
            "lawyer",
            "health department"
        ])
    );

    db.earshot(&[
        "alerts",
        "rules",
        "set",
        "unanswered",
        "--param",
        "hours=12",
        "--enabled",
        "false",
    ])
    .ok();
    db.earshot(&[
        "alerts",
        "rules",
        "set",
        "watch_word",
        "--param",
        "words=refund,  Mould ",
    ])
    .ok();
    let rules = db.earshot(&["alerts", "rules", "--json"]).ok().json();
    assert_eq!(rules[1]["params"]["hours"], 12.0);
    assert_eq!(rules[1]["enabled"], false);
    assert_eq!(
        rules[4]["params"]["words"],
        serde_json::json!(["refund", "Mould"])
    );

    let err = db
        .earshot(&["alerts", "rules", "set", "spike", "--param", "size=3"])
        .fails()
        .stderr();
    assert!(
        err.contains("the spike rule has no setting \"size\""),
        "{err}"
    );
    let text = db.earshot(&["alerts", "rules"]).ok().stdout();
    assert!(text.contains("off  unanswered"), "{text}");
}

#[test]
fn check_prints_plain_words_for_people() {
    let db = TestDb::new();
    db.earshot(&["demo", "--until", DEMO_UNTIL]).ok();
    let out = db
        .earshot(&["alerts", "check", "--now", DEMO_NOW])
        .ok()
        .stdout();
    assert!(out.contains("new alert"), "{out}");
    assert!(out.contains("filed as already seen"), "{out}");
    assert!(
        out.contains("Harbour Lane Café's average rating over the last 30 days fell to"),
        "{out}"
    );
}
