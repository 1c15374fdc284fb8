//! When to tell the owner: the notification plan, a pure function of the preferences, the local
//! time and the alerts not yet shown.
//!
//! The desktop shell asks for a plan after each check (and when a deferral ends), shows
//! `notify_now`, then records it with [`super::record_sent`]. Everything that decides — quiet
//! hours, pause, daily digest, grouping — lives here so it is tested without a desktop; the shell
//! only delivers. Alerts held back are simply left un-notified in the store, so nothing is lost
//! when the app restarts during quiet hours.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::model::alerts::{Alert, AlertId, AlertKind, AlertState};
use crate::model::ReviewId;

/// The `settings` key holding [`NotificationPrefs`] as JSON.
pub const PREFS_KEY: &str = "notifications";

/// More new alerts than this at once become one grouped notification: after a first sync or a
/// bad evening, a stack of ten banners is noise; one "10 new alerts" is news.
pub const MAX_SEPARATE: usize = 3;

use crate::model::alerts::QuietHours;

/// The owner's notification preferences, stored in `settings` under [`PREFS_KEY`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationPrefs {
    pub quiet_hours: Option<QuietHours>,
    /// One summary a day at `digest_hour` instead of a notification per alert.
    pub daily_digest: bool,
    /// Local hour of the daily digest.
    pub digest_hour: u8,
    /// No notifications before this time (the tray's "Pause for 1 hour / until tomorrow").
    pub paused_until: Option<DateTime<Utc>>,
    /// When the last digest went out, so one goes out per day however often the plan is asked.
    pub last_digest_at: Option<DateTime<Utc>>,
}

impl Default for NotificationPrefs {
    fn default() -> Self {
        NotificationPrefs {
            quiet_hours: None,
            daily_digest: false,
            // End of the working day: the owner has time to read and reply.
            digest_hour: 18,
            paused_until: None,
            last_digest_at: None,
        }
    }
}

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub title: String,
    pub body: String,
    /// The alerts it stands for; the shell marks them notified once shown.
    pub alert_ids: Vec<AlertId>,
    /// The review a click opens; `None` opens the alert list (grouped notifications).
    pub review_id: Option<ReviewId>,
}

impl Notification {
    /// The body as a notification server that reads markup must be given it. The desktop
    /// notification spec lets servers render `<b>`, `<i>`, `<a href>` and `<img>` in a body
    /// (GNOME Shell and KDE do), and the body quotes the review, which strangers write: without
    /// this a review could show a link or fetch an image (issue 33). Plain-text notifiers (the
    /// app's other platforms, the log) take [`Notification::body`] as it is.
    pub fn body_markup(&self) -> String {
        escape_markup(&self.body)
    }
}

/// `text` with `&`, `<` and `>` escaped, so a markup-reading notification server shows it as
/// written. Quotes need no escaping outside attributes, and a body has none of its own.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Why alerts are held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeferReason {
    Paused,
    QuietHours,
    Digest,
}

/// What to do now.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Plan {
    pub notify_now: Vec<Notification>,
    /// Alerts held back for later (they stay un-notified in the store).
    pub deferred: Vec<AlertId>,
    pub defer_reason: Option<DeferReason>,
    /// When to ask again for the deferred ones.
    pub next_at: Option<DateTime<Utc>>,
    /// Whether `notify_now` is the daily digest (record it so it goes out once a day).
    pub is_digest: bool,
}

