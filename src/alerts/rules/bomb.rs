//! `review_bomb`: many low ratings from first-time reviewers within hours.
//!
//! A bad week is real customers; a bomb is strangers (a viral post, a grudge, a competitor)
//! rating a place they never reviewed before, all at once. The test counts, in a sliding window
//! of `hours`, the low ratings from authors with no earlier review of the business, and compares
//! the count with a Poisson model of the business's usual rate of *all* low ratings (add-one
//! smoothed, trailing `baseline_days`), which is a generous baseline: only an improbable burst of
//! first-timers fires. A minimum count keeps a quiet place's two odd reviews out.

use serde_json::json;

use super::{finding, poisson_tail, round2, time, Finding};
use crate::alerts::{AlertKind, Rule};
use crate::model::{Business, ReviewId};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BombParams {
    /// Ratings at or below this are low.
    pub max_stars: f64,
    pub hours: i64,
    pub min_reviews: i64,
    pub max_p: f64,
    pub baseline_days: i64,
}

impl BombParams {
    pub fn from_rule(rule: &Rule) -> BombParams {
        BombParams {
            max_stars: rule.number("max_stars"),
            hours: rule.number("hours").round() as i64,
            min_reviews: rule.number("min_reviews").round() as i64,
            max_p: rule.number("max_p"),
            baseline_days: rule.number("baseline_days").round() as i64,
        }
    }
}

/// A low rating as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowRating {
    pub id: ReviewId,
    pub at: i64,
    /// The author had no earlier review of this business (unknown authors count as first-time:
    /// an anonymous account is what a bomb is made of).
    pub first_time: bool,
}

/// Indices of `low` (sorted by time) that end a window of `hours` holding at least
/// `min_reviews` low ratings: the only ones worth asking the store who wrote them.
pub fn candidates(low: &[(ReviewId, i64)], p: &BombParams) -> Vec<usize> {
    let span = p.hours * 3600;
    let mut out = Vec::new();
    let mut from = 0;
    for (i, &(_, at)) in low.iter().enumerate() {
        while low[from].1 < at - span {
            from += 1;
        }
        if (i - from + 1) as i64 >= p.min_reviews {
            out.extend(from..=i);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The bombs among `low` (sorted by time); `all_low` is every low rating's time (first-time or
/// not), sorted, for the baseline; `history_from` is when the business's history starts.
pub fn review_bombs(
    b: &Business,
    low: &[LowRating],
    all_low: &[i64],
    history_from: i64,
    now: i64,
    p: &BombParams,
) -> Vec<Finding> {
    let span = p.hours * 3600;
    let first: Vec<&LowRating> = low.iter().filter(|l| l.first_time).collect();
    let mut out: Vec<Finding> = Vec::new();
    let mut from = 0;
    let mut run_end: Option<i64> = None;
    for i in 0..first.len() {
        let at = first[i].at;
        while first[from].at < at - span {
            from += 1;
        }
        let k = (i - from + 1) as i64;
        let base_start = at - span - p.baseline_days * 86_400;
        let base_end = at - span;
        let base = all_low.partition_point(|t| *t < base_end) as i64
            - all_low.partition_point(|t| *t < base_start) as i64;
        // Only where the baseline lies inside the history; before that, no usual rate is known.
        let expected = if base_start >= history_from {
            (base as f64 + 1.0) / (p.baseline_days as f64 * 86_400.0) * span as f64
        } else {
            f64::INFINITY
        };
        let pv = if expected.is_finite() {
            poisson_tail(k, expected)
        } else {
            1.0
        };
        if k < p.min_reviews || pv > p.max_p {
            continue;
        }
        if let (Some(end), Some(last)) = (run_end, out.last_mut()) {
            if first[from].at <= end {
                // The same bomb going on: gather its reviews.
                for l in &first[from..=i] {
                    if !last.alert.review_ids.contains(&l.id) {
                        last.alert.review_ids.push(l.id);
                    }
                }
                run_end = Some(at);
                continue;
            }
        }
        run_end = Some(at);
        let ids: Vec<ReviewId> = first[from..=i].iter().map(|l| l.id).collect();
        let start = time(first[from].at);
        let message = format!(
            "Possible review bombing at {}: {k} low ratings from first-time reviewers within {} \
             hours, from {} UTC; about {:.2} low ratings are usual in that time.",
            b.name,
            p.hours,
            start.format("%-d %b %Y, %H:%M"),
            expected
        );
        let key_time = crate::model::rfc3339(&time(at));
        out.push(finding(
            AlertKind::ReviewBomb,
            b.id,
            format!("review_bomb:{}:{key_time}", b.id),
            at,
            message,
            ids.clone(),
            json!({
                "first_time_low_ratings": k,
                "hours": p.hours,
                "evidence": {
                    "test": "poisson_upper_tail",
                    "statistic": { "p_value": pv, "count": k, "expected": round2(expected) },
                    "window": { "start": crate::model::rfc3339(&start),
                                "end": key_time, "hours": p.hours, "count": k },
                    "baseline": { "start": crate::model::rfc3339(&time(base_start)),
                                  "end": crate::model::rfc3339(&time(base_end)),
                                  "days": p.baseline_days, "low_ratings": base },
                    "review_ids": ids,
                },
            }),
        ));
    }
    if let (Some(end), Some(last)) = (run_end, out.last_mut()) {
        last.ongoing = end + span >= now;
    }
    out
}
