//! The notifications a seat on a team database owes its person (issue 31), including those its
//! person's preferences held back (quiet hours, a pause, the daily summary), shown later.
//!
//! A team's alerts are raised once for the team; each person is told of each alert once, by
//! their own seat: the team store keeps one mark per (alert, person) in `alert_notifications`
//! (migration 0011), and its `alerts(unnotified)` reads the alerts without the signed-in person's
//! mark. So the plan is the file's own (`alerts::notification_plan`) over those alerts and the
//! person's preferences, which stay in the seat's own file: an alert held back stays unmarked
//! and is planned again when the seat next asks (each tick of the app's worker, a Replan), and
//! the marks are written only for what was shown. The daily summary's last time is the person's
//! own too, in the seat's file.

use chrono::{DateTime, FixedOffset, Utc};

use crate::alerts::{self, NotificationPrefs, Plan};
use crate::model::alerts::{AlertFilter, AlertId};
use crate::store::{AlertStore, Result, Store};

/// What to show this seat's person now for the team's alerts not yet shown to them, by their
/// preferences `prefs` (from the seat's own file).
pub fn plan_team_notifications<S: AlertStore>(
    team: &S,
    prefs: &NotificationPrefs,
    now: DateTime<FixedOffset>,
) -> Result<Plan> {
    let pending = team.alerts(&AlertFilter {
        unnotified: true,
        ..AlertFilter::default()
    })?;
    Ok(alerts::notification_plan(prefs, now, &pending))
}

/// Records what the seat showed: this person's marks on the team database (each alert once per
/// person), and the summary's time in the seat's own file.
pub fn record_team_notified<S: AlertStore>(
    team: &S,
    seat: &Store,
    plan: &Plan,
    now: DateTime<Utc>,
) -> std::result::Result<(), alerts::AlertError> {
    let ids: Vec<AlertId> = plan
        .notify_now
        .iter()
        .flat_map(|n| n.alert_ids.iter().copied())
        .collect();
    if !ids.is_empty() {
        team.mark_alerts_notified(&ids, now.timestamp())?;
    }
    if plan.is_digest {
        let mut prefs = alerts::notification_prefs(seat)?;
        prefs.last_digest_at = Some(now);
        alerts::set_notification_prefs(seat, &prefs)?;
    }
    Ok(())
}