/// Decides which notifications to show at `now` (in the owner's local offset) for the alerts not
/// yet notified. Alerts that are not `new` or were already notified are ignored, so the caller may
/// pass the raw result of a check.
pub fn notification_plan(
    prefs: &NotificationPrefs,
    now: DateTime<FixedOffset>,
    alerts: &[Alert],
) -> Plan {
    let pending: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.state == AlertState::New && a.notified_at.is_none())
        .collect();
    if pending.is_empty() {
        return Plan::default();
    }
    let ids: Vec<AlertId> = pending.iter().map(|a| a.id).collect();
    let defer = |reason, next: DateTime<Utc>| Plan {
        deferred: ids.clone(),
        defer_reason: Some(reason),
        next_at: Some(next),
        ..Plan::default()
    };
    let now_utc = now.with_timezone(&Utc);
    if let Some(until) = prefs.paused_until.filter(|u| *u > now_utc) {
        return defer(DeferReason::Paused, until);
    }
    if let Some(q) = prefs.quiet_hours.filter(|q| q.contains(now.hour())) {
        return defer(DeferReason::QuietHours, next_local_hour(now, q.end_hour));
    }
    if prefs.daily_digest {
        let today_digest = local_hour_on(now, prefs.digest_hour, 0);
        let due = now >= today_digest
            && prefs
                .last_digest_at
                .is_none_or(|last| last < today_digest.with_timezone(&Utc));
        if !due {
            return defer(DeferReason::Digest, next_local_hour(now, prefs.digest_hour));
        }
        return Plan {
            notify_now: vec![grouped(&pending, "today")],
            is_digest: true,
            ..Plan::default()
        };
    }
    let notify_now = if pending.len() <= MAX_SEPARATE {
        pending.iter().map(|a| single(a)).collect()
    } else {
        vec![grouped(&pending, "")]
    };
    Plan {
        notify_now,
        ..Plan::default()
    }
}

fn single(a: &Alert) -> Notification {
    let title = match &a.business {
        Some(b) => format!("{} · {b}", a.kind.title()),
        None => a.kind.title().to_owned(),
    };
    Notification {
        title,
        body: a.message.clone(),
        alert_ids: vec![a.id],
        review_id: a.review_ids.first().copied(),
    }
}

/// One notification for many alerts: a count per kind, most urgent first, and the newest message.
fn grouped(pending: &[&Alert], when: &str) -> Notification {
    let mut counts: Vec<(AlertKind, usize)> = Vec::new();
    for a in pending {
        match counts.iter_mut().find(|(k, _)| *k == a.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((a.kind, 1)),
        }
    }
    counts.sort_by_key(|(k, _)| *k);
    let parts: Vec<String> = counts.iter().map(|(k, n)| count_words(*k, *n)).collect();
    let newest = pending.iter().max_by_key(|a| (a.created_at, a.id));
    let mut body = parts.join(", ");
    if let Some(a) = newest {
        body.push_str(&format!(". Latest: {}", a.message));
    }
    let n = pending.len();
    let title = format!("{n} new alert{}", if n == 1 { "" } else { "s" });
    let title = if when.is_empty() {
        title
    } else {
        format!("{title} {when}")
    };
    Notification {
        title,
        body,
        alert_ids: pending.iter().map(|a| a.id).collect(),
        review_id: None,
    }
}

