//! `silence`: a synced source that brings nothing for far longer than its usual gap, or far fewer
//! items than usual. A feed whose sync "succeeds" with nothing looks healthy to `source_health`;
//! only its own history says it has gone quiet.
//!
//! Two tests over the platform's day counts, both against its own trailing rate λ (items a day
//! over `baseline_days` before the quiet spell, at least `min_items` of them so the rate means
//! something): a gap of g empty days has probability e^(−λg) under a Poisson model, and is
//! unusual when that is at most `max_p`, so a platform with ten reviews a day is silent after
//! two empty days and one with three a week only after a month; and a window of `window_days`
//! whose count is improbably low ([`super::surge::lulls`]) catches a feed that trickles.

use serde_json::json;

use super::surge::{lulls, Surge, WindowParams};
use super::trend::window_end;
use super::{finding, platform_label, round2, time, Finding};
use crate::alerts::{AlertKind, Rule};
use crate::model::{Business, SourceId};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SilenceParams {
    pub baseline_days: i64,
    pub window_days: i64,
    pub min_items: i64,
    pub max_p: f64,
}

impl SilenceParams {
    pub fn from_rule(rule: &Rule) -> SilenceParams {
        SilenceParams {
            baseline_days: rule.number("baseline_days").round() as i64,
            window_days: rule.number("window_days").round() as i64,
            min_items: rule.number("min_items").round() as i64,
            max_p: rule.number("max_p"),
        }
    }
}

/// A gap found unusual: the last active day before it, the day it became unusual and the last
/// day of the gap (today's when it goes on).
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub last_active: i64,
    pub unusual_from: i64,
    pub until: i64,
    pub per_day: f64,
    pub baseline_count: i64,
    pub p_value: f64,
}

/// Unusual gaps in `days` (`(day, count)`, sorted, zero days absent) up to `today`.
pub fn gaps(days: &[(i64, i64)], today: i64, p: &SilenceParams) -> Vec<Gap> {
    let active: Vec<(i64, i64)> = days.iter().copied().filter(|d| d.1 > 0).collect();
    let Some(&(history_from, _)) = active.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, &(a, _)) in active.iter().enumerate() {
        let next = active.get(i + 1).map_or(today + 1, |n| n.0);
        let g = next - a - 1;
        if g <= 0 {
            continue;
        }
        let base_start = a - p.baseline_days + 1;
        if base_start < history_from {
            continue;
        }
        let base: i64 = active[..=i]
            .iter()
            .filter(|d| d.0 >= base_start)
            .map(|d| d.1)
            .sum();
        if base < p.min_items {
            continue;
        }
        let per_day = base as f64 / p.baseline_days as f64;
        // Empty days needed before the gap is improbable: e^(−λg) ≤ max_p.
        let needed = ((1.0 / p.max_p).ln() / per_day).ceil() as i64;
        if g < needed {
            continue;
        }
        out.push(Gap {
            last_active: a,
            unusual_from: a + needed,
            until: next - 1,
            per_day,
            baseline_count: base,
            p_value: (-per_day * g as f64).exp(),
        });
    }
    out
}

fn date(day: i64) -> String {
    time(day * 86_400).date_naive().to_string()
}

/// The `silence` alerts of one platform of a business: its unusual gaps, and its unusually
/// quiet windows that no gap already explains.
pub fn silences(
    b: &Business,
    source_id: SourceId,
    platform: &str,
    days: &[(i64, i64)],
    now: i64,
    p: &SilenceParams,
) -> Vec<Finding> {
    let today = now.div_euclid(86_400);
    let label = platform_label(platform);
    let mut out = Vec::new();
    let found = gaps(days, today, p);
    for g in &found {
        let empty = g.until - g.last_active;
        let message = if g.until >= today {
            format!(
                "{label} has brought nothing for {} since {} ({empty} days), where it usually \
                 brings {:.1} a day.",
                b.name,
                date(g.last_active),
                g.per_day
            )
        } else {
            format!(
                "{label} brought nothing for {} from {} to {} ({empty} days), where it usually \
                 brings {:.1} a day.",
                b.name,
                date(g.last_active + 1),
                date(g.until),
                g.per_day
            )
        };
        let mut f = finding(
            AlertKind::Silence,
            b.id,
            format!("silence:{}:{source_id}:{}", b.id, date(g.last_active)),
            window_end(g.unusual_from, now),
            message,
            Vec::new(),
            json!({
                "platform": platform,
                "source_id": source_id,
                "last_item_day": date(g.last_active),
                "empty_days": empty,
                "evidence": {
                    "test": "poisson_zero_gap",
                    "statistic": { "p_value": g.p_value, "empty_days": empty,
                                   "per_day": round2(g.per_day) },
                    "window": { "start": date(g.last_active + 1), "end": date(g.until),
                                "days": empty, "count": 0 },
                    "baseline": { "start": date(g.last_active - p.baseline_days + 1),
                                  "end": date(g.last_active), "days": p.baseline_days,
                                  "count": g.baseline_count },
                    "review_ids": [],
                },
            }),
        );
        f.ongoing = g.until >= today;
        out.push(f);
    }
    let Some(&(history_from, _)) = days.first() else {
        return out;
    };
    let window = WindowParams {
        window_days: p.window_days,
        baseline_days: p.baseline_days,
        min_items: p.min_items,
        max_p: p.max_p,
    };
    for s in lulls(days, history_from, today, &window) {
        let explained = found
            .iter()
            .any(|g| g.last_active < s.last_day && g.until >= s.start);
        if explained {
            continue;
        }
        out.push(lull_finding(b, source_id, platform, &s, now));
    }
    out
}

fn lull_finding(b: &Business, source_id: SourceId, platform: &str, s: &Surge, now: i64) -> Finding {
    let message = format!(
        "{} on {} has been far quieter than usual: {} reviews and posts in the {} days to {}, where about \
         {:.0} are usual.",
        b.name,
        platform_label(platform),
        s.count,
        s.end - s.start + 1,
        date(s.end),
        s.expected
    );
    let mut f = finding(
        AlertKind::Silence,
        b.id,
        format!("silence:{}:{source_id}:low:{}", b.id, date(s.end)),
        window_end(s.end, now),
        message,
        Vec::new(),
        json!({
            "platform": platform,
            "source_id": source_id,
            "items": s.count,
            "usual": round2(s.expected),
            "evidence": s.evidence("poisson_lower_tail", &[]),
        }),
    );
    f.ongoing = s.last_day >= now.div_euclid(86_400);
    f
}
