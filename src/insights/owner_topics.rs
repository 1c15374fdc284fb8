//! The owner's own topics (issue 27) as the dashboard and `earshot topics` show them: each
//! topic's mentions with their sentiment, the last 30 days against the 90 before, and its
//! mentions period by period.
//!
//! The figures come from the aspect rollup (`aspect_daily`), where a topic's mentions are
//! counted under its name like a built-in aspect's, so they always agree with the aspect list.

use chrono::NaiveDate;
use serde::Serialize;

use super::{AspectSummary, BASELINE_DAYS, RECENT_DAYS};
use crate::analysis::trends::{date_of_day, period_key, period_start, AspectCounts, Granularity};
use crate::model::BusinessId;
use crate::store::{OwnerTopic, Result};

/// Most periods a topic's trend has: a long history in days would be thousands of points.
const MAX_TREND_PERIODS: usize = 400;

/// One period of a topic's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicPeriod {
    /// `2026-03`, `2026-W11` or `2026-03-09`, as `earshot trends` names periods.
    pub period: String,
    pub start: NaiveDate,
    pub mentions: i64,
    pub negative: i64,
    pub positive: i64,
    pub negative_share: Option<f64>,
}

/// One of the owner's topics with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerTopicSummary {
    pub id: i64,
    pub business_id: BusinessId,
    pub name: String,
    pub words: Vec<String>,
    pub mentions: i64,
    pub positive: i64,
    pub negative: i64,
    pub neutral: i64,
    pub negative_share: f64,
    pub average_sentiment: f64,
    /// Mentions in the last 30 days, and the negative share there against the 90 days before.
    pub recent_mentions: i64,
    pub recent_negative_share: Option<f64>,
    pub previous_negative_share: Option<f64>,
    /// Mentions period by period, oldest first, every period of the range (none skipped).
    pub trend: Vec<TopicPeriod>,
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 1000.0).round() / 1000.0)
}

fn counts_of<'a>(counts: &'a [AspectCounts], name: &str) -> Option<&'a AspectCounts> {
    counts.iter().find(|c| c.aspect == name)
}

/// The business's topics with their figures for days in `[from_day, end_day)` (`from_day`
/// `None`: from the first mention), the trend by `by`; "recent" is the 30 days before
/// `end_day`.
pub fn summaries(
    store: &(impl super::InsightReads + ?Sized),
    business_id: BusinessId,
    from_day: Option<i64>,
    end_day: i64,
    by: Granularity,
) -> Result<Vec<OwnerTopicSummary>> {
    let topics = store.owner_topics(Some(business_id))?;
    if topics.is_empty() {
        return Ok(Vec::new());
    }
    let all = store.aspect_counts(business_id, from_day.unwrap_or(i64::MIN), end_day)?;
    let recent = store.aspect_counts(business_id, end_day - RECENT_DAYS, end_day)?;
    let before = store.aspect_counts(
        business_id,
        end_day - RECENT_DAYS - BASELINE_DAYS,
        end_day - RECENT_DAYS,
    )?;
    topics
        .into_iter()
        .map(|t| {
            let days = store.aspect_days(business_id, &t.name, from_day, end_day)?;
            let first = from_day.or_else(|| days.first().map(|d| d.0));
            let trend = trend(&days, first.unwrap_or(end_day - 1), end_day, by);
            Ok(summary(t, &all, &recent, &before, trend))
        })
        .collect()
}

fn summary(
    t: OwnerTopic,
    all: &[AspectCounts],
    recent: &[AspectCounts],
    before: &[AspectCounts],
    trend: Vec<TopicPeriod>,
) -> OwnerTopicSummary {
    let zero = AspectCounts {
        aspect: t.name.clone(),
        mentions: 0,
        negative: 0,
        positive: 0,
        sentiment_sum: 0.0,
    };
    let c: AspectSummary = super::summarise(counts_of(all, &t.name).unwrap_or(&zero));
    let r = counts_of(recent, &t.name);
    let b = counts_of(before, &t.name);
    OwnerTopicSummary {
        id: t.id,
        business_id: t.business_id,
        name: t.name,
        words: t.words,
        mentions: c.mentions,
        positive: c.positive,
        negative: c.negative,
        neutral: c.neutral,
        negative_share: c.negative_share,
        average_sentiment: c.average_sentiment,
        recent_mentions: r.map_or(0, |r| r.mentions),
        recent_negative_share: r.and_then(|r| share(r.negative, r.mentions)),
        previous_negative_share: b.and_then(|b| share(b.negative, b.mentions)),
        trend,
    }
}

/// Every period from the one holding `first_day` to the one holding `end_day - 1`, each with
/// the mentions of its days (`days`: (day, counts), any order).
pub fn trend(
    days: &[(i64, AspectCounts)],
    first_day: i64,
    end_day: i64,
    by: Granularity,
) -> Vec<TopicPeriod> {
    let last = date_of_day(end_day - 1);
    // A range longer than the cap keeps its latest periods.
    let longest = MAX_TREND_PERIODS as i64
        * match by {
            Granularity::Day => 1,
            Granularity::Week => 7,
            Granularity::Month => 28,
        };
    let first_day = first_day.clamp(end_day - longest, end_day - 1);
    let mut start = period_start(date_of_day(first_day), by);
    let mut out: Vec<TopicPeriod> = Vec::new();
    while start <= last && out.len() < MAX_TREND_PERIODS {
        out.push(TopicPeriod {
            period: period_key(start, by),
            start,
            mentions: 0,
            negative: 0,
            positive: 0,
            negative_share: None,
        });
        start = next_period(start, by);
    }
    for (day, c) in days {
        let key = period_key(period_start(date_of_day(*day), by), by);
        if let Some(p) = out.iter_mut().find(|p| p.period == key) {
            p.mentions += c.mentions;
            p.negative += c.negative;
            p.positive += c.positive;
        }
    }
    for p in &mut out {
        p.negative_share = share(p.negative, p.mentions);
    }
    out
}

fn next_period(start: NaiveDate, by: Granularity) -> NaiveDate {
    match by {
        Granularity::Day => start + chrono::Duration::days(1),
        Granularity::Week => start + chrono::Duration::days(7),
        Granularity::Month => start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::trends::day_of_date;

    fn c(mentions: i64, negative: i64) -> AspectCounts {
        AspectCounts {
            aspect: "parking".into(),
            mentions,
            negative,
            positive: 0,
            sentiment_sum: 0.0,
        }
    }

    #[test]
    fn the_trend_has_every_period_of_the_range_with_its_mentions() {
        let d = |s: &str| day_of_date(s.parse().unwrap());
        let days = [
            (d("2026-01-03"), c(2, 1)),
            (d("2026-01-20"), c(1, 1)),
            (d("2026-03-05"), c(4, 0)),
        ];
        let t = trend(&days, d("2026-01-01"), d("2026-03-31"), Granularity::Month);
        let got: Vec<(&str, i64, Option<f64>)> = t
            .iter()
            .map(|p| (p.period.as_str(), p.mentions, p.negative_share))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-01", 3, Some(0.667)),
                ("2026-02", 0, None),
                ("2026-03", 4, Some(0.0))
            ]
        );
    }
}
