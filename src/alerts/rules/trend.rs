//! `spike` by direction and `topic_surge`: the windowed test of [`super::surge`] applied to one
//! business's negative items (complaints), positive items (praise) and each aspect's negative
//! mentions, turned into alerts with their evidence.
//!
//! The hourly spike ([`super::spikes`]) catches an afternoon going viral; the weekly window
//! catches a bad week spread thin (six complaints a day at a café that gets one a month), which no
//! single hour shows. Both say which way the burst goes, from the items' sentiment, because a
//! burst of praise asks nothing urgent of the owner and a burst of complaints does.

use serde::Serialize;
use serde_json::json;

use super::surge::{Surge, WindowParams};
use super::{finding, round2, time, Finding};
use crate::alerts::{AlertKind, Rule};
use crate::model::{Business, ReviewId};

/// Which way a burst goes, by the sentiment of its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Complaints,
    Praise,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Complaints => "complaints",
            Direction::Praise => "praise",
        }
    }

    /// The direction of a burst with `negative` and `positive` items: complaints unless praise
    /// is the clear majority (a mixed burst is a matter for the owner's attention).
    pub fn of(negative: i64, positive: i64) -> Direction {
        if positive > negative {
            Direction::Praise
        } else {
            Direction::Complaints
        }
    }
}

/// The weekly-window settings of the `spike` rule.
pub fn spike_window(rule: &Rule) -> WindowParams {
    WindowParams {
        window_days: rule.number("window_days").round() as i64,
        baseline_days: rule.number("window_baseline_days").round() as i64,
        min_items: rule.number("window_min_items").round() as i64,
        max_p: rule.number("max_p"),
    }
}

/// The settings of the `topic_surge` rule.
pub fn topic_window(rule: &Rule) -> WindowParams {
    WindowParams {
        window_days: rule.number("window_days").round() as i64,
        baseline_days: rule.number("baseline_days").round() as i64,
        min_items: rule.number("min_mentions").round() as i64,
        max_p: rule.number("max_p"),
    }
}

fn date(day: i64) -> String {
    time(day * 86_400).date_naive().to_string()
}

/// End of `day` (its last second), the moment the window's data was complete; never after `now`.
pub fn window_end(day: i64, now: i64) -> i64 {
    ((day + 1) * 86_400 - 1).min(now)
}

/// The `spike` alert for a run of unusual weeks of complaints or praise.
pub fn directional_spike(
    b: &Business,
    direction: Direction,
    s: &Surge,
    review_ids: Vec<ReviewId>,
    now: i64,
) -> Finding {
    let what = match direction {
        Direction::Complaints => "negative reviews and posts",
        Direction::Praise => "positive reviews and posts",
    };
    let head = match direction {
        Direction::Complaints => "Complaints surged",
        Direction::Praise => "Praise surged",
    };
    let message = format!(
        "{head} at {}: {} {what} in the {} days to {}, where about {:.1} are usual.",
        b.name,
        s.count,
        s.end - s.start + 1,
        date(s.end),
        s.expected
    );
    let evidence = s.evidence("poisson_upper_tail", &review_ids);
    let mut f = finding(
        AlertKind::Spike,
        b.id,
        format!("spike:{}:{}:{}", b.id, direction.as_str(), date(s.end)),
        window_end(s.end, now),
        message,
        review_ids,
        json!({
            "direction": direction,
            "start": date(s.start),
            "end": date(s.end),
            "items": s.count,
            "usual": round2(s.expected),
            "p_value": s.p_value,
            "evidence": evidence,
        }),
    );
    f.ongoing = s.last_day >= now.div_euclid(86_400);
    f
}

/// The `topic_surge` alert for a run of unusual fortnights of one aspect's complaints.
pub fn topic_surge(
    b: &Business,
    topic: &str,
    s: &Surge,
    review_ids: Vec<ReviewId>,
    now: i64,
) -> Finding {
    let message = format!(
        "Complaints about {topic} at {} surged: {} negative mentions in the {} days to {}, \
         where about {:.1} are usual.",
        b.name,
        s.count,
        s.end - s.start + 1,
        date(s.end),
        s.expected
    );
    let evidence = s.evidence("poisson_upper_tail", &review_ids);
    let mut f = finding(
        AlertKind::TopicSurge,
        b.id,
        format!("topic_surge:{}:{topic}:{}", b.id, date(s.end)),
        window_end(s.end, now),
        message,
        review_ids,
        json!({
            "topic": topic,
            "direction": Direction::Complaints,
            "items": s.count,
            "usual": round2(s.expected),
            "p_value": s.p_value,
            "evidence": evidence,
        }),
    );
    f.ongoing = s.last_day >= now.div_euclid(86_400);
    f
}
