//! Outlook: the figures the core already computed and the dashboard did not show (issue 27) —
//! where the rating is heading and what it takes to reach the next step, how fast the owner
//! replies, the reviews a reply won back, the owner's locations side by side, and the
//! competitors month by month.
//!
//! Each answer is read from the rollups and the pure functions in [`crate::analysis::trends`],
//! like the rest of [`crate::insights`], so the dashboard, the PNG report and the CLI agree. The
//! sentences are written here, once, for the app and the report to show as they are.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::{
    headline_rating, platform_figures, window, DashboardReads, InsightReads, WindowFigures,
};
use crate::analysis::trends::{
    self, bucket, day_of_date, five_stars_needed, merge_days, Granularity, Projection,
};
use crate::model::{BusinessId, Review};
use crate::store::Result;

/// How far ahead the dashboard projects: a quarter, the same as `earshot project`'s default, long
/// enough for a pace to show and short enough to still be about today's habits.
pub const HORIZON_DAYS: i64 = 90;

/// Platforms given their own goal line, busiest first: more would crowd the card.
const GOAL_PLATFORMS: usize = 2;

/// Recovered reviews listed on the dashboard (all are counted), newest reply first.
const RECOVERED_LISTED: usize = 5;

/// Months of the competitors' chart: a year shows a season without squeezing the lines.
pub const RIVAL_MONTHS: usize = 12;

/// The next step an owner can aim for from `rating`: the next half star when it is near (at most
/// [`HALF_STAR_REACH`] away: "4.3★ → 4.5★"), else the next tenth ("4.1★ → 4.2★"), so the count
/// of five-star reviews is one an owner can act on; none at 4.9 or more.
pub fn next_target(rating: f64) -> Option<f64> {
    if !rating.is_finite() || rating >= 4.9 {
        return None;
    }
    let half = (rating * 2.0 + 1e-9).floor() / 2.0 + 0.5;
    let t = if half <= 4.5 && half - rating <= HALF_STAR_REACH + 1e-9 {
        half
    } else {
        (rating * 10.0 + 1e-9).floor() / 10.0 + 0.1
    };
    Some((t.clamp(1.0, 4.9) * 10.0).round() / 10.0)
}

/// How far below the next half star a rating may be for it to be the goal.
const HALF_STAR_REACH: f64 = 0.2;

/// One goal line: "12 five-star reviews to reach 4.5★ on Google; at this pace, 4.3★ by March".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    /// The display platform (`google`), or `None` for all platforms together.
    pub platform: Option<String>,
    pub platform_label: Option<String>,
    /// The rating now: the platform's own where it reports one with a count, else the stored
    /// reviews' mean.
    pub rating: Option<f64>,
    /// `platform` or `reviews`: where [`Goal::rating`] comes from.
    pub rating_from: &'static str,
    /// How many ratings that figure is made of.
    pub rated: i64,
    pub target: Option<f64>,
    /// Five-star reviews in a row that lift the rating to the target; 0 when already there.
    pub five_stars_needed: Option<u64>,
    /// The rating in [`HORIZON_DAYS`] if reviews keep coming at the last 90 days' pace and mean.
    pub projected_rating: Option<f64>,
    pub projected_by: NaiveDate,
    /// The line in words.
    pub says: String,
}

/// What the "Where you're heading" card shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heading {
    /// All platforms together first, then the busiest platforms (when more than one).
    pub goals: Vec<Goal>,
    pub horizon_days: i64,
    /// Median hours from an item to the owner's first reply, for the period's replied items, and
    /// the period before's.
    pub median_reply_hours: Option<f64>,
    pub median_reply_hours_previous: Option<f64>,
    /// How many of the period's items that median is made of.
    pub replied: usize,
}

/// "March", or "March 2027" when the year is not `today`'s.
fn month_name(d: NaiveDate, today: NaiveDate) -> String {
    if d.year() == today.year() {
        d.format("%B").to_string()
    } else {
        d.format("%B %Y").to_string()
    }
}

/// The goal line in words.
fn goal_says(g: &Goal, today: NaiveDate) -> String {
    let Some(label) = g.platform_label.as_deref() else {
        return goal_says_in(g, " overall", today);
    };
    goal_says_in(g, &format!(" on {label}"), today)
}

fn goal_says_in(g: &Goal, on: &str, today: NaiveDate) -> String {
    let first = match (g.target, g.five_stars_needed, g.rating) {
        (_, _, None) if on == " overall" => return "No ratings yet.".to_string(),
        (_, _, None) => return format!("No ratings yet{on}."),
        (Some(t), Some(0), _) => format!("Already at {t:.1}★{on}"),
        (Some(t), Some(1), _) => format!("1 five-star review to reach {t:.1}★{on}"),
        (Some(t), Some(n), _) => format!("{n} five-star reviews to reach {t:.1}★{on}"),
        (_, _, Some(r)) => format!("{r:.1}★{on}, as high as it goes"),
    };
    let by = month_name(g.projected_by, today);
    match g.projected_rating {
        Some(p) => format!("{first}; at this pace, {p:.1}★ by {by}"),
        None => format!("{first}."),
    }
}

