//! Trends: per-period figures from the daily rollup, rising complaints, and rating projections.
//!
//! Everything here works on plain rows the store hands over (one row per day, already summed), so
//! a dashboard of years costs a few hundred rows, never a scan of the reviews. Periods are named
//! as people read them: `YYYY-MM-DD`, ISO weeks `YYYY-Www`, `YYYY-MM`.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// One day of the rollup (all platforms and kinds the caller asked for, summed).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayRow {
    /// Days since 1970-01-01.
    pub day: i64,
    pub count: i64,
    pub rated: i64,
    pub rating_sum: f64,
    pub stars: [i64; 5],
    pub negative: i64,
    pub neutral: i64,
    pub positive: i64,
    pub replied: i64,
    /// 1–2★ reviews and negative mentions still without a reply.
    pub unanswered_negative: i64,
}

impl DayRow {
    /// Counts one live item into the day, as the update and delete triggers on `reviews` count
    /// one into `review_daily` (migration 0003; the write path sums a batch's new rows so).
    pub fn count_item(
        &mut self,
        rating: Option<f64>,
        kind: &str,
        label: Option<&str>,
        replied: bool,
    ) {
        self.count += 1;
        if let Some(r) = rating {
            self.rated += 1;
            self.rating_sum += r;
            // SQLite's round() and f64::round both round halves away from zero.
            let star = r.round() as i64;
            if (1..=5).contains(&star) {
                self.stars[(star - 1) as usize] += 1;
            }
        }
        match label {
            Some("negative") => self.negative += 1,
            Some("neutral") => self.neutral += 1,
            Some("positive") => self.positive += 1,
            _ => {}
        }
        if replied {
            self.replied += 1;
        } else if rating.is_some_and(|r| r <= 2.0)
            || (kind == "mention" && label == Some("negative"))
        {
            self.unanswered_negative += 1;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
    Month,
}

impl std::str::FromStr for Granularity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "day" => Ok(Granularity::Day),
            "week" => Ok(Granularity::Week),
            "month" => Ok(Granularity::Month),
            other => Err(format!("{other:?} is not day, week or month")),
        }
    }
}

/// The figures of one period, as `earshot trends --json` prints them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub period: String,
    pub start: NaiveDate,
    pub count: i64,
    pub rated: i64,
    /// Mean of the ratings given in the period.
    pub average_rating: Option<f64>,
    /// All-time mean up to the end of the period: what the platform shows as "the" rating.
    pub running_rating: Option<f64>,
    pub distribution: [i64; 5],
    pub negative_share: Option<f64>,
    pub neutral_share: Option<f64>,
    pub positive_share: Option<f64>,
    /// Share of the period's items that have a reply.
    pub response_rate: Option<f64>,
    /// Median hours from an item to its first reply, for items of the period that got one.
    pub median_reply_hours: Option<f64>,
}

pub fn date_of_day(day: i64) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(719_163 + day as i32).unwrap_or_default()
}

pub fn day_of_date(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 719_163
}

/// The first day of the period holding `d`.
pub fn period_start(d: NaiveDate, by: Granularity) -> NaiveDate {
    match by {
        Granularity::Day => d,
        Granularity::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
        Granularity::Month => d.with_day(1).unwrap_or(d),
    }
}

pub fn period_key(start: NaiveDate, by: Granularity) -> String {
    match by {
        Granularity::Day => start.format("%Y-%m-%d").to_string(),
        Granularity::Week => {
            let w = start.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Granularity::Month => start.format("%Y-%m").to_string(),
    }
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round3(part as f64 / whole as f64))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn mean(sum: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| round2(sum / n as f64))
}