fn count_words(kind: AlertKind, n: usize) -> String {
    let (one, many) = match kind {
        AlertKind::NewNegative => ("negative review", "negative reviews"),
        AlertKind::Unanswered => ("review waiting for a reply", "reviews waiting for a reply"),
        AlertKind::RatingDrop => ("rating drop", "rating drops"),
        AlertKind::Spike => ("burst of reviews", "bursts of reviews"),
        AlertKind::WatchWord => ("watch word", "watch words"),
        AlertKind::Competitor => ("competitor ahead", "competitors ahead"),
        AlertKind::SourceHealth => ("review site failing", "review sites failing"),
        AlertKind::TopicSurge => ("topic surging", "topics surging"),
        AlertKind::ReviewBomb => ("possible review bombing", "possible review bombings"),
        AlertKind::Silence => ("review site gone quiet", "review sites gone quiet"),
        AlertKind::Removed => ("review removed", "reviews removed"),
        AlertKind::CredentialsExpiring => ("sign-in expiring", "sign-ins expiring"),
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `hour:minute` local on `now`'s date.
fn local_hour_on(now: DateTime<FixedOffset>, hour: u8, minute: u32) -> DateTime<FixedOffset> {
    let t = NaiveTime::from_hms_opt(u32::from(hour.min(23)), minute, 0).unwrap_or_default();
    now.timezone()
        .from_local_datetime(&now.date_naive().and_time(t))
        .single()
        .unwrap_or(now)
}

/// The next time the local clock shows `hour`:00, after `now`.
fn next_local_hour(now: DateTime<FixedOffset>, hour: u8) -> DateTime<Utc> {
    let mut t = local_hour_on(now, hour, 0);
    if t <= now {
        t += Duration::days(1);
    }
    t.with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The digest's counts are read by the owner: the glossary's words, not the code's.
    #[test]
    fn the_counts_of_every_kind_speak_the_owners_words() {
        for kind in AlertKind::ALL {
            for n in [1, 2] {
                let words = count_words(kind, n);
                assert!(
                    crate::model::words::jargon_in(&words).is_empty(),
                    "{kind:?}: {words}"
                );
            }
        }
    }

    fn alert(id: AlertId, kind: AlertKind) -> Alert {
        Alert {
            id,
            kind,
            business: Some("Harbour Lane Café".into()),
            business_id: Some(1),
            created_at: DateTime::from_timestamp(1_700_000_000 + id, 0).unwrap(),
            review_ids: vec![100 + id],
            message: format!("message {id}"),
            state: AlertState::New,
            notified_at: None,
            dedup_key: format!("k{id}"),
            details: json!({}),
        }
    }

    /// 2026-03-10 at `h`:30 in UTC+1.
    fn at(h: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 3, 10, h, 30, 0)
            .unwrap()
    }

    #[test]
    fn one_alert_gives_one_notification_that_opens_its_review() {
        let plan = notification_plan(
            &NotificationPrefs::default(),
            at(12),
            &[alert(1, AlertKind::NewNegative)],
        );
        assert_eq!(plan.notify_now.len(), 1);
        let n = &plan.notify_now[0];
        assert_eq!(n.alert_ids, vec![1]);
        assert_eq!(n.review_id, Some(101));
        assert_eq!(n.body, "message 1");
        assert_eq!(n.title, "New negative review · Harbour Lane Café");
        assert!(plan.deferred.is_empty());
    }

    #[test]
    fn review_markup_reaches_a_notification_server_as_text() {
        // Issue 33: a review's `<a href>` went unescaped into the body a server renders.
        let mut a = alert(1, AlertKind::NewNegative);
        a.message =
            r#"1★ "Bad" — <a href="http://evil.example">claim your refund</a> & <img src=x>"#
                .into();
        let plan = notification_plan(&NotificationPrefs::default(), at(12), &[a]);
        let n = &plan.notify_now[0];
        assert_eq!(
            n.body_markup(),
            "1★ \"Bad\" — &lt;a href=\"http://evil.example\"&gt;claim your refund&lt;/a&gt; \
             &amp; &lt;img src=x&gt;"
        );
        // The plain body (the log, plain-text notifiers) is left as written.
        assert!(n.body.contains("<a href="));
        assert_eq!(escape_markup("&amp;"), "&amp;amp;");
    }

    #[test]
    fn many_alerts_at_once_become_one_grouped_notification() {
        let alerts: Vec<Alert> = (1..=6)
            .map(|i| {
                alert(
                    i,
                    if i <= 4 {
                        AlertKind::NewNegative
                    } else {
                        AlertKind::Spike
                    },
                )
            })
            .collect();
        let plan = notification_plan(&NotificationPrefs::default(), at(12), &alerts);
        assert_eq!(plan.notify_now.len(), 1);
        let n = &plan.notify_now[0];
        assert_eq!(n.title, "6 new alerts");
        assert_eq!(n.alert_ids, vec![1, 2, 3, 4, 5, 6]);
        assert!(
            n.body
                .starts_with("4 negative reviews, 2 bursts of reviews. Latest: message 6"),
            "{}",
            n.body
        );
        assert_eq!(n.review_id, None);
    }

    #[test]
    fn seen_or_already_notified_alerts_are_not_notified_again() {
        let mut seen = alert(1, AlertKind::NewNegative);
        seen.state = AlertState::Seen;
        let mut shown = alert(2, AlertKind::NewNegative);
        shown.notified_at = Some(Utc::now());
        let plan = notification_plan(&NotificationPrefs::default(), at(12), &[seen, shown]);
        assert_eq!(plan, Plan::default());
    }

    #[test]
    fn quiet_hours_across_midnight_defer_until_they_end() {
        let prefs = NotificationPrefs {
            quiet_hours: Some(QuietHours {
                start_hour: 22,
                end_hour: 7,
            }),
            ..NotificationPrefs::default()
        };
        let a = [alert(1, AlertKind::NewNegative)];
        let night = notification_plan(&prefs, at(23), &a);
        assert!(night.notify_now.is_empty());
        assert_eq!(night.deferred, vec![1]);
        assert_eq!(night.defer_reason, Some(DeferReason::QuietHours));
        // 07:00 the next morning in UTC+1 is 06:00 UTC.
        assert_eq!(
            night.next_at.unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 11, 6, 0, 0).unwrap()
        );
        let early = notification_plan(&prefs, at(3), &a);
        assert_eq!(
            early.next_at.unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 10, 6, 0, 0).unwrap()
        );
        let morning = notification_plan(&prefs, at(7), &a);
        assert_eq!(morning.notify_now.len(), 1);
    }

    #[test]
    fn a_pause_holds_everything_until_it_ends() {
        let until = Utc.with_ymd_and_hms(2026, 3, 10, 13, 0, 0).unwrap();
        let prefs = NotificationPrefs {
            paused_until: Some(until),
            ..NotificationPrefs::default()
        };
        let a = [alert(1, AlertKind::Spike)];
        let paused = notification_plan(&prefs, at(12), &a);
        assert_eq!(paused.defer_reason, Some(DeferReason::Paused));
        assert_eq!(paused.next_at, Some(until));
        // 14:30 local is 13:30 UTC: the pause is over.
        assert_eq!(notification_plan(&prefs, at(14), &a).notify_now.len(), 1);
    }

    #[test]
    fn the_daily_digest_goes_out_once_at_its_hour() {
        let mut prefs = NotificationPrefs {
            daily_digest: true,
            digest_hour: 18,
            ..NotificationPrefs::default()
        };
        let a = [alert(1, AlertKind::NewNegative)];
        let before = notification_plan(&prefs, at(12), &a);
        assert_eq!(before.defer_reason, Some(DeferReason::Digest));
        assert_eq!(
            before.next_at.unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 10, 17, 0, 0).unwrap()
        );
        let digest = notification_plan(&prefs, at(18), &a);
        assert!(digest.is_digest);
        assert_eq!(digest.notify_now.len(), 1);
        assert_eq!(digest.notify_now[0].title, "1 new alert today");
        // Once sent today, a later alert waits for tomorrow's digest.
        prefs.last_digest_at = Some(at(18).with_timezone(&Utc));
        let later = notification_plan(&prefs, at(20), &[alert(2, AlertKind::NewNegative)]);
        assert!(later.notify_now.is_empty());
        assert_eq!(
            later.next_at.unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 11, 17, 0, 0).unwrap()
        );
    }

    #[test]
    fn quiet_hours_with_equal_ends_are_never_quiet() {
        let q = QuietHours {
            start_hour: 9,
            end_hour: 9,
        };
        assert!((0..24).all(|h| !q.contains(h)));
        let day = QuietHours {
            start_hour: 12,
            end_hour: 14,
        };
        assert!(day.contains(12) && day.contains(13) && !day.contains(14) && !day.contains(11));
    }
}
