//! Alerts a seat held back on a team database are shown later (issue 31): the plan reads the
//! person's own marks (`alert_notifications`), so an alert held back by quiet hours, a pause or
//! the daily summary stays owed to that person until shown, once, while another person of the
//! team is owed it still.

use chrono::DateTime;
use earshot::actions::team_notify::{plan_team_notifications, record_team_notified};
use earshot::alerts::NotificationPrefs;
use earshot::model::alerts::{AlertKind, AlertState, NewAlert, QuietHours};
use earshot::store::postgres::{cluster, PgStore, Role};
use earshot::store::{AlertStore, Db, DbLocation, Store};

use crate::common::TestDb;

fn alert(business: i64, key: &str, message: &str) -> NewAlert {
    NewAlert {
        kind: AlertKind::NewNegative,
        business_id: Some(business),
        dedup_key: key.into(),
        created_at: 1_700_000_000,
        message: message.into(),
        review_ids: vec![],
        details: serde_json::json!({}),
        state: AlertState::New,
    }
}

#[test]
fn alerts_held_back_by_quiet_hours_a_pause_or_the_summary_are_shown_later_once_a_person() {
    let url = cluster::fresh_database("team_notify");
    let owner = PgStore::open(&url).unwrap();
    owner.team_init().unwrap();
    owner
        .invite("notify_manager_sam", Role::Manager, None, "pw")
        .unwrap();
    let business = owner.add_business("Harbour Lane Café", false).unwrap();
    let team = Db::open(&DbLocation::Postgres(url.clone())).unwrap();
    let first = team
        .raise_alert(&alert(business.id, "notify-1", "A 1★ review: Cold coffee"))
        .unwrap()
        .unwrap();
    let seat_file = TestDb::new();
    let seat = Store::open(seat_file.path()).unwrap();

    // 23:00 in quiet hours (22–7): held back, nothing marked.
    let quiet = NotificationPrefs {
        quiet_hours: Some(QuietHours {
            start_hour: 22,
            end_hour: 7,
        }),
        ..NotificationPrefs::default()
    };
    let night = DateTime::parse_from_rfc3339("2026-12-07T23:00:00+01:00").unwrap();
    let plan = plan_team_notifications(&team, &quiet, night).unwrap();
    assert!(plan.notify_now.is_empty());
    assert_eq!(plan.deferred, vec![first]);
    record_team_notified(&team, &seat, &plan, night.to_utc()).unwrap();

    // A second alert comes in the night; in the morning both are shown, once.
    let second = team
        .raise_alert(&alert(business.id, "notify-2", "A 2★ review: Slow"))
        .unwrap()
        .unwrap();
    let morning = DateTime::parse_from_rfc3339("2026-12-08T08:00:00+01:00").unwrap();
    let plan = plan_team_notifications(&team, &quiet, morning).unwrap();
    let shown: Vec<i64> = plan
        .notify_now
        .iter()
        .flat_map(|n| n.alert_ids.clone())
        .collect();
    assert_eq!(shown.len(), 2, "{plan:?}");
    assert!(shown.contains(&first) && shown.contains(&second));
    record_team_notified(&team, &seat, &plan, morning.to_utc()).unwrap();
    assert!(plan_team_notifications(&team, &quiet, morning)
        .unwrap()
        .notify_now
        .is_empty());

    // Another person of the team is owed both still: their marks are their own.
    let as_sam = url.replacen(
        "postgresql://postgres@",
        "postgresql://notify_manager_sam@",
        1,
    );
    let sam = Db::open(&DbLocation::Postgres(as_sam)).unwrap();
    // Sam paused notifications until noon: held back, then shown.
    let paused = NotificationPrefs {
        paused_until: Some(
            DateTime::parse_from_rfc3339("2026-12-08T12:00:00+01:00")
                .unwrap()
                .to_utc(),
        ),
        ..NotificationPrefs::default()
    };
    let plan = plan_team_notifications(&sam, &paused, morning).unwrap();
    assert!(plan.notify_now.is_empty());
    assert_eq!(plan.deferred.len(), 2);
    let afternoon = DateTime::parse_from_rfc3339("2026-12-08T13:00:00+01:00").unwrap();
    let plan = plan_team_notifications(&sam, &paused, afternoon).unwrap();
    assert_eq!(plan.notify_now.len(), 2, "{plan:?}");

    // The daily summary: held until its hour, then one summary, recorded in the seat's file.
    let summary = NotificationPrefs {
        daily_digest: true,
        digest_hour: 18,
        ..NotificationPrefs::default()
    };
    earshot::alerts::set_notification_prefs(&seat, &summary).unwrap();
    let third = team
        .raise_alert(&alert(business.id, "notify-3", "A 1★ review: Rude"))
        .unwrap()
        .unwrap();
    let plan = plan_team_notifications(&team, &summary, afternoon).unwrap();
    assert!(plan.notify_now.is_empty());
    assert_eq!(plan.deferred, vec![third]);
    let evening = DateTime::parse_from_rfc3339("2026-12-08T18:30:00+01:00").unwrap();
    let plan = plan_team_notifications(&team, &summary, evening).unwrap();
    assert!(plan.is_digest);
    assert_eq!(plan.notify_now.len(), 1);
    assert_eq!(plan.notify_now[0].alert_ids, vec![third]);
    record_team_notified(&team, &seat, &plan, evening.to_utc()).unwrap();
    let kept = earshot::alerts::notification_prefs(&seat).unwrap();
    assert_eq!(kept.last_digest_at, Some(evening.to_utc()));
    assert!(plan_team_notifications(&team, &kept, evening)
        .unwrap()
        .notify_now
        .is_empty());
}