/// Median of a list of values (sorted in place).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Sums day rows (sorted by day) into periods. `reply_delays` are (day of the item, hours to
/// its first reply) and may be empty when the caller does not need medians.
pub fn bucket(days: &[DayRow], by: Granularity, reply_delays: &[(i64, f64)]) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    let (mut all_rated, mut all_sum) = (0i64, 0f64);
    let mut current: Option<(NaiveDate, DayRow)> = None;
    let mut delays = reply_delays.to_vec();
    delays.sort_by_key(|(d, _)| *d);
    let mut delay_idx = 0usize;

    let mut close =
        |start: NaiveDate, acc: DayRow, out: &mut Vec<Period>, delay_idx: &mut usize| {
            all_rated += acc.rated;
            all_sum += acc.rating_sum;
            let end_day = day_of_date(next_start(start, by));
            let mut in_period = Vec::new();
            while *delay_idx < delays.len() && delays[*delay_idx].0 < end_day {
                if delays[*delay_idx].0 >= day_of_date(start) {
                    in_period.push(delays[*delay_idx].1);
                }
                *delay_idx += 1;
            }
            let scored = acc.negative + acc.neutral + acc.positive;
            out.push(Period {
                period: period_key(start, by),
                start,
                count: acc.count,
                rated: acc.rated,
                average_rating: mean(acc.rating_sum, acc.rated),
                running_rating: mean(all_sum, all_rated),
                distribution: acc.stars,
                negative_share: share(acc.negative, scored),
                neutral_share: share(acc.neutral, scored),
                positive_share: share(acc.positive, scored),
                response_rate: share(acc.replied, acc.count),
                median_reply_hours: median(&mut in_period).map(round2),
            });
        };

    for row in days.iter().filter(|r| r.count != 0) {
        let start = period_start(date_of_day(row.day), by);
        match &mut current {
            Some((s, acc)) if *s == start => add(acc, row),
            _ => {
                if let Some((s, acc)) = current.take() {
                    close(s, acc, &mut out, &mut delay_idx);
                }
                current = Some((start, *row));
            }
        }
    }
    if let Some((s, acc)) = current {
        close(s, acc, &mut out, &mut delay_idx);
    }
    out
}

fn next_start(start: NaiveDate, by: Granularity) -> NaiveDate {
    match by {
        Granularity::Day => start + Duration::days(1),
        Granularity::Week => start + Duration::days(7),
        Granularity::Month => {
            let (y, m) = if start.month() == 12 {
                (start.year() + 1, 1)
            } else {
                (start.year(), start.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(start)
        }
    }
}

/// Adds `row`'s figures to `acc` (its day is kept).
pub(crate) fn add(acc: &mut DayRow, row: &DayRow) {
    acc.count += row.count;
    acc.rated += row.rated;
    acc.rating_sum += row.rating_sum;
    for i in 0..5 {
        acc.stars[i] += row.stars[i];
    }
    acc.negative += row.negative;
    acc.neutral += row.neutral;
    acc.positive += row.positive;
    acc.replied += row.replied;
    acc.unanswered_negative += row.unanswered_negative;
}

/// One row per day, oldest first, from rollup rows in any order that may split a day (by
/// platform and kind): the store reads them in key order and sums here, where SQL would sort.
/// Rows of a day are summed in the order given.
pub fn merge_days(mut rows: Vec<DayRow>) -> Vec<DayRow> {
    rows.sort_by_key(|r| r.day);
    let mut out: Vec<DayRow> = Vec::with_capacity(rows.len());
    for r in rows {
        match out.last_mut() {
            Some(last) if last.day == r.day => add(last, &r),
            _ => out.push(r),
        }
    }
    out
}

/// Sums the rows whose day lies in `[from, to)`.
pub fn sum_range(days: &[DayRow], from: i64, to: i64) -> DayRow {
    let mut acc = DayRow {
        day: from,
        ..Default::default()
    };
    for r in days.iter().filter(|r| r.day >= from && r.day < to) {
        add(&mut acc, r);
    }
    acc
}

/// How many 5-star reviews it takes to lift a mean of `sum / n` to `target`; `None` when the
/// target cannot be reached with 5-star reviews (5 or more) and 0 when it is already met.
pub fn five_stars_needed(sum: f64, n: i64, target: f64) -> Option<u64> {
    if target >= 5.0 || !target.is_finite() {
        return None;
    }
    if n > 0 && sum / n as f64 >= target {
        return Some(0);
    }
    // (sum + 5k) / (n + k) >= target  ⇔  k >= (target·n − sum) / (5 − target)
    let k = ((target * n as f64 - sum) / (5.0 - target)).ceil();
    Some(k.max(0.0) as u64)
}

/// Where the all-time rating is heading: the mean if reviews keep arriving at the recent pace
/// and recent average for `horizon_days` more days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    pub current_rating: Option<f64>,
    pub recent_average: Option<f64>,
    pub recent_per_day: f64,
    pub horizon_days: i64,
    pub projected_rating: Option<f64>,
    pub target: Option<f64>,
    pub five_stars_needed: Option<u64>,
}

/// Recent pace is measured over this many days before `today`.
pub const PACE_WINDOW_DAYS: i64 = 90;

pub fn project(days: &[DayRow], today: i64, horizon_days: i64, target: Option<f64>) -> Projection {
    let all = sum_range(days, i64::MIN, today + 1);
    let recent = sum_range(days, today + 1 - PACE_WINDOW_DAYS, today + 1);
    let per_day = recent.rated as f64 / PACE_WINDOW_DAYS as f64;
    let future_n = per_day * horizon_days as f64;
    let recent_mean = (recent.rated > 0).then(|| recent.rating_sum / recent.rated as f64);
    let projected = match recent_mean {
        Some(m) if all.rated > 0 => Some(round2(
            (all.rating_sum + m * future_n) / (all.rated as f64 + future_n),
        )),
        _ => mean(all.rating_sum, all.rated),
    };
    Projection {
        current_rating: mean(all.rating_sum, all.rated),
        recent_average: recent_mean.map(round2),
        recent_per_day: round2(per_day),
        horizon_days,
        projected_rating: projected,
        target,
        five_stars_needed: target.and_then(|t| five_stars_needed(all.rating_sum, all.rated, t)),
    }
}

/// An aspect's counts over a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AspectCounts {
    pub aspect: String,
    pub mentions: i64,
    pub negative: i64,
    pub positive: i64,
    pub sentiment_sum: f64,
}