/// A goal from a base rating (`sum / n`) and the recent pace of `p`, projected `p.horizon_days`.
fn goal(
    platform: Option<(String, String)>,
    base: (f64, i64),
    rating_from: &'static str,
    p: &Projection,
    today: NaiveDate,
) -> Goal {
    let (sum, n) = base;
    let rating = (n > 0).then(|| (sum / n as f64 * 100.0).round() / 100.0);
    // From the rating as shown (one decimal): at 4.06, shown 4.1★, the next step is 4.2★.
    let target = rating
        .map(|r| (r * 10.0).round() / 10.0)
        .and_then(next_target);
    let future = p.recent_per_day * p.horizon_days as f64;
    let projected = match (rating, p.recent_average) {
        (Some(_), Some(m)) if future > 0.0 => {
            Some(((sum + m * future) / (n as f64 + future) * 100.0).round() / 100.0)
        }
        (r, _) => r,
    };
    let (platform, platform_label) = platform.unzip();
    let mut g = Goal {
        platform,
        platform_label,
        rating,
        rating_from,
        rated: n,
        target,
        five_stars_needed: target.and_then(|t| five_stars_needed(sum, n, t)),
        projected_rating: projected,
        projected_by: today + Duration::days(p.horizon_days),
        says: String::new(),
    };
    g.says = goal_says(&g, today);
    g
}

/// Where `business_id`'s rating is heading, overall and on its busiest platforms, and how fast
/// it is answered over the `period_days` up to `today` against the period before.
pub fn heading(
    store: &(impl InsightReads + ?Sized),
    business_id: BusinessId,
    today: NaiveDate,
    period_days: i64,
) -> Result<Heading> {
    let end = day_of_date(today) + 1;
    let today_day = end - 1;
    let days = store.daily_rows(business_id, None)?;
    let all = trends::project(&days, today_day, HORIZON_DAYS, None);
    let total = trends::sum_range(&days, i64::MIN, end);
    let mut goals = vec![goal(
        None,
        (total.rating_sum, total.rated),
        "reviews",
        &all,
        today,
    )];
    let figures = platform_figures(store, business_id, today)?;
    // Busiest first: by the ratings the platform counts, or the stored ones where it counts none.
    let mut per_platform = Vec::new();
    for platform in store.platforms(Some(business_id))? {
        let rows = store.daily_rows(business_id, Some(&platform))?;
        let s = trends::sum_range(&rows, i64::MIN, end);
        let shown = figures.iter().find(|f| f.platform == platform).cloned();
        let weight = shown
            .as_ref()
            .and_then(|f| f.platform_review_count)
            .unwrap_or(0)
            .max(s.rated);
        per_platform.push((platform, rows, s, shown, weight));
    }
    per_platform.sort_by_key(|x| std::cmp::Reverse(x.4));
    for (platform, rows, s, shown, _) in per_platform.into_iter().take(GOAL_PLATFORMS) {
        let p = trends::project(&rows, today_day, HORIZON_DAYS, None);
        // The platform's own rating and count where it reports both: that is the figure
        // customers see, and the one the five-star count must move.
        let (base, from) =
            match shown.and_then(|f| Some((f.platform_rating?, f.platform_review_count?))) {
                Some((r, n)) if n > 0 => ((r * n as f64, n), "platform"),
                _ => ((s.rating_sum, s.rated), "reviews"),
            };
        if base.1 == 0 {
            continue;
        }
        let label = crate::platform::platform_label(&platform);
        goals.push(goal(Some((platform, label)), base, from, &p, today));
    }
    // One platform says the same as all of them together: keep only its named line.
    if goals.len() == 2 && goals[1].rating_from == "reviews" {
        goals.remove(0);
    }
    let delays = |from: i64, to: i64| -> Result<Vec<f64>> {
        Ok(store
            .reply_delays(business_id, None, from * 86_400, to * 86_400)?
            .into_iter()
            .map(|(_, h)| h)
            .collect())
    };
    let period = period_days.clamp(1, 3660);
    let mut now = delays(end - period, end)?;
    let mut before = delays(end - 2 * period, end - period)?;
    let round1 = |h: f64| (h * 10.0).round() / 10.0;
    Ok(Heading {
        goals,
        horizon_days: HORIZON_DAYS,
        replied: now.len(),
        median_reply_hours: trends::median(&mut now).map(round1),
        median_reply_hours_previous: trends::median(&mut before).map(round1),
    })
}