/// An aspect whose share of negative mentions grew.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RisingComplaint {
    pub aspect: String,
    pub recent_mentions: i64,
    pub recent_negative: i64,
    pub recent_negative_share: f64,
    pub previous_negative_share: f64,
    pub change: f64,
}

/// Fewer recent negative mentions than this are anecdotes, not a trend.
pub const RISING_MIN_NEGATIVE: i64 = 3;

/// Aspects whose negative share in the recent window grew most against the window before,
/// largest growth first; only growths are listed.
pub fn rising_complaints(recent: &[AspectCounts], before: &[AspectCounts]) -> Vec<RisingComplaint> {
    let mut out: Vec<RisingComplaint> = recent
        .iter()
        .filter(|r| r.mentions > 0 && r.negative >= RISING_MIN_NEGATIVE)
        .filter_map(|r| {
            let now = r.negative as f64 / r.mentions as f64;
            let prev = before
                .iter()
                .find(|b| b.aspect == r.aspect && b.mentions > 0)
                .map_or(0.0, |b| b.negative as f64 / b.mentions as f64);
            (now > prev).then(|| RisingComplaint {
                aspect: r.aspect.clone(),
                recent_mentions: r.mentions,
                recent_negative: r.negative,
                recent_negative_share: round3(now),
                previous_negative_share: round3(prev),
                change: round3(now - prev),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.change
            .total_cmp(&a.change)
            .then(b.recent_negative.cmp(&a.recent_negative))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn row(date: NaiveDate, count: i64, stars: &[i64]) -> DayRow {
        let mut r = DayRow {
            day: day_of_date(date),
            count,
            ..Default::default()
        };
        for s in stars {
            r.rated += 1;
            r.rating_sum += *s as f64;
            r.stars[(*s - 1) as usize] += 1;
        }
        r
    }

    #[test]
    fn days_and_dates_round_trip_from_the_epoch() {
        assert_eq!(day_of_date(d(1970, 1, 1)), 0);
        assert_eq!(date_of_day(19_844), d(2024, 5, 1));
        assert_eq!(day_of_date(d(2024, 5, 1)), 19_844);
    }

    #[test]
    fn periods_are_named_by_day_iso_week_and_month() {
        assert_eq!(
            period_key(
                period_start(d(2024, 5, 1), Granularity::Day),
                Granularity::Day
            ),
            "2024-05-01"
        );
        // 2024-12-30 is a Monday in ISO week 1 of 2025.
        assert_eq!(
            period_key(
                period_start(d(2025, 1, 2), Granularity::Week),
                Granularity::Week
            ),
            "2025-W01"
        );
        assert_eq!(
            period_start(d(2025, 1, 2), Granularity::Week),
            d(2024, 12, 30)
        );
        assert_eq!(
            period_key(
                period_start(d(2024, 5, 19), Granularity::Month),
                Granularity::Month
            ),
            "2024-05"
        );
    }

    #[test]
    fn buckets_sum_days_and_carry_a_running_rating() {
        let days = [
            row(d(2024, 5, 1), 2, &[5, 4]),
            row(d(2024, 5, 20), 1, &[1]),
            row(d(2024, 6, 3), 2, &[2]),
        ];
        let p = bucket(&days, Granularity::Month, &[]);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].period.as_str(), p[0].count, p[0].average_rating),
            ("2024-05", 3, Some(3.33))
        );
        assert_eq!(p[0].running_rating, Some(3.33));
        assert_eq!(
            (p[1].count, p[1].average_rating, p[1].running_rating),
            (2, Some(2.0), Some(3.0))
        );
        assert_eq!(p[1].distribution, [0, 1, 0, 0, 0]);
    }

    #[test]
    fn median_reply_time_is_per_period() {
        let days = [row(d(2024, 5, 1), 3, &[]), row(d(2024, 6, 1), 1, &[])];
        let delays = [
            (day_of_date(d(2024, 5, 1)), 1.0),
            (day_of_date(d(2024, 5, 1)), 5.0),
            (day_of_date(d(2024, 5, 2)), 3.0),
            (day_of_date(d(2024, 6, 1)), 10.0),
        ];
        let p = bucket(&days, Granularity::Month, &delays);
        assert_eq!(p[0].median_reply_hours, Some(3.0));
        assert_eq!(p[1].median_reply_hours, Some(10.0));
    }

    #[test]
    fn five_star_reviews_needed_to_reach_a_target() {
        // 10 reviews averaging 4.0: (40 + 5k) / (10 + k) >= 4.5 ⇔ k >= 10.
        assert_eq!(five_stars_needed(40.0, 10, 4.5), Some(10));
        assert_eq!(five_stars_needed(40.0, 10, 3.9), Some(0));
        assert_eq!(five_stars_needed(40.0, 10, 5.0), None);
        assert_eq!(five_stars_needed(0.0, 0, 4.0), Some(0));
    }

    #[test]
    fn projection_follows_the_recent_pace() {
        let today = day_of_date(d(2024, 12, 31));
        let mut days = vec![row(d(2023, 1, 1), 100, &[5; 100])];
        // Recent 90 days: one 3-star review a day.
        for i in 0..90 {
            days.push(row(date_of_day(today - i), 1, &[3]));
        }
        let p = project(&days, today, 90, Some(4.8));
        assert_eq!(p.current_rating, Some(4.05));
        assert_eq!(p.recent_average, Some(3.0));
        assert_eq!(p.recent_per_day, 1.0);
        assert!(p.projected_rating.unwrap() < 4.05);
        assert!(p.five_stars_needed.unwrap() > 0);
    }

    #[test]
    fn rising_complaints_rank_growth_in_negative_share() {
        let c = |a: &str, m, n| AspectCounts {
            aspect: a.into(),
            mentions: m,
            negative: n,
            positive: 0,
            sentiment_sum: 0.0,
        };
        let recent = [c("wait time", 20, 15), c("coffee", 30, 3), c("price", 4, 2)];
        let before = [c("wait time", 60, 6), c("coffee", 90, 9)];
        let r = rising_complaints(&recent, &before);
        assert_eq!(r[0].aspect, "wait time");
        assert_eq!(r[0].change, 0.65);
        assert!(
            r.iter().all(|x| x.aspect != "coffee"),
            "no growth, not rising"
        );
        assert!(
            r.iter().all(|x| x.aspect != "price"),
            "too few to be a trend"
        );
    }

    #[test]
    fn rollup_rows_of_a_day_merge_into_one_oldest_first() {
        let day = |d: NaiveDate, count: i64, unanswered_negative: i64| DayRow {
            unanswered_negative,
            ..row(d, count, &[1])
        };
        let merged = merge_days(vec![
            day(d(2025, 1, 2), 2, 1),
            day(d(2025, 1, 1), 1, 0),
            day(d(2025, 1, 2), 3, 1),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].day, day_of_date(d(2025, 1, 1)));
        assert_eq!(merged[1].count, 5);
        assert_eq!(merged[1].rated, 2);
        assert_eq!(merged[1].stars[0], 2);
        assert_eq!(merged[1].unanswered_negative, 2);
        assert!(merge_days(Vec::new()).is_empty());
    }
}