/// A review whose rating rose after the owner replied, with the review to show.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveredReview {
    pub review: Review,
    pub before: f64,
    pub after: f64,
    #[serde(serialize_with = "crate::model::ser_rfc3339")]
    pub replied_at: chrono::DateTime<chrono::Utc>,
}

/// The reviews a reply won back: how many in all, and the latest few.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveredSummary {
    pub count: usize,
    /// Stars gained over all of them.
    pub stars_gained: f64,
    pub latest: Vec<RecoveredReview>,
}

pub fn recovered(
    store: &(impl DashboardReads + ?Sized),
    business_id: BusinessId,
) -> Result<RecoveredSummary> {
    // As `crate::replies::recovered` finds them, read here with the store's error type.
    let mut all: Vec<_> = store
        .replied_then_edited(business_id)?
        .into_iter()
        .filter_map(|h| {
            let (before, after) =
                crate::replies::rating_rose_after(h.replied_at, h.rating, &h.earlier)?;
            let at = chrono::DateTime::from_timestamp(h.replied_at, 0).unwrap_or_default();
            Some((h.review_id, before, after, at))
        })
        .collect();
    all.sort_by_key(|r| std::cmp::Reverse(r.3));
    let stars_gained = all.iter().map(|r| r.2 - r.1).sum::<f64>();
    let latest = all
        .iter()
        .take(RECOVERED_LISTED)
        .map(|&(id, before, after, replied_at)| {
            Ok(RecoveredReview {
                review: store.review(id)?,
                before,
                after,
                replied_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecoveredSummary {
        count: all.len(),
        stars_gained,
        latest,
    })
}

/// One of the owner's locations in the roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub business: String,
    pub business_id: BusinessId,
    /// 1 for the best rated; locations without a rating come last.
    pub rank: usize,
    /// The rating customers see (the platforms' own where reported, else the stored mean).
    pub rating: Option<f64>,
    pub rating_from: Option<&'static str>,
    pub current: WindowFigures,
    pub unanswered_negative: u64,
}

/// The owner's own businesses together over a period: combined figures and a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Portfolio {
    pub period_days: i64,
    /// The period's figures of every location summed (rating: the mean of all their ratings).
    pub combined: WindowFigures,
    /// All-time mean of every stored rating of every location.
    pub combined_all_time: WindowFigures,
    pub unanswered_negative: u64,
    /// Best rated first.
    pub locations: Vec<Location>,
}

/// The roll-up of the owner's own businesses; `None` with fewer than two (nothing to roll up).
pub fn portfolio(
    store: &(impl InsightReads + ?Sized),
    today: NaiveDate,
    period_days: i64,
) -> Result<Option<Portfolio>> {
    let own: Vec<_> = store
        .businesses()?
        .into_iter()
        .filter(|b| !b.is_competitor)
        .collect();
    if own.len() < 2 {
        return Ok(None);
    }
    let period = period_days.clamp(1, 3660);
    let end = day_of_date(today) + 1;
    let start = end - period;
    let mut all_days = Vec::new();
    let mut locations = Vec::new();
    for b in own {
        let days = store.daily_rows(b.id, None)?;
        let figures = platform_figures(store, b.id, today)?;
        let (rating, rating_from) = headline_rating(&figures, &window(&days, i64::MIN, end));
        locations.push(Location {
            business: b.name,
            business_id: b.id,
            rank: 0,
            rating,
            rating_from,
            current: window(&days, start, end),
            unanswered_negative: trends::sum_range(&days, start, end)
                .unanswered_negative
                .max(0) as u64,
        });
        all_days.extend(days);
    }
    // Best rated first; ties by the period's volume, then by name so the order is stable.
    locations.sort_by(|a, b| {
        let r = |l: &Location| l.rating.unwrap_or(f64::NEG_INFINITY);
        r(b).total_cmp(&r(a))
            .then(b.current.count.cmp(&a.current.count))
            .then(a.business.cmp(&b.business))
    });
    for (i, l) in locations.iter_mut().enumerate() {
        l.rank = i + 1;
    }
    let days = merge_days(all_days);
    Ok(Some(Portfolio {
        period_days: period,
        combined: window(&days, start, end),
        combined_all_time: window(&days, i64::MIN, end),
        unanswered_negative: locations.iter().map(|l| l.unanswered_negative).sum(),
        locations,
    }))
}

/// One business's line on the competitors' chart.
#[derive(Debug, Clone, Serialize)]
pub struct RivalLine {
    pub business: String,
    pub business_id: BusinessId,
    pub own: bool,
    /// The overall rating as it stood at the end of each month of [`Rivals::months`] (`None`
    /// before its first rating).
    pub running_rating: Vec<Option<f64>>,
    /// The month's own mean and how many ratings it had.
    pub average_rating: Vec<Option<f64>>,
    pub rated: Vec<i64>,
}

/// The business and its competitors month by month: their overall ratings over a year.
#[derive(Debug, Clone, Serialize)]
pub struct Rivals {
    /// `YYYY-MM`, oldest first, up to `today`'s month.
    pub months: Vec<String>,
    pub lines: Vec<RivalLine>,
}

/// The last `months` months of `own` and every competitor; `None` without competitors.
pub fn rivals(
    store: &(impl InsightReads + ?Sized),
    own: BusinessId,
    today: NaiveDate,
    months: usize,
) -> Result<Option<Rivals>> {
    let mut ids = vec![(own, true)];
    ids.extend(
        store
            .businesses()?
            .into_iter()
            .filter(|b| b.is_competitor && b.id != own)
            .map(|b| (b.id, false)),
    );
    if ids.len() < 2 {
        return Ok(None);
    }
    // The months to show: `months` calendar months ending with today's.
    let mut keys = Vec::with_capacity(months);
    let mut m = trends::period_start(today, Granularity::Month);
    for _ in 0..months {
        keys.push(trends::period_key(m, Granularity::Month));
        m = trends::period_start(m - Duration::days(1), Granularity::Month);
    }
    keys.reverse();
    let end = day_of_date(today) + 1;
    let mut lines = Vec::new();
    for (id, is_own) in ids {
        let b = store.business(id)?;
        let days: Vec<_> = store
            .daily_rows(id, None)?
            .into_iter()
            .filter(|d| d.day < end)
            .collect();
        let periods = bucket(&days, Granularity::Month, &[]);
        let mut line = RivalLine {
            business: b.name,
            business_id: id,
            own: is_own,
            running_rating: Vec::new(),
            average_rating: Vec::new(),
            rated: Vec::new(),
        };
        for k in &keys {
            let here = periods.iter().find(|p| &p.period == k);
            // A month without reviews keeps the overall rating of the months before it.
            let running = periods
                .iter()
                .take_while(|p| &p.period <= k)
                .last()
                .and_then(|p| p.running_rating);
            line.running_rating.push(running);
            line.average_rating
                .push(here.and_then(|p| p.average_rating));
            line.rated.push(here.map_or(0, |p| p.rated));
        }
        lines.push(line);
    }
    Ok(Some(Rivals {
        months: keys,
        lines,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_target_is_a_near_half_star_else_the_next_tenth() {
        assert_eq!(next_target(4.3), Some(4.5));
        assert_eq!(next_target(4.4), Some(4.5));
        // Far from the next half star: the next tenth, a goal within reach.
        assert_eq!(next_target(4.1), Some(4.2));
        assert_eq!(next_target(4.0), Some(4.1));
        assert_eq!(next_target(3.49), Some(3.5));
        assert_eq!(next_target(1.0), Some(1.1));
        assert_eq!(next_target(4.5), Some(4.6));
        assert_eq!(next_target(4.62), Some(4.7));
        assert_eq!(next_target(4.9), None);
        assert_eq!(next_target(f64::NAN), None);
    }

    fn projection(per_day: f64, mean: Option<f64>) -> Projection {
        Projection {
            current_rating: None,
            recent_average: mean,
            recent_per_day: per_day,
            horizon_days: HORIZON_DAYS,
            projected_rating: None,
            target: None,
            five_stars_needed: None,
        }
    }

    #[test]
    fn a_goal_reads_like_the_issue_asks() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        // 4.3★ from 100 ratings: (430 + 5k) / (100 + k) ≥ 4.5 ⇔ k ≥ 40.
        let g = goal(
            Some(("google".into(), "Google".into())),
            (430.0, 100),
            "platform",
            &projection(0.5, Some(4.0)),
            today,
        );
        assert_eq!(g.target, Some(4.5));
        assert_eq!(g.five_stars_needed, Some(40));
        // 45 more at 4.0: (430 + 180) / 145 = 4.2069.
        assert_eq!(g.projected_rating, Some(4.21));
        assert_eq!(g.projected_by, NaiveDate::from_ymd_opt(2027, 3, 7).unwrap());
        assert_eq!(
            g.says,
            "40 five-star reviews to reach 4.5★ on Google; at this pace, 4.2★ by March 2027"
        );
        // No recent reviews: the rating stays where it is.
        let quiet = goal(None, (430.0, 100), "reviews", &projection(0.0, None), today);
        assert_eq!(quiet.projected_rating, Some(4.3));
        assert!(
            quiet
                .says
                .starts_with("40 five-star reviews to reach 4.5★ overall;"),
            "{}",
            quiet.says
        );
        let none = goal(None, (0.0, 0), "reviews", &projection(0.0, None), today);
        assert_eq!(none.says, "No ratings yet.");
    }
}
